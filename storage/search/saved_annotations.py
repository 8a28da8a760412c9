"""The user's annotations, ready for a query from the saved index.

10k annotations take ~200 ms to parse and ~300 ms more to index: more than
the whole query may take. So what the index makes of them (each term's
items and impacts, tag and status sets, which have notes, tags, a rename)
is kept too, in .cache/ beside the index, stamped with the identity of the
user's annotation file and journal; a query reads it instead of parsing the
annotations. Any change to them (a tag added in the app) changes the stamp,
and the next query parses them once and writes it again.
"""

from __future__ import annotations

import contextlib
import json
import os
from array import array
from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from itertools import accumulate
from pathlib import Path
from typing import Any

from storage.atomic import StorageError
from storage.model import Annotation, Note
from storage.paths import DataDir
from storage.search.index import SearchIndex
from storage.search.persist import (
    SavedFile,
    Sections,
    _blob,
    apply_annotations,
    loads_json,
    open_saved,
    write_file,
)
from storage.search.saved_files import (
    annotations_path,
    annotations_state,
    index_paths,
    library_state,
    saved_signature,
)

__all__ = [
    "AnnotationRows",
    "DocNumbers",
    "annotate",
    "annotation_rows",
    "annotations_corrected",
    "save_annotations",
    "save_annotations_beside",
]


_NO_DOC = 0xFFFFFFFF  # an annotated item the library does not have
_SETS = ("reading", "read", "note", "tag", "rename")


def save_annotations(path: Path, state: str, index: SearchIndex) -> None:
    """Write what ``index`` made of its annotations, for :func:`_load_annotations`.

    With each annotated item goes its doc number in the saved index (the
    state names that file), so a query needs no id -> doc table of every item."""
    anns = index._ann
    iids = list(anns)
    number = {iid: k for k, iid in enumerate(iids)}
    terms = sorted(index._ann_post)
    doc_of = index._doc

    def numbers(members: Iterable[str]) -> array:
        return array("I", sorted(map(number.__getitem__, members)))

    def fill(out: Sections) -> dict[str, Any]:
        blob, at = _blob(iids)
        out.put("iids", blob)
        out.put("docs", array("I", (doc_of.get(iid, _NO_DOC) for iid in iids)))
        blob, at = _blob(terms)
        out.put("terms", blob)
        out.put("term_at", at)
        starts = array("I", [0])
        who = array("I")
        impact = array("d")
        for t in terms:
            users = index._ann_post[t]
            who.extend(map(number.__getitem__, users))
            impact.extend(users.values())
            starts.append(len(who))
        out.put("starts", starts)
        out.put("who", who)
        out.put("impact", impact)
        tags = list(index._tags)
        out.put("tag_names", json.dumps(tags).encode())
        members = [numbers(index._tags[tag]) for tag in tags]
        out.put("tag_sizes", array("I", map(len, members)))
        out.begin("tag_members")
        for m in members:
            out.write("tag_members", m)
        for name in _SETS:
            found = index._status[name] if name in ("reading", "read") else index._annotated(name)
            out.put("set_" + name, numbers(found))
        records = [
            json.dumps([a.status, a.title, a.tags, [n.text for n in a.notes]])
            for a in anns.values()
        ]
        blob, at = _blob(records)
        out.put("records", blob)
        out.put("record_at", at)
        # The records leave corrections out; whether there are any tells a
        # reader if they are all a list line needs (annotation_rows).
        corrected = any(getattr(a, "corrections", None) for a in anns.values())
        return {"signature": state, "docs": len(iids), "terms": len(terms), "corrected": corrected}

    write_file(path, "annotations", fill)


def _current_part(data_dir: DataDir, user: str) -> SavedFile | None:
    """The saved part of ``user``'s annotations if it was written for them as
    they are now (and for the index file as it is now), else None."""
    part = open_saved(annotations_path(data_dir, user), "annotations")
    if part is None:
        return None
    try:
        st = os.stat(index_paths(data_dir)[0])
    except OSError:
        part.close()
        return None
    state = f"{annotations_state(data_dir, user)}|{st.st_ino}:{st.st_mtime_ns}:{st.st_size}"
    if part.header.get("signature") != state:
        part.close()
        return None
    return part


def annotations_corrected(data_dir: DataDir, user: str) -> bool | None:
    """Whether any of ``user``'s annotations has corrections, from their saved
    part: None when that is stale or does not say.

    Which way a query goes depends on it (a correction changes what an item
    is found by), and finding out from the annotations decodes all 10,000.
    """
    part = _current_part(data_dir, user)
    if part is None:
        return None
    corrected = part.header.get("corrected")
    part.close()
    return corrected if isinstance(corrected, bool) else None


