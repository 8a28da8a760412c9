"""Per-user annotation files: one TinyDB file per user, keyed by item id.

The file is meant to be read and diffed by people and kept in git by a
reading group, so it is pretty-printed with sorted keys, one block per item,
with the item's title beside its id (``about``), and it only ever holds what
the user said (empty fields are left out).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import orjson

from storage.annotation_checks import check_table, summarize_refused
from storage.atomic import StorageError, clean_temp_files, os_error_reason
from storage.file_names import safe_name
from storage.journal import JournaledStorage, replay
from storage.jsonstore import CorruptData, Warn, decode
from storage.lock import FileLock
from storage.model import Annotation
from storage.paths import DataDir, validate_user
from storage.safe_files import MAX_ANNOTATION_BYTES, check_folders, read_regular
from storage.tables import KeyedDB

FORMAT_NAME = "shelf-annotations"
FORMAT_VERSION = 1
TABLE = "annotations"
META = "meta"
#: Journal entries after which a change also folds the journal into the file.
COMPACT_AFTER = 200


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def encode_annotation(ann: Annotation, about: str | None) -> dict[str, Any]:
    data = {k: v for k, v in ann.to_dict().items() if v not in (None, [], "", {})}
    if data.get("status") == "unread" and ann.status_at is None:
        data.pop("status")
    if about:
        data["about"] = about
    return data


def decode_table(raw: Mapping[str, Any]) -> dict[str, Annotation]:
    return {item_id: Annotation.from_dict(item_id, doc) for item_id, doc in raw.items()}


def check_format(tables: Mapping[str, Any] | None, path: Path) -> None:
    if not tables:
        return
    meta = tables.get(META, {}).get("format")
    if not isinstance(meta, dict):
        return
    version = meta.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int):
        raise StorageError(
            f"{path} uses annotation format {version!r}, which this shelf does not understand"
        )
    if version > FORMAT_VERSION:
        raise StorageError(
            f"{path} uses annotation format {version}, newer than this shelf "
            f"understands ({FORMAT_VERSION}); upgrade shelf"
        )


class AnnotationStore:
    """One user's annotations, safe against crashes and concurrent writers."""

    def __init__(self, data_dir: DataDir, user: str, warn: Warn | None = None) -> None:
        self.user = validate_user(user)
        self.path = data_dir.annotation_file(user)
        self.lock = FileLock(data_dir.lock_dir / f"user-{self.user}.lock")
        self.storage = JournaledStorage(
            self.path,
            lock=self.lock,
            journal_path=journal_file(data_dir, self.user),
            backup_dir=data_dir.backup_dir / "annotations",
            pretty=True,
            mode=0o600,
            label=f"annotations of {user}:",
            warn=warn,
            root=data_dir.root,
            max_bytes=MAX_ANNOTATION_BYTES,
            keep_latest=True,
            stamp_path=data_dir.cache_dir / f"annotations-{self.user}.written",
        )
        # Backup 1 is written as a copy (keep_latest), so a writer killed
        # meanwhile leaves its temp file there; start-up cleans the other folders.
        clean_temp_files(data_dir.backup_dir / "annotations")
        self._db = KeyedDB(storage=lambda: self.storage)
        self._table = self._db.keyed(TABLE)
        self._meta = self._db.keyed(META)
        self._cache: dict[str, Annotation] = {}
        self._cache_key: object = None

    def _signature(self) -> object:
        tables = self.storage.read()
        check_format(tables, self.path)
        return self.storage.signature

    def all(self) -> dict[str, Annotation]:
        """Every annotation, re-read only when the file changed on disk."""
        signature = self._signature()
        if signature != self._cache_key or signature is None:
            self._cache = decode_table(self._table.raw())
            self._cache_key = signature
        return self._cache

    def get(self, item_id: str) -> Annotation:
        found = self.all().get(item_id)
        return found if found is not None else Annotation(item_id=item_id)

    def some(self, item_ids: Iterable[str]) -> dict[str, Annotation] | None:
        """The saved annotations of a few items, parsing only theirs; None if the file must be read.

        A one-item command at 10,000 annotated items would otherwise parse a
        3 MB file to find one entry (see ``JournaledStorage.docs_of``).
        """
        docs = self._unparsed_docs(list(item_ids))
        if docs is None:
            return None
        return {item_id: Annotation.from_dict(item_id, doc) for item_id, doc in docs.items() if doc}

    def _unparsed_docs(self, item_ids: list[str]) -> dict[str, dict[str, Any]] | None:
        """Their saved documents without parsing the file, unless all are held parsed already."""
        return None if self._cache_key is not None else self.storage.docs_of(TABLE, item_ids)

    def changed_on_disk(self) -> bool:
        """True when another process replaced the file since we last looked."""
        return self._signature() != self._cache_key

    def change(
        self,
        item_ids: Iterable[str],
        edit: Callable[[Annotation], bool],
        titles: Mapping[str, str] | Callable[[str], str | None] | None = None,
    ) -> list[Annotation]:
        """Apply ``edit`` to each item's annotation and save them in one durable step.

        ``edit`` returns whether it changed anything; unchanged items are not
        written. Everything happens inside the user's lock with the file
        re-read there, so concurrent shelf processes never lose an update. The
        change is one appended journal line, so its cost does not grow with
        the number of annotated items.
        """
        ids = list(dict.fromkeys(item_ids))
        stamp = now_iso()
        title_of = titles.get if isinstance(titles, Mapping) else titles
        with self.lock.held():
            unparsed = self._unparsed_docs(ids)
            before: object = None
            raw: Mapping[str, Any]
            if unparsed is not None:
                raw = unparsed
            else:
                before = self._signature()  # re-read under the lock
                raw = self._table.raw()
            changed: list[Annotation] = []
            for item_id in ids:
                doc = raw.get(item_id)
                ann = Annotation.from_dict(item_id, doc) if doc else Annotation(item_id=item_id)
                if edit(ann):
                    ann.updated = stamp
                    changed.append(ann)
            if not changed:
                return []
            docs: dict[str, dict[str, Any] | None] = {}
            for ann in changed:
                about = title_of(ann.item_id) if title_of else None
                if about is None and ann.item_id in raw:
                    about = raw[ann.item_id].get("about")
                docs[ann.item_id] = None if ann.is_empty() else encode_annotation(ann, about)
            if not os.path.lexists(self.path):
                self._write_whole(lambda table: _put(table, docs))
            else:
                self.storage.append(TABLE, docs, unparsed=unparsed is not None)
                if self.storage.journal_entries >= COMPACT_AFTER:
                    self.storage.compact()
            self._after_change(before, changed)
        return changed

    def _after_change(self, before: object, changed: list[Annotation]) -> None:
        """Keep the decoded cache current without decoding 10,000 annotations again."""
        if before is not None and before == self._cache_key:
            for ann in changed:
                if ann.is_empty():
                    self._cache.pop(ann.item_id, None)
                else:
                    self._cache[ann.item_id] = ann
            self.storage.read()
            self._cache_key = self.storage.signature
        else:
            self._cache_key = None

    def _write_whole(self, updater: Callable[[dict[str, Any]], None]) -> None:
        self._meta.apply(
            lambda t: t.__setitem__(
                "format", {"name": FORMAT_NAME, "version": FORMAT_VERSION, "user": self.user}
            )
        )
        self._table.apply(updater)

    def flush(self) -> None:
        """Fold the journal into the readable file (at exit, or when idle)."""
        with self.lock.held():
            self.storage.compact()
            self._cache_key = None

    def replace_all(self, annotations: Mapping[str, Annotation], titles: Mapping[str, str]) -> None:
        """Write a whole set of annotations at once."""
        docs = {
            item_id: encode_annotation(ann, titles.get(item_id))
            for item_id, ann in annotations.items()
            if not ann.is_empty()
        }

        def replace(table: dict[str, Any]) -> None:
            table.clear()
            table.update(docs)

        with self.lock.held():
            self._write_whole(replace)
            self._cache_key = None


