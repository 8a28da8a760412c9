"""Saving the item part of an index, and reading back only what is needed.

Building the postings of 100k abstracts is tokenising ~15M words, seconds of
work in Python; the saved index makes that a read. Two readers use it:

* the app (:func:`load`) keeps the index for the session: it reads the
  vocabulary and the tables' offsets, checks the saved items against its
  own, and leaves the postings (most of the file) on disk, read a term's run
  at a time with ``pread`` when a query first needs that term;
* a one-shot query (:mod:`storage.search.saved`, ``shelf list QUERY``) reads
  even less: the vocabulary stays one UTF-8 blob that is bisected in place,
  and no item is decoded, since the columns a query reads from items
  (titles, authors) are in the file too.

Layout::

    MAGIC, u64 offset of the header, sections (each on an 8-byte
    boundary), header (JSON, to the end of the file)

The header holds the small things (version, signature, counts, retired
docs, facet keys) and, for each section, its offset and size; it comes last
so the sections can be written straight to the file as they are made, and a
file cut short loses it. Sections:

    terms, term_at        every term of the three tables, sorted, "\\n"-joined
                          UTF-8; u32 byte offset of each (and one past the end)
    T_lengths, T_starts   per table T (post, short, author): u32 per term, the
                          run of postings it has (0: none) and where it starts
    T_flat                the runs back to back, in term order
    ids                   "\\n"-joined item ids by doc ("" for retired docs)
    fps, order, tie       u32 fingerprint, f64 library position and its tie-break by doc
    facets                the facet groups' docs, sorted, back to back
    code                  docs with code
    titles, title_at      titles by doc, and u32 offsets, as for terms
    authors, authors_at   "\\x1e"-joined authors by doc, likewise
    rowinfo, rowinfo_at   what else a ``shelf list`` line shows of a doc, likewise
                          (:mod:`storage.search.saved_rows`); optional: files written before it
                          lack it, and their readers read the item store instead
    tails, tails_at       each doc's part of a ``shelf list`` line (:mod:`storage.list_line`),
                          likewise; optional, as rowinfo
    tails_cut             u32 by doc: the bytes of its title part there (a renamed
                          item's line puts the user's title in their place)
    acronyms, ann         JSON: learned acronyms; annotation impacts

Annotations are not indexed in the file: they change all the time without
the library changing, so the reader applies the caller's current ones on top
(reusing the saved impacts of those whose text did not change).

An index file is never written in place (a new one replaces it), so an open
reader keeps seeing the file it opened. A file that is cut short, from
another version or byte order, or whose sections do not add up is refused;
the app then rebuilds the index, and a one-shot query falls back to that too.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sys
import zlib
from array import array
from collections.abc import Callable, Iterable, Mapping
from itertools import accumulate, chain, repeat
from operator import attrgetter, mul
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from seeds.model import Item
from storage.list_line import rest_part, title_part
from storage.model import Annotation
from storage.search.postings import FileRuns, PackedPostings, SortedTerms
from storage.search.saved_rows import row_info
from storage.search.scoring import TIE
from storage.search.vocab import Vocabulary

if TYPE_CHECKING:
    from storage.search.index import SearchIndex

__all__ = [
    "SavedFile",
    "Sections",
    "fingerprint",
    "load",
    "loads_json",
    "open_saved",
    "save",
    "write_file",
]

MAGIC = b"shelf-search\x00"
VERSION = 3
_TABLES = ("_post", "_short", "_author")
_FACETS = ("_years", "_cats", "_srcs")
_ALIGN = 8
#: What each kind of file must have: one without is from a development
#: version of this format, and is rebuilt like one from another version.
_REQUIRED = {
    "index": frozenset(
        {"terms", "term_at", "ids", "fps", "order", "tie", "facets", "code", "titles",
         "titles_at", "authors", "authors_at", "acronyms", "ann"}
        | {t + part for t in _TABLES for part in ("_lengths", "_starts", "_flat")}
    ),
    "annotations": frozenset(
        {"iids", "docs", "terms", "term_at", "starts", "who", "impact", "tag_names",
         "tag_sizes", "tag_members", "records", "record_at"}
        | {"set_" + name for name in ("reading", "read", "note", "tag", "rename")}
    ),
}  # fmt: skip


def fingerprint(item: Item, summary: str) -> int:
    """CRC of everything the index reads from an item (``summary``: its
    abstract, which the caller may keep outside the item)."""
    text = "\x1f".join(
        (
            item.id,
            item.title,
            "\x1e".join(item.authors),
            "\x1e".join(item.affiliations),
            summary,
            "\x1e".join(u.text for u in item.updates),
            item.date or "",
            item.date_text or "",
            item.category or "",
            "1" if item.has_code else "0",
            "\x1e".join(item.sources),
        )
    )
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


def annotation_signature(ann: Annotation) -> int:
    """CRC of what annotation impacts are computed from."""
    text = "\x1f".join(
        (ann.title or "", "\x1e".join(ann.tags), "\x1e".join(n.text for n in ann.notes))
    )
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


# ------------------------------------------------------------------- saving


class Sections:
    """Sections written one after another, each aligned, offsets recorded."""

    def __init__(self, f: Any, at: int) -> None:
        self._f = f
        self.at = at
        self.spec: dict[str, list[int]] = {}

    def begin(self, name: str) -> None:
        pad = -self.at % _ALIGN
        if pad:
            self._f.write(b"\0" * pad)
            self.at += pad
        self.spec[name] = [self.at, 0, 0]

    def write(self, name: str, data: bytes | array) -> None:
        raw = data.tobytes() if isinstance(data, array) else data
        self._f.write(raw)
        self.at += len(raw)
        entry = self.spec[name]
        entry[1] += len(raw)
        if not name.endswith("_flat"):
            entry[2] = zlib.crc32(raw, entry[2])

    def put(self, name: str, data: bytes | array) -> None:
        self.begin(name)
        self.write(name, data)


def _blob(strings: Iterable[str]) -> tuple[bytes, array]:
    """Strings as one "\\n"-joined UTF-8 blob and the byte offset of each."""
    parts = [s.encode("utf-8", "surrogatepass") for s in strings]
    at = array("I", [0])
    total = 0
    for p in parts:
        total += len(p) + 1
        at.append(total)
    return b"\n".join(parts), at


def save(index: SearchIndex, path: str | Path, signature: str | None = None) -> None:
    """Write ``index`` (its items' part) to ``path`` atomically.

    The tables are written term by term: gathering them first would hold a
    second copy of every posting in memory."""
    tables = [getattr(index, name) for name in _TABLES]
    terms = sorted(set(chain.from_iterable(_live_terms(t) for t in tables)))
    if any("\n" in t for t in terms):
        raise ValueError("a term holds a newline")  # cannot happen: terms are words
    # The fingerprints the docs were indexed with (not recomputed: that would
    # fetch every abstract again); 0 for retired docs.
    fps = array("I", index._fps)
    for doc in index._dead:
        fps[doc] = 0
    facets = {}
    for name in _FACETS:
        groups: dict[Any, array] = getattr(index, name)
        keys = list(groups)
        facets[name] = {"keys": keys, "counts": [len(groups[k]) for k in keys]}
    titles: list[str] = []
    authors: list[str] = []
    rowinfo: list[str] = []
    tails: list[str] = []
    tails_cut = array("I")
    for item in index._items:
        if item is None:
            titles.append("")
            authors.append("")
            rowinfo.append("")
            tails.append("")
            tails_cut.append(0)
            continue
        titles.append(item.title)
        authors.append("\x1e".join(item.authors))
        rowinfo.append(row_info(item))
        title = title_part(item.title, item.title_derived)
        tails.append(title + rest_part(item.authors, item.authors_truncated, item.date_text))
        tails_cut.append(len(title.encode("utf-8", "surrogatepass")))
    ann = {
        iid: [
            annotation_signature(a),
            " ".join(ts),
            [index._ann_post[t][iid] for t in ts],
        ]
        for iid, a in index._ann.items()
        for ts in (index._ann_terms.get(iid, []),)
    }
    acronyms = {k: sorted(map(list, v)) for k, v in index._acronyms._map.items()}

    def fill(out: Sections) -> dict[str, Any]:
        blob, at = _blob(terms)
        out.put("terms", blob)
        out.put("term_at", at)
        del blob, at
        for name, table in zip(_TABLES, tables, strict=True):
            if isinstance(table, PackedPostings):
                counts = table.counts(terms)
            else:
                counts = [len(table.get(t) or ()) for t in terms]
            starts = array("I", accumulate(counts, initial=0))
            starts.pop()
            out.put(name + "_lengths", array("I", counts))
            out.put(name + "_starts", starts)
            del starts
            out.begin(name + "_flat")
            for t, n in zip(terms, counts, strict=True):
                if n:
                    out.write(name + "_flat", table.get(t))
        out.put("ids", "\n".join(i or "" for i in index._ids).encode("utf-8", "surrogatepass"))
        out.put("fps", fps)
        out.put("order", array("d", index._order))
        out.put("tie", array("d", index._tie))
        out.begin("facets")
        for name in _FACETS:
            for docs in getattr(index, name).values():
                out.write("facets", array("I", sorted(docs)))
        out.put("code", array("I", sorted(set(index._code) - index._dead)))
        columns = (("titles", titles), ("authors", authors), ("rowinfo", rowinfo), ("tails", tails))
        for name, column in columns:
            blob, at = _blob(column)
            out.put(name, blob)
            out.put(name + "_at", at)
        out.put("tails_cut", tails_cut)
        out.put("acronyms", json.dumps(acronyms, separators=(",", ":")).encode())
        out.put("ann", json.dumps(ann, separators=(",", ":")).encode())
        return {
            "signature": signature,
            "docs": len(index._ids),
            "terms": len(terms),
            "dead": sorted(index._dead),
            "dead_df": index._dead_df,
            "dead_short_df": index._dead_short_df,
            "seq": index._seq,
            "facets": facets,
        }

    write_file(path, "index", fill)


def write_file(path: str | Path, kind: str, fill: Callable[[Sections], dict[str, Any]]) -> None:
    """Write a file of sections atomically: ``fill`` writes the sections and
    returns the rest of the header (at least ``signature``, ``docs``, ``terms``)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(MAGIC)
            f.write(bytes(8))  # the header's offset, once known
            out = Sections(f, len(MAGIC) + 8)
            header = {
                "version": VERSION,
                "kind": kind,
                "byteorder": sys.byteorder,
                "itemsize": array("I").itemsize,
                **fill(out),
                "sections": out.spec,
            }
            f.write(json.dumps(header, separators=(",", ":")).encode())
            f.seek(len(MAGIC))
            f.write(out.at.to_bytes(8, "little"))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _live_terms(table: Mapping[str, array] | PackedPostings) -> list[str]:
    """A table's terms that have postings."""
    terms = list(table)
    if isinstance(table, PackedPostings):
        return [t for t, n in zip(terms, table.counts(terms), strict=True) if n]
    return [t for t in terms if table[t]]


# ------------------------------------------------------------------ reading


class SavedFile:
    """An open saved index: its header, and its sections read on request.

    Sections are read with ``pread`` from the open file (not a memory map: a
    map of a file cut short kills the process with SIGBUS, a short read is
    just an error). Raises ``ValueError`` for a file that is not a usable
    index; the file stays open until :meth:`close` or until the last reader
    of its postings goes away.
    """

    def __init__(self, path: str | Path, kind: str = "index") -> None:
        self.fd = -1
        self._sorted_terms: SortedTerms | None = None
        self._strings: dict[str, tuple[bytes, array]] = {}
        self.fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            self._open(kind)
        except BaseException:
            self.close()
            raise

    def _open(self, kind: str) -> None:
        size = os.fstat(self.fd).st_size
        lead = os.pread(self.fd, len(MAGIC) + 8, 0)
        if len(lead) != len(MAGIC) + 8 or not lead.startswith(MAGIC):
            raise ValueError("not a search index file")
        header_at = int.from_bytes(lead[len(MAGIC) :], "little")
        if not len(lead) <= header_at < size:
            raise ValueError("search index file cut short")
        header = json.loads(os.pread(self.fd, size - header_at, header_at))
        if not isinstance(header, dict) or (
            header.get("version") != VERSION
            or header.get("kind") != kind
            or header.get("byteorder") != sys.byteorder
            or header.get("itemsize") != array("I").itemsize
        ):
            raise ValueError("search index file of another version")
        self.header: dict[str, Any] = header
        #: name -> [offset, size, CRC]; the postings' CRC is 0, unchecked: a
        #: query reads a few runs of them and checking all would read them all.
        self.sections: dict[str, list[int]] = header["sections"]
        if not _REQUIRED.get(kind, frozenset()) <= self.sections.keys():
            raise ValueError("search index file lacks a section")
        for at, n, _ in self.sections.values():
            if not (len(lead) <= at and n >= 0 and at + n <= header_at):
                raise ValueError("search index sections do not fit the file")
        self.docs = int(header["docs"])
        self.terms = int(header["terms"])

    def __del__(self) -> None:
        self.close()

    def close(self) -> None:
        fd, self.fd = self.fd, -1
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)

    def raw(self, name: str) -> bytes:
        at, n, crc = self.sections[name]
        data = os.pread(self.fd, n, at)
        if len(data) != n or zlib.crc32(data) != crc:
            raise ValueError(f"search index section {name} is damaged")
        return data

    def numbers(self, name: str, typecode: str, count: int | None = None) -> array:
        out = array(typecode)
        out.frombytes(self.raw(name))
        if count is not None and len(out) != count:
            raise ValueError(f"search index section {name} has the wrong size")
        return out

    def json(self, name: str) -> Any:
        return loads_json(self.raw(name))

    def strings(self, name: str) -> tuple[bytes, array]:
        """A section of one string per doc, joined with "\\n", and the u32
        offsets of each in ``name + "_at"`` (one past the end last), checked
        to add up. Read once per file: a query's ranking and the list lines'
        fields may both ask for the titles."""
        known = self._strings.get(name)
        if known is not None:
            return known
        blob = self.raw(name)
        at = self.numbers(name + "_at", "I", self.docs + 1)
        if self.docs and at[-1] != len(blob) + 1:
            raise ValueError(f"search index column {name} does not add up")
        self._strings[name] = blob, at
        return blob, at

    def sorted_terms(self) -> SortedTerms:
        """Read once per file: a query's index and its vocabulary both ask."""
        if self._sorted_terms is None:
            at = self.numbers("term_at", "I", self.terms + 1)
            self._sorted_terms = SortedTerms(self.raw("terms"), at)
        return self._sorted_terms

    def table(self, name: str, index: dict[str, int] | SortedTerms) -> PackedPostings:
        """A postings table whose runs stay in the file until a query reads them."""
        lengths = self.numbers(name + "_lengths", "I", self.terms)
        starts = self.numbers(name + "_starts", "I", self.terms)
        lengths.append(0)
        starts.append(0)
        at, n, _ = self.sections[name + "_flat"]
        if n != sum(lengths) * lengths.itemsize:
            raise ValueError("search index postings do not add up")
        flat = FileRuns(self, at, n // lengths.itemsize)
        return PackedPostings(index, flat, starts, lengths)

    def column(self, name: str, count: int) -> list[str]:
        """A "\\n"-joined section as its ``count`` strings."""
        text = self.raw(name).decode("utf-8", "surrogatepass")
        out = text.split("\n") if count else []
        if len(out) != count:
            raise ValueError(f"search index section {name} does not add up")
        return out

    def ids(self) -> list[str]:
        return self.column("ids", self.docs)

    def facets(self) -> list[dict[Any, array]]:
        everything = self.numbers("facets", "I")
        out: list[dict[Any, array]] = []
        at = 0
        for name in _FACETS:
            spec = self.header["facets"][name]
            groups = {}
            for key, count in zip(spec["keys"], spec["counts"], strict=True):
                groups[key] = everything[at : at + count]
                at += count
            out.append(groups)
        if at != len(everything):
            raise ValueError("search index facets do not add up")
        return out

    def fill(self, index: SearchIndex, terms: dict[str, int] | SortedTerms) -> None:
        """Everything of ``index`` that comes from the file alone, items aside."""
        index._post = self.table("_post", terms)
        index._short = self.table("_short", terms)
        index._author = self.table("_author", terms)
        index._years, index._cats, index._srcs = self.facets()
        index._code = self.numbers("code", "I")
        header = self.header
        index._seq = header["seq"]
        index._dead = set(header["dead"])
        index._dead_df = header["dead_df"]
        index._dead_short_df = header["dead_short_df"]
        index._acronyms._map = {k: {tuple(p) for p in v} for k, v in self.json("acronyms").items()}


def loads_json(raw: bytes) -> Any:
    """JSON that json.dumps wrote: orjson, 3-5x faster (10k annotations'
    impacts, a listing's 2,000 records); json for what only it reads back
    (an escaped lone surrogate)."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw)


def open_saved(path: str | Path, kind: str = "index") -> SavedFile | None:
    """The saved file of ``kind`` at ``path``, or None when it is missing or unusable."""
    try:
        return SavedFile(path, kind)
    except (OSError, ValueError, KeyError, TypeError, OverflowError):
        return None


def apply_annotations(
    index: SearchIndex, annotations: Mapping[str, Annotation] | None, saved: Any
) -> None:
    """The caller's annotations onto a loaded index, reusing the impacts saved
    for those that did not change (computing them is most of the cost)."""
    if not isinstance(saved, dict):
        saved = {}
    for iid, ann in (annotations or {}).items():
        was = saved.get(iid)
        if was is not None and was[0] == annotation_signature(ann):
            terms = was[1].split(" ") if was[1] else []
            index._set_annotation(ann, impacts=dict(zip(terms, was[2], strict=True)))
        else:
            index._set_annotation(ann)


def load(
    cls: type[SearchIndex],
    path: str | Path,
    items: Iterable[Item],
    annotations: Mapping[str, Annotation] | None = None,
    signature: str | None = None,
    texts: Callable[[str], str] | None = None,
) -> SearchIndex:
    """The index saved at ``path``, brought up to date with ``items``;
    a fresh build when the file is unusable. ``texts``: see ``SearchIndex.build``."""
    # Many objects, no cycles: keep the cyclic collector from rescanning them.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _load(cls, path, items, annotations, signature, texts)
    finally:
        if enabled:
            gc.enable()


def _load(
    cls: type[SearchIndex],
    path: str | Path,
    items: Iterable[Item],
    annotations: Mapping[str, Annotation] | None,
    signature: str | None,
    texts: Callable[[str], str] | None,
) -> SearchIndex:
    items = list(items)
    found = None
    saved = open_saved(path)
    if saved is not None:
        try:
            found = _read(cls, saved, items, signature, texts)
        except (OSError, ValueError, KeyError, TypeError, EOFError, OverflowError):
            found = None
        if found is None:
            saved.close()
    if found is None:
        return cls.build(items, annotations, texts)
    index, saved_anns = found
    apply_annotations(index, annotations, saved_anns)
    index._vocab = Vocabulary.from_sorted(_merged(index._post, index._ann_post))
    index._short_vocab = Vocabulary.from_sorted(_merged(index._short, index._ann_post))
    index._author_vocab = Vocabulary.from_sorted(list(index._author))
    index.from_file = True
    return index


def _merged(table: Iterable[str], extra: Iterable[str]) -> list[str]:
    """Sorted union of a loaded table's (sorted) terms and ``extra``."""
    terms = list(table)
    terms += set(extra).difference(terms)
    terms.sort()  # nearly sorted already: cheap
    return terms


def _read(
    cls: type[SearchIndex],
    saved: SavedFile,
    items: list[Item],
    signature: str | None,
    texts: Callable[[str], str] | None,
) -> tuple[SearchIndex, Any] | None:
    index = cls()
    index._texts = texts
    # One dict for the three tables' terms: the app looks up thousands of
    # completions per keystroke, a bisection in the blob each would be slower.
    shared = {t: i for i, t in enumerate(saved.sorted_terms())}
    saved.fill(index, shared)
    saved_ids = saved.ids()
    n = len(saved_ids)
    fps = saved.numbers("fps", "I", n)
    order = saved.numbers("order", "d", n)
    dead = index._dead
    for d in dead:
        saved_ids[d] = ""

    # Bring the saved items up to date with the caller's.
    given = dict(zip(map(attrgetter("id"), items), items, strict=True))
    given.pop("", None)
    index._items = list(map(given.get, saved_ids))
    del given, saved_ids
    live = n - len(dead)
    if sum(map(bool, index._items)) != live:
        return None  # an item is gone: retiring it exactly needs its old text
    if not (signature is not None and signature == saved.header.get("signature")):
        summary = index._summary
        docs = [(doc, item) for doc, item in enumerate(index._items) if item is not None]
        try:
            for batch in index.prefetched_batches([item for _, item in docs]):
                for doc, item in docs[batch.start : batch.stop]:
                    if fingerprint(item, summary(item)) != fps[doc]:
                        return None  # changed since: same
        finally:
            index._prefetched = None
    # The caller's id strings, not copies of them.
    ids = index._ids = [item.id if item is not None else None for item in index._items]
    # Doc numbers as dict values: the term index already holds an int object
    # for every number below its size, and 100k more would be 2.8 MB.
    numbers = chain(shared.values(), range(len(shared), n))
    doc_of = index._doc = {i: doc for i, doc in zip(ids, numbers, strict=False) if i is not None}
    index._fps = fps
    index._order = order
    for item in items:
        if item.id not in doc_of:
            index._add(item)
    # Library order is the caller's order of items.
    for position, doc in enumerate(map(doc_of.__getitem__, map(attrgetter("id"), items))):
        order[doc] = position
    index._seq = len(items)
    index._tie = list(map(mul, order, repeat(TIE)))
    index._bump()
    return index, saved.json("ann")