class AnnotationRows:
    """What a list line shows of each annotated item: (status, the user's
    title or None, tags), each record decoded when asked for."""

    def __init__(self, part: SavedFile) -> None:
        iids = part.column("iids", part.docs)
        self._blob = part.raw("records")
        self._at = part.numbers("record_at", "I", len(iids) + 1)
        self._number = dict(zip(iids, range(len(iids)), strict=True))

    @property
    def annotated(self) -> Container[str]:
        """The ids of the annotated items: asked of every hit, so a plain
        container (no method call, no record read)."""
        return self._number.keys()

    def get(self, item_id: str) -> tuple[str, str | None, list[str]] | None:
        k = self._number.get(item_id)
        if k is None:
            return None
        at = self._at
        status, title, tags, _ = loads_json(self._blob[at[k] : at[k + 1] - 1])
        return status, title, tags


def annotation_rows(data_dir: DataDir, user: str) -> AnnotationRows | None:
    """``user``'s annotations as list lines show them, without decoding them
    all (``shelf list diffusion`` shows 19,000 items, 2,000 annotated); None
    when their saved part is stale or some have corrections, which the
    records leave out and a line shows (authors, date)."""
    part = _current_part(data_dir, user)
    if part is None:
        return None
    if part.header.get("corrected") is not False:
        part.close()
        return None
    try:
        return AnnotationRows(part)
    except (OSError, ValueError):
        return None
    finally:
        part.close()


class _AnnotationPostings(Mapping[str, dict[str, float]]):
    """term -> {item id: impact}, a term's made when a query asks for it."""

    def __init__(self, saved: SavedFile, iids: list[str]) -> None:
        self._iids = iids
        self._terms = saved.sorted_terms()
        self._starts = saved.numbers("starts", "I", saved.terms + 1)
        self._who = saved.numbers("who", "I", self._starts[-1])
        self._impact = saved.numbers("impact", "d", self._starts[-1])
        self._made: dict[str, dict[str, float]] = {}

    def __getitem__(self, term: str) -> dict[str, float]:
        made = self._made.get(term)
        if made is None:
            i = self._terms.get(term)
            if i is None:
                raise KeyError(term)
            lo, hi = self._starts[i], self._starts[i + 1]
            who = map(self._iids.__getitem__, self._who[lo:hi])
            made = self._made[term] = dict(zip(who, self._impact[lo:hi], strict=True))
        return made

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self._terms.get(term) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._terms)

    def __len__(self) -> int:
        return len(self._terms)


class _AnnotationRecords(Mapping[str, Annotation]):
    """The annotations by item id, each decoded when asked for (re-ranking
    reads a renamed title, a phrase check the notes)."""

    def __init__(self, saved: SavedFile, iids: list[str], having: dict[str, array]) -> None:
        self._saved = saved
        self._iids = iids
        self._having = having
        self._blob: bytes | None = None
        self._number: dict[str, int] = {}

    def _record(self, iid: str) -> list[Any] | None:
        if self._blob is None:
            self._blob = self._saved.raw("records")
            self._at = self._saved.numbers("record_at", "I", len(self._iids) + 1)
            self._number = {iid: k for k, iid in enumerate(self._iids)}
        k = self._number.get(iid)
        if k is None:
            return None
        at = self._at
        record: list[Any] = loads_json(self._blob[at[k] : at[k + 1] - 1])
        return record

    def get(self, iid: str, default: Any = None) -> Any:
        record = self._record(iid)
        if record is None:
            return default
        status, title, tags, notes = record
        notes = [Note(n, "") for n in notes]
        return Annotation(iid, status=status, title=title, tags=tags, notes=notes)

    def __getitem__(self, iid: str) -> Annotation:
        found = self.get(iid)
        if found is None:
            raise KeyError(iid)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._iids)

    def __len__(self) -> int:
        return len(self._iids)

    def having(self, kind: str) -> list[str]:
        return list(map(self._iids.__getitem__, self._having[kind]))


class _Tags(Mapping[str, set[str]]):
    """tag -> ids of the items with it; a tag's set made when a query asks."""

    def __init__(self, saved: SavedFile, iids: list[str]) -> None:
        names = saved.json("tag_names")
        sizes = saved.numbers("tag_sizes", "I", len(names))
        members = saved.numbers("tag_members", "I", sum(sizes))
        self._runs = dict(zip(names, accumulate(sizes, initial=0), strict=False))
        self._sizes = dict(zip(names, sizes, strict=True))
        self._members = members
        self._iids = iids

    def __getitem__(self, tag: str) -> set[str]:
        at = self._runs[tag]
        return set(map(self._iids.__getitem__, self._members[at : at + self._sizes[tag]]))

    def __iter__(self) -> Iterator[str]:
        return iter(self._sizes)

    def __len__(self) -> int:
        return len(self._sizes)


