"""Writing results for scripts: JSON documents and arrays, streamed, and output files.

``shelf list --json`` at 100k items used to build every view and abstract in
memory and dump them at once (675 MB). An array is written here an element
at a time, in exactly the bytes one ``orjson`` dump of the whole list would
have, so the contract's output does not change while its cost does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import orjson

from storage.atomic import atomic_write
from storage.output_files import check_output_path, clean_output_folder

_INDENT = orjson.OPT_INDENT_2
#: C1 controls in UTF-8. JSON need not escape them, so orjson does not; but a
#: terminal may act on U+009B as CSI, so they are written as \u escapes.
_C1 = re.compile(rb"\xc2([\x80-\x9f])")


def _c1_escaped(match: re.Match[bytes]) -> bytes:
    return b"\\u%04x" % match.group(1)[0]


def safe_json(data: bytes) -> bytes:
    """JSON bytes with C1 controls escaped too (C0 ones orjson escapes already)."""
    return _C1.sub(_c1_escaped, data) if b"\xc2" in data else data


def dumps(data: Any) -> bytes:
    return safe_json(orjson.dumps(data, option=_INDENT))


def write_json(out: IO[bytes], data: Any) -> None:
    out.write(dumps(data) + b"\n")


def write_json_array(out: IO[bytes], items: Iterable[Any]) -> int:
    """``items`` as one indented JSON array, element by element; returns the count."""
    count = 0
    for item in items:
        body = dumps(item).replace(b"\n", b"\n  ")
        out.write((b"[\n  " if count == 0 else b",\n  ") + body)
        count += 1
    out.write(b"\n]\n" if count else b"[]\n")
    return count


def output_target(path: str | Path, force: bool = False) -> Path:
    """Where ``-o PATH`` may write: a regular file or a new one, never a device or a FIFO.

    A symbolic link is refused unless ``force`` (then its final target is
    written, the link stays). Temp files a killed export left beside the
    target are cleaned first.
    """
    target = check_output_path(path, force=force)
    clean_output_folder(target)
    return target


def write_file(path: str | Path, data: bytes, force: bool = False) -> None:
    """Replace ``path`` with ``data`` atomically: the old file survives any failure."""
    atomic_write(output_target(path, force), data)
