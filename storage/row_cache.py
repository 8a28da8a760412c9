"""The list's row cache: what the app's list shows, kept between runs.

At 100k items, parsing library.json and building Item objects takes over a
second, longer than the app may take to show its first screen. The list
needs only a few short fields per item, so after each full load the app
keeps them in a compact file stamped with library.json's identity; the next
start shows the list from it and loads the library behind the first frame.
Imports write it too, so the first start after an import is as quick.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import orjson

from seeds.model import Item
from storage.atomic import StorageError, atomic_write
from storage.paths import DataDir

NO_YEAR = "undated"

#: What a row needs from an item, as a plain list so it can be cached as JSON:
#: title, title_derived, first author, more authors?, date shown, ISO date,
#: year, category, sources.
Base = list


def item_base(item: Item) -> Base:
    more = len(item.authors) > 1 or item.authors_truncated
    return [
        item.title,
        item.title_derived,
        item.authors[0] if item.authors else "",
        more,
        item.date or item.date_text or "",
        item.date or "",
        sys.intern((item.date or "")[:4] or NO_YEAR),
        item.category or "",
        item.sources,  # read only: rows copy it into a shared tuple
    ]


ROW_CACHE_VERSION = 2
_SEP = "\x1f"  # between rows of a column
_SUB = "\x1e"  # between the sources of one row
#: How a row's sources are joined in the cache's column (the list model counts them joined).
SOURCE_SEP = _SUB


def _dirs(shelf_or_dirs) -> DataDir:
    return getattr(shelf_or_dirs, "dirs", shelf_or_dirs)


def _row_cache_path(shelf_or_dirs) -> Path:
    return _dirs(shelf_or_dirs).root / ".cache" / "list-rows.json"


def library_signature(shelf_or_dirs) -> list[int] | None:
    try:
        st = os.stat(_dirs(shelf_or_dirs).library_file)
    except OSError:
        return None
    return [st.st_ino, st.st_mtime_ns, st.st_size]


class CachedRows(Sequence[list]):
    """The cached rows, kept as columns and put together one row at a time.

    Columns are single strings split on a separator: for 100k rows that is a
    few C-level splits instead of parsing 700k JSON strings, a tenth of the time.
    Row ``i`` is the list ``item_base`` makes for an item.
    """

    def __init__(self, columns: list[list[str]], flags: list[str]) -> None:
        self.title, self.author, self.date, self.iso, self.year, self.cat, self.src = columns
        self.derived, self.more = flags

    def __len__(self) -> int:
        return len(self.title)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        sources = self.src[i]
        return [
            self.title[i],
            self.derived[i] == "1",
            self.author[i],
            self.more[i] == "1",
            self.date[i],
            self.iso[i],
            self.year[i],
            self.cat[i],
            sources.split(_SUB) if sources else [],
        ]


def read_row_cache(shelf_or_dirs) -> tuple[list[str], CachedRows] | None:
    """(ids, rows) if the cache describes library.json as it is now, else None.

    Takes a Shelf or a DataDir: launch reads it before opening the shelf,
    since a valid cache with rows also shows the library is not empty.
    """
    signature = library_signature(shelf_or_dirs)
    if signature is None:
        return None
    try:
        data = orjson.loads(_row_cache_path(shelf_or_dirs).read_bytes())
        if data.get("version") != ROW_CACHE_VERSION or data.get("signature") != signature:
            return None
        count = data["count"]
        if count == 0:
            return [], CachedRows([[] for _ in range(7)], ["", ""])
        ids = data["ids"].split(_SEP)
        columns = [column.split(_SEP) for column in data["columns"]]
        flags = data["flags"]
        if len(ids) != count or any(len(c) != count for c in [*columns, *flags]):
            return None
        return ids, CachedRows(columns, flags)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # a missing or damaged cache only costs a slower start


def _clean(text: str) -> str:
    return text.replace(_SEP, " ").replace(_SUB, " ")


def write_row_cache(shelf, signature: list[int] | None, ids: list[str], rows: list) -> None:
    """Keep the rows for the next start; failing to is never an error for the user."""
    if signature is None:
        return
    columns: list[list[str]] = [[] for _ in range(7)]
    derived: list[str] = []
    more: list[str] = []
    for title, is_derived, author, has_more, date, iso, year, cat, sources in rows:
        for column, value in zip(columns, (title, author, date, iso, year, cat), strict=False):
            column.append(_clean(value))
        columns[6].append(_SUB.join(_clean(s) for s in sources))
        derived.append("1" if is_derived else "0")
        more.append("1" if has_more else "0")
    data = {
        "version": ROW_CACHE_VERSION,
        "signature": signature,
        "count": len(ids),
        "ids": _SEP.join(ids),
        "columns": [_SEP.join(column) for column in columns],
        "flags": ["".join(derived), "".join(more)],
    }
    path = _row_cache_path(shelf)
    with contextlib.suppress(OSError, StorageError):
        path.parent.mkdir(exist_ok=True)
        atomic_write(path, orjson.dumps(data))
