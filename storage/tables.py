"""TinyDB tables keyed by the application's own ids.

TinyDB numbers documents itself and caches the next number per Table
instance, which goes stale as soon as another process writes. shelf's
documents have natural keys (item ids), so tables use them directly and never
ask TinyDB for a number.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tinydb import TinyDB
from tinydb.table import Table


class KeyedTable(Table):
    document_id_class = str  # type: ignore[assignment]

    def apply(self, updater: Callable[[dict[str, Any]], None]) -> None:
        """Run ``updater`` on the raw table and write once.

        A bulk change (tag 200 selected items, import 100k items) must be one
        atomic write, not one write per document, so that a crash leaves all
        or nothing and large imports stay fast.
        """
        self._update_table(updater)  # type: ignore[arg-type]

    def raw(self) -> Mapping[str, Any]:
        """The stored documents without wrapping each in a Document (fast, read-only)."""
        return self._read_table()


class KeyedDB(TinyDB):
    table_class = KeyedTable

    def keyed(self, name: str) -> KeyedTable:
        table = self.table(name, cache_size=0)
        assert isinstance(table, KeyedTable)
        return table
