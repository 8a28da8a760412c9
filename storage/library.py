"""The shared corpus: every item, stored in TinyDB, shared by all users.

Items are split across three TinyDB files by who needs them when, so that
the list can be shown from the small one while the large one loads afterwards:

* ``library.json`` -- table ``items``: one compact document per item, with
  fields at their default value left out, and table ``documents``: what was
  imported from where. Read at start-up.
* ``texts.json`` -- table ``texts``: each item's ``summary``. Read after the
  first screen is up.
* ``keys.json`` -- table ``keys``: each item's merge keys, half a dozen
  fingerprints that only an import needs. Read by imports only.

At 100,000 items the metadata file is read, decoded and turned into items in
about a quarter of a second, which is what lets the first screen appear within
a second. That budget is why items are built directly from their stored
dicts, why the cyclic garbage collector is paused while millions of small
objects are created, and why the parsed JSON is dropped once the items exist
(the items are the cache; a second copy would double the memory).

Imports are idempotent: the same document again changes nothing.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from seeds.collector import paused_gc
from seeds.model import Item, Update
from storage.annotations import now_iso
from storage.atomic import StorageError
from storage.item_store import DamagedStore, ItemStore, open_item_store, write_item_store
from storage.jsonstore import SafeJSONStorage, Warn
from storage.lock import FileLock
from storage.paths import DataDir
from storage.seen import arrival_stamp
from storage.tables import KeyedDB
from storage.textstore import TextStore, open_text_store, write_text_store

if TYPE_CHECKING:
    from seeds.model import Entry

#: ``progress(done, total)``; an object that also has ``phase(label, unit)`` is
#: told when the import moves from parsing to merging to saving.
Progress = Callable[[int, int], None]

KEYS_FILE = "keys.json"
TEXT_STORE_FILE = "texts.bin"
ITEM_STORE_FILE = "items.bin"
ARRIVALS_FILE = "arrivals.json"
#: The largest arrivals cache read (derived data: a larger one is rebuilt).
_MAX_ARRIVALS_BYTES = 64 * 1024 * 1024

T = TypeVar("T")


class UnknownItem(StorageError):
    pass


#: Below this much text, starting worker processes costs more than it saves.
PARALLEL_MIN_BYTES = 4 * 1024 * 1024
MIN_PARALLEL_CPUS = 4


@dataclass
class DocumentReport:
    name: str
    kind: str | None = None
    entries: int = 0
    skipped: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class ImportReport:
    documents: list[DocumentReport] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[DocumentReport]:
        return [d for d in self.documents if d.error]

    def summary(self) -> str:
        parts = [f"{len(self.added)} added", f"{len(self.merged)} merged"]
        parts.append(f"{len(self.unchanged)} unchanged")
        if self.errors:
            parts.append(f"{len(self.errors)} failed")
        return ", ".join(parts)


# -- items <-> stored documents ---------------------------------------------------

_FIELDS = {f.name: f for f in dataclasses.fields(Item)}
#: Fields kept in texts.json or in the table key rather than in the item document.
_ELSEWHERE = frozenset({"id", "summary", "keys"})
_SCALAR_DEFAULTS = {
    name: f.default for name, f in _FIELDS.items() if f.default is not dataclasses.MISSING
}
_FACTORIES = {
    name: f.default_factory
    for name, f in _FIELDS.items()
    if f.default_factory is not dataclasses.MISSING
}
_STORED = tuple(name for name in _FIELDS if name not in _ELSEWHERE)


def encode_item(item: Item) -> dict[str, Any]:
    """The ``items`` document: every stored field that differs from its default.

    Leaving defaults out makes the file, and so start-up, a fifth smaller; it
    also means a field added to Item later reads back as its default.
    """
    data: dict[str, Any] = {}
    for name in _STORED:
        value = getattr(item, name)
        if name in _SCALAR_DEFAULTS:
            if value == _SCALAR_DEFAULTS[name]:
                continue
        elif not value:
            continue
        data[name] = value
    if item.updates:
        data["updates"] = [{"date": u.date, "text": u.text} for u in item.updates]
    return data


def _updates(raw: list[Any] | None) -> list[Update]:
    return [u if isinstance(u, Update) else Update(**u) for u in raw] if raw else []


#: Fields whose values repeat across items: a few source files, five kinds,
#: a dozen categories, a few thousand authors and dates among 100k items.
#: Each item gets the one shared string instead of its own decoded copy
#: (~20 MB at 100k items).
_SHARED_LISTS = frozenset({"sources", "kinds", "authors", "affiliations"})
_SHARED_SCALARS = frozenset({"date", "date_text", "category"})


def _shared(value: Any) -> Any:
    return sys.intern(value) if isinstance(value, str) else value


def _shared_list(values: list[Any] | None) -> list[Any]:
    if not values:
        return []
    # In place: the decoded list becomes the item's. sys.intern straight away
    # is twice as fast as checking types first; a non-string (a hand-edited
    # file) takes the slow path.
    try:
        values[:] = map(sys.intern, values)
    except TypeError:
        values[:] = map(_shared, values)
    return values


def _make_decoder() -> Callable[[str, Mapping[str, Any]], Item]:
    """``decode(item_id, doc)``: one positional ``Item(...)`` call, written for Item's fields.

    Loading 100k items is dominated by building them. Keyword arguments cost
    twice what positional ones do, and ``Item.from_dict`` filters and copies
    the dict first. Filling ``__dict__`` directly is faster still but loses
    CPython's compact per-instance attribute storage: 85 MB instead of 54 MB
    at 100k items. So the decoder is generated from the dataclass fields (as
    dataclasses generate ``__init__``) and follows Item if fields are added.
    Summaries come from texts.json later, so they start empty.
    """
    namespace: dict[str, Any] = {
        "Item": Item,
        "_updates": _updates,
        "_shared": _shared,
        "_shared_list": _shared_list,
    }
    args = []
    for f in dataclasses.fields(Item):
        if not f.init:
            continue
        name = f.name
        if name == "id":
            args.append("item_id")
        elif name == "summary":
            args.append('""')
        elif name == "updates":
            args.append('_updates(get("updates"))')
        elif name in _SHARED_LISTS:
            args.append(f"_shared_list(get({name!r}))")
        elif name in _SHARED_SCALARS:
            args.append(f"_shared(get({name!r}))")
        elif f.default is not dataclasses.MISSING:
            namespace[f"_default_{name}"] = f.default
            args.append(f"get({name!r}, _default_{name})")
        elif f.default_factory is not dataclasses.MISSING:
            namespace[f"_factory_{name}"] = f.default_factory
            args.append(f"get({name!r}) or _factory_{name}()")
        else:
            args.append(f"doc[{name!r}]")
    source = f"def decode(item_id, doc):\n    get = doc.get\n    return Item({', '.join(args)})\n"
    exec(source, namespace)  # noqa: S102 - built from our own field names only
    return namespace["decode"]


decode_item = _make_decoder()


def copy_item(item: Item) -> Item:
    """A copy to change and write; the library's items are shared."""
    return dataclasses.replace(item)


