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

A table read from a saved index leaves its runs in the file (:class:`FileRuns`)
and reads one when a query first asks for that term; its term index may be
:class:`SortedTerms`, the saved vocabulary bisected in place, when the
reader answers one query and building a dict of every term would cost more
than the query.
"""

from __future__ import annotations

import os
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import compress, repeat
from operator import add, lt
from typing import Any, Protocol

__all__ = ["FileRuns", "PackedPostings", "SortedTerms", "pack", "slots"]

_END = "\U0010ffff"


class _File(Protocol):
    fd: int


class FileRuns:
    """The flat postings array of a saved table, left in its file.

    Slicing reads that part with one ``pread``; the file object is kept so
    its descriptor stays open as long as a table reads from it.
    """

    def __init__(self, file: _File, at: int, count: int) -> None:
        self._file = file
        self._at = at
        self._count = count
        self._whole: array | None = None

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, i: slice) -> array:
        start, stop, _ = i.indices(self._count)
        out = array("I")
        if stop <= start:
            return out
        size = out.itemsize
        data = os.pread(self._file.fd, (stop - start) * size, self._at + start * size)
        if len(data) != (stop - start) * size:
            raise OSError("search index file cut short")
        out.frombytes(data)
        return out

    def whole(self) -> array:
        """Every posting, read once (for the rare pass over all of them)."""
        if self._whole is None:
            self._whole = self[:]
        return self._whole


class SortedTerms:
    """Distinct terms in sorted order, as one "\\n"-joined UTF-8 blob and the
    byte offset of each: a vocabulary of 300k terms without 300k str objects.

    Look-ups bisect the blob in place (a few dozen short decodes); a range of
    terms (a prefix's completions) is decoded and split in one go.
    """

    def __init__(self, blob: bytes, offsets: array) -> None:
        if not offsets or (len(offsets) > 1 and offsets[-1] != len(blob) + 1):
            raise ValueError("term offsets do not fit the terms")
        self._blob = blob
        self._at = offsets
        self._n = len(offsets) - 1
        self._probe = _Probe(self)

    def __len__(self) -> int:
        return self._n

    def term(self, i: int) -> str:
        at = self._at
        return self._blob[at[i] : at[i + 1] - 1].decode("utf-8", "surrogatepass")

    def slice(self, lo: int, hi: int) -> list[str]:
        if hi <= lo:
            return []
        at = self._at
        return self._blob[at[lo] : at[hi] - 1].decode("utf-8", "surrogatepass").split("\n")

    def bisect(self, term: str, lo: int = 0) -> int:
        return bisect_left(self._probe, term, lo, self._n)

    def span(self, prefix: str) -> tuple[int, int]:
        """Slots of the terms starting with ``prefix``."""
        lo = self.bisect(prefix)
        return lo, self.bisect(prefix + _END, lo)

    def get(self, term: str, default: Any = None) -> Any:
        i = self.bisect(term)
        return i if i < self._n and self.term(i) == term else default

    def slots_of(self, terms: list[str], missing: int) -> list[int]:
        """Slot of each of ``terms`` (``missing`` for a term not here). For
        terms close together (a prefix's completions) one decoded range."""
        if not terms:
            return []
        lo = self.bisect(min(terms))
        hi = min(self._n, self.bisect(max(terms), lo) + 1)
        if hi - lo > 8 * len(terms) + 64:
            return [self.get(t, missing) for t in terms]
        where = {t: i for i, t in enumerate(self.slice(lo, hi), lo)}
        return [where.get(t, missing) for t in terms]

    def __iter__(self) -> Iterator[str]:
        return iter(self.slice(0, self._n))


class _Probe:
    """``SortedTerms`` as the sequence ``bisect`` wants."""

    __slots__ = ("_terms", "_n")

    def __init__(self, terms: SortedTerms) -> None:
        self._terms = terms
        self._n = len(terms)

    def __getitem__(self, i: int) -> str:
        return self._terms.term(i)

    def __len__(self) -> int:
        return self._n


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

    def __init__(
        self,
        index: dict[str, int] | SortedTerms,
        flat: array | FileRuns,
        starts: array,
        lengths: array,
    ) -> None:
        if len(starts) != len(index) + 1 or len(lengths) != len(index) + 1 or lengths[-1]:
            raise ValueError("postings table and its term index differ in size")
        self._index = index
        self._flat = flat
        self._starts = starts
        self._lengths = lengths
        self._own: dict[str, array] = {}  # terms appended to since loading

    def counts(self, terms: list[str]) -> list[int]:
        """How many postings each of ``terms`` has, without slicing any out."""
        missing = len(self._lengths) - 1
        index = self._index
        if isinstance(index, SortedTerms):
            where = index.slots_of(terms, missing)
        else:
            where = list(map(index.get, terms, repeat(missing)))
        out = list(map(self._lengths.__getitem__, where))
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
        if isinstance(flat, FileRuns):
            flat = flat.whole()
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
        arrays = [self._starts, self._lengths]
        if isinstance(self._flat, array):  # (runs left in the file take no memory)
            arrays.append(self._flat)
        return sum(a.buffer_info()[1] * a.itemsize for a in arrays) + own
