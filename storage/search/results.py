"""What a search returns: hits in relevance order, made only as they are read.

A query at 100k items can match 100k items. Building a ``Hit`` (with its
highlight spans) for each would cost more than the search, and the TUI shows
fifty. So :class:`HitList` is a read-only sequence that ranks lazily: the top
of the ranking is computed with the search, the rest is sorted the first time
something past it is read, and a hit's ``matches`` are computed the first
time they are read.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import compress, repeat
from operator import ge, itemgetter
from typing import Any, overload

__all__ = ["Hit", "HitList", "SearchResult"]

Spans = Mapping[str, list[tuple[int, int]]]


class Hit:
    """One matching item: its id, its score and the character spans that matched.

    ``matches`` maps a field name to ``(start, end)`` spans in that field's
    displayed string: "title" (the renamed title when there is one, else the
    item's), "original_title" (the item's, when renamed), "authors"
    (``", ".join``), "affiliations" (``", ".join``), "summary", "tags"
    (``" ".join``) and "notes" (``"\n".join`` of the note texts). Fields
    without a match are absent. Each field's spans are worked out when first
    read, so a list row that reads only the title pays only for the title.
    """

    __slots__ = ("id", "score", "_matches", "_resolve")

    def __init__(
        self,
        id: str,
        score: float,
        matches: Spans | None = None,
        *,
        resolve: Callable[[str], Spans] | None = None,
    ) -> None:
        self.id = id
        self.score = score
        self._matches = matches
        self._resolve = resolve

    @property
    def matches(self) -> Spans:
        if self._matches is None:
            self._matches = self._resolve(self.id) if self._resolve else {}
            self._resolve = None
        return self._matches

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Hit):
            return NotImplemented
        return self.id == other.id and self.score == other.score and self.matches == other.matches

    def __hash__(self) -> int:
        return hash((self.id, self.score))

    def __repr__(self) -> str:
        return f"Hit(id={self.id!r}, score={self.score:.4g})"


class _Ranking:
    """Candidates and their sort keys, ordered as far as has been asked for."""

    def __init__(
        self,
        docs: list[int],
        keys: list[float] | None,
        head: int,
        rerank: Callable[[list[int], list[float]], list[tuple[int, float]]] | None = None,
    ) -> None:
        # ``keys`` None means the docs are already in final order (all score 0).
        self.docs = docs
        self.keys = keys
        self.order: list[int] = []
        self.scores: list[float] = []
        self._complete = keys is None
        self._rerank = rerank
        if keys is None:
            self.order = docs
        else:
            self._top(head)

    def __len__(self) -> int:
        return len(self.docs)

    def _top(self, k: int) -> None:
        docs, keys = self.docs, self.keys
        assert keys is not None
        if k >= len(docs):
            self._finish(len(docs))
            return
        picked = []
        n = len(keys)
        if n > 40 * k:
            # A strided sample estimates a threshold a few times k deep, so
            # one C-level pass keeps a few hundred keys to sort.
            step = n // (10 * k)
            sample = sorted(keys[::step], reverse=True)
            threshold = sample[min(len(sample) - 1, 3 * k // step + 1)]
            picked = list(compress(range(n), map(ge, keys, repeat(threshold))))
        if len(picked) < k:
            threshold = heapq.nlargest(k, keys)[-1]
            picked = list(compress(range(n), map(ge, keys, repeat(threshold))))
        picked.sort(key=keys.__getitem__, reverse=True)
        picked = picked[:k]
        self._set_head([docs[i] for i in picked], [keys[i] for i in picked])

    def _set_head(self, head: list[int], head_keys: list[float]) -> None:
        if self._rerank is not None:
            ranked = self._rerank(head, head_keys)
            self.order = [d for d, _ in ranked]
            self.scores = [s for _, s in ranked]
        else:
            self.order, self.scores = head, head_keys

    def ensure(self, n: int) -> None:
        if not self._complete and n > len(self.order):
            self._finish(0)

    def _finish(self, head_n: int) -> None:
        keys = self.keys
        assert keys is not None
        ranked = sorted(range(len(self.docs)), key=keys.__getitem__, reverse=True)
        if head_n:  # no head yet: rank it now
            head = ranked[:head_n]
            self._set_head([self.docs[i] for i in head], [keys[i] for i in head])
        rest = ranked[len(self.order) :]
        # C-level passes, not a Python step per match (58k at "language").
        self.order = self.order + list(map(self.docs.__getitem__, rest))
        self.scores = self.scores + list(map(keys.__getitem__, rest))
        self._complete = True

    def score(self, i: int) -> float:
        return self.scores[i] if self.keys is not None else 0.0


class HitList(Sequence[Hit]):
    """Hits in relevance order, ranked and built on demand; otherwise a list."""

    def __init__(self, ranking: _Ranking, limit: int, make: Callable[[int, float], Hit]) -> None:
        self._ranking = ranking
        self._len = min(limit, len(ranking))
        self._make = make
        self._made: dict[int, Hit] = {}

    def __len__(self) -> int:
        return self._len

    @overload
    def __getitem__(self, i: int) -> Hit: ...
    @overload
    def __getitem__(self, i: slice) -> list[Hit]: ...
    def __getitem__(self, i: int | slice) -> Hit | list[Hit]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._len))]
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError("hit index out of range")
        hit = self._made.get(i)
        if hit is None:
            self._ranking.ensure(i + 1)
            hit = self._make(self._ranking.order[i], self._ranking.score(i))
            self._made[i] = hit
        return hit

    def __iter__(self) -> Iterator[Hit]:
        ranking, made, make = self._ranking, self._made, self._make
        ranking.ensure(self._len)
        for i in range(self._len):
            hit = made.get(i)
            if hit is None:
                hit = made[i] = make(ranking.order[i], ranking.score(i))
            yield hit

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def ids(self) -> list[str]:
        return [h.id for h in self]

    def __repr__(self) -> str:
        return f"HitList({self._len} hits)"


class SearchResult:
    """The outcome of :meth:`SearchIndex.search`.

    ``hits`` are in relevance order (library order for a query with no free
    text); ``total`` counts every match even when ``limit`` cut ``hits``.
    Pass the result back as ``previous`` on the next keystroke.
    """

    def __init__(
        self,
        query: str,
        ranking: _Ranking,
        limit: int | None,
        make: Callable[[int, float], Hit],
        id_of: Callable[[int], str],
        state: Any = None,
        fallback: bool = False,
        ids: Sequence[str | None] | None = None,
    ) -> None:
        """``ids``: doc number to id, where every ranked doc has one (the fast path of ``ids()``)."""
        self.query = query
        self.total = len(ranking)
        self.hits = HitList(ranking, self.total if limit is None else limit, make)
        #: True when no item matched every word and the hits match only some.
        self.fallback = fallback
        self._ranking = ranking
        self._id_of = id_of
        self._ids = ids
        self._members: set[str] | None = None
        self._state = state  # the index's private record, for narrowing

    def __contains__(self, item_id: object) -> bool:
        if self._members is None:
            self._members = set(map(self._id_of, self._ranking.docs))
        return item_id in self._members

    def ids(self) -> list[str]:
        """Every matching id in relevance order, without building hits (cheap
        at 100k matches, where ``[h.id for h in hits]`` is not)."""
        self._ranking.ensure(self.total)
        order = self._ranking.order
        if self._ids is not None and len(order) > 1:
            found = list(itemgetter(*order)(self._ids))  # one C call, not a lambda per hit
            if None not in found:
                return found  # type: ignore[return-value]  # checked: no None
        return list(map(self._id_of, order))

    def docs(self) -> list[int]:
        """Every matching doc number in relevance order: what ``ids()`` names,
        for a reader of the index's columns by doc (``shelf list``'s lines)."""
        self._ranking.ensure(self.total)
        return list(self._ranking.order)

    def position(self, item_id: str) -> int | None:
        """Rank of ``item_id`` among all matches (0 = first), or None.

        The TUI uses it to keep the highlighted item as the query narrows.
        """
        if item_id not in self:
            return None
        self._ranking.ensure(self.total)
        for i, doc in enumerate(self._ranking.order):
            if self._id_of(doc) == item_id:
                return i
        return None

    def __repr__(self) -> str:
        return f"SearchResult({self.query!r}, total={self.total})"