def _file_signature(path: str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def _stamp(signature: tuple[int, int, int] | None) -> str:
    """A file's identity as the derived stores record it ("-": no file)."""
    return "-" if signature is None else "{}:{}:{}".format(*signature)


def _read_arrivals(path: Any, signature: str) -> dict[str, str] | None:
    """The arrivals cache if it describes library.json as it is (``signature``)."""
    from storage.safe_files import read_regular

    try:
        raw = read_regular(path, limit=_MAX_ARRIVALS_BYTES)
        if raw is None:
            return None
        data = json.loads(raw)
    except (StorageError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("library") != signature:
        return None
    arrivals = data.get("arrivals")
    if not isinstance(arrivals, dict):
        return None
    return {k: v for k, v in arrivals.items() if isinstance(k, str) and isinstance(v, str)}


def _write_arrivals(
    path: Any, arrivals: Mapping[str, str], signature: tuple[int, int, int] | None
) -> None:
    """Best effort: derived data, rebuilt from library.json when missing or stale."""
    from storage.atomic import atomic_write

    if signature is None:
        return
    data = {"library": _stamp(signature), "arrivals": dict(arrivals)}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(data, separators=(",", ":")).encode("utf-8"))
    except (OSError, StorageError):
        pass


# -- parsing, possibly in worker processes ------------------------------------------


def _parse_one(
    name: str, text: str, progress: Progress | None = None, kind: str | None = None
) -> tuple[str | None, list[Entry], list[str], str | None]:
    """(kind, entries, skipped, error) for one document; runs in a worker process too.

    ``progress(done, total)`` counts characters of this document, when the
    parser can report them.
    """
    from seeds.parse import UnknownFormat, parse_document
    from storage.bibtex_import import entries_from_bibtex, looks_like_bibtex

    if kind is None and looks_like_bibtex(text) or kind == "bibtex":
        try:
            entries, skipped = entries_from_bibtex(text, name)
        except ValueError as exc:
            return None, [], [], str(exc).splitlines()[0]
        return "bibtex", entries, skipped, None
    try:
        options: dict[str, Any] = {"kind": kind} if kind is not None else {}
        if progress is not None and _takes_progress(parse_document):
            options["progress"] = progress
        parsed = parse_document(text, name, **options)
    except UnknownFormat as exc:
        return None, [], [], str(exc)
    return parsed.kind, parsed.entries, list(parsed.skipped), None


def _pool_context() -> Any:
    """``fork`` is fastest but unsafe once threads exist (the TUI has several)."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if threading.active_count() == 1 and "fork" in methods:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


def _workers(documents: Sequence[tuple[str, str]]) -> int:
    """How many processes parse: one, unless there is much text and many cores.

    Entries travel back pickled, which costs about half as much CPU as the
    parsing itself. On two cores that are shared with everything else, two
    workers measured slower than one (100k entries: 7.7-8.2 s wall and 4.3 s
    CPU against 5.2-5.9 s and 2.9 s), so parallel parsing needs four cores.
    ``SHELF_IMPORT_WORKERS`` overrides the choice.
    """
    if len(documents) < 2 or sum(len(text) for _, text in documents) < PARALLEL_MIN_BYTES:
        return 1
    if os.environ.get("SHELF_IMPORT_WORKERS"):
        return max(1, int(os.environ["SHELF_IMPORT_WORKERS"]))
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 1
    if cpus < MIN_PARALLEL_CPUS:
        return 1
    return max(1, min(cpus - 1, len(documents), 8))


class _Phases:
    """Drives a ``Progress`` through the import's phases, in entries."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self._phase = getattr(progress, "phase", None)

    def start(self, label: str, unit: str = "entries") -> None:
        if self._phase is not None:
            self._phase(label, unit)

    def __call__(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(done, total)

    def end(self) -> None:
        """Done or failed: a bar that redraws by itself must stop now."""
        idle = getattr(self.progress, "idle", None)
        if idle is not None:
            idle()


def _takes_progress(func: Callable[..., Any]) -> bool:
    """Whether the parser or merger can report progress within one call.

    One document may hold 100k entries and merging them is a single call of
    several seconds; when these functions accept ``progress(done, total)``,
    the bar moves inside them too.
    """
    import inspect

    try:
        return "progress" in inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False


#: A list line's fields of one item, as ``Library.row_fields`` reads them.
RowFields = tuple[str, bool, list[str], bool, str | None]
#: Item documents parsed at a time for them: a listing of the whole library
#: never holds 100,000 documents at once.
ROW_BATCH = 2000


class _DecodeWhole(Exception):
    """Too many items wanted to read them one by one."""


# -- the library -----------------------------------------------------------------------


class Library:
    """Items and the record of imported documents, with a lock for writers."""

    def __init__(self, data_dir: DataDir, warn: Warn | None = None) -> None:
        self.data_dir = data_dir
        backups = data_dir.backup_dir
        # Plain strings, built once: items() stats these on every call, and
        # callers do call it once per item (100k Path joins cost seconds).
        self._meta_path = os.fspath(data_dir.library_file)
        self._texts_path = os.fspath(data_dir.texts_file)
        self._meta_storage = SafeJSONStorage(
            data_dir.library_file, backup_dir=backups, label="library", warn=warn
        )
        self._text_storage = SafeJSONStorage(
            data_dir.texts_file, backup_dir=backups, label="library texts", warn=warn
        )
        self._meta_db = KeyedDB(storage=lambda: self._meta_storage)
        self._keys_path = data_dir.keys_file
        self._keys_storage = SafeJSONStorage(
            self._keys_path, backup_dir=backups, label="library keys", warn=warn
        )
        self._text_db = KeyedDB(storage=lambda: self._text_storage)
        self._keys_db = KeyedDB(storage=lambda: self._keys_storage)
        self._items = self._meta_db.keyed("items")
        self._documents = self._meta_db.keyed("documents")
        self._texts = self._text_db.keyed("texts")
        self._keys = self._keys_db.keyed("keys")
        self.lock = FileLock(data_dir.lock_dir / "library.lock")
        # The TUI reads from its storage thread and its poller at once.
        self._mutex = threading.RLock()
        self._cache: dict[str, Item] | None = None
        #: Citation keys people gave items themselves (their corrections): new
        #: items never get one of these (see ``_with_citekeys``). Set by the session.
        self.reserved_keys: Callable[[], Iterable[str]] = tuple
        self._cache_key: object = None
        #: library.json's documents table; None until asked for (imports only).
        self._documents_cache: dict[str, dict[str, Any]] | None = None
        self._texts_loaded_for: object = None
        self._store_path = data_dir.cache_dir / TEXT_STORE_FILE
        self._store: TextStore | None = None
        self._store_for: str | None = None
        self._item_store_path = data_dir.cache_dir / ITEM_STORE_FILE
        self._item_store: ItemStore | None = None
        self._item_store_for: str | None = None
        self._arrivals: tuple[tuple[int, int, int] | None, dict[str, str]] | None = None

    # -- reading ------------------------------------------------------------

    def _release(self) -> None:
        """Drop the storages' parsed copies: the items are the cache now."""
        self._meta_storage.close()
        self._text_storage.close()
        self._keys_storage.close()

    def _load_meta(self) -> None:
        """(Re)build the items from library.json when the file changed on disk."""
        signature = _file_signature(self._meta_path)
        if self._cache is not None and signature == self._cache_key:
            return
        with paused_gc():
            from_store = self._items_from_store(signature)
            if from_store is not None:
                self._cache, self._documents_cache = from_store, None
            else:
                self._meta_storage.read()
                items = self._items.raw()
                self._cache = {item_id: decode_item(item_id, doc) for item_id, doc in items.items()}
                self._documents_cache = dict(self._documents.raw())
        # Taken before reading: if the file was replaced meanwhile, the next
        # call notices and reads again rather than keeping a stale copy.
        self._cache_key = signature
        self._texts_loaded_for = None
        self._release()

    def _items_from_store(self, signature: tuple[int, int, int] | None) -> dict[str, Item] | None:
        """The items from ``.cache/items.bin`` when it is current, else None (read library.json).

        Record by record: the same documents as library.json's, but never one
        long C call holding the GIL (the app's UI thread waits on it).
        """
        path_sig = _stamp(signature)
        store = self._item_store
        if store is None or self._item_store_for != path_sig:
            store = open_item_store(self._item_store_path, path_sig)
            if store is None:
                return None
            if self._item_store is not None:
                self._item_store.close()
            self._item_store, self._item_store_for = store, path_sig
        try:
            return dict(store.decoded_in_order(decode_item))
        except (DamagedStore, OSError, KeyError, TypeError, ValueError):
            return None  # library.json is the record; the store is rebuilt when next used

    def _documents_table(self) -> dict[str, dict[str, Any]]:
        if self._documents_cache is None:
            self._documents_cache = dict(self._documents.raw())
        return self._documents_cache

    def is_empty(self) -> bool:
        return not self.items(with_text=False)

    def items(self, with_text: bool = True) -> dict[str, Item]:
        """All items by id, in import order; rebuilt only when the file changed.

        The same dict is returned until something changes, so callers can tell
        "nothing new" by identity. Items carry their merge keys only after an
        import (nothing else needs them); without ``with_text`` their summaries
        may be empty until ``load_texts`` runs.
        """
        with self._mutex:
            self._load_meta()
            if with_text:
                self._load_texts()
            assert self._cache is not None
            return self._cache

    def load_texts(self) -> None:
        """Fill in the abstracts; separate so the first screen need not wait for them."""
        with self._mutex:
            self._load_meta()
            self._load_texts()

    def _load_texts(self) -> None:
        assert self._cache is not None
        key = (self._cache_key, _file_signature(self._texts_path))
        if self._texts_loaded_for == key:
            return
        with paused_gc():
            self._text_storage.read()
            texts = self._texts.raw()
            for item_id, item in self._cache.items():
                doc = texts.get(item_id)
                item.summary = doc.get("summary", "") if doc else ""
        self._texts_loaded_for = key
        self._text_storage.close()

    # -- abstracts one at a time -------------------------------------------

    def _texts_signature(self) -> str:
        found = _file_signature(self._texts_path)
        return "-" if found is None else "{}:{}:{}".format(*found)

    def open_text_store(self) -> TextStore | None:
        """The abstracts as a memory-mapped store (see :mod:`storage.textstore`).

        Made from texts.json when missing or older than it, which reads every
        abstract once; imports write it as they go, so that is rare. None if
        it cannot be written (the caller then loads texts into the items).
        """
        with self._mutex:
            signature = self._texts_signature()
            if self._store is not None and self._store_for == signature:
                return self._store
            store = open_text_store(self._store_path, signature)
            if store is None:
                with paused_gc():
                    self._text_storage.read()
                    texts = self._texts.raw()
                    pairs = [(k, d.get("summary", "") or "") for k, d in texts.items()]
                    self._text_storage.close()
                    del texts
                    written = write_text_store(self._store_path, pairs, signature)
                    del pairs
                store = open_text_store(self._store_path, signature) if written else None
            self._store, self._store_for = store, signature if store is not None else None
            return store

    def text(self, item_id: str) -> str:
        """One item's abstract, without loading the others (or the library)."""
        with self._mutex:
            if self._texts_loaded_for is None:
                store = self.open_text_store()
                if store is not None:
                    return store.get(item_id)
        return self.text_source()(item_id)

    def text_source(self) -> Callable[[str], str]:
        """A function from item id to abstract, for reading many (exports, the index).

        From the items when their texts are loaded anyway, else from the
        store; only if the store cannot be made are all texts loaded.
        """
        with self._mutex:
            self._load_meta()
            cache = self._cache
            assert cache is not None
            if self._texts_loaded_for is None:
                store = self.open_text_store()
                if store is not None:
                    return store  # callable, and has get_many for bulk readers
                self._load_texts()

            def from_items(item_id: str) -> str:
                item = cache.get(item_id)
                return item.summary if item is not None else ""

            return from_items

    def texts_of(self, item_ids: Sequence[str]) -> list[str]:
        """The abstracts of ``item_ids`` in order, read in bulk (exports).

        From the text store unless the items in memory carry their texts: a
        query's hits must not decode the library to find their abstracts.
        """
        with self._mutex:
            if self._texts_loaded_for is None:
                store = self.open_text_store()
                if store is not None:
                    return store.get_many(item_ids)
            source = self.text_source()
        return [source(item_id) for item_id in item_ids]

    def _write_text_store(self, existing: Mapping[str, Item], items: list[Item]) -> None:
        """Keep the store in step with texts.json just written, from the items in hand.

        ``existing`` carries its summaries (imports load them to merge).
        """
        signature = self._texts_signature()
        current = open_text_store(self._store_path, signature)
        if current is not None:  # texts.json did not change
            current.close()
            return
        texts = {item_id: item.summary for item_id, item in existing.items()}
        texts.update((item.id, item.summary) for item in items)
        if write_text_store(self._store_path, texts.items(), signature):
            self._store, self._store_for = None, None

    def _write_row_cache(self, existing: Mapping[str, Item], items: list[Item]) -> None:
        """The app's list rows for the library just written (see :mod:`storage.row_cache`).

        Without it the first start after an import parses the whole library
        before its first frame (0.9 s at 100k items instead of 0.5 s).
        """
        from storage.row_cache import item_base, library_signature, write_row_cache

        merged = dict(existing)
        merged.update((item.id, item) for item in items)
        rows = [item_base(item) for item in merged.values()]
        write_row_cache(self.data_dir, library_signature(self.data_dir), list(merged), rows)

    # -- arrivals (what can be new to a user) ---------------------------------

    def arrivals(self) -> dict[str, str]:
        """Arrival stamps of the items that have one, by id (see ``Item.arrived``).

        From the items when they are in memory (the app); else from
        ``.cache/arrivals.json``, stamped with library.json's identity and
        written by every import, so a command does not decode the library
        to know what arrived. Rebuilt from the library when stale.
        The same dict is returned while library.json is unchanged, so callers
        can tell "nothing arrived" by identity.
        """
        with self._mutex:
            signature = _file_signature(self._meta_path)
            if self._arrivals is not None and self._arrivals[0] == signature:
                return self._arrivals[1]
            cache = self._cache
            if cache is not None and self._cache_key == signature:
                arrivals = {i: it.arrived for i, it in cache.items() if it.arrived}
            else:
                path = self.data_dir.cache_dir / ARRIVALS_FILE
                found = _read_arrivals(path, _stamp(signature))
                if found is None:
                    items = self.items(with_text=False)
                    found = {i: it.arrived for i, it in items.items() if it.arrived}
                    signature = self._cache_key  # type: ignore[assignment]
                    _write_arrivals(path, found, signature)
                arrivals = found
            self._arrivals = (signature, arrivals)
            return arrivals

    def arrived_of(self, item_ids: Sequence[str]) -> dict[str, str]:
        """The arrival stamps of ``item_ids`` that have one: a few read from the
        item store without decoding them, many from :meth:`arrivals`."""
        wanted = list(dict.fromkeys(item_ids))

        def in_store(store: ItemStore) -> dict[str, str]:
            if len(wanted) > 64:
                raise _DecodeWhole
            found = {}
            for item_id in wanted:
                doc = store.doc(item_id)
                stamp = doc.get("arrived") if doc is not None else None
                if stamp and isinstance(stamp, str):
                    found[item_id] = stamp
            return found

        def in_items(items: dict[str, Item]) -> dict[str, str]:
            return {i: items[i].arrived for i in wanted if i in items and items[i].arrived}

        try:
            return self._look_up(in_store, in_items)
        except _DecodeWhole:
            arrivals = self.arrivals()
            return {i: arrivals[i] for i in wanted if i in arrivals}

    def _write_arrivals(self, existing: Mapping[str, Item], items: list[Item]) -> None:
        """The arrivals cache for library.json just written (under the library lock)."""
        arrivals = {i: it.arrived for i, it in existing.items() if it.arrived}
        arrivals.update((it.id, it.arrived) for it in items if it.arrived)
        _write_arrivals(
            self.data_dir.cache_dir / ARRIVALS_FILE, arrivals, _file_signature(self._meta_path)
        )

    # -- one item at a time ------------------------------------------------

    def open_item_store(self) -> ItemStore | None:
        """Every item's metadata by id, as a file (see :mod:`storage.item_store`).

        Made from library.json when missing or older than it, which reads
        the whole library once; imports write it as they go, so that is
        rare. None if it cannot be written (the caller then decodes the
        library).
        """
        with self._mutex:
            signature = _stamp(_file_signature(self._meta_path))
            if self._item_store is not None and self._item_store_for == signature:
                return self._item_store
            store = open_item_store(self._item_store_path, signature)
            if store is None:
                store, signature = self._rebuild_item_store()
            self._item_store, self._item_store_for = store, signature
            return store

    def _stored_items(self) -> tuple[Mapping[str, Any], str]:
        """library.json's item documents, and a stamp no newer than the version they come from.

        The stamp is taken before reading, as in ``_load_meta``: if the file
        is replaced in between, the store is stamped with an older version
        than it holds, so it is never used, rather than used for a version
        it does not hold.
        """
        signature = _stamp(_file_signature(self._meta_path))
        return self._items.raw(), signature

    def _rebuild_item_store(self) -> tuple[ItemStore | None, str]:
        """Write the store from library.json as it is now: one read of the whole file."""
        with paused_gc():
            try:
                docs, signature = self._stored_items()
                written = write_item_store(self._item_store_path, docs, signature)
                del docs
            finally:
                self._meta_storage.close()
        store = open_item_store(self._item_store_path, signature) if written else None
        return store, signature

    def _write_item_store(self) -> None:
        """Keep the store in step with library.json just written (under the library lock).

        From the storage's copy of what it wrote (it keeps it until
        ``_release``), so the import does not read 100k items back.
        """
        if self._item_store is not None:
            self._item_store.close()
        self._item_store, self._item_store_for = None, None
        docs, signature = self._stored_items()
        write_item_store(self._item_store_path, docs, signature)

    def _look_up(
        self, in_store: Callable[[ItemStore], T], in_items: Callable[[dict[str, Item]], T]
    ) -> T:
        """``in_store(store)``, or ``in_items(items)`` when the items are in memory anyway.

        A damaged store is rebuilt once; when it cannot be made (or is
        damaged again) the library is decoded: slower, never wrong.
        """
        with self._mutex:
            cache = self._cache
            if cache is not None and self._cache_key == _file_signature(self._meta_path):
                return in_items(cache)
            store = self.open_item_store()
            for attempt in range(2):
                if store is None:
                    break
                try:
                    return in_store(store)
                except (DamagedStore, OSError):
                    store.close()
                    if attempt:
                        break
                    store, signature = self._rebuild_item_store()
                    self._item_store, self._item_store_for = store, signature
            self._item_store, self._item_store_for = None, None
            return in_items(self.items(with_text=False))

    def resolve(self, ref: str) -> str:
        """The id of the one item ``ref`` names: its id, or a prefix no other id has.

        Raises UnknownItem for none or several; at most the first five are named.
        """
        ref = ref.strip().lower()

        def in_store(store: ItemStore) -> tuple[bool, list[str]]:
            if ref in store:
                return True, []
            return False, store.with_prefix(ref, 6) if ref else []

        def in_items(items: dict[str, Item]) -> tuple[bool, list[str]]:
            if ref in items:
                return True, []
            return False, sorted(i for i in items if i.startswith(ref))[:6] if ref else []

        exact, matches = self._look_up(in_store, in_items)
        if exact:
            return ref
        if not ref:
            raise UnknownItem("empty item id")
        if not matches:
            raise UnknownItem(f"no item with id {ref!r}")
        if len(matches) > 1:
            shown = ", ".join(matches[:5])
            more = "…" if len(matches) > 5 else ""
            raise UnknownItem(f"id prefix {ref!r} is ambiguous: {shown}{more}")
        return matches[0]

    def item(self, item_id: str, with_text: bool = False) -> Item | None:
        """One item, or None; its abstract too if ``with_text``.

        A copy: changing it changes nothing stored, nor what ``items()`` returns.
        """

        def in_store(store: ItemStore) -> Item | None:
            doc = store.doc(item_id)
            return None if doc is None else decode_item(item_id, doc)

        def in_items(items: dict[str, Item]) -> Item | None:
            found = items.get(item_id)
            return None if found is None else dataclasses.replace(found)

        item = self._look_up(in_store, in_items)
        if item is not None and with_text:
            item.summary = self.text(item_id)
        return item

    def items_of(self, item_ids: Sequence[str]) -> Mapping[str, Item]:
        """The items of ``item_ids`` (unknown ids left out), read one by one when they are few.

        A query's hits or an export of a handful need not decode the library;
        past a quarter of it, decoding it whole is the cheaper way.
        """
        wanted = list(dict.fromkeys(item_ids))

        def in_store(store: ItemStore) -> Mapping[str, Item]:
            if len(wanted) * 4 > len(store):
                raise _DecodeWhole
            return {i: decode_item(i, doc) for i, doc in store.docs_of(wanted).items()}

        def in_items(items: dict[str, Item]) -> Mapping[str, Item]:
            return items

        try:
            return self._look_up(in_store, in_items)
        except _DecodeWhole:
            return self.items(with_text=False)

    def row_fields(self, item_ids: Sequence[str]) -> list[RowFields]:
        """What a list line shows of each of ``item_ids``, in their order:
        (title, title derived, authors, authors cut short, date as written).

        From the item store's documents, a batch at a time, without making
        Items: ``shelf list diffusion`` shows 19,000 of 100,000 items and
        neither decoding the library nor 19,000 Items is needed for five
        fields each. Raises UnknownItem for an id that is no item.
        """

        def in_store(store: ItemStore) -> list[RowFields]:
            out: list[RowFields] = []
            at = 0
            for batch in store.docs_in(item_ids, ROW_BATCH):
                for doc in batch:
                    if doc is None:
                        raise UnknownItem(f"no item with id {item_ids[at]!r}")
                    get = doc.get
                    out.append(
                        (
                            doc["title"],
                            get("title_derived", False),
                            get("authors") or [],
                            get("authors_truncated", False),
                            get("date_text"),
                        )
                    )
                    at += 1
            return out

        def in_items(items: dict[str, Item]) -> list[RowFields]:
            out: list[RowFields] = []
            for item_id in item_ids:
                item = items.get(item_id)
                if item is None:
                    raise UnknownItem(f"no item with id {item_id!r}")
                fields = (item.title, item.title_derived, item.authors, item.authors_truncated)
                out.append((*fields, item.date_text))
            return out

        return self._look_up(in_store, in_items)

    def title(self, item_id: str) -> str | None:
        """The item's own title (not a user's renaming), or None if there is no such item."""
        return self.titles([item_id]).get(item_id)

    def titles(self, item_ids: Iterable[str]) -> dict[str, str]:
        """The titles of those of ``item_ids`` that are items (a change names them in the file)."""
        wanted = list(dict.fromkeys(item_ids))

        def in_store(store: ItemStore) -> dict[str, str]:
            found = {}
            for item_id in wanted:
                doc = store.doc(item_id)
                if doc is not None:
                    found[item_id] = doc.get("title") or ""
            return found

        def in_items(items: dict[str, Item]) -> dict[str, str]:
            return {i: items[i].title for i in wanted if i in items}

        return self._look_up(in_store, in_items)

    def ids(self) -> list[str]:
        """Every item id, in library (import) order."""
        return self._look_up(lambda store: store.ids(), list)

    def add_items(self, items: Iterable[Item]) -> None:
        """Add or replace ready-made items the way an import writes them.

        For tests and benchmarks, which need known items (or 100k of them)
        without parsing documents: under the library lock, texts first, one
        write per file, and every derived store brought up to date.
        """
        items = list(items)
        with self._mutex, self.lock.held():
            try:
                self._write_items(items, self.items(with_text=True))
            finally:
                self._release()

    def _load_keys(self) -> None:
        """Merge keys onto the cached items; items from before keys.json keep their own."""
        assert self._cache is not None
        with paused_gc():
            self._keys_storage.read()
            stored = self._keys.raw()
            for item_id, item in self._cache.items():
                doc = stored.get(item_id)
                if doc and doc.get("keys"):
                    item.keys = list(doc["keys"])
        self._keys_storage.close()

    def get(self, item_id: str) -> Item | None:
        return self.items().get(item_id)

    def documents(self) -> dict[str, dict[str, Any]]:
        with self._mutex:
            self._load_meta()
            return dict(self._documents_table())

    # -- importing ----------------------------------------------------------

    def import_documents(
        self,
        documents: Sequence[tuple[str, str]],
        progress: Progress | None = None,
        *,
        kind: str | None = None,
        dry_run: bool = False,
        arrive: bool = True,
    ) -> ImportReport:
        """Parse and merge documents into the library in one locked, atomic step.

        ``kind`` forces a format; ``dry_run`` reports what would be added and
        merged, writing nothing. Items it adds get their arrival stamp
        (``Item.arrived``) unless ``arrive`` is False (the bundled corpus).
        """
        from seeds.merge import merge_entries

        phases = _Phases(progress)
        try:
            return self._import(documents, phases, merge_entries, kind, dry_run, arrive)
        finally:
            phases.end()

    def _import(
        self,
        documents: Sequence[tuple[str, str]],
        phases: _Phases,
        merge_entries: Callable[..., Any],
        kind: str | None = None,
        dry_run: bool = False,
        arrive: bool = True,
    ) -> ImportReport:
        report = ImportReport()
        with paused_gc():
            parsed = self._parse_all(documents, phases, kind)
        entries: list[Entry] = []
        for (name, _), (kind, doc_entries, skipped, error) in zip(documents, parsed, strict=True):
            report.documents.append(DocumentReport(name, kind, len(doc_entries), skipped, error))
            entries.extend(doc_entries)
        del parsed
        if not entries:
            return report
        with self._mutex, self.lock.held(), paused_gc():
            phases.start("merging")
            phases(0, len(entries))
            existing = self._items_for_import()
            if _takes_progress(merge_entries):
                result = merge_entries(entries, existing.values(), progress=phases)
            else:
                result = merge_entries(entries, existing.values())
            phases(len(entries), len(entries))
            report.added, report.merged = list(result.added), list(result.merged)
            report.unchanged = list(result.unchanged)
            records = self._document_records(documents, report)
            try:
                if (result.items or records) and not dry_run:
                    phases.start("saving", "items")
                    arrived = arrival_stamp() if arrive else None
                    self._write_items(result.items, existing, phases, records, arrived)
            finally:
                self._release()
        return report

    def _parse_all(
        self, documents: Sequence[tuple[str, str]], phases: _Phases, kind: str | None = None
    ) -> list[tuple[str | None, list[Entry], list[str], str | None]]:
        """Parse every document, in worker processes when that pays (see ``_workers``).

        Progress is in entries; the total is extrapolated from the text parsed
        so far (about one entry per kilobyte until the first document is done).
        """
        sizes = [len(text) for _, text in documents]
        total_size = sum(sizes) or 1
        results: list[Any] = [None] * len(documents)
        done_size = 0
        done_entries = 0
        phases.start("parsing")

        def per_char() -> float:
            return done_entries / done_size if done_entries else 1 / 1000

        def finished(index: int, outcome: Any) -> None:
            nonlocal done_size, done_entries
            results[index] = outcome
            done_size += sizes[index]
            done_entries += len(outcome[1])
            if done_size >= total_size:
                phases(done_entries, done_entries)
            else:
                estimate = max(done_entries + 1, round(per_char() * total_size))
                phases(done_entries, estimate)

        def inside(done_chars: int, total_chars: int) -> None:
            """Within one document: entries so far, guessed from its characters parsed."""
            rate = per_char()
            done = done_entries + round(done_chars * rate)
            phases(done, max(done + 1, round(rate * total_size)))

        phases(0, max(1, total_size // 1000))
        workers = _workers(documents)
        if workers == 1:
            for index, (name, text) in enumerate(documents):
                finished(index, _parse_one(name, text, inside, kind))
            return results
        from concurrent.futures import ProcessPoolExecutor, as_completed

        # Largest first, so one big document does not start last and run alone.
        order = sorted(range(len(documents)), key=lambda i: -sizes[i])
        with ProcessPoolExecutor(workers, mp_context=_pool_context()) as pool:
            futures = {pool.submit(_parse_one, *documents[i], None, kind): i for i in order}
            for future in as_completed(futures):
                finished(futures[future], future.result())
        return results

    def _items_for_import(self) -> dict[str, Item]:
        """Current items with summaries and merge keys, read fresh under the lock."""
        self._load_meta()
        self._load_texts()
        self._load_keys()
        assert self._cache is not None
        return self._cache

    def _write_items(
        self,
        items: Iterable[Item],
        existing: Mapping[str, Item],
        progress: Progress | None = None,
        documents: Mapping[str, dict[str, Any]] | None = None,
        arrived: str | None = None,
    ) -> None:
        """Write new and changed items: one write per file, texts first.

        A crash between the writes leaves an unused text or key, never an item
        whose abstract or keys are missing. The record of imported documents goes in
        the same write as the items, so it never claims more than was saved.
        ``arrived``: the arrival stamp for items new to the library; an item
        already in it keeps the one it has (a merge is no arrival).
        """
        items = list(items)
        for item in items:
            old = existing.get(item.id)
            if old is not None:
                item.arrived = old.arrived or item.arrived
            elif arrived and not item.arrived:
                item.arrived = arrived
        items = self._with_citekeys(items, existing)
        metas: dict[str, dict[str, Any]] = {}
        texts: dict[str, dict[str, Any]] = {}
        keys: dict[str, dict[str, Any]] = {}
        total = len(items)
        with paused_gc():
            for item in items:
                metas[item.id] = encode_item(item)
                old = existing.get(item.id)
                if old is None or old.summary != item.summary:
                    texts[item.id] = {"summary": item.summary}
                if old is None or old.keys != item.keys:
                    keys[item.id] = {"keys": list(item.keys)}
            if progress:
                progress(total // 4, total)
            if texts:
                self._texts.apply(lambda table: table.update(texts))
            if keys:
                self._keys.apply(lambda table: table.update(keys))
            if progress:
                progress(total * 3 // 4, total)
            updaters = {}
            if metas:
                updaters["items"] = lambda table: table.update(metas)
            if documents:
                updaters["documents"] = lambda table: table.update(documents)
            if updaters:
                self._meta_db.apply(updaters)
                self._write_item_store()  # stamped with the file just written
            self._write_text_store(existing, items)
            if metas:
                self._write_row_cache(existing, items)
                self._write_arrivals(existing, items)
            if progress:
                progress(total, total)
        self._update_cache(items, documents or {})

    def _with_citekeys(self, items: list[Item], existing: Mapping[str, Item]) -> list[Item]:
        """``items`` with citation keys: kept from before, else given now (in order).

        Library items that have none yet (a library from before keys) get theirs
        first, in library order, and are written too: keys never depend on
        which import happened to come first on this machine.
        """
        from storage.export.keys import assign_citekeys

        for item in items:
            old = existing.get(item.id)
            if not item.citekey and old is not None and old.citekey:
                item.citekey = old.citekey
        taken = {it.citekey for it in existing.values() if it.citekey}
        taken.update(it.citekey for it in items if it.citekey)
        taken.update(self.reserved_keys())
        older: list[Item] = []
        if any(not it.citekey for it in existing.values()):
            pending = {it.id: it for it in items}
            in_order = []
            for it in existing.values():
                if it.citekey:
                    continue
                mine = pending.get(it.id)
                if mine is None:
                    mine = copy_item(it)
                    older.append(mine)
                in_order.append(mine)
            assign_citekeys(in_order, taken)
        assign_citekeys(items, taken)
        return [*older, *items]

    def ensure_citekeys(self, item_ids: Sequence[str] | None = None) -> int:
        """Give every item without a citation key its key, and store them; how many.

        With ``item_ids``, only when one of those lacks a key: a query's few
        hits are looked up in the item store, not by decoding the library.
        """
        if item_ids is not None:
            wanted = self.items_of(item_ids)
            if all(item.citekey for item in wanted.values()):
                return 0
        with self._mutex:
            self._load_meta()
            assert self._cache is not None
            if all(it.citekey for it in self._cache.values()):
                return 0
        with self._mutex, self.lock.held(), paused_gc():
            existing = self._items_for_import()
            missing = [copy_item(it) for it in existing.values() if not it.citekey]
            try:
                if missing:
                    self._write_items(missing, existing)
            finally:
                self._release()
            return len(missing)

    def _update_cache(self, items: list[Item], documents: Mapping[str, dict[str, Any]]) -> None:
        """Take the written items into the cache instead of reading 100k back.

        Safe because we hold the library lock, so the files just written are
        the current ones.
        """
        if self._cache is None or self._cache_key is None:
            self._cache = None
            return
        cache = dict(self._cache)  # a new dict: callers tell "changed" by identity
        for item in items:
            stored = {
                k: list(v) if isinstance(v, list) else v for k, v in encode_item(item).items()
            }
            copy = decode_item(item.id, stored)
            copy.summary = item.summary
            copy.keys = list(item.keys)
            cache[item.id] = copy
        self._cache = cache
        if self._documents_cache is not None:
            self._documents_cache.update(documents)
        self._cache_key = _file_signature(self._meta_path)
        self._texts_loaded_for = (self._cache_key, _file_signature(self._texts_path))

    def _document_records(
        self, documents: Sequence[tuple[str, str]], report: ImportReport
    ) -> dict[str, dict[str, Any]]:
        """What to remember about each document that parsed and is new or changed."""
        import hashlib  # (here: 5 ms that no command but an import needs)

        stamp = now_iso()
        records: dict[str, dict[str, Any]] = {}
        known = self._documents_table()
        for (name, text), doc_report in zip(documents, report.documents, strict=True):
            if doc_report.error:
                continue
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
            previous = known.get(name)
            if previous and previous.get("sha256") == digest:
                continue
            records[name] = {
                "sha256": digest,
                "kind": doc_report.kind,
                "entries": doc_report.entries,
                "imported": stamp,
            }
        return records

    # -- entries from elsewhere (feeds) -------------------------------------------

    def import_entries(
        self, entries: Sequence[Entry], source: str, *, kind: str = "feed"
    ) -> ImportReport:
        """Merge ready-made entries (a feed's, a fetched paper's) in one locked, atomic step.

        Feed entries go through ``merge_feed_entries``: a truncated summary of
        a text the library has merges into that item; other entries through
        ``merge_entries``, as a document's would. The import is recorded under
        ``source`` (``feed:NAME``, ``shelf add``) like a document's.
        """
        from seeds.merge import merge_entries
        from storage.feeds import merge_feed_entries

        report = ImportReport()
        report.documents.append(DocumentReport(source, kind, len(entries)))
        if not entries:
            return report
        with self._mutex, self.lock.held(), paused_gc():
            existing = self._items_for_import()
            if kind == "feed":
                result = merge_feed_entries(entries, existing.values())
            else:
                result = merge_entries(entries, existing.values())
            report.added, report.merged = list(result.added), list(result.merged)
            report.unchanged = list(result.unchanged)
            record = {source: {"kind": kind, "entries": len(entries), "imported": now_iso()}}
            try:
                if result.items:
                    self._write_items(result.items, existing, None, record, arrival_stamp())
            finally:
                self._release()
        return report

    # -- removing ---------------------------------------------------------------

    def remove(self, item_ids: Iterable[str]) -> list[Item]:
        """Take items out of the library in one locked step; returns them, abstracts included.

        Texts and keys go first, so a crash between the writes leaves an
        unused text, never an item without its abstract. Annotations are the
        users' and stay: importing the item again brings it back with them.
        """
        wanted = list(dict.fromkeys(item_ids))
        with self._mutex, self.lock.held(), paused_gc():
            existing = self._items_for_import()
            gone = [existing[i] for i in wanted if i in existing]
            if not gone:
                return []
            drop = {item.id for item in gone}

            def without(table: dict[str, Any]) -> None:
                for item_id in drop:
                    table.pop(item_id, None)

            try:
                self._texts.apply(without)
                self._keys.apply(without)
                self._meta_db.apply({"items": without})
                self._write_item_store()
                remaining = {k: v for k, v in existing.items() if k not in drop}
                self._write_text_store(remaining, [])
                self._write_row_cache(remaining, [])
                self._write_arrivals(remaining, [])
            finally:
                self._cache = None  # read afresh: the removed items must not linger
                self._release()
        return [dataclasses.replace(item) for item in gone]
