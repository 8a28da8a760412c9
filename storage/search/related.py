"""More like this: the items nearest one item, over the search index's own terms.

The item's terms are analysed as the index analyses them (title, authors and
abstract; the user's tags too), each weighted by how strongly it belongs to
the item (its field-weighted BM25 impact) times its idf. Terms in a large
share of the library say little and are skipped, as are terms only this item
has; the strongest :data:`MAX_TERMS` are kept. Every other item then scores
the sum, over those terms, of the term's weight times the item's own impact
for it: a BM25 query made of the item's best words. Scores are divided by
the item's score against itself, so 1.0 would be the same text.

The work is bounded whatever the library's size: at most :data:`MAX_TERMS`
terms, none in more than a tenth of the items, and at most
:data:`POSTINGS_BUDGET` postings read in all (~40 ms at 100k items). Over a
saved index (:func:`related_from_saved`) only those terms' postings are read
from the file, as ``shelf list QUERY`` reads its words'.
"""

from __future__ import annotations

import heapq
import math
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from storage.model import Annotation
from storage.search import scoring
from storage.search.acronyms import BUILTIN
from storage.search.analysis import analyse, annotation_impacts
from storage.search.normalize import index_terms
from storage.search.postings import PackedPostings

if TYPE_CHECKING:
    from seeds.model import Item
    from storage.paths import DataDir
    from storage.search.index import SearchIndex

__all__ = ["MAX_TERMS", "POSTINGS_BUDGET", "RelatedHit", "related", "related_from_saved"]

#: The item's strongest terms that make the query.
MAX_TERMS = 30
#: A term in more than this share of the items is left out (it says little)...
MAX_DF_SHARE = 0.1
#: ...but a small library, where every word is in a larger share, may keep
#: terms in up to a quarter of its items (at most this many).
SMALL_DF_CAP = 100
#: Postings read at most, over all terms.
POSTINGS_BUDGET = 400_000
#: Shared terms reported per related item.
SHARED = 3
#: What an author of the item weighs in its query (an abstract word weighs ~1).
AUTHOR_WEIGHT = 1.0
#: What one of the user's tags weighs, on either side: also an abstract word.
#: A tag is one word put on hundreds of items; weighed as a title word, two
#: tags shared by 3% of a 100k library outranked every paper on the subject.
TAG_WEIGHT = 1.0

# Words that make no two texts alike, whatever share of a small library has them.
_STOP_WORDS = (
    "a about above after again against all also am an and any are as at be because been "
    "before being below between both but by can could did do does doing down during each "
    "few for from further had has have having he her here hers herself him himself his how "
    "i if in into is it its itself just me more most my myself no nor not now of off on "
    "once only or other our ours out over own same she should so some such than that the "
    "their theirs them then there these they this those through to too under until up us "
    "very was we were what when where which while who whom why will with would you your "
    "via using use used show shows shown new paper work results"
)
_STOP = frozenset(_STOP_WORDS.split())
#: Each built-in acronym's words, of all its spellings (a word shared by them
#: all: "generative", "adversarial"; "network"/"networks" differ, and stay out).
_ACRONYM_WORDS = {
    acronym: tuple(
        w
        for w in dict.fromkeys(spellings[0].split())
        if w not in _STOP and all(w in s.split() for s in spellings)
    )
    for acronym, spellings in BUILTIN.items()
}

# Impacts enter both sides damped (square root): a title word weighs ~8
# times an abstract word in a search, which here let one shared title word
# outweigh the many shared abstract words that make two papers alike.
_DAMPED = [math.sqrt(v) for v in scoring.DEQUANT]


@dataclass(frozen=True)
class RelatedHit:
    """An item like the one asked about: its ``score`` (0..1, 1 the same
    text) and the terms that weighed most in it, strongest first."""

    id: str
    score: float
    shared: tuple[str, ...]


