"""Expanding a query term into the indexed terms it should match.

Expansion works on the vocabulary (a few hundred thousand distinct terms at
100k items), never on the documents, which is what keeps typo tolerance cheap:

* prefix: the sorted term list and ``bisect`` give every completion of a
  term still being typed;
* typos: rapidfuzz's optimal-string-alignment distance (a transposition costs
  one edit). Comparing with every term would cost ~20 ms at 100k items, so
  candidates are the terms that start with the query's first or second
  letter: two contiguous slices of the sorted list, no extra structure. That
  keeps every typo except a wrong or missing first letter (rare in practice:
  people get first letters right), including a swap of the first two letters.

Prefix typos ("difus" on its way to "difusion") compare against the sorted,
de-duplicated prefixes of one length, built lazily per length.

:class:`MappedVocabulary` answers the same look-ups from a saved index's
term blob without making a string of every term (see
:class:`storage.search.postings.SortedTerms`).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, insort
from collections.abc import Iterable, Iterator
from itertools import compress
from operator import itemgetter

from rapidfuzz import process
from rapidfuzz.distance import OSA

from storage.search.postings import SortedTerms

__all__ = ["MappedVocabulary", "Vocabulary", "max_edits"]

_END = "\U0010ffff"


def max_edits(length: int) -> int:
    """Edits tolerated in a term of ``length`` characters: none for short
    terms (too many false friends), one for 4–7, two from 8."""
    if length <= 3:
        return 0
    return 1 if length <= 7 else 2


class Vocabulary:
    """A growing set of terms with prefix and typo look-ups.

    Only the sorted list: membership is a bisection (a microsecond, asked a
    few times per query), where a set beside it would cost 4 MB at 100k items.
    """

    def __init__(self, terms: Iterable[str] = ()) -> None:
        self._sorted = sorted(set(terms))
        self._prefixes: dict[tuple[int, str], list[str]] = {}

    @classmethod
    def from_sorted(cls, terms: list[str]) -> Vocabulary:
        """From distinct terms already in order (a loaded index's)."""
        vocab = cls()
        vocab._sorted = terms
        return vocab

    def __len__(self) -> int:
        return len(self._sorted)

    def __contains__(self, term: object) -> bool:
        if not isinstance(term, str):
            return False
        terms = self._sorted
        i = bisect_left(terms, term)
        return i < len(terms) and terms[i] == term

    def __iter__(self) -> Iterator[str]:
        return iter(self._sorted)

    def add(self, term: str) -> None:
        terms = self._sorted
        i = bisect_left(terms, term)
        if not term or (i < len(terms) and terms[i] == term):
            return
        terms.insert(i, term)
        for (length, initial), prefixes in self._prefixes.items():
            if term[0] != initial or len(term) < length:
                continue
            prefix = term[:length]
            i = bisect_left(prefixes, prefix)
            if i == len(prefixes) or prefixes[i] != prefix:
                prefixes.insert(i, prefix)

    def completions(self, prefix: str) -> list[str]:
        """Terms starting with ``prefix`` (itself included if it is a term)."""
        return _range(self._sorted, prefix)

    def typos(self, term: str, edits: int) -> list[tuple[str, int]]:
        """Terms within ``edits`` edits of ``term`` (not ``term`` itself)."""
        if edits <= 0 or not term:
            return []
        return _closest(term, _initial_slices(self._sorted, term), edits)

    def typo_prefixes(self, term: str, edits: int) -> list[tuple[str, int]]:
        """Prefixes of terms (other than ``term``) within ``edits`` edits of ``term``.

        Only prefixes with ``term``'s first letter can be that close (see the
        module docstring), so each prefix list is made from the terms with
        that letter: a twentieth of the vocabulary, where the list of every
        prefix of one length took 100-250 ms to make at 100k items, on the
        keystroke that first needed it."""
        if edits <= 0 or not term:
            return []
        choices: list[str] = []
        for length in range(max(1, len(term) - edits), len(term) + edits + 1):
            choices += self._prefix_list(length, term[0])
        return _closest(term, choices, edits)

    def _prefix_list(self, length: int, initial: str) -> list[str]:
        prefixes = self._prefixes.get((length, initial))
        if prefixes is None:
            # Sorted input gives sorted, de-duplicated prefixes, all in C.
            starting = self.completions(initial)
            unique = dict.fromkeys(map(itemgetter(slice(0, length)), starting))
            prefixes = self._prefixes[(length, initial)] = [p for p in unique if len(p) == length]
        return prefixes


def _range(sorted_terms: list[str], prefix: str) -> list[str]:
    lo = bisect_left(sorted_terms, prefix)
    hi = bisect_left(sorted_terms, prefix + _END, lo)
    return sorted_terms[lo:hi]


def _initial_slices(sorted_terms: list[str], term: str) -> list[str]:
    out = _range(sorted_terms, term[0])
    if len(term) > 1 and term[1] != term[0]:
        out += _range(sorted_terms, term[1])
    return out


def _closest(term: str, choices: list[str], edits: int) -> list[tuple[str, int]]:
    found = process.extract(term, choices, scorer=OSA.distance, score_cutoff=edits, limit=None)
    best = {choice: int(dist) for choice, dist, _ in found if choice != term}
    return sorted(best.items(), key=lambda kv: (kv[1], kv[0]))


class MappedVocabulary(Vocabulary):
    """A saved index's vocabulary, read in place, plus terms added since.

    ``base`` is every term of the saved tables; ``mask`` (a table's run
    lengths, by slot) keeps those this vocabulary's table has; ``extra``
    (sorted, distinct) holds more, such as the annotations' terms. Those may
    repeat base terms: telling which do would cost a bisection each (10k
    annotated items have ~20k distinct terms), so answers drop repeats
    instead. Answers are those of a :class:`Vocabulary` of the same terms: a
    one-shot query must rank exactly as the app does.
    """

    def __init__(
        self, base: SortedTerms, mask: array | None, extra: list[str] | None = None
    ) -> None:
        super().__init__()
        self._base = base
        self._mask = mask
        self._sorted = list(extra or ())

    def _in_base(self, term: str) -> bool:
        i = self._base.get(term)
        return i is not None and (self._mask is None or self._mask[i] > 0)

    def _base_range(self, prefix: str) -> list[str]:
        lo, hi = self._base.span(prefix)
        terms = self._base.slice(lo, hi)
        if self._mask is not None and terms:
            return list(compress(terms, self._mask[lo:hi]))
        return terms

    def __len__(self) -> int:
        return len(self.completions(""))

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and (super().__contains__(term) or self._in_base(term))

    def __iter__(self) -> Iterator[str]:
        return iter(self.completions(""))

    def add(self, term: str) -> None:
        if term and term not in self:
            insort(self._sorted, term)
            self._prefixes.clear()

    def completions(self, prefix: str) -> list[str]:
        base = self._base_range(prefix)
        extra = _range(self._sorted, prefix)
        if not extra:
            return base
        return sorted(set(base).union(extra))

    def typos(self, term: str, edits: int) -> list[tuple[str, int]]:
        if edits <= 0 or not term:
            return []
        choices = self.completions(term[0])
        if len(term) > 1 and term[1] != term[0]:
            choices += self.completions(term[1])
        return _closest(term, choices, edits)
