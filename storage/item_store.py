"""Each item's metadata, found by id without decoding the library.

A command about one item (``shelf show ID``, ``shelf tag ID x``) used to
decode all of library.json to find that one item: 0.6 s at 100k items, for a
change that takes 3 ms. ``library.json`` stays the record; this is a derived
copy in ``.cache/``, like texts.bin (see :mod:`storage.textstore`), stamped
with library.json's identity, written by every import and rebuilt from
library.json when missing, stale or damaged.

It is trusted without being compared to library.json, so everything a
look-up reads is checked: a wrong answer must come out as "damaged" (the
caller then rebuilds it and reads the record), never as a wrong item or a
false "no such item". Reading one item touches a few kilobytes however large
the library is: the header, one block of ids, two offsets and the record.

Layout::

    MAGIC, u32 header length, header (JSON, with the checks below), u32 crc32 of the header
    ids:     count fixed-width ASCII ids, sorted, NUL-padded; in blocks of ``block`` ids,
             each block's crc32 and first id in the header (a look-up bisects the
             header's first ids, then reads and checks one block)
    order:   count u32, the sorted position of each item in library order (crc in header)
    offsets: count + 1 u64, the start of each record in the blob
    blob:    one record per id, in id order: u32 crc32 of the rest, the id, a newline,
             and the item's stored document (``encode_item``) as JSON
"""

from __future__ import annotations

import json
import os
import sys
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from struct import unpack_from
from typing import Any, BinaryIO, TypeVar

import orjson

from storage.textstore import StoreFile, ascii_ids, open_store, replace_file

__all__ = ["DamagedStore", "ItemStore", "open_item_store", "write_item_store"]

MAGIC = b"shelf-items\x00"
VERSION = 1
BLOCK = 1024  # ids per checked block: 12 kB to read for a look-up
READ_AHEAD = 1 << 20  # bytes of records read at once when every item is loaded
BULK_SHARE = 20  # docs_in reads the whole blob for more than 1/BULK_SHARE of the items

T = TypeVar("T")
PARSE_BATCH = 256  # records parsed in one call when every item is loaded


class DamagedStore(ValueError):
    """The store contradicts itself: rebuild it from library.json and read that instead."""


def _crc(data: bytes | memoryview) -> int:
    return zlib.crc32(data) & 0xFFFFFFFF


def _u32(data: bytes | memoryview) -> int:
    return int.from_bytes(data, "little")


def _record(buf: bytes, start: int, end: int, item_id: str) -> dict[str, Any]:
    """The document in ``buf[start:end]``, checked to be ``item_id``'s and whole."""
    try:
        doc = orjson.loads(_checked(buf, start, end, item_id))
    except orjson.JSONDecodeError as exc:
        raise DamagedStore(f"item store: the record of {item_id} is unreadable") from exc
    if not isinstance(doc, dict):
        raise DamagedStore(f"item store: the record of {item_id} is not an item")
    return doc


def _checked(buf: bytes, start: int, end: int, item_id: str) -> bytes:
    """The JSON of the record in ``buf[start:end]``, checked to be ``item_id``'s and whole."""
    head = item_id.encode("ascii") + b"\n"
    if unpack_from("<I", buf, start)[0] != _crc(memoryview(buf)[start + 4 : end]) or not (
        buf.startswith(head, start + 4, end)
    ):
        raise DamagedStore(f"item store: the record of {item_id} does not match its check")
    return buf[start + 4 + len(head) : end]


def _parsed(records: list[bytes]) -> list[dict[str, Any]]:
    """Checked records' documents, parsed as one JSON array."""
    if not records:
        return []
    try:
        docs = orjson.loads(b"[" + b",".join(records) + b"]")
    except orjson.JSONDecodeError as exc:
        raise DamagedStore("item store: a record is unreadable") from exc
    if len(docs) != len(records) or not all(type(doc) is dict for doc in docs):
        raise DamagedStore("item store: a record is not an item")
    return docs