class _Source:
    """The fields of an item that ``analyse`` reads, for an item known only
    by its title, authors and abstract (a saved index's columns)."""

    __slots__ = ("title", "authors")

    affiliations: tuple[str, ...] = ()
    updates: tuple[Any, ...] = ()

    def __init__(self, title: str, authors: list[str]) -> None:
        self.title = title
        self.authors = authors


def related(index: SearchIndex, item_id: str, limit: int = 5) -> list[RelatedHit]:
    """The ``limit`` items most like ``item_id``, best first.

    Raises ``KeyError`` when the index does not have the item.
    """
    doc = _doc_of(index, item_id)
    if doc is None:
        raise KeyError(item_id)
    weights = _query_terms(index, doc, item_id)
    if not weights or limit <= 0:
        return []
    post, ann_post, doc_of = index._post, index._ann_post, index._doc
    acc: dict[int, float] = {}
    runs: dict[str, array] = {}
    spent = 0
    for term, weight in weights.items():
        postings = post.get(term)
        if postings:
            if spent + len(postings) > POSTINGS_BUDGET:
                continue
            spent += len(postings)
            runs[term] = postings
            table = [weight * v for v in _DAMPED]
            get = acc.get
            for p in postings:
                d = p >> 8
                acc[d] = get(d, 0.0) + table[p & 255]
        users = ann_post.get(term) if term in ann_post else None
        for iid, impact in (users or {}).items():
            d = doc_of.get(iid)
            if d is not None:
                acc[d] = acc.get(d, 0.0) + weight * math.sqrt(impact)
    acc.pop(doc, None)
    for dead in index._dead:
        acc.pop(dead, None)
    if not acc:
        return []
    own = _self_score(index, doc, weights, runs)
    tie = index._tie
    # Ties go to library order; picked from a few more than wanted by score
    # alone first (a key function per candidate is most of this step at 100k).
    head = heapq.nlargest(limit + 8, acc, key=acc.__getitem__)
    best = sorted(((d, acc[d]) for d in head), key=lambda ds: tie[ds[0]] - ds[1])[:limit]
    out = []
    for d, score in best:
        hit_id = index._ids[d]
        if hit_id is None or score <= 0:
            continue
        why = _shared(index, d, hit_id, weights, runs)
        out.append(RelatedHit(hit_id, round(score / own, 4) if own else 0.0, why))
    return out


def _doc_of(index: SearchIndex, item_id: str) -> int | None:
    docs = index._doc
    if isinstance(docs, dict):
        return docs.get(item_id)
    # A saved index has no id -> doc dict (making one costs more than the
    # whole look-up); its id list is searched in C instead.
    try:
        return index._ids.index(item_id)
    except ValueError:
        return None


