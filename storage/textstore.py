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
from collections.abc import Iterable, Sequence
from pathlib import Path

from storage.atomic import temp_path_for

__all__ = ["TextStore", "open_text_store", "write_text_store"]

MAGIC = b"shelf-texts\x00"
VERSION = 1
_WINDOW = 4 << 20  # the most get_many reads at a time
_GAP = 8 << 10  # unwanted bytes get_many reads rather than make another call


class TextStore:
    """``store.get(item_id)``: an item's abstract, or "" if it has none.

    The ids and offsets (2 MB at 100k items) are read at open; each text is
    one ``pread`` on the open file. Thread-safe: ``pread`` has no shared file
    position. The file is replaced, never rewritten in place, so a store
    stays consistent until closed even if a newer one is written meanwhile.
    """

    def __init__(self, fd: int, count: int, width: int, ids_at: int, size: int) -> None:
        self._fd = fd
        self._count = count
        self._width = width
        self._ids = os.pread(fd, count * width, ids_at)
        self._keys: list[bytes] | None = None
        offsets_at = ids_at + count * width
        self._offsets = array("Q")
        self._offsets.frombytes(os.pread(fd, 8 * (count + 1), offsets_at))
        if sys.byteorder != "little":  # pragma: no cover - the file is little-endian
            self._offsets.byteswap()
        self._blob_at = offsets_at + 8 * (count + 1)
        if len(self._ids) != count * width or len(self._offsets) != count + 1:
            raise ValueError("text store truncated")
        if size != self._blob_at + self._offsets[-1]:
            raise ValueError("text store truncated")

    def __len__(self) -> int:
        return self._count

    def _position(self, item_id: str) -> int | None:
        try:
            key = item_id.encode("ascii")
        except UnicodeEncodeError:
            return None
        width = self._width
        if len(key) > width:
            return None
        key = key.ljust(width, b"\0")
        keys = self._keys
        if keys is None:
            # A list of bytes for bisect (C speed; 5 MB at 100k), made on
            # first use: a Python-level binary search cost 8 µs a look-up.
            ids = self._ids
            keys = self._keys = [ids[i : i + width] for i in range(0, len(ids), width)]
        i = bisect_left(keys, key)
        return i if i < self._count and keys[i] == key else None

    def __contains__(self, item_id: object) -> bool:
        return isinstance(item_id, str) and self._position(item_id) is not None

    def __call__(self, item_id: str) -> str:
        """The store is a text source (item id -> abstract) that can also read in bulk."""
        return self.get(item_id)

    def get(self, item_id: str, default: str = "") -> str:
        i = self._position(item_id)
        if i is None:
            return default
        start, end = self._offsets[i], self._offsets[i + 1]
        data = os.pread(self._fd, end - start, self._blob_at + start)
        if len(data) != end - start:
            raise OSError(f"text store ended early reading {item_id}")
        return data.decode("utf-8", "surrogatepass")

    def get_many(self, item_ids: Sequence[str]) -> list[str]:
        """The abstracts of ``item_ids``, in that order ("" for unknown ids).

        For exports: the texts are read in file order, neighbours that lie
        close together in one ``pread`` of up to a few MB, so a whole library
        takes a few dozen reads. A scattered batch reads what it needs and
        not the gaps between.
        """
        positions = [self._position(i) for i in item_ids]
        offsets = self._offsets
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

    def close(self) -> None:
        if self._fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = -1

    def __del__(self) -> None:
        self.close()


def open_text_store(path: str | os.PathLike[str], signature: str) -> TextStore | None:
    """The store at ``path`` if it was written for ``signature``; None otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        size = os.fstat(fd).st_size
        head = os.pread(fd, min(size, 4096), 0)
        if not head.startswith(MAGIC):
            raise ValueError("not a text store")
        pos = len(MAGIC)
        length = int.from_bytes(head[pos : pos + 4], "little")
        header = json.loads(os.pread(fd, length, pos + 4))
        if header.get("version") != VERSION or header.get("signature") != signature:
            raise ValueError("stale")
        return TextStore(fd, int(header["count"]), int(header["width"]), pos + 4 + length, size)
    except (OSError, ValueError, KeyError, TypeError, OverflowError):
        os.close(fd)
        return None


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
    try:
        keys = [item_id.encode("ascii") for item_id, _ in pairs]
    except UnicodeEncodeError:
        return False
    if any(b"\0" in k for k in keys):
        return False
    width = max((len(k) for k in keys), default=0)
    header = json.dumps(
        {"version": VERSION, "signature": signature, "count": len(pairs), "width": width}
    ).encode()
    path = Path(path)
    tmp = temp_path_for(path)  # a crash leaves a file the next start removes
    offsets = array("Q", [0])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as f:
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
            f.flush()
            # A cache, but one the detail pane trusts: on disk before it replaces the old one.
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return False
    return True
