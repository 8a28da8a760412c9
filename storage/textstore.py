"""The abstracts, read one at a time from a file instead of held in memory.

At 100k items the abstracts are 80 MB of text, a fifth of the app's memory
budget, while the app shows one at a time. ``texts.json`` stays the record
(TinyDB, backed up and recovered like every other file); this is a derived
copy in ``.cache/``, like the row cache and the saved index, stamped with
texts.json's identity and rebuilt from it whenever that changes. A text is
read when asked for, with one ``pread`` (not a memory map: a file cut short
under a map kills the process with SIGBUS; a short read is just an error).

Layout::

    MAGIC, u32 header length, header (JSON: version, signature, count, width)
    ids:     count fixed-width ASCII ids, sorted (binary-searched in place)
    offsets: count + 1 u64, the start of each id's text in the blob
    blob:    the texts, UTF-8, back to back

Ids are fixed-width and sorted, so the file needs no index of its own and
a look-up is a bisection. A library whose ids are not all the same width
pads them with NUL bytes.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from storage.atomic import temp_path_for

__all__ = [
    "StoreFile",
    "TextStore",
    "ascii_ids",
    "open_store",
    "open_text_store",
    "read_header",
    "replace_file",
    "write_text_store",
]

MAGIC = b"shelf-texts\x00"
VERSION = 1
_WINDOW = 4 << 20  # the most get_many reads at a time
_GAP = 8 << 10  # unwanted bytes get_many reads rather than make another call


class StoreFile:
    """A derived store's open file, closed once whoever holds the store lets it go.

    Subclasses set ``_fd`` last in ``__init__``, once the file has passed
    their checks: a store that fails them is closed by :func:`open_store`,
    never a second time by ``__del__`` (the number may be another file's by then).
    """

    _fd = -1
    _count = 0
    #: What a read that finds the file shorter than its header says raises.
    short_read: type[Exception] = OSError

    def __len__(self) -> int:
        return self._count

    def _read(self, length: int, at: int) -> bytes:
        data = os.pread(self._fd, length, at)
        if len(data) != length:
            raise self.short_read(f"{type(self).__name__}: the file ended early")
        return data

    def close(self) -> None:
        fd, self._fd = self._fd, -1
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)

    def __del__(self) -> None:
        self.close()


S = TypeVar("S", bound=StoreFile)


class TextStore(StoreFile):
    """``store.get(item_id)``: an item's abstract, or "" if it has none.

    Each text is one ``pread`` on the open file. The ids and offsets (2 MB
    at 100k items, 20 MB at 1M) are read only once many texts are wanted:
    until then a look-up bisects the file itself, a few dozen tiny reads,
    so that showing one item does not cost in proportion to the library.
    Thread-safe: ``pread`` has no shared file position. The file is
    replaced, never rewritten in place, so a store stays consistent until
    closed even if a newer one is written meanwhile.
    """

    #: Single look-ups after which the tables are read whole (a reader going through many).
    TABLES_AFTER = 64

    def __init__(self, fd: int, count: int, width: int, ids_at: int, size: int) -> None:
        self._count = count
        self._width = width
        self._ids_at = ids_at
        self._offsets_at = ids_at + count * width
        self._blob_at = self._offsets_at + 8 * (count + 1)
        self._keys: list[bytes] | None = None
        self._offsets: array[int] | None = None
        self._lookups = 0
        last = os.pread(fd, 8, self._offsets_at + 8 * count)
        if len(last) != 8 or size != self._blob_at + int.from_bytes(last, "little"):
            raise ValueError("text store truncated")
        self._fd = fd

    def _tables(self) -> tuple[list[bytes], array[int]]:
        """The ids (as a list of bytes, for bisect at C speed) and offsets, read whole once."""
        if self._keys is None or self._offsets is None:
            width = self._width
            ids = self._read(self._count * width, self._ids_at)
            offsets = array("Q")
            offsets.frombytes(self._read(8 * (self._count + 1), self._offsets_at))
            if sys.byteorder != "little":  # pragma: no cover - the file is little-endian
                offsets.byteswap()
            self._keys = [ids[i : i + width] for i in range(0, len(ids), width)]
            self._offsets = offsets
        return self._keys, self._offsets

    def _span(self, i: int) -> tuple[int, int]:
        """Where text ``i`` lies in the blob."""
        if self._offsets is not None:
            return self._offsets[i], self._offsets[i + 1]
        pair = self._read(16, self._offsets_at + 8 * i)
        return int.from_bytes(pair[:8], "little"), int.from_bytes(pair[8:], "little")

    def _position(self, item_id: str) -> int | None:
        try:
            key = item_id.encode("ascii")
        except UnicodeEncodeError:
            return None
        width = self._width
        if len(key) > width:
            return None
        key = key.ljust(width, b"\0")
        self._lookups += 1
        if self._keys is not None or self._lookups > self.TABLES_AFTER:
            keys = self._tables()[0]
            i = bisect_left(keys, key)
            return i if i < self._count and keys[i] == key else None
        lo, hi = 0, self._count
        while lo < hi:  # bisect_left over the file
            mid = (lo + hi) // 2
            if self._read(width, self._ids_at + mid * width) < key:
                lo = mid + 1
            else:
                hi = mid
        if lo < self._count and self._read(width, self._ids_at + lo * width) == key:
            return lo
        return None

    def __contains__(self, item_id: object) -> bool:
        return isinstance(item_id, str) and self._position(item_id) is not None

    def __call__(self, item_id: str) -> str:
        """The store is a text source (item id -> abstract) that can also read in bulk."""
        return self.get(item_id)

    def get(self, item_id: str, default: str = "") -> str:
        i = self._position(item_id)
        if i is None:
            return default
        start, end = self._span(i)
        return self._read(end - start, self._blob_at + start).decode("utf-8", "surrogatepass")

    def get_many(self, item_ids: Sequence[str]) -> list[str]:
        """The abstracts of ``item_ids``, in that order ("" for unknown ids).

        For exports: the texts are read in file order, neighbours that lie
        close together in one ``pread`` of up to a few MB, so a whole library
        takes a few dozen reads. A scattered batch reads what it needs and
        not the gaps between.
        """
        offsets = self._tables()[1]
        positions = [self._position(i) for i in item_ids]
        out = [""] * len(item_ids)
        wanted = sorted((p, k) for k, p in enumerate(positions) if p is not None)
        i, n = 0, len(wanted)
        while i < n:
            start = end = offsets[wanted[i][0]]
            j = i
            while j < n:
                p = wanted[j][0]
                if offsets[p] - end > _GAP or (j > i and offsets[p + 1] - start > _WINDOW):
                    break
                end = max(end, offsets[p + 1])
                j += 1
            window = os.pread(self._fd, end - start, self._blob_at + start)
            if len(window) < end - start:
                raise OSError("text store ended early")
            for p, k in wanted[i:j]:
                out[k] = window[offsets[p] - start : offsets[p + 1] - start].decode(
                    "utf-8", "surrogatepass"
                )
            i = j
        return out


def read_header(fd: int, magic: bytes) -> tuple[dict[str, Any], int, int]:
    """(header, where the header ends, file size) of a store file that starts with ``magic``.

    Shared by the derived stores in ``.cache/``: each is a magic string, a
    u32 length and a JSON header, then sections the header describes. Raises
    ValueError for a file that is not one.
    """
    size = os.fstat(fd).st_size
    head = os.pread(fd, min(size, 4096), 0)
    if not head.startswith(magic):
        raise ValueError("not a store of this kind")
    pos = len(magic)
    length = int.from_bytes(head[pos : pos + 4], "little")
    raw = head[pos + 4 : pos + 4 + length]
    if len(raw) < length:
        raw = os.pread(fd, length, pos + 4)
    header = json.loads(raw)
    if not isinstance(header, dict):
        raise ValueError("not a store header")
    return header, pos + 4 + length, size


def open_store(
    path: str | os.PathLike[str],
    magic: bytes,
    version: int,
    signature: str,
    make: Callable[[int, dict[str, Any], int, int], S],
) -> S | None:
    """``make(fd, header, header_end, size)`` for the store at ``path``, if it is one.

    None when it is missing, of another kind or version, written for another
    signature, or fails ``make``'s checks: a derived file that cannot be
    used is only ever a reason to rebuild it.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        header, end, size = read_header(fd, magic)
        if header.get("version") != version or header.get("signature") != signature:
            raise ValueError("stale")
        return make(fd, header, end, size)
    except (OSError, ValueError, KeyError, TypeError, OverflowError, AttributeError):
        os.close(fd)
        return None


def open_text_store(path: str | os.PathLike[str], signature: str) -> TextStore | None:
    """The store at ``path`` if it was written for ``signature``; None otherwise."""
    return open_store(
        path,
        MAGIC,
        VERSION,
        signature,
        lambda fd, header, end, size: TextStore(
            fd, int(header["count"]), int(header["width"]), end, size
        ),
    )


def ascii_ids(ids: Iterable[str]) -> list[bytes] | None:
    """The ids as the bytes a store keeps, or None when a store cannot hold them.

    Stores pad ids with NUL to a fixed width, so an id must be ASCII without NUL.
    """
    try:
        keys = [item_id.encode("ascii") for item_id in ids]
    except UnicodeEncodeError:
        return None
    if any(b"\0" in k for k in keys):
        return None
    return keys


def replace_file(path: str | os.PathLike[str], fill: Callable[[BinaryIO], None]) -> bool:
    """Write a derived file through ``fill(f)`` and put it in place; whether that worked.

    A temp file, fsynced, then renamed over the old one: the stores are
    caches, but ones that are read without being checked against their
    record, so a reader must see a whole old one or a whole new one. A crash
    leaves a temp file the next start removes; a failure (a full disk) leaves
    no file and means only that the record is read instead.
    """
    path = Path(path)
    tmp = temp_path_for(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as f:
            fill(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return False
    return True


def write_text_store(
    path: str | os.PathLike[str], texts: Iterable[tuple[str, str]], signature: str
) -> bool:
    """Write ``(item_id, text)`` pairs as a store for ``signature``.

    Returns whether it was written: the store is a cache, and failing to
    write it (a full disk, ids that are not ASCII) only means the texts are
    read from texts.json instead. Texts are encoded and written one at a
    time, so writing 80 MB of abstracts never holds a second copy of them.
    """
    pairs = sorted(texts)
    keys = ascii_ids(item_id for item_id, _ in pairs)
    if keys is None:
        return False
    width = max((len(k) for k in keys), default=0)
    header = json.dumps(
        {"version": VERSION, "signature": signature, "count": len(pairs), "width": width}
    ).encode()

    def fill(f: BinaryIO) -> None:
        offsets = array("Q", [0])
        f.write(MAGIC + len(header).to_bytes(4, "little") + header)
        f.write(b"".join(k.ljust(width, b"\0") for k in keys))
        offsets_at = f.tell()
        f.seek(8 * (len(pairs) + 1), os.SEEK_CUR)
        total = 0
        for _, text in pairs:
            total += f.write(text.encode("utf-8", "surrogatepass"))
            offsets.append(total)
        if sys.byteorder != "little":  # pragma: no cover
            offsets.byteswap()
        f.seek(offsets_at)
        f.write(offsets.tobytes())

    return replace_file(path, fill)
