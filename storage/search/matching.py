"""One query word's matches: which items, and how much each one scores.

A word expands to index terms (itself, completions, typo neighbours), grouped
by match quality. Its score in an item is the best ``weight * quality *
impact`` over those terms, then the best acronym-title score, then plus the
user's own fields (tags, notes, rename).

Two ways to get there, same numbers:

* :meth:`TermMatch.full` decodes every posting into a dict, in C-level
  ``map``/``zip`` passes; right when this word decides the candidates;
* :meth:`TermMatch.restricted` looks up only given candidates, by binary
  search in the (doc-sorted) postings; right when another word or filter
  already narrowed the candidates to a few, as for "rareword commonword" or
  the next keystroke of a query whose previous result was small.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Collection
from itertools import compress, repeat
from operator import and_, eq, lshift, rshift

__all__ = ["TermMatch"]

#: Postings decoded per C-level call: ~1-2 ms of holding the GIL.
SLICE = 16_384

# (table: level -> scaled score, postings arrays of one match quality)
Group = tuple[list[float], list[array]]


class TermMatch:
    __slots__ = (
        "groups",
        "acronym",
        "user",
        "size",
        "expansions",
        "exact",
        "prefixes",
        "acronym_phrases",
        "key",
        "_full",
        "_seen",
    )

    def __init__(
        self,
        groups: list[Group],
        acronym: dict[int, float],
        user: dict[int, float],
        expansions: frozenset[tuple[str, str]],
        exact: frozenset[str],
        prefixes: tuple[str, ...],
        acronym_phrases: tuple[tuple[str, ...], ...],
    ) -> None:
        self.groups = groups  # ascending quality
        self.acronym = acronym
        self.user = user
        self.size = sum(len(a) for _, arrays in groups for a in arrays) + len(acronym) + len(user)
        self.expansions = expansions
        self.exact = exact
        self.prefixes = prefixes
        self.acronym_phrases = acronym_phrases
        self.key: object = None  # what determines the scores, for sharing them
        self._full: dict[int, float] | None = None
        #: The docs :meth:`restricted` last looked up, and what it found.
        self._seen: tuple[set[int], dict[int, float]] | None = None

    def share(self, decoded: dict[int, float]) -> None:
        """Adopt the :meth:`full` scores of an equal expansion (read-only)."""
        self._full = decoded

    @property
    def lookups(self) -> int:
        """Binary searches per candidate for :meth:`restricted`."""
        return sum(len(arrays) for _, arrays in self.groups) or 1

    def full(self) -> dict[int, float]:
        if self._full is None:
            scores: dict[int, float] = {}
            for table, arrays in self.groups:
                if len(arrays) == 1:
                    postings = arrays[0]
                else:
                    postings = array("I")
                    for a in arrays:
                        postings.extend(a)
                found: dict[int, float] = {}
                # In slices, so that no single C call holds the GIL for long
                # and a UI thread gets its turn between them.
                for at in range(0, len(postings), SLICE):
                    part = postings[at : at + SLICE]
                    values = map(table.__getitem__, map(and_, part, repeat(255)))
                    found.update(zip(map(rshift, part, repeat(8)), values, strict=False))
                scores = _merge_max(scores, found)
            self._finish(scores)
            self._full = scores
        return self._full

    def restricted(self, docs: Collection[int]) -> dict[int, float]:
        """Scores of those of ``docs`` that match, as :meth:`full` has them."""
        if self._full is not None:
            full = self._full
            return {d: full[d] for d in docs if d in full}
        # The next keystroke of a query looks this word up for candidates it
        # was mostly looked up for already ("reinforcement learning from
        # human feedb|": four words, 6,000 candidates, 10 ms a key): only
        # the docs not looked up before are.
        if self._seen is None:
            self._seen = (set(), {})
        looked, found = self._seen
        fresh = [d for d in docs if d not in looked]
        if fresh:
            found.update(self._lookup(fresh))
            looked.update(fresh)
        return {d: found[d] for d in docs if d in found}

    def _lookup(self, keys: list[int]) -> dict[int, float]:
        probes = list(map(lshift, keys, repeat(8)))
        scores: dict[int, float] = {}
        for table, arrays in self.groups:
            hits: dict[int, float] = {}
            for postings in arrays:
                if not postings:
                    continue
                last = len(postings) - 1
                at = map(min, map(bisect_left, repeat(postings), probes), repeat(last))
                codes = list(map(postings.__getitem__, at))
                hit = list(map(eq, map(rshift, codes, repeat(8)), keys))
                got = compress(codes, hit)
                hits.update(
                    zip(
                        map(rshift, got, repeat(8)),
                        map(table.__getitem__, map(and_, compress(codes, hit), repeat(255))),
                        strict=False,
                    )
                )
            scores = _merge_max(scores, hits)
        self._finish(scores, set(keys))
        return scores

    def _finish(self, scores: dict[int, float], only: set[int] | None = None) -> None:
        for doc, value in self.acronym.items():
            if (only is None or doc in only) and scores.get(doc, 0.0) < value:
                scores[doc] = value
        for doc, value in self.user.items():
            if only is None or doc in only:
                scores[doc] = scores.get(doc, 0.0) + value


def _merge_max(scores: dict[int, float], found: dict[int, float]) -> dict[int, float]:
    """Per item, the larger of the two scores; built on the larger dict.

    An item keeps its best expansion: a completion in the title must not be
    displaced by an exact word in the summary.
    """
    if not scores:
        return found
    small, big = (scores, found) if len(scores) <= len(found) else (found, scores)
    both = small.keys() & big.keys()
    best = dict(
        zip(both, map(max, map(small.__getitem__, both), map(big.__getitem__, both)), strict=False)
    )
    big.update(small)
    big.update(best)
    return big
