"""A few entries of a file shelf wrote itself, read and changed without parsing the rest.

A user with 10,000 annotated items has a 3 MB annotation file. Parsing it
and writing it back whole made a one-item command at that size 25–45 ms
slower than the same command on a small library. The file is always written
in one layout (:func:`dumps`: sorted keys, two-space indents), in which each
entry of a table is one block of lines starting ``\\n    "KEY": ``; JSON
strings never hold a raw newline, so no text inside an entry can look like
that. Knowing the layout, one entry is a byte search away, and a changed
file is the old blocks with a few replaced, in the order a full rewrite
would put them.

Only for a file known to be in that layout: the caller checks that the file
on disk is the very version it wrote (see ``JournaledStorage``), so a hand
edit or a git merge is never read this way. Anything unexpected here (a key
with characters a plain search could mistake, a missing table) answers None
and the caller parses the file as usual.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2

#: Keys found by a byte search: ids and names, nothing JSON would escape or reorder.
_PLAIN_KEY = re.compile(rb"[A-Za-z0-9_.:+-]{1,200}")
_ENTRY = b'\n    "'


def dumps(data: Mapping[str, Any]) -> bytes:
    """The layout every file for people is written in: it diffs well and is spliced here."""
    return orjson.dumps(data, option=OPTIONS) + b"\n"


def _plain(key: str) -> bytes | None:
    try:
        encoded = key.encode("ascii")
    except UnicodeEncodeError:
        return None
    return encoded if _PLAIN_KEY.fullmatch(encoded) else None


#: More changes than this are quicker as one parse and one rewrite.
MAX_SPLICED = 32


@dataclass(frozen=True)
class Table:
    """One table of a file in :func:`dumps` layout: ``raw[start:end]`` is ``{}`` or ``{ ... \\n  }``.

    Found once per version of the file (one pass over it); every lookup
    after that is a bisection and a few short byte searches.
    """

    raw: bytes
    start: int
    end: int

    @property
    def close(self) -> int:
        return self.end - 4

    @property
    def empty(self) -> bool:
        return self.end - self.start == 2

    @property
    def span(self) -> tuple[int, int]:
        return self.start, self.end


def locate(raw: bytes, table: str, hint: tuple[int, int] | None = None) -> Table | None:
    """``table`` in ``raw``, or None if the file is not in the layout this module reads.

    ``hint``: where the table was when the file was written (``Table.span``);
    checked at both ends, it saves searching a 3 MB file for the table's end.
    """
    name = _plain(table)
    if name is None or not raw.startswith(b"{\n"):
        return None
    head = b'\n  "' + name + b'": {'
    if hint is not None:
        start, end = hint
        begin = start - len(head) + 1
        opens = begin > 0 and raw.startswith(head, begin)
        if opens and (
            (end == start + 2 and raw.startswith(b"{}", start))
            or (raw.startswith(_ENTRY, start + 1) and raw.startswith(b"\n  }", end - 4))
        ):
            return Table(raw, start, end)
    at = raw.find(head)
    if at < 0:
        return None
    start = at + len(head) - 1
    if raw.startswith(b"{}", start):
        return Table(raw, start, start + 2)
    if not raw.startswith(_ENTRY, start + 1):
        return None
    close = raw.find(b"\n  }", start)
    return Table(raw, start, close + 4) if close >= 0 else None


def _key_at(raw: bytes, entry: int) -> bytes:
    begin = entry + len(_ENTRY)
    return raw[begin : raw.find(b'"', begin)]


def _first_after(table: Table, key: bytes) -> int:
    """The start of the first entry whose key sorts after ``key`` (or the table's close).

    Entries are in key order, so the file is searched like a sorted array:
    a byte search from a midpoint finds the next entry a few hundred bytes on.
    """
    raw, lo, hi, close = table.raw, table.start, table.close, table.close
    while hi - lo > 4096:
        mid = (lo + hi) // 2
        entry = raw.find(_ENTRY, mid, hi)
        if entry < 0:
            hi = mid
        elif _key_at(raw, entry) <= key:
            lo = entry + 1
        else:
            hi = entry + 1
    entry = raw.find(_ENTRY, lo, close)
    while entry >= 0 and _key_at(raw, entry) <= key:
        entry = raw.find(_ENTRY, entry + 1, close)
    return entry if entry >= 0 else close


def _entry(table: Table, key: bytes) -> tuple[int, int, int, int] | None | bool:
    """(entry start, value start, value end, next entry start or close) of ``key``.

    None if the table has no such key, False if the file is not as expected there.
    """
    if table.empty:
        return None
    raw, close = table.raw, table.close
    at = raw.rfind(_ENTRY, table.start, _first_after(table, key))
    if at < 0 or _key_at(raw, at) != key:
        return None
    value = at + len(_ENTRY) + len(key) + 3
    if raw[value - 3 : value] != b'": ':
        return False
    following = raw.find(_ENTRY, value, close)
    if following < 0:
        return at, value, close, close
    if raw[following - 1 : following] != b",":
        return False
    return at, value, following - 1, following


def entries(table: Table, keys: Iterable[str]) -> dict[str, Any] | None:
    """The parsed entries of ``keys`` that the table holds, or None if only a parse can tell."""
    found: dict[str, Any] = {}
    for key in keys:
        name = _plain(key)
        where = _entry(table, name) if name is not None else False
        if where is False:
            return None
        if isinstance(where, tuple):
            try:
                found[key] = orjson.loads(table.raw[where[1] : where[2]])
            except orjson.JSONDecodeError:
                return None
    return found


def _spliced(table: Table, begin: int, stop: int, new: bytes) -> Table:
    """``table`` with ``raw[begin:stop]`` replaced, copied once."""
    view = memoryview(table.raw)
    raw = b"".join((view[:begin], new, view[stop:]))
    return Table(raw, table.start, table.end + len(new) - (stop - begin))


def _with_one(table: Table, key: bytes, doc: dict[str, Any] | None) -> Table | None:
    value = None if doc is None else orjson.dumps(doc, option=OPTIONS).replace(b"\n", b"\n    ")
    block = b"" if value is None else _ENTRY + key + b'": ' + value
    if table.empty:
        return (
            table
            if value is None
            else _spliced(table, table.start, table.end, b"{" + block + b"\n  }")
        )
    where = _entry(table, key)
    if where is False:
        return None
    if isinstance(where, tuple):
        at, begin, stop, following = where
        if value is not None:
            return _spliced(table, begin, stop, value)
        if following < table.close:  # not the last: its block and its comma go
            return _spliced(table, at, following, b"")
        if table.raw[at - 1 : at] == b",":  # the last of several: the comma before it goes
            return _spliced(table, at - 1, table.close, b"")
        return _spliced(table, table.start, table.end, b"{}")  # the only one
    if value is None:
        return table
    following = _first_after(table, key)
    if following < table.close:
        return _spliced(table, following, following, block + b",")
    return _spliced(table, table.close, table.close, b"," + block)


def with_changes(table: Table, changes: Mapping[str, dict[str, Any] | None]) -> Table | None:
    """The table in the file with its entries replaced (a dict) or removed (None), as :func:`dumps` would write it.

    None when the file is not as expected, a key is not plain, or there are
    so many changes that a full rewrite is quicker; the caller then parses
    and rewrites the whole file.
    """
    if len(changes) > MAX_SPLICED:
        return None
    current: Table | None = table
    for key, doc in changes.items():
        name = _plain(key)
        if name is None or current is None:
            return None
        current = _with_one(current, name, doc)
    return current
