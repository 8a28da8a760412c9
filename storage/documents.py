"""Reading documents from disk for import, with a clear word for every bad input."""

from __future__ import annotations

import os
from pathlib import Path

from storage.atomic import StorageError

#: Larger than any plausible listing page; protects memory from a stray disk image.
MAX_DOCUMENT_BYTES = 256 * 1024 * 1024


def read_document(path: str | os.PathLike[str]) -> tuple[str, str]:
    """Return (file name, text) or raise StorageError saying in one line what is wrong."""
    p = Path(path)
    if p.is_dir():
        raise StorageError(f"{p} is a directory, not a document")
    try:
        size = p.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise StorageError(f"{p} is {size // (1024 * 1024)} MB, larger than a document can be")
        raw = p.read_bytes()
    except FileNotFoundError:
        raise StorageError(f"{p} does not exist") from None
    except OSError as exc:
        raise StorageError(f"cannot read {p}: {exc.strerror}") from exc
    if not raw.strip():
        raise StorageError(f"{p} is empty")
    if b"\0" in raw[:65536]:
        raise StorageError(f"{p} looks like a binary file, not a text document")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StorageError(f"{p} is not UTF-8 text (invalid byte at offset {exc.start})") from None
    return p.name, text
