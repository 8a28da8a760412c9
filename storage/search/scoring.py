"""Relevance arithmetic: field weights, BM25 term-frequency saturation, idf,
match-kind quality, and the one-byte quantisation of per-posting impacts.

A posting stores ``doc << 8 | q`` where ``q`` quantises the term's weighted
BM25 impact in that item, summed over the item's own fields (title, authors,
affiliations, summary). One ``array('I')`` per term then carries both the
document and how strongly the term belongs to it, at four bytes a posting,
and query time multiplies one 256-entry table instead of recomputing BM25.

Impacts use fixed average field lengths rather than corpus statistics, so an
item's postings never change when other items are added or removed: the
index can be updated incrementally and still equal a full rebuild.
"""

from __future__ import annotations

import math

__all__ = [
    "DEQUANT",
    "Field",
    "FIELDS",
    "K1",
    "idf",
    "prefix_quality",
    "quantise",
    "saturation",
    "typo_quality",
]

K1 = 1.2
#: Multiplies an item's library position into a score tie-break, far below
#: any real score difference.
TIE = 1e-9


class Field:
    __slots__ = ("name", "weight", "b", "avg")

    def __init__(self, name: str, weight: float, b: float, avg: float) -> None:
        self.name = name
        self.weight = weight
        self.b = b
        self.avg = avg


# A title or author hit must outrank an abstract hit, whatever the abstract's
# term frequency: the title weight is well above the summary's BM25 ceiling.
TITLE = Field("title", 8.0, 0.5, 9.0)
AUTHORS = Field("authors", 5.0, 0.3, 6.0)
AFFILIATIONS = Field("affiliations", 1.5, 0.3, 2.0)
SUMMARY = Field("summary", 1.0, 0.75, 160.0)
# Annotation fields (the user's own words) are indexed separately.
RENAME = Field("title", 8.0, 0.5, 9.0)
TAGS = Field("tags", 5.0, 0.0, 3.0)
NOTES = Field("notes", 3.0, 0.75, 40.0)
FIELDS = {f.name: f for f in (TITLE, AUTHORS, AFFILIATIONS, SUMMARY, TAGS, NOTES)}

# Match kinds: an exact word beats a completion of what is being typed,
# which beats a typo correction.
EXACT = 1.0
ACRONYM = 0.9
TYPO = {1: 0.45, 2: 0.3}
TYPO_PREFIX = {1: 0.35, 2: 0.25}
# Typo matches of a word the library also has as typed count for this much less.
TYPO_DAMP = 0.15

_MAX_IMPACT = (K1 + 1) * (TITLE.weight + AUTHORS.weight + AFFILIATIONS.weight + SUMMARY.weight)
_LOG_MAX = math.log1p(_MAX_IMPACT)
#: Impact of each quantisation level (log scale: small impacts keep precision).
DEQUANT = [math.expm1(q / 255 * _LOG_MAX) for q in range(256)]


def quantise(impact: float) -> int:
    if impact <= 0:
        return 0
    return max(1, min(255, round(math.log1p(impact) / _LOG_MAX * 255)))


def saturation(tf: int, length: int, field: Field) -> float:
    """BM25's term-frequency component, times the field's weight."""
    norm = K1 * (1 - field.b + field.b * length / field.avg)
    return field.weight * tf * (K1 + 1) / (tf + norm)


def idf(df: int, n: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def prefix_quality(typed: str, term: str) -> float:
    """A completion is worth more the more of it has been typed."""
    return 0.55 + 0.35 * len(typed) / len(term)


def typo_quality(edits: int, prefix: bool = False) -> float:
    return (TYPO_PREFIX if prefix else TYPO).get(edits, 0.2)
