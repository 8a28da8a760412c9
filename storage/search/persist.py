"""Saving the item part of an index and loading it back in well under a second.

Building the postings of 100k abstracts is tokenising ~15M words, seconds of
work in Python; loading them is reading a few big arrays. The file holds:

    MAGIC, u32 header length, header (JSON), then the arrays' bytes

where the header lists, for each postings table, its terms (sorted) and how
many postings each has, so the table is one flat array, read from the file
straight into place (the whole file as ``bytes`` in between would add its
50 MB to the peak), and a slice per term. Annotations are not saved: they change all the time, are 10% of the
items, and index in a fraction of the time from the caller's current copy.

On load every saved item is checked against the caller's items by a CRC of
its indexed fields (skipped when the caller passes the same ``signature`` as
at save time, e.g. the library file's own checksum). Items added since are
indexed on top; if a saved item changed or is gone, or the file is missing,
truncated, from another version or byte order, the index is rebuilt (retiring
an item exactly needs its old text, which the file does not keep). Save after
updates and that is rare.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import zlib
from array import array
from collections.abc import Callable, Iterable, Mapping
from io import BufferedReader
from itertools import chain, repeat
from operator import attrgetter, mul
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seeds.model import Item
from storage.model import Annotation
from storage.search.postings import PackedPostings, slots, zeros
from storage.search.scoring import TIE
from storage.search.vocab import Vocabulary

if TYPE_CHECKING:
    from storage.search.index import SearchIndex

__all__ = ["fingerprint", "load", "save"]

MAGIC = b"shelf-search\x00"
VERSION = 2
_TABLES = ("_post", "_short", "_author")
_FACETS = ("_years", "_cats", "_srcs")


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


def save(index: SearchIndex, path: str | Path, signature: str | None = None) -> None:
    """Write ``index`` (its items' part) to ``path`` atomically.

    The arrays go straight to the file, term by term: gathering them first
    would hold a second copy of every posting in memory."""
    tables = {}
    table_terms = []
    for name in _TABLES:
        table = getattr(index, name)
        terms, lengths = _runs(table)
        tables[name] = {"terms": "\n".join(terms), "count": len(terms)}
        table_terms.append((table, terms, lengths))
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
    header = {
        "version": VERSION,
        "byteorder": sys.byteorder,
        "itemsize": array("I").itemsize,
        "signature": signature,
        "ids": "\n".join(i or "" for i in index._ids),
        "dead": sorted(index._dead),
        "dead_df": index._dead_df,
        "dead_short_df": index._dead_short_df,
        "seq": index._seq,
        "tables": tables,
        "facets": facets,
        "code": sorted(index._code),
        "acronyms": {k: sorted(map(list, v)) for k, v in index._acronyms._map.items()},
        # Annotation impacts, reused on load for annotations that did not change.
        "ann": {
            iid: [
                annotation_signature(ann),
                " ".join(terms),
                [index._ann_post[t][iid] for t in terms],
            ]
            for iid, ann in index._ann.items()
            for terms in (index._ann_terms.get(iid, []),)
        },
    }
    head = json.dumps(header, separators=(",", ":")).encode()
    del header, tables
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(MAGIC)
        f.write(len(head).to_bytes(4, "little"))
        f.write(head)
        for table, terms, lengths in table_terms:
            f.write(lengths.tobytes())
            for t in terms:
                f.write(table.get(t).tobytes())
        f.write(fps.tobytes())
        f.write(array("d", index._order).tobytes())
        for name in _FACETS:
            for docs in getattr(index, name).values():
                f.write(array("I", sorted(docs)).tobytes())
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _runs(table: Mapping[str, array] | PackedPostings) -> tuple[list[str], array]:
    """A table's terms that have postings, sorted, and how many each has."""
    terms = sorted(table)
    if isinstance(table, PackedPostings):
        counts = table.counts(terms)
    else:
        counts = [len(table[t]) for t in terms]
    if 0 in counts:
        terms = [t for t, n in zip(terms, counts, strict=True) if n]
        counts = [n for n in counts if n]
    return terms, array("I", counts)


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
    try:
        found = _read(cls, Path(path), items, signature, texts)
    except (OSError, ValueError, KeyError, TypeError, EOFError):
        found = None
    if found is None:
        return cls.build(items, annotations, texts)
    index, saved_anns = found
    for iid, ann in (annotations or {}).items():
        saved = saved_anns.get(iid)
        if saved is not None and saved[0] == annotation_signature(ann):
            terms = saved[1].split(" ") if saved[1] else []
            index._set_annotation(ann, impacts=dict(zip(terms, saved[2], strict=True)))
        else:
            index._set_annotation(ann)
    index._vocab = Vocabulary.from_sorted(_merged(index._post, index._ann_post))
    index._short_vocab = Vocabulary.from_sorted(_merged(index._short, index._ann_post))
    index._author_vocab = Vocabulary.from_sorted(sorted(index._author))
    index.from_file = True
    return index


def _merged(table: Iterable[str], extra: Iterable[str]) -> list[str]:
    """Sorted union of a loaded table's (nearly sorted) terms and ``extra``."""
    terms = list(table)
    terms += set(extra).difference(terms)
    terms.sort()  # nearly sorted already: cheap
    return terms


def _exactly(f: BufferedReader, size: int) -> bytes:
    data = f.read(size)
    if len(data) != size:
        raise EOFError("search index file cut short")
    return data


def _array(f: BufferedReader, typecode: str, count: int) -> array:
    """The next ``count`` items of the file, read straight into the array (no
    bytes object in between: the postings are 40 MB at 100k items)."""
    out = array(typecode)
    if count * out.itemsize > os.fstat(f.fileno()).st_size - f.tell():
        raise EOFError("search index file cut short")  # or a count that is garbage
    out = zeros(count, typecode)
    with memoryview(out) as view, view.cast("B") as raw:
        done = 0
        while done < len(raw):
            got = f.readinto(raw[done:])
            if not got:
                raise EOFError("search index file cut short")
            done += got
    return out


def _read(
    cls: type[SearchIndex],
    path: Path,
    items: list[Item],
    signature: str | None,
    texts: Callable[[str], str] | None,
) -> tuple[SearchIndex, dict[str, Any]] | None:
    with open(path, "rb") as f:
        if f.read(len(MAGIC)) != MAGIC:
            return None
        size = int.from_bytes(_exactly(f, 4), "little")
        header: dict[str, Any] = json.loads(_exactly(f, size))
        if (
            header.get("version") != VERSION
            or header.get("byteorder") != sys.byteorder
            or header.get("itemsize") != array("I").itemsize
        ):
            return None
        index = cls()
        index._texts = texts
        specs = header.pop("tables")
        # The all-fields table's terms index the title-and-authors table too:
        # its terms are (nearly) all among them, and one dict and one string
        # per term is a third of the memory the tables take besides postings.
        post_terms = _terms(specs["_post"])
        shared = slots(post_terms)
        post_lengths = _array(f, "I", len(post_terms))
        post_flat = _array(f, "I", sum(post_lengths))
        del post_terms
        short_terms = _terms(specs["_short"])
        extra = [t for t in short_terms if t not in shared]
        shared.update(zip(extra, range(len(shared), len(shared) + len(extra)), strict=True))
        where = list(map(shared.__getitem__, short_terms))
        del short_terms, extra
        short_lengths = _array(f, "I", len(where))
        short_flat = _array(f, "I", sum(short_lengths))
        index._post = PackedPostings.from_runs(shared, None, post_flat, post_lengths)
        index._short = PackedPostings.from_runs(shared, where, short_flat, short_lengths)
        del where
        author_terms = _terms(specs["_author"])
        author_lengths = _array(f, "I", len(author_terms))
        author_flat = _array(f, "I", sum(author_lengths))
        index._author = PackedPostings.from_runs(
            slots(author_terms), None, author_flat, author_lengths
        )
        del specs

        joined = header.pop("ids")
        saved_ids: list[str] = joined.split("\n") if joined or header["seq"] else []
        del joined
        n = len(saved_ids)
        fps = _array(f, "I", n)
        order = _array(f, "d", n)
        for name in _FACETS:
            spec = header["facets"][name]
            groups = {}
            for key, count in zip(spec["keys"], spec["counts"], strict=True):
                groups[key] = _array(f, "I", count)
            setattr(index, name, groups)
        if f.read(1):
            return None

    dead = set(header["dead"])
    for d in dead:
        saved_ids[d] = ""
    index._seq = header["seq"]
    index._dead = dead
    index._dead_df = header["dead_df"]
    index._dead_short_df = header["dead_short_df"]
    index._code = array("I", header["code"])
    index._acronyms._map = {k: {tuple(p) for p in v} for k, v in header["acronyms"].items()}

    # Bring the saved items up to date with the caller's.
    given = dict(zip(map(attrgetter("id"), items), items, strict=True))
    given.pop("", None)
    index._items = list(map(given.get, saved_ids))
    del given, saved_ids
    live = n - len(dead)
    if sum(map(bool, index._items)) != live:
        return None  # an item is gone: retiring it exactly needs its old text
    if not (signature is not None and signature == header.get("signature")):
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
    return index, header["ann"]


def _terms(spec: dict[str, Any]) -> list[str]:
    return spec["terms"].split("\n") if spec["count"] else []