class DocNumbers(Mapping[str, int]):
    """item id -> doc for a saved index, without a dict of every item.

    The ids a query looks up are nearly all annotated items' (tag and status
    filters, annotation hits), whose docs the annotations' saved part has;
    any other id makes the whole dict, once."""

    def __init__(self, ids: list[str | None], dead: set[int], known: dict[str, int | None]):
        self._ids = ids
        self._dead = dead
        self._known = known
        self._all: dict[str, int] | None = None

    def _full(self) -> dict[str, int]:
        if self._all is None:
            self._all = {i: doc for doc, i in enumerate(self._ids) if i is not None}
        return self._all

    def get(self, iid: str, default: Any = None) -> Any:
        if iid in self._known:
            doc = self._known[iid]
            return default if doc is None else doc
        return self._full().get(iid, default)

    def __getitem__(self, iid: str) -> int:
        doc = self.get(iid)
        if doc is None:
            raise KeyError(iid)
        return int(doc)

    def __contains__(self, iid: object) -> bool:
        return isinstance(iid, str) and self.get(iid) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._full())

    def __len__(self) -> int:
        return len(self._ids) - len(self._dead)

    def values(self) -> list[int]:  # type: ignore[override]
        if not self._dead:
            return list(range(len(self._ids)))
        return [doc for doc in range(len(self._ids)) if doc not in self._dead]


def _load_annotations(saved: SavedFile, index: SearchIndex) -> None:
    """The saved annotation part onto ``index``, as ``apply_annotations`` would set it."""
    iids = saved.column("iids", saved.docs)
    docs = saved.numbers("docs", "I", saved.docs)
    having = {name: saved.numbers("set_" + name, "I") for name in _SETS}

    def ids(name: str) -> set[str]:
        return set(map(iids.__getitem__, having[name]))

    known = {iid: (None if doc == _NO_DOC else doc) for iid, doc in zip(iids, docs, strict=True)}
    index._doc = DocNumbers(index._ids, index._dead, known)  # type: ignore[assignment]
    index._ann_post = _AnnotationPostings(saved, iids)  # type: ignore[assignment]
    index._ann = _AnnotationRecords(saved, iids, having)  # type: ignore[assignment]
    index._tags = _Tags(saved, iids)  # type: ignore[assignment]
    index._status = {"reading": ids("reading"), "read": ids("read")}


def annotate(
    index: SearchIndex,
    data_dir: DataDir,
    user: str,
    annotations: Callable[[], Mapping[str, Annotation]],
    saved: SavedFile,
) -> None:
    """The user's annotations onto ``index``: their saved part if it is
    current, else the caller's, saved for the next query."""
    path = annotations_path(data_dir, user)
    # Taken before reading them, so a change meanwhile shows next time; with
    # the index file's identity, since the part records its doc numbers.
    st = os.fstat(saved.fd)
    state = f"{annotations_state(data_dir, user)}|{st.st_ino}:{st.st_mtime_ns}:{st.st_size}"
    part = open_saved(path, "annotations")
    # (One from before parts said whether there are corrections is written again.)
    if part is not None and part.header.get("signature") == state and "corrected" in part.header:
        try:
            _load_annotations(part, index)  # (it reads records on demand: left open)
            return
        except (OSError, ValueError, KeyError, TypeError, IndexError, OverflowError):
            part.close()
            index._ann, index._ann_post, index._tags = {}, {}, {}
            index._status = {"reading": set(), "read": set()}
            index._doc = DocNumbers(index._ids, index._dead, {})  # type: ignore[assignment]
    try:
        impacts = saved.json("ann")
    except (OSError, ValueError):
        impacts = None
    apply_annotations(index, annotations(), impacts)
    with contextlib.suppress(OSError, StorageError):
        save_annotations(path, state, index)


def save_annotations_beside(index: SearchIndex, data_dir: DataDir, user: str, state: str) -> None:
    """After a rebuild, the annotations' part for the index just saved, so
    the next query needs neither parsed. ``state``: the annotations' identity
    from before they were read."""
    index_file, _ = index_paths(data_dir)
    with contextlib.suppress(OSError, StorageError):
        st = os.stat(index_file)
        # open_search_index saved the index or found it saved: its docs are
        # the file's, unless the library changed again meanwhile.
        if library_state(data_dir) != saved_signature(index_file):
            return
        full = f"{state}|{st.st_ino}:{st.st_mtime_ns}:{st.st_size}"
        save_annotations(annotations_path(data_dir, user), full, index)