class ItemStore(StoreFile):
    """Look-ups by id and id prefix, and each item's stored document.

    Only the header is read at open; blocks of ids are read (and checked)
    when a look-up needs them and kept. Thread-safe for readers as
    TextStore is: ``pread`` only, and the file is replaced, never rewritten.
    Methods raise :class:`DamagedStore` when a check fails.
    """

    short_read = DamagedStore

    def __init__(self, fd: int, header: dict[str, Any], header_end: int, size: int) -> None:
        start = len(MAGIC) + 4
        raw = os.pread(fd, header_end + 4 - start, start)
        if len(raw) != header_end + 4 - start or _crc(raw[:-4]) != _u32(raw[-4:]):
            raise ValueError("item store header does not match its check")
        ids_at = header_end + 4
        self._count = count = int(header["count"])
        self._width = width = int(header["width"])
        self._block = int(header["block"])
        self._firsts = [f.encode("ascii").ljust(width, b"\0") for f in header["firsts"]]
        self._crcs = [int(c) for c in header["crcs"]]
        self._order_crc = int(header["order_crc"])
        if self._block <= 0 or len(self._firsts) != len(self._crcs):
            raise ValueError("bad item store header")
        if len(self._firsts) != -(-count // self._block):
            raise ValueError("bad item store header")
        self._ids_at = ids_at
        self._order_at = ids_at + count * width
        self._offsets_at = self._order_at + 4 * count
        self._blob_at = self._offsets_at + 8 * (count + 1)
        self._blocks: dict[int, list[bytes]] = {}
        self._blob_size = size - self._blob_at
        last = os.pread(fd, 8, self._offsets_at + 8 * count)
        if self._blob_size < 0 or int.from_bytes(last, "little") != self._blob_size:
            raise ValueError("item store truncated")
        self._fd = fd

    # -- reading, checked --------------------------------------------------

    def _offset(self, i: int) -> int:
        return int.from_bytes(self._read(8, self._offsets_at + 8 * i), "little")

    def _ids_block(self, b: int) -> list[bytes]:
        found = self._blocks.get(b)
        if found is None:
            width, block = self._width, self._block
            n = min(block, self._count - b * block)
            data = self._read(n * width, self._ids_at + b * block * width)
            if _crc(data) != self._crcs[b]:
                raise DamagedStore(f"item store: ids block {b} does not match its check")
            found = [data[i : i + width] for i in range(0, len(data), width)]
            if found[0] != self._firsts[b]:
                raise DamagedStore(f"item store: ids block {b} is not where the header says")
            self._blocks[b] = found
        return found

    def _key(self, item_id: str) -> bytes | None:
        try:
            key = item_id.encode("ascii")
        except UnicodeEncodeError:
            return None
        return key if len(key) <= self._width and b"\0" not in key else None

    def _position(self, item_id: str) -> int | None:
        key = self._key(item_id)
        if key is None or not self._count:
            return None
        key = key.ljust(self._width, b"\0")
        b = bisect_right(self._firsts, key) - 1
        if b < 0:
            return None
        ids = self._ids_block(b)
        i = bisect_left(ids, key)
        return b * self._block + i if i < len(ids) and ids[i] == key else None

    def __contains__(self, item_id: object) -> bool:
        return isinstance(item_id, str) and self._position(item_id) is not None

    def with_prefix(self, prefix: str, limit: int) -> list[str]:
        """Up to ``limit`` ids that start with ``prefix``, sorted."""
        key = self._key(prefix)
        if key is None or not self._count:
            return []
        padded = key.ljust(self._width, b"\0")  # NUL sorts before every id it starts
        b = max(0, bisect_right(self._firsts, padded) - 1)
        ids = self._ids_block(b)
        i = bisect_left(ids, padded)
        found: list[str] = []
        while len(found) < limit:
            if i == len(ids):
                b, i = b + 1, 0
                if b == len(self._firsts):
                    break
                ids = self._ids_block(b)
            if not ids[i].startswith(key):
                break
            found.append(ids[i].rstrip(b"\0").decode("ascii"))
            i += 1
        return found

    def doc(self, item_id: str) -> dict[str, Any] | None:
        """The item's stored document (``encode_item``), or None if there is no such item."""
        i = self._position(item_id)
        if i is None:
            return None
        start, end = self._offset(i), self._offset(i + 1)
        if end - start < 4 or end > self._blob_size:
            raise DamagedStore(f"item store: bad offsets for {item_id}")
        return _record(self._read(end - start, self._blob_at + start), 0, end - start, item_id)

    def docs_of(self, item_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The stored documents of those of ``item_ids`` that are items."""
        out = {}
        for batch in self.docs_in(item_ids, len(item_ids) or 1):
            for item_id, doc in zip(item_ids, batch, strict=True):
                if doc is not None:
                    out[item_id] = doc
        return out

    def docs_in(self, item_ids: Sequence[str], batch: int) -> Iterator[list[dict[str, Any] | None]]:
        """The stored documents of ``item_ids`` in their order (None for an id
        that is no item), ``batch`` at a time.

        For a listing of many hits (``shelf list diffusion``: 19,000 of
        100,000): each record is checked alone, then a batch of them is parsed
        in one call, which costs half of parsing them one by one. Past a
        twentieth of the library the records are cut from one read of the
        whole blob instead of one read each.
        """
        if not item_ids:
            return
        positions = self._positions(item_ids)
        whole = len(item_ids) * BULK_SHARE >= self._count
        # Two reads of offsets per record cost more than one of them all past a few dozen.
        offsets = self._offsets() if whole or len(item_ids) > 64 else None
        blob = self._read(self._blob_size, self._blob_at) if whole else b""
        for at in range(0, len(item_ids), batch):
            found: list[bytes] = []
            for item_id, k in zip(
                item_ids[at : at + batch], positions[at : at + batch], strict=True
            ):
                if k is None:
                    continue
                if offsets is not None:
                    start, end = offsets[k], offsets[k + 1]
                else:
                    start, end = unpack_from("<QQ", self._read(16, self._offsets_at + 8 * k))
                if end - start < 4 or end > self._blob_size:
                    raise DamagedStore(f"item store: bad offsets for {item_id}")
                if whole:
                    found.append(_checked(blob, start, end, item_id))
                else:
                    record = self._read(end - start, self._blob_at + start)
                    found.append(_checked(record, 0, end - start, item_id))
            docs = iter(_parsed(found))
            yield [None if k is None else next(docs) for k in positions[at : at + batch]]

    def _positions(self, item_ids: Sequence[str]) -> list[int | None]:
        """Each id's place in record order (None: no such item): by bisecting
        the id blocks, or past a quarter of the library from all ids at once."""
        if len(item_ids) * 4 < self._count:
            return [self._position(item_id) for item_id in item_ids]
        sorted_ids, _ = self._sorted_and_order()
        rank = dict(zip(sorted_ids, range(len(sorted_ids)), strict=True))
        return [rank.get(item_id) for item_id in item_ids]

    def _offsets(self) -> array[int]:
        offsets = array("Q")
        offsets.frombytes(self._read(8 * (self._count + 1), self._offsets_at))
        if sys.byteorder != "little":  # pragma: no cover - the file is little-endian
            offsets.byteswap()
        return offsets

    def decoded_in_order(self, decode: Callable[[str, dict[str, Any]], T]) -> list[tuple[str, T]]:
        """Every item's id and ``decode(id, document)``, in library order, each record checked.

        For loading the whole library: many small parses instead of one of
        the whole library.json, so the app's UI thread gets the GIL between
        them (decoding 25 MB in one call held it for 200-400 ms). The blob is
        read in order a megabyte at a time and each document decoded at once,
        so neither the 27 MB blob nor 100k raw documents are held together.
        """
        sorted_ids, order = self._sorted_and_order()
        offsets = self._offsets()
        decoded: list[Any] = []
        buf, buf_at = b"", 0
        records: list[bytes] = []
        for k, item_id in enumerate(sorted_ids):
            start, end = offsets[k], offsets[k + 1]
            if end - start < 4 or end > self._blob_size:
                raise DamagedStore(f"item store: bad offsets for {item_id}")
            if start < buf_at or end > buf_at + len(buf):
                buf_at = start
                buf = self._read(min(self._blob_size, start + max(READ_AHEAD, end - start)) - start,
                                 self._blob_at + start)  # fmt: skip
            records.append(_checked(buf, start - buf_at, end - buf_at, item_id))
            if len(records) == PARSE_BATCH or k == len(sorted_ids) - 1:
                # A few hundred records per parse: half the cost of one each,
                # and still a fraction of a millisecond holding the GIL.
                first = len(decoded)
                docs = _parsed(records)
                decoded += map(decode, sorted_ids[first : first + len(docs)], docs)
                records = []
        return [(sorted_ids[k], decoded[k]) for k in order]

    def ids(self) -> list[str]:
        """Every id in library order (reads all ids: for listing, not for one item)."""
        sorted_ids, order = self._sorted_and_order()
        return [sorted_ids[p] for p in order]

    def _sorted_and_order(self) -> tuple[list[str], array[int]]:
        """Every id in sorted (record) order, and each library position's sorted position."""
        sorted_ids = [
            key.rstrip(b"\0").decode("ascii")
            for b in range(len(self._firsts))
            for key in self._ids_block(b)
        ]
        data = self._read(4 * self._count, self._order_at)
        if _crc(data) != self._order_crc:
            raise DamagedStore("item store: the library order does not match its check")
        order = array("I")
        order.frombytes(data)
        if sys.byteorder != "little":  # pragma: no cover - the file is little-endian
            order.byteswap()
        if order and max(order) >= len(sorted_ids):
            raise DamagedStore("item store: the library order is out of range")
        return sorted_ids, order


def open_item_store(path: str | os.PathLike[str], signature: str) -> ItemStore | None:
    """The store at ``path`` if it is whole and was written for ``signature``; None otherwise."""
    return open_store(path, MAGIC, VERSION, signature, ItemStore)


def write_item_store(
    path: str | os.PathLike[str],
    docs: Mapping[str, Mapping[str, Any]],
    signature: str,
    encode: Callable[[Any], Mapping[str, Any]] | None = None,
) -> bool:
    """Write ``docs`` (item id -> stored document, in library order) as a store for ``signature``.

    ``encode`` turns each value into its document first (the import has
    Items in hand, a rebuild the decoded JSON). Returns whether it was
    written: failing to (a full disk, ids that are not ASCII) only means
    one-item commands read library.json instead. Records are encoded and
    written one at a time, so a million items never need a second copy.
    """
    keys = ascii_ids(docs)
    if keys is None:
        return False
    count = len(keys)
    sorted_at = sorted(range(count), key=keys.__getitem__)
    width = max((len(k) for k in keys), default=0)
    ids = [keys[k].ljust(width, b"\0") for k in sorted_at]
    rank = array("I", bytes(4 * count))
    for position, k in enumerate(sorted_at):
        rank[k] = position
    in_order = list(docs)
    blocks = [b"".join(ids[i : i + BLOCK]) for i in range(0, count, BLOCK)]
    if sys.byteorder != "little":  # pragma: no cover
        rank.byteswap()
    order = rank.tobytes()
    header = {
        "version": VERSION,
        "signature": signature,
        "count": count,
        "width": width,
        "block": BLOCK,
        "firsts": [ids[i].rstrip(b"\0").decode("ascii") for i in range(0, count, BLOCK)],
        "crcs": [_crc(block) for block in blocks],
        "order_crc": _crc(order),
    }
    raw_header = json.dumps(header).encode()

    def fill(f: BinaryIO) -> None:
        f.write(MAGIC + len(raw_header).to_bytes(4, "little") + raw_header)
        f.write(_crc(raw_header).to_bytes(4, "little"))
        for block in blocks:
            f.write(block)
        f.write(order)
        offsets_at = f.tell()
        f.seek(8 * (count + 1), os.SEEK_CUR)
        offsets = array("Q", [0])
        total = 0
        for k in sorted_at:
            value = docs[in_order[k]]
            doc = encode(value) if encode is not None else value
            payload = keys[k] + b"\n" + orjson.dumps(doc)
            total += f.write(_crc(payload).to_bytes(4, "little") + payload)
            offsets.append(total)
        if sys.byteorder != "little":  # pragma: no cover
            offsets.byteswap()
        f.seek(offsets_at)
        f.write(offsets.tobytes())

    try:
        return replace_file(path, fill)
    except TypeError:  # a document orjson cannot write: no store, the record is read instead
        return False
