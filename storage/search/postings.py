"""Postings tables: term -> ``array('I')``.

Built item by item, a table is a plain ``defaultdict`` of arrays. Loaded from
disk it is :class:`PackedPostings`: one flat array and the offset of each
term's run in it, sliced out only when a query asks for that term. Making
200k small arrays up front would take most of the one-second load budget.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Mapping
from itertools import repeat
from operator import sub

__all__ = ["PackedPostings", "pack"]


def pack(table: Mapping[str, array]) -> PackedPostings:
    """``table`` as one flat array, terms in sorted order."""
    terms = sorted(t for t, postings in table.items() if postings)
    flat = array("I")
    starts = array("I", [0])
    for t in terms:
        flat.extend(table[t])
        starts.append(len(flat))
    return PackedPostings(terms, flat, starts)


class PackedPostings:
    """Read like a dict of arrays; ``table[term]`` (for appending) unpacks a term."""

    def __init__(self, terms: list[str], flat: array, starts: array) -> None:
        self._index = dict(zip(terms, range(len(terms)), strict=True))
        self._flat = flat
        self._starts = starts  # len(terms) + 1 offsets
        # Postings per term, and a 0 at the end for terms not in the table.
        self._lengths = array("I", map(sub, starts[1:], starts[:-1]))
        self._lengths.append(0)
        self._own: dict[str, array] = {}  # terms appended to since loading

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
        return self._flat[self._starts[i] : self._starts[i + 1]]

    def __getitem__(self, term: str) -> array:
        own = self._own.get(term)
        if own is None:
            packed = self.get(term)
            own = self._own[term] = packed if packed is not None else array("I")
        return own

    def __contains__(self, term: object) -> bool:
        return term in self._own or term in self._index

    def __iter__(self) -> Iterator[str]:
        yield from self._index
        for term in self._own:
            if term not in self._index:
                yield term

    def __len__(self) -> int:
        return len(self._index) + sum(1 for t in self._own if t not in self._index)

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

    def nbytes(self) -> int:
        own = sum(a.buffer_info()[1] * a.itemsize for a in self._own.values())
        return self._flat.buffer_info()[1] * 4 + self._starts.buffer_info()[1] * 4 + own
