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
from tinydb.storages import Storage
from tinydb.table import Table

Updater = Callable[[dict[str, Any]], None]


def apply_tables(storage: Storage, updaters: Mapping[str, Updater]) -> None:
    """Run each updater on its raw table and write the file once.

    TinyDB's own update copies the whole table twice to convert document ids;
    with string ids there is nothing to convert, and at 100k items the copies
    cost more than the change. Several tables of one file change in the same
    write, so a crash leaves all of them changed or none.
    """
    tables = storage.read() or {}
    for name, updater in updaters.items():
        updater(tables.setdefault(name, {}))
    storage.write(tables)


class KeyedTable(Table):
    document_id_class = str  # type: ignore[assignment]

    def apply(self, updater: Updater) -> None:
        """Run ``updater`` on the raw table and write once.

        A bulk change (tag 200 selected items, import 100k items) must be one
        atomic write, not one write per document, so that a crash leaves all
        or nothing and large imports stay fast.
        """
        apply_tables(self.storage, {self.name: updater})
        self.clear_cache()

    def raw(self) -> Mapping[str, Any]:
        """The stored documents without wrapping each in a Document (fast, read-only)."""
        return self._read_table()


class KeyedDB(TinyDB):
    table_class = KeyedTable

    def keyed(self, name: str) -> KeyedTable:
        table = self.table(name, cache_size=0)
        assert isinstance(table, KeyedTable)
        return table

    def apply(self, updaters: Mapping[str, Updater]) -> None:
        """Change several tables of this file in one atomic write."""
        apply_tables(self.storage, updaters)
