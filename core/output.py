"""Writing results for scripts: JSON documents and arrays, streamed, and output files.

``shelf list --json`` at 100k items used to build every view and abstract in
memory and dump them at once (675 MB). An array is written here an element
at a time, in exactly the bytes one ``orjson`` dump of the whole list would
have, so the contract's output does not change while its cost does.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import orjson

from storage.atomic import atomic_write

_INDENT = orjson.OPT_INDENT_2


def write_json(out: IO[bytes], data: Any) -> None:
    out.write(orjson.dumps(data, option=_INDENT) + b"\n")


def write_json_array(out: IO[bytes], items: Iterable[Any]) -> int:
    """``items`` as one indented JSON array, element by element; returns the count."""
    count = 0
    for item in items:
        body = orjson.dumps(item, option=_INDENT).replace(b"\n", b"\n  ")
        out.write((b"[\n  " if count == 0 else b",\n  ") + body)
        count += 1
    out.write(b"\n]\n" if count else b"[]\n")
    return count


def write_file(path: str | Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically: the old file survives any failure."""
    atomic_write(Path(path), data)
