"""The search engine the app uses, behind one import.

``storage.search`` is the real engine. While a checkout lacks it (it is
developed alongside the app) a plain substring matcher with the same API
stands in, so the app still opens and filters instead of failing to import.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

try:  # pragma: no cover - which branch runs depends on the checkout
    from storage.search import QueryError, SearchIndex  # type: ignore[import-not-found]

    FALLBACK = False
except ImportError:  # pragma: no cover
    FALLBACK = True

    class QueryError(ValueError):  # type: ignore[no-redef]
        """A query the engine cannot run; the message is one line."""

    @dataclass
    class Hit:
        id: str
        score: float
        matches: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    @dataclass
    class SearchResult:
        hits: list[Hit]
        total: int

    class SearchIndex:  # type: ignore[no-redef]
        """Every word of the query must occur in the title, authors, tags, notes or abstract."""

        def __init__(self, items: Mapping[str, Any]) -> None:
            self.items = items
            self.docs: dict[str, dict[str, str]] = {}

        @classmethod
        def build(cls, items: Iterable[Any], annotations: Mapping[str, Any]) -> SearchIndex:
            index = cls({item.id: item for item in items})
            for item_id, item in index.items.items():
                index.docs[item_id] = _fields(item, annotations.get(item_id))
            return index

        def set_other_users(self, by_user: Any) -> None:
            pass

        def update_annotation(self, ann: Any) -> None:
            item = self.items.get(ann.item_id)
            if item is not None:
                self.docs[ann.item_id] = _fields(item, ann)

        def update_item(self, item: Any) -> None:
            self.docs[item.id] = _fields(item, None)

        def search(self, query: str, previous: Any = None, limit: int | None = None) -> Any:
            words = query.casefold().split()
            if any(":" in w for w in words):
                raise QueryError("filters need the search engine, which is not installed")
            hits = []
            for item_id, doc in self.docs.items():
                blob = doc["_all"]
                if all(w in blob for w in words):
                    title = doc["title"].casefold()
                    spans = []
                    for w in words:
                        start = title.find(w)
                        if start >= 0:
                            spans.append((start, start + len(w)))
                    hits.append(Hit(item_id, float(len(spans)), {"title": spans}))
            hits.sort(key=lambda h: -h.score)
            total = len(hits)
            return SearchResult(hits[:limit] if limit else hits, total)

    def _fields(item: Any, ann: Any) -> dict[str, str]:
        title = ann.title if ann is not None and ann.title else item.title
        extra = [*ann.tags, *(n.text for n in ann.notes)] if ann is not None else []
        blob = " ".join([title, *item.authors, item.summary, *extra]).casefold()
        return {"title": title, "_all": blob}


__all__ = ["FALLBACK", "QueryError", "SearchIndex"]
