"""The session's one search index: opened once, searched from any thread, kept current.

The engine is not thread-safe, and the app searches from a worker while its
storage thread saves. So every change meant for the index is queued here and
applied by the next search, under the one lock; the app and the command line
share this object instead of each owning an index and a lock of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from core.errors import describe
from storage.model import Annotation

if TYPE_CHECKING:
    from seeds.model import Item
    from storage.search import SearchIndex
    from storage.search.related import RelatedHit
    from storage.search.results import SearchResult
    from storage.shelf import Shelf

Others = Mapping[str, Mapping[str, Annotation]]


class SearchUnavailable(RuntimeError):
    """The index could not be opened; the list, filters and every key still work."""


class SearchService:
    def __init__(self, shelf: Shelf) -> None:
        self._shelf = shelf
        self._lock = threading.Lock()
        self._index: SearchIndex | None = None
        self._pending: list[Callable[[SearchIndex], None]] = []
        self.error: str | None = None
        #: The user's new items, for ``is:new`` (set by the session).
        self.new_source: Callable[[], Collection[str]] | None = None

    @property
    def ready(self) -> bool:
        return self._index is not None

    def open(
        self,
        items: Iterable[Item],
        annotations: Mapping[str, Annotation],
        others: Others,
        texts: Callable[[str], str] | None,
    ) -> None:
        """Load the saved index (or build one) for ``items``; slow, so call it off the UI.

        Changes noted while it opens stay queued and reach the new index
        before its first search; replaying ones it already has is harmless.
        """
        from storage.search.saved import open_search_index
        from storage.views import corrected

        # The user's corrections are what they search for (a fixed author list).
        # A saved index trusts the library's state, so corrected items are
        # indexed again after it opens; there are few of them.
        fixed = {i: a.corrections for i, a in annotations.items() if a.corrections}
        items = list(items) if fixed else items
        try:
            index = open_search_index(self._shelf, items, annotations, texts)
            index.set_other_users(others)
            index.set_new_source(self.new_source)
            for item in items if fixed else ():
                if item.id in fixed:
                    index.update_item(corrected(item, fixed[item.id]))
        except Exception as exc:
            self.error = describe(exc)
            raise
        with self._lock:
            self._index = index
            self.error = None

    def note_annotations(self, annotations: Iterable[Annotation]) -> None:
        updates = [_annotation_update(ann) for ann in annotations]
        with self._lock:
            self._pending.extend(updates)

    def note_others(self, others: Others) -> None:
        with self._lock:
            self._pending.append(lambda index: index.set_other_users(others))

    def note_removed(self, item_id: str) -> None:
        with self._lock:
            self._pending.append(lambda index: index.remove(item_id))

    def note_items(self, items: Iterable[Item]) -> None:
        updates = [_item_update(item) for item in items]
        with self._lock:
            self._pending.extend(updates)

    def _current(self) -> SearchIndex:
        """The index with every queued change applied; call holding the lock."""
        index = self._index
        if index is None:
            raise SearchUnavailable(f"search is unavailable: {self.error or 'no index yet'}")
        updates, self._pending = self._pending, []
        for update in updates:
            update(index)
        return index

    def search(self, query: str, previous: SearchResult | None = None) -> SearchResult:
        """The engine's result; raises ``QueryError`` for a query it cannot read.

        ``previous`` lets the engine narrow from the last result as the user
        types; it ignores it when it cannot.
        """
        with self._lock:
            return self._current().search(query, previous=previous)

    def title_spans(self, result: SearchResult) -> Mapping[str, Sequence[tuple[int, int]]]:
        """Title spans of the hits, by id, worked out only for the rows that get drawn."""
        with self._lock:
            ids = result.ids()
        spans = _TitleSpans(result, ids, self._lock)
        spans._head_ranks()  # here, in the caller's worker, not when the UI draws a row
        return spans

    def ids(self, query: str) -> list[str]:
        with self._lock:
            return list(self._current().search(query).ids())

    def related(self, item_id: str, limit: int) -> list[RelatedHit]:
        """The items most like ``item_id`` (``KeyError`` if the index lacks it)."""
        from storage.search.related import related

        with self._lock:
            return related(self._current(), item_id, limit)


def _annotation_update(ann: Annotation) -> Callable[[SearchIndex], None]:
    return lambda index: index.update_annotation(ann)


def _item_update(item: Item) -> Callable[[SearchIndex], None]:
    return lambda index: index.update_item(item)


#: Matches whose ranks are worked out with the search: more rows than a screen holds.
HEAD_RANKS = 256


class _TitleSpans(Mapping[str, Sequence[tuple[int, int]]]):
    """A query can match 100k items and the list shows forty: spans on first access.

    Iterating gives the ids in relevance order without building a hit for
    each (at 30,000 matches that alone took 50 ms a keystroke). The engine
    computes a hit's spans lazily, so each access takes the index's lock (the
    engine is not thread-safe).
    """

    def __init__(self, result: SearchResult, ids: list[str], lock: threading.Lock) -> None:
        self._result = result
        self._ids = ids
        self._rank: dict[str, int] | None = None
        self._head: dict[str, int] = {}
        self._lock = lock

    def __getitem__(self, item_id: str) -> Sequence[tuple[int, int]]:
        n = self._rank_of(item_id)
        if n is None:
            raise KeyError(item_id)
        with self._lock:
            return tuple(self._result.hits[n].matches.get("title", ()))

    def __contains__(self, item_id: object) -> bool:
        return isinstance(item_id, str) and self._rank_of(item_id) is not None

    def _rank_of(self, item_id: str) -> int | None:
        n = self._head.get(item_id)
        if n is None and len(self._head) < len(self._ids):
            n = self._ranks().get(item_id)
        return n

    def _head_ranks(self) -> None:
        """Ranks of the first rows, which the list draws first.

        The ranks of all matches (a dict of 58k ids for "language", 6-8 ms
        holding the GIL) wait until a row further down is drawn.
        """
        head = self._ids[:HEAD_RANKS]
        self._head = dict(zip(head, range(len(head)), strict=True))

    def _ranks(self) -> dict[str, int]:
        if self._rank is None:
            self._rank = dict(zip(self._ids, range(len(self._ids)), strict=True))
        return self._rank

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)
