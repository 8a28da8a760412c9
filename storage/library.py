"""The shared corpus: every item, stored in TinyDB, shared by all users.

Item metadata and item texts (abstracts) live in two TinyDB files so that the
list can be shown from the small one while the large one loads afterwards.
Imports are idempotent: the same document again changes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from seeds.merge import merge_entries
from seeds.model import Entry, Item
from seeds.parse import UnknownFormat, parse_document
from storage.annotations import now_iso
from storage.jsonstore import SafeJSONStorage, Warn
from storage.lock import FileLock
from storage.paths import DataDir
from storage.tables import KeyedDB

Progress = Callable[[int, int], None]


@dataclass
class DocumentReport:
    name: str
    kind: str | None = None
    entries: int = 0
    skipped: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class ImportReport:
    documents: list[DocumentReport] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[DocumentReport]:
        return [d for d in self.documents if d.error]

    def summary(self) -> str:
        parts = [f"{len(self.added)} added", f"{len(self.merged)} merged"]
        parts.append(f"{len(self.unchanged)} unchanged")
        if self.errors:
            parts.append(f"{len(self.errors)} failed")
        return ", ".join(parts)


def _split(item: Item) -> tuple[dict[str, Any], str]:
    data = item.to_dict()
    summary = data.pop("summary")
    data.pop("id")
    return data, summary


class Library:
    """Items and the record of imported documents, with a lock for writers."""

    def __init__(self, data_dir: DataDir, warn: Warn | None = None) -> None:
        self.data_dir = data_dir
        backups = data_dir.backup_dir
        self._meta_storage = SafeJSONStorage(
            data_dir.library_file, backup_dir=backups, label="library", warn=warn
        )
        self._text_storage = SafeJSONStorage(
            data_dir.texts_file, backup_dir=backups, label="library texts", warn=warn
        )
        self._meta_db = KeyedDB(storage=lambda: self._meta_storage)
        self._text_db = KeyedDB(storage=lambda: self._text_storage)
        self._items = self._meta_db.keyed("items")
        self._documents = self._meta_db.keyed("documents")
        self._texts = self._text_db.keyed("texts")
        self.lock = FileLock(data_dir.lock_dir / "library.lock")
        self._cache: dict[str, Item] | None = None
        self._cache_key: object = None
        self._texts_loaded_for: object = None

    # -- reading ------------------------------------------------------------

    def _signature(self) -> object:
        self._meta_storage.read()
        return self._meta_storage.signature

    def is_empty(self) -> bool:
        return not self._items.raw()

    def items(self, with_text: bool = True) -> dict[str, Item]:
        """All items by id, in import order; rebuilt only when the file changed."""
        signature = self._signature()
        if self._cache is None or signature != self._cache_key:
            self._cache = {
                item_id: Item.from_dict({"id": item_id, **doc})
                for item_id, doc in self._items.raw().items()
            }
            self._cache_key = signature
            self._texts_loaded_for = None
        if with_text:
            self.load_texts()
        return self._cache

    def load_texts(self) -> None:
        """Fill in the abstracts; separate so the first screen need not wait for them."""
        assert self._cache is not None
        self._text_storage.read()
        key = (self._cache_key, self._text_storage.signature)
        if self._texts_loaded_for == key:
            return
        texts = self._texts.raw()
        for item_id, item in self._cache.items():
            doc = texts.get(item_id)
            item.summary = doc.get("summary", "") if doc else ""
        self._texts_loaded_for = key

    def get(self, item_id: str) -> Item | None:
        return self.items().get(item_id)

    def documents(self) -> dict[str, dict[str, Any]]:
        return dict(self._documents.raw())

    # -- importing ----------------------------------------------------------

    def import_documents(
        self, documents: Sequence[tuple[str, str]], progress: Progress | None = None
    ) -> ImportReport:
        """Parse and merge documents into the library in one locked, atomic step."""
        report = ImportReport()
        entries: list[Entry] = []
        total = len(documents)
        for done, (name, text) in enumerate(documents, 1):
            doc_report = DocumentReport(name=name)
            try:
                parsed = parse_document(text, name)
            except UnknownFormat as exc:
                doc_report.error = str(exc)
            else:
                doc_report.kind = parsed.kind
                doc_report.entries = len(parsed.entries)
                doc_report.skipped = list(parsed.skipped)
                entries.extend(parsed.entries)
            report.documents.append(doc_report)
            if progress:
                progress(done, total)
        if not entries:
            return report
        with self.lock.held():
            existing = self.items(with_text=True)
            result = merge_entries(entries, existing.values())
            report.added, report.merged = list(result.added), list(result.merged)
            report.unchanged = list(result.unchanged)
            if result.items:
                self._write_items(result.items, existing)
            self._record_documents(documents, report)
        return report

    def _write_items(self, items: Iterable[Item], existing: dict[str, Item]) -> None:
        metas: dict[str, dict[str, Any]] = {}
        texts: dict[str, str] = {}
        for item in items:
            meta, summary = _split(item)
            metas[item.id] = meta
            old = existing.get(item.id)
            if old is None or old.summary != summary:
                texts[item.id] = summary
        # Texts first: a crash in between leaves an unused text, never an item
        # whose abstract is missing.
        if texts:
            self._texts.apply(lambda t: t.update({k: {"summary": v} for k, v in texts.items()}))
        self._items.apply(lambda t: t.update(metas))

    def _record_documents(self, documents: Sequence[tuple[str, str]], report: ImportReport) -> None:
        stamp = now_iso()
        records: dict[str, dict[str, Any]] = {}
        known = self._documents.raw()
        for (name, text), doc_report in zip(documents, report.documents, strict=True):
            if doc_report.error:
                continue
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
            previous = known.get(name)
            if previous and previous.get("sha256") == digest:
                continue
            records[name] = {
                "sha256": digest,
                "kind": doc_report.kind,
                "entries": doc_report.entries,
                "imported": stamp,
            }
        if records:
            self._documents.apply(lambda t: t.update(records))
