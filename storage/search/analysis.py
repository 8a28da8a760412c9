"""What an item or an annotation contributes to the index, term by term.

Kept apart from the index so that retiring an item can recompute exactly what
adding it put in (its document frequencies), and so the arithmetic is in one
place.
"""

from __future__ import annotations

import re
from itertools import repeat

from seeds.model import Item
from storage.model import Annotation
from storage.search import scoring
from storage.search.normalize import index_terms

try:  # C helper behind collections.Counter; fall back if an implementation lacks it
    from collections import _count_elements  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover

    def _count_elements(mapping: dict[str, int], iterable: object) -> None:
        for x in iterable:  # type: ignore[attr-defined]
            mapping[x] = mapping.get(x, 0) + 1


__all__ = ["MAX_TF", "analyse", "annotation_impacts", "item_year"]

MAX_TF = 15
_YEAR = re.compile(r"\b(1[89]\d\d|2\d\d\d)\b")


def annotation_impacts(ann: Annotation) -> dict[str, float]:
    """term -> weighted BM25 impact over the renamed title, tags and notes."""
    impacts: dict[str, float] = {}
    for field, text in (
        (scoring.RENAME, ann.title or ""),
        (scoring.TAGS, " ".join(ann.tags)),
        (scoring.NOTES, "\n".join(n.text for n in ann.notes)),
    ):
        if not text:
            continue
        words, extra = index_terms(text)
        counts: dict[str, int] = {}
        _count_elements(counts, words)
        for t in extra:
            counts.setdefault(t, 1)
        top = min(max(counts.values(), default=1), MAX_TF)
        sat = [scoring.saturation(tf, len(words), field) for tf in range(top + 1)]
        get = impacts.get
        for t, tf in counts.items():
            impacts[t] = get(t, 0.0) + sat[tf if tf < top else top]
    return impacts


def analyse(item: Item, summary: str) -> tuple[dict[str, int], dict[str, float], list[str]]:
    """An item's postings: term -> quantised impact over all its fields, term ->
    impact over title, authors and affiliations, and its author terms.

    ``summary`` is passed apart from the item: the caller may keep abstracts
    out of memory and hand over one at a time."""
    # Short fields: a handful of words each, plain loops are fine.
    short: dict[str, float] = {}
    author_terms: list[str] = []
    for field, text in (
        (scoring.TITLE, item.title),
        (scoring.AUTHORS, "\n".join(item.authors)),
        (scoring.AFFILIATIONS, "\n".join(item.affiliations)),
    ):
        if not text:
            continue
        words, extra = index_terms(text)
        if field is scoring.AUTHORS:
            author_terms = words + extra
        counts: dict[str, int] = {}
        _count_elements(counts, words)
        for t in extra:
            counts.setdefault(t, 1)
        length = len(words)
        for t, tf in counts.items():
            short[t] = short.get(t, 0.0) + scoring.saturation(tf, length, field)

    # The summary: ~150 words, the bulk of all postings; kept in C.
    if item.updates:
        summary = summary + "\n" + "\n".join(u.text for u in item.updates)
    words, extra = index_terms(summary)
    counts = {}
    _count_elements(counts, words)
    if extra:
        counts.update(dict.fromkeys(extra, 1))
    length = len(words)
    levels = _summary_levels(length)
    codes = dict(
        zip(counts, map(levels.__getitem__, map(min, counts.values(), repeat(15))), strict=False)
    )
    sat = scoring.saturation
    for t, v in short.items():
        tf = counts.get(t, 0)
        total = v + (sat(min(tf, MAX_TF), length, scoring.SUMMARY) if tf else 0.0)
        codes[t] = scoring.quantise(total)
    return codes, short, author_terms


def _summary_levels(length: int, _cache: dict[int, list[int]] = {}) -> list[int]:  # noqa: B006
    """Quantised summary impact for tf 0..15 at this length (cached per length)."""
    levels = _cache.get(length)
    if levels is None:
        sat = scoring.saturation
        levels = [0] + [scoring.quantise(sat(tf, length, scoring.SUMMARY)) for tf in range(1, 16)]
        if len(_cache) < 4096:
            _cache[length] = levels
    return levels


def item_year(item: Item) -> int | None:
    if item.date and item.date[:4].isdigit():
        return int(item.date[:4])
    if item.date_text:
        m = _YEAR.search(item.date_text)
        if m:
            return int(m.group())
    return None