def _put(table: dict[str, Any], docs: Mapping[str, dict[str, Any] | None]) -> None:
    for key, doc in docs.items():
        if doc is None:
            table.pop(key, None)
        else:
            table[key] = doc


def journal_file(data_dir: DataDir, user: str) -> Path:
    return data_dir.root / ".journal" / f"{user}.log"


def read_annotation_file(
    path: Path,
    journal: Path | None = None,
    *,
    root: Path | None = None,
    warn: Warn | None = None,
) -> dict[str, Annotation]:
    """Read another user's file (and journal) without ever writing to it: it is theirs.

    It is treated as written by a stranger: only a regular file, never
    through a link, at most MAX_ANNOTATION_BYTES, and each entry checked
    (:mod:`storage.annotation_checks`); entries that do not check out are
    left out and ``warn`` is told once for the file.
    """
    name = safe_name(path.name)
    raw = read_regular(path, root=root)
    if raw is None:
        raise StorageError(f"{safe_name(path)} does not exist")
    try:
        tables = decode(raw)
    except CorruptData as exc:
        raise StorageError(f"{name} is unreadable: {exc}") from None
    check_format(tables, path)
    if journal is not None:
        chunk = read_regular(journal, root=root)
        if chunk is not None:
            replay(tables, chunk)
    taken, refused = check_table(tables.get(TABLE, {}))
    if refused and warn is not None:
        warn(summarize_refused(name, refused))
    return taken


def read_other_users(
    data_dir: DataDir, exclude: str, warn: Warn
) -> dict[str, dict[str, Annotation]]:
    """Everybody else's annotations in the folder, for a reading group's shared view.

    Any one file that cannot be used is skipped with a warning that names
    it safely (its name came from someone else's commit); the rest are shown.
    """
    others: dict[str, dict[str, Annotation]] = {}
    folder = data_dir.annotations_dir
    try:
        check_folders(folder / "x", data_dir.root)
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except FileNotFoundError:
        return others
    except (OSError, StorageError) as exc:
        why = exc if isinstance(exc, StorageError) else os_error_reason(exc)
        warn(f"skipped other users' annotations: {why}")
        return others
    for entry in entries:
        if not entry.name.endswith(".json"):
            continue
        user = entry.name[: -len(".json")]
        if user == exclude:
            continue
        path = Path(entry.path)
        try:
            validate_user(user)
        except StorageError:
            warn(f"skipped {safe_name(entry.name)}: not a shelf user's file name")
            continue
        try:
            others[user] = read_annotation_file(
                path, journal_file(data_dir, user), root=data_dir.root, warn=warn
            )
        except StorageError as exc:
            warn(f"skipped {safe_name(entry.name)}: {exc}")
    return others


def dumps_annotations(
    user: str, annotations: Mapping[str, Annotation], titles: Mapping[str, str]
) -> bytes:
    """The file format, for ``shelf annotations export``."""
    data = {
        META: {"format": {"name": FORMAT_NAME, "version": FORMAT_VERSION, "user": user}},
        TABLE: {
            item_id: encode_annotation(ann, titles.get(item_id))
            for item_id, ann in annotations.items()
            if not ann.is_empty()
        },
    }
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"
