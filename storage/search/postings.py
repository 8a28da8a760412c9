"""Postings tables: term -> ``array('I')``.

Built item by item, a table is a plain ``defaultdict`` of arrays. Loaded from
disk it is :class:`PackedPostings`: one flat array and the offset of each
term's run in it, sliced out only when a query asks for that term. Making
200k small arrays up front would take most of the one-second load budget.

The term -> slot dict is most of a packed table's memory besides the flat
array (a dict entry and an int object per term), and the title-and-authors
table's terms are nearly all terms of the all-fields table too. So tables may
share one dict: each has a start and a length per slot, and a slot whose
length is 0 is a term that table does not have.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import accumulate, compress, repeat
from operator import add, lt

__all__ = ["PackedPostings", "pack", "slots"]


def slots(terms: Iterable[str]) -> dict[str, int]:
    """term -> slot, slots numbered in the order of ``terms`` (distinct)."""
    return {t: i for i, t in enumerate(terms)}


def pack(tables: Sequence[Mapping[str, array] | PackedPostings]) -> list[PackedPostings]:
    """``tables`` as flat arrays over one shared term index, terms in sorted order."""
    terms: set[str] = set()
    for table in tables:
        terms.update(t for t, postings in table.items() if postings)
    index = slots(sorted(terms))
    out = []
    for table in tables:
        flat = array("I")
        lengths = zeros(len(index) + 1)
        starts = zeros(len(index) + 1)
        for t, i in index.items():
            postings = table.get(t)
            if postings:
                starts[i] = len(flat)
                lengths[i] = len(postings)
                flat.extend(postings)
        out.append(PackedPostings(index, flat, starts, lengths))
    return out


def zeros(n: int, typecode: str = "I") -> array:
    """An array of ``n`` zeros, made without an ``n``-item list or bytes object."""
    return array(typecode, [0]) * n


class PackedPostings:
    """Read like a dict of arrays; ``table[term]`` (for appending) unpacks a term.

    ``index`` maps a term to its slot and may be shared with other tables;
    ``starts[slot]``/``lengths[slot]`` locate the term's run in ``flat``, and
    ``lengths`` has one slot more than ``index``, always 0, that terms
    missing from ``index`` count against. Slots must be numbered in the
    dict's order (iteration relies on it).
    """

    def __init__(self, index: dict[str, int], flat: array, starts: array, lengths: array) -> None:
        if len(starts) != len(index) + 1 or len(lengths) != len(index) + 1 or lengths[-1]:
            raise ValueError("postings table and its term index differ in size")
        self._index = index
        self._flat = flat
        self._starts = starts
        self._lengths = lengths
        self._own: dict[str, array] = {}  # terms appended to since loading

    @classmethod
    def from_runs(
        cls, index: dict[str, int], where: list[int] | None, flat: array, lengths: array
    ) -> PackedPostings:
        """A table whose terms' runs, of ``lengths``, lie one after another in
        ``flat``; ``where`` their slots, None when they are slots 0, 1, 2, …"""
        offsets = array("I", [0])
        offsets.extend(accumulate(lengths))
        if where is None:
            full = array("I", lengths)
            full.append(0)
            return cls(index, flat, offsets, full)
        starts, full = zeros(len(index) + 1), zeros(len(index) + 1)
        deque(map(starts.__setitem__, where, offsets), 0)
        deque(map(full.__setitem__, where, lengths), 0)
        return cls(index, flat, starts, full)

    def counts(self, terms: list[str]) -> list[int]:
        """How many postings each of ``terms`` has, without slicing any out."""
        missing = len(self._lengths) - 1
        out = list(map(self._lengths.__getitem__, map(self._index.get, terms, repeat(missing))))
        if self._own:
            for i, t in enumerate(terms):
                own = self._own.get(t)
                if own is not None:
                    out[i] = len(own)
        return out

    def get(self, term: str, default: array | None = None) -> array | None:
        own = self._own.get(term)
        if own is not None:
            return own
        i = self._index.get(term)
        if i is None:
            return default
        n = self._lengths[i]
        if not n:
            return default
        start = self._starts[i]
        return self._flat[start : start + n]

    def __getitem__(self, term: str) -> array:
        own = self._own.get(term)
        if own is None:
            packed = self.get(term)
            own = self._own[term] = packed if packed is not None else array("I")
        return own

    def __contains__(self, term: object) -> bool:
        return term in self._own or (isinstance(term, str) and self._packed(term))

    def _packed(self, term: str) -> bool:
        i = self._index.get(term)
        return i is not None and self._lengths[i] > 0

    def __iter__(self) -> Iterator[str]:
        yield from compress(self._index, self._lengths)
        for term in self._own:
            if not self._packed(term):
                yield term

    def __len__(self) -> int:
        packed = len(self._lengths) - self._lengths.count(0)
        return packed + sum(1 for t in self._own if not self._packed(t))

    def keys(self) -> Iterator[str]:
        return iter(self)

    def items(self) -> Iterator[tuple[str, array]]:
        for term in self:
            got = self.get(term)
            assert got is not None
            yield term, got

    def values(self) -> Iterator[array]:
        for _, postings in self.items():
            yield postings

    def terms_of(self, doc: int) -> list[str]:
        """Terms with a posting for ``doc``: what a retired doc had, found
        without its text. Each run is sorted by doc, so two bisections per
        term, all in C (~30 ms at 100k items; only when the text is gone)."""
        lo, hi = doc << 8, (doc + 1) << 8
        flat, starts, own = self._flat, self._starts, self._own
        ends = list(map(add, starts, self._lengths))
        first = map(bisect_left, repeat(flat), repeat(lo), starts, ends)
        past = map(bisect_left, repeat(flat), repeat(hi), starts, ends)
        out = [t for t in compress(self._index, map(lt, first, past)) if t not in own]
        for term, postings in own.items():  # unpacked since: their runs are stale
            if bisect_left(postings, lo) < bisect_left(postings, hi):
                out.append(term)
        return out

    def nbytes(self) -> int:
        own = sum(a.buffer_info()[1] * a.itemsize for a in self._own.values())
        arrays = (self._flat, self._starts, self._lengths)
        return sum(a.buffer_info()[1] * a.itemsize for a in arrays) + own