def _query_terms(index: SearchIndex, doc: int, item_id: str) -> dict[str, float]:
    """The item's strongest useful terms -> weight (impact x idf), strongest first."""
    item = index._items[doc]
    if item is None:
        return {}
    try:
        summary = index._summary(cast("Item", item))
    except LookupError:  # its abstract is gone from the text store
        summary = ""
    # Title, authors and abstract only, as a saved index knows them too: the
    # app and the command line find the same related items.
    source = _Source(item.title, [])
    codes, _, _ = analyse(cast("Item", source), summary)
    impacts = {t: _DAMPED[q] for t, q in codes.items() if len(t) > 1 and t not in _STOP}
    # Authors count as much as a word of the abstract: sharing a common first
    # name, or even an author, says less about a paper than its subject does.
    words, extra = index_terms("\n".join(item.authors))
    for t in {*words, *extra}:
        if len(t) > 1 and t not in _STOP:
            impacts[t] = impacts.get(t, 0.0) + AUTHOR_WEIGHT
    _with_acronyms(impacts)
    ann = index._ann.get(item_id)
    if ann is not None and ann.tags:
        tagged = annotation_impacts(Annotation(item_id, tags=list(ann.tags)))
        for t in tagged:
            impacts[t] = impacts.get(t, 0.0) + TAG_WEIGHT
    if not impacts:
        return {}
    terms = list(impacts)
    n = max(1, len(index))
    cap = max(int(n * MAX_DF_SHARE), min(n // 4, SMALL_DF_CAP))
    weights = {}
    for term, df in zip(terms, _live_dfs(index, terms), strict=True):
        if 1 < df <= cap:
            weights[term] = impacts[term] * scoring.idf(df, n)
    top = heapq.nlargest(MAX_TERMS, weights.items(), key=lambda tw: (tw[1], tw[0]))
    return dict(top)


def _with_acronyms(impacts: dict[str, float]) -> None:
    """Let "GANs" meet "generative adversarial networks", both ways (built-in acronyms only,
    which a saved index knows as well as the open one).

    Without it "Improved Techniques for Training GANs" found the DCGAN paper
    eighth: they share the subject, not its spelling.
    """
    for acronym, spelled in _ACRONYM_WORDS.items():
        plural = acronym + "s"
        have = impacts.get(acronym, 0.0) + impacts.get(plural, 0.0)
        if have:
            for word in spelled:
                impacts[word] = max(impacts.get(word, 0.0), have)
        elif len(spelled) > 1 and all(w in impacts for w in spelled):
            impacts[acronym] = impacts[plural] = min(impacts[w] for w in spelled)


def _live_dfs(index: SearchIndex, terms: list[str]) -> list[int]:
    """How many live items have each term, counted without reading postings."""
    post = index._post
    if isinstance(post, PackedPostings):
        counts = post.counts(terms)
    else:
        counts = [len(post.get(t) or ()) for t in terms]
    dead, ann_post = index._dead_df, index._ann_post
    out = []
    for term, count in zip(terms, counts, strict=True):
        count -= dead.get(term, 0)
        if term in ann_post:
            count += len(ann_post[term])
        out.append(count)
    return out


def _impact(index: SearchIndex, doc: int, term: str, runs: Mapping[str, array]) -> float:
    """The doc's impact for ``term``: its own fields' and the user's annotation's."""
    got = 0.0
    postings = runs.get(term)
    if postings:
        i = bisect_left(postings, doc << 8)
        if i < len(postings) and postings[i] >> 8 == doc:
            got = _DAMPED[postings[i] & 255]
    item_id = index._ids[doc]
    if item_id is not None and term in index._ann_post:
        got += min(TAG_WEIGHT, math.sqrt(index._ann_post[term].get(item_id, 0.0)))
    return got


def _self_score(
    index: SearchIndex, doc: int, weights: Mapping[str, float], runs: Mapping[str, array]
) -> float:
    return sum(w * _impact(index, doc, t, runs) for t, w in weights.items())


def _shared(
    index: SearchIndex,
    doc: int,
    item_id: str,
    weights: Mapping[str, float],
    runs: Mapping[str, array],
) -> tuple[str, ...]:
    parts = [(w * _impact(index, doc, t, runs), t) for t, w in weights.items()]
    best = heapq.nlargest(SHARED, (p for p in parts if p[0] > 0))
    return tuple(t for _, t in best)


def related_from_saved(
    data_dir: DataDir,
    user: str,
    item_id: str,
    limit: int = 5,
    *,
    annotations: Callable[[], Mapping[str, Annotation]],
    items_loader: Callable[[], Iterable[Item]],
    texts: Callable[[str], str],
) -> list[RelatedHit]:
    """:func:`related` for one item from the saved index, as ``query_hits``
    answers one query: only the item's terms' postings are read. With no
    saved index for the library as it is, one is built and saved."""
    from storage.search.saved import open_for_query

    index, _ = open_for_query(
        data_dir, user, annotations, {}, items_loader=items_loader, texts=texts
    )
    return related(index, item_id, limit)
