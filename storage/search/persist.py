"""Saving the item part of an index and loading it back in well under a second.

Building the postings of 100k abstracts is tokenising ~15M words, seconds of
work in Python; loading them is reading a few big arrays. The file holds:

    MAGIC, u32 header length, header (JSON), then the arrays' bytes

where the header lists, for each postings table, its terms (sorted) and how
many postings each has, so the table is one ``array.frombytes`` and a slice
per term. Annotations are not saved: they change all the time, are 10% of the
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

import json
import os
import sys
import zlib
from array import array
from collections.abc import Iterable, Mapping
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seeds.model import Item
from storage.model import Annotation
from storage.search.postings import PackedPostings
from storage.search.vocab import Vocabulary

if TYPE_CHECKING:
    from storage.search.index import SearchIndex

__all__ = ["fingerprint", "load", "save"]

MAGIC = b"shelf-search\x00"
VERSION = 1
_TABLES = ("_post", "_short", "_author")


def fingerprint(item: Item) -> int:
    """CRC of everything the index reads from an item."""
    text = "\x1f".join(
        (
            item.id,
            item.title,
            "\x1e".join(item.authors),
            "\x1e".join(item.affiliations),
            item.summary,
            "\x1e".join(u.text for u in item.updates),
            item.date or "",
            item.date_text or "",
            item.category or "",
            "1" if item.has_code else "0",
            "\x1e".join(item.sources),
        )
    )
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


def save(index: SearchIndex, path: str | Path, signature: str | None = None) -> None:
    """Write ``index`` (its items' part) to ``path`` atomically."""
    chunks: list[bytes] = []
    tables = {}
    for name in _TABLES:
        table = getattr(index, name)
        terms = sorted(t for t, postings in table.items() if postings)
        lengths = array("I", (len(table[t]) for t in terms))
        tables[name] = {"terms": "\n".join(terms), "count": len(terms)}
        chunks.append(lengths.tobytes())
        chunks.extend(table[t].tobytes() for t in terms)
    fps = array("I", (fingerprint(item) if item is not None else 0 for item in index._items))
    order = array("d", index._order)
    chunks += [fps.tobytes(), order.tobytes()]
    header = {
        "version": VERSION,
        "byteorder": sys.byteorder,
        "itemsize": array("I").itemsize,
        "signature": signature,
        "ids": [i or "" for i in index._ids],
        "dead": sorted(index._dead),
        "dead_df": index._dead_df,
        "dead_short_df": index._dead_short_df,
        "seq": index._seq,
        "tables": tables,
        "years": {str(k): sorted(v) for k, v in index._years.items()},
        "cats": {k: sorted(v) for k, v in index._cats.items()},
        "srcs": {k: sorted(v) for k, v in index._srcs.items()},
        "code": sorted(index._code),
        "acronyms": {k: sorted(map(list, v)) for k, v in index._acronyms._map.items()},
    }
    head = json.dumps(header, separators=(",", ":")).encode()
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(MAGIC)
        f.write(len(head).to_bytes(4, "little"))
        f.write(head)
        for chunk in chunks:
            f.write(chunk)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def load(
    cls: type[SearchIndex],
    path: str | Path,
    items: Iterable[Item],
    annotations: Mapping[str, Annotation] | None = None,
    signature: str | None = None,
) -> SearchIndex:
    """The index saved at ``path``, brought up to date with ``items``;
    a fresh build when the file is unusable."""
    items = list(items)
    try:
        index = _read(cls, Path(path), items, signature)
    except (OSError, ValueError, KeyError, TypeError, EOFError):
        index = None
    if index is None:
        return cls.build(items, annotations)
    for ann in (annotations or {}).values():
        index._set_annotation(ann)
    index._vocab = Vocabulary.from_sorted(_merged(index._post, index._ann_post))
    index._short_vocab = Vocabulary.from_sorted(_merged(index._short, index._ann_post))
    index._author_vocab = Vocabulary.from_sorted(sorted(index._author))
    return index


def _merged(table: Iterable[str], extra: Iterable[str]) -> list[str]:
    """Sorted union of a loaded table's (already sorted) terms and ``extra``."""
    terms = list(table)
    terms += set(extra).difference(terms)
    terms.sort()  # nearly sorted already: cheap
    return terms


def _read(
    cls: type[SearchIndex], path: Path, items: list[Item], signature: str | None
) -> SearchIndex | None:
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(MAGIC):
        return None
    pos = len(MAGIC)
    size = int.from_bytes(data[pos : pos + 4], "little")
    header: dict[str, Any] = json.loads(data[pos + 4 : pos + 4 + size])
    if (
        header.get("version") != VERSION
        or header.get("byteorder") != sys.byteorder
        or header.get("itemsize") != array("I").itemsize
    ):
        return None
    pos += 4 + size
    view = memoryview(data)
    index = cls()
    for name in _TABLES:
        spec = header["tables"][name]
        terms = spec["terms"].split("\n") if spec["count"] else []
        lengths = array("I")
        lengths.frombytes(view[pos : pos + 4 * len(terms)])
        pos += 4 * len(terms)
        total = sum(lengths)
        flat = array("I")
        flat.frombytes(view[pos : pos + 4 * total])
        pos += 4 * total
        starts = array("I", [0])
        starts.extend(accumulate(lengths))
        table = PackedPostings(terms, flat, starts)
        setattr(index, name, table)
    ids: list[str] = header["ids"]
    fps = array("I")
    fps.frombytes(view[pos : pos + 4 * len(ids)])
    pos += 4 * len(ids)
    order = array("d")
    order.frombytes(view[pos : pos + 8 * len(ids)])
    if len(order) != len(ids) or len(fps) != len(ids):
        return None

    dead = set(header["dead"])
    index._ids = [None if d in dead else i for d, i in enumerate(ids)]
    index._items = [None] * len(ids)
    index._order = list(order)
    index._seq = header["seq"]
    index._dead = dead
    index._dead_df = header["dead_df"]
    index._dead_short_df = header["dead_short_df"]
    index._years = {int(k): set(v) for k, v in header["years"].items()}
    index._cats = {k: set(v) for k, v in header["cats"].items()}
    index._srcs = {k: set(v) for k, v in header["srcs"].items()}
    index._code = set(header["code"])
    index._acronyms._map = {k: {tuple(p) for p in v} for k, v in header["acronyms"].items()}

    # Bring the saved items up to date with the caller's.
    trust = signature is not None and signature == header.get("signature")
    doc_of = {i: d for d, i in enumerate(index._ids) if i is not None}
    index._doc = doc_of
    given = {item.id: item for item in items}
    for item_id, doc in doc_of.items():
        item = given.get(item_id)
        if item is None or not (trust or fingerprint(item) == fps[doc]):
            # Retiring it exactly needs its old text, which is not saved.
            return None
        index._items[doc] = item
    for item in items:
        if item.id not in doc_of:
            index._add(item)
    # Library order is the caller's order of items.
    for position, item in enumerate(items):
        index._order[doc_of[item.id]] = position
    index._seq = len(items)
    index._bump()
    return index
