"""Reading documents from disk for import, with a clear word for every bad input."""

from __future__ import annotations

import codecs
import os
import select
import stat
from pathlib import Path

from storage.atomic import StorageError

#: Larger than any plausible listing page; protects memory from a stray disk image.
MAX_DOCUMENT_BYTES = 256 * 1024 * 1024
#: How much is looked at before deciding a file is binary.
SNIFF_BYTES = 64 * 1024
#: How long a named pipe may take to get a writer before we give up on it.
FIFO_WAIT_SECONDS = 30.0

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _read_capped(fd: int, name: Path) -> bytes:
    """Read at most MAX_DOCUMENT_BYTES, giving up early on binary data.

    Pipes and devices have no size to check up front (``/dev/zero`` never
    ends), so the limit and the binary check are applied as the bytes come.
    """
    chunks: list[bytes] = []
    total = 0
    sniffed = False
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        if not sniffed and total >= SNIFF_BYTES:
            sniffed = True
            head = b"".join(chunks)[:SNIFF_BYTES]
            if _looks_binary(head):
                raise StorageError(f"{name} looks like a binary file, not a text document")
        if total > MAX_DOCUMENT_BYTES:
            raise StorageError(
                f"{name} is over {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB, "
                "larger than a document can be"
            )
    return b"".join(chunks)


def _looks_binary(head: bytes) -> bool:
    return b"\0" in head and not head.startswith(_UTF16_BOMS)


def _wait_for_writer(fd: int, p: Path) -> None:
    """Wait, within reason, for a named pipe to get data or be closed by its writer.

    The pipe was opened without blocking so that a pipe nobody writes to
    cannot hang the import; Linux reports nothing on such a pipe until a
    writer comes, so a writer that opens it a moment later is still read.
    """
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP)
    if not poller.poll(int(FIFO_WAIT_SECONDS * 1000)):
        raise StorageError(f"{p} is a pipe that nothing wrote to in {FIFO_WAIT_SECONDS:g} s")


def read_document(path: str | os.PathLike[str]) -> tuple[str, str]:
    """Return (file name, text) or raise StorageError saying in one line what is wrong."""
    p = Path(path)
    try:
        fd = os.open(p, os.O_RDONLY | os.O_CLOEXEC | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise StorageError(f"{p} does not exist") from None
    except IsADirectoryError:
        raise StorageError(f"{p} is a directory, not a document") from None
    except ValueError:  # an embedded NUL in the name
        raise StorageError(f"{str(p)!r} is not a usable file name") from None
    except OSError as exc:
        raise StorageError(f"cannot read {p}: {exc.strerror}") from exc
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise StorageError(f"{p} is a directory, not a document")
        if stat.S_ISREG(st.st_mode):
            if st.st_size > MAX_DOCUMENT_BYTES:
                raise StorageError(
                    f"{p} is {st.st_size // (1024 * 1024)} MB, larger than a document can be"
                )
        elif stat.S_ISFIFO(st.st_mode):
            _wait_for_writer(fd, p)
        elif not stat.S_ISCHR(st.st_mode):
            raise StorageError(f"{p} is not a regular file")
        # O_NONBLOCK only served to keep the open of a writer-less FIFO from
        # hanging; the reads themselves should wait for the data.
        os.set_blocking(fd, True)
        raw = _read_capped(fd, p)
    except OSError as exc:
        raise StorageError(f"cannot read {p}: {exc.strerror}") from exc
    finally:
        os.close(fd)
    return p.name or str(p), decode_document(raw, p)


def decode_document(raw: bytes, p: Path) -> str:
    """Bytes to text, or a StorageError that says what kind of bytes they were."""
    if raw.startswith(_UTF16_BOMS):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise StorageError(f"{p} starts like UTF-16 text but is not valid UTF-16") from None
        if not text.strip():
            raise StorageError(f"{p} is empty")
        return text
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    if not raw.strip():
        raise StorageError(f"{p} is empty")
    if _looks_binary(raw[:SNIFF_BYTES]):
        raise StorageError(f"{p} looks like a binary file, not a text document")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise StorageError(
            f"{p} is not UTF-8 text (invalid byte 0x{raw[exc.start]:02x} on line {line}, "
            f"offset {exc.start})"
        ) from None
