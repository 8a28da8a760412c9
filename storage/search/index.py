"""The search index: inverted postings over normalised terms, kept current
item by item, queried in a few milliseconds at 100k items.

Layout (``doc`` is a small int per indexed item version):

* ``_post[term]``: ``array('I')`` of ``doc << 8 | impact`` for the item's own
  fields (title, authors, affiliations, summary), ``impact`` the quantised,
  field-weighted BM25 contribution (see :mod:`storage.search.scoring`);
* ``_short[term]``: the same for title and authors only; a one- or
  two-letter word still being typed completes against these, since "d"
  completed against every abstract would match everything;
* ``_author[term]``: docs only, for ``author:``;
* annotations (renamed title, tags, notes: 10% of items, changing often) in
  small dicts keyed by item id, so a tag or note never touches the postings;
* facets (year, category, source, has-code) as sorted arrays of docs, made
  into sets only for a query that filters on them.

Abstracts may live outside the items (``texts``: item id -> abstract): the
index asks for one whenever it needs it and never keeps any.

An item that changes gets a new ``doc``; the old one joins ``_dead`` and is
filtered out of every result, so updates never rewrite postings. Memory use is
four bytes per posting plus the vocabulary; per item, a few machine words
in arrays rather than Python objects (at 100k items every 28-byte int or
24-byte float counts).

Query evaluation is written as chains of ``map``/``zip``/set operations so the
per-posting work runs in C. Each query word expands (see
:mod:`storage.search.vocab`) into terms whose postings give, per item, a
score (:mod:`storage.search.matching`); candidates are the intersection of
the filters' sets and the words' items, rarest first, and a word that would
decode far more postings than there are candidates left is looked up for
those candidates only. A candidate's score is the sum of its words' scores;
the top 100 are re-ranked on their titles (every word there, words side by
side) and the rest sorted only if someone reads past them. Long C-level
passes are cut into slices so that a UI thread waiting for the GIL gets it
every millisecond or two.

Narrowing: a result remembers its query, its words' expansions and its
candidates. If the next query can only match a subset (each old word has a
new word whose expansions are a subset of the old one's, filters and
phrases only got stricter, exclusions only grew, and nothing changed in the
index), the search starts from the old candidates; the outcome is the same.
"""

from __future__ import annotations

import gc
import heapq
from array import array
from bisect import bisect_left
from collections import OrderedDict, defaultdict, deque
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import chain, islice, repeat
from operator import add, mul, or_, rshift, sub
from pathlib import Path
from typing import Any

from seeds.model import Item
from storage.model import Annotation
from storage.search import scoring
from storage.search.acronyms import Acronyms
from storage.search.analysis import analyse, annotation_impacts, item_year
from storage.search.highlight import Highlighter, LazySpans
from storage.search.matching import SLICE, TermMatch
from storage.search.normalize import MAX_FIELD_CHARS, fold, index_terms
from storage.search.persist import fingerprint
from storage.search.phrases import (
    checkable,
    filter_narrows,
    folded,
    phrase_finder,
    phrase_narrows,
    user_texts,
)
from storage.search.postings import PackedPostings, pack
from storage.search.query import Filter, Query, QueryError, Term, parse_query, tag_key
from storage.search.results import Hit, SearchResult, Spans, _Ranking
from storage.search.vocab import Vocabulary, max_edits

__all__ = ["SearchIndex"]

Postings = defaultdict[str, array] | PackedPostings  # built, then packed

_append = array.append
_EMPTY = array("I")
# A completion of what is being typed may pull in at most this many postings
# (plus the exact word and its two commonest completions): "con" at 100k
# items has thousands of completions and millions of postings.
_PREFIX_BUDGET_MIN = 5_000
_MAX_COMPLETIONS = 300
_HEAD = 100  # hits ranked eagerly, and re-ranked on their titles, per search
_SHARE_MIN = 20_000  # decoded dicts this large are kept for reuse
_PROXIMITY_HEAD = 30  # of those, how many are checked for adjacent query words
_TIE = scoring.TIE
_SHORT_PREFIX = 2  # words this long or shorter complete against titles and authors only


@dataclass
class _State:
    """What a result remembers so the next keystroke can narrow from it."""

    gen: int
    query: Query
    terms: list[frozenset[tuple[str, str]]]
    docs: list[int]
    fallback: bool


#: Items whose abstracts a build reads at once, when its text source reads in bulk.
PREFETCH = 2000


class SearchIndex:
    """Full-text search over items and one user's annotations.

    Build with :meth:`build`; keep current with :meth:`update_item`,
    :meth:`update_annotation` and :meth:`remove`; query with :meth:`search`.
    Not thread-safe: mutate and search from one thread (or under one lock).
    """

    def __init__(self) -> None:
        #: Whether this index came from a saved file (False: built, so worth saving).
        self.from_file = False
        self._ids: list[str | None] = []
        self._items: list[Item | None] = []
        self._doc: dict[str, int] = {}
        self._order = array("d")  # library position (updated items keep theirs)
        # _order * _TIE: breaks score ties by library order. A list, unlike
        # _order: every candidate of every keystroke looks its doc up here,
        # and reading an array makes a float each time (+15% on "scal").
        self._tie: list[float] = []
        # Each doc's item as indexed (persist.fingerprint): retiring a doc
        # re-analyses its item only if its abstract is still the same.
        self._fps = array("I")
        self._seq = 0
        self._dead: set[int] = set()
        # Postings of dead docs per term, so document frequencies (and so
        # scores) after any update equal those of a fresh build.
        self._dead_df: dict[str, int] = {}
        self._dead_short_df: dict[str, int] = {}
        self._post: Postings = defaultdict(partial(array, "I"))
        self._short: Postings = defaultdict(partial(array, "I"))
        self._author: Postings = defaultdict(partial(array, "I"))
        self._vocab = Vocabulary()
        self._short_vocab = Vocabulary()
        self._author_vocab = Vocabulary()
        self._years: dict[int, array] = {}
        self._cats: dict[str, array] = {}
        self._srcs: dict[str, array] = {}
        self._code = array("I")
        self._texts: Callable[[str], str] | None = None
        self._prefetched: dict[str, str] | None = None
        self._acronyms = Acronyms()
        # Annotations, by item id (they outlive an item's doc number).
        self._ann: dict[str, Annotation] = {}
        self._ann_post: dict[str, dict[str, float]] = {}
        self._ann_terms: dict[str, list[str]] = {}
        self._tags: dict[str, set[str]] = {}
        self._status: dict[str, set[str]] = {"reading": set(), "read": set()}
        self._others: dict[str, Mapping[str, Annotation]] = {}
        # ``is:new``: the user's new items, asked of the source when a query
        # has the filter (see set_new_source).
        self._new_source: Callable[[], Collection[str]] | None = None
        self._new: Collection[str] = frozenset()
        self._gen = 0
        self._cache: OrderedDict[tuple[Any, ...], TermMatch] = OrderedDict()
        # The few largest decoded score dicts, shared by queries that expand
        # a word the same way (they are the costliest part of a keystroke).
        self._decoded: OrderedDict[Any, dict[int, float]] = OrderedDict()
        self._library: list[int] | None = None

    # ------------------------------------------------------------------ build

    @classmethod
    def build(
        cls,
        items: Iterable[Item],
        annotations: Mapping[str, Annotation] | None = None,
        texts: Callable[[str], str] | None = None,
    ) -> SearchIndex:
        """An index over ``items``. ``texts`` (item id -> abstract) is for a
        caller that keeps abstracts out of its items; without it, each item's
        ``summary`` is its abstract. Kept and asked again whenever an abstract
        is needed (phrases, re-ranking, highlights, updates)."""
        index = cls()
        index._texts = texts
        # Millions of small objects and no cycles: the cyclic collector would
        # only rescan them over and over.
        enabled = gc.isenabled()
        gc.disable()
        try:
            items = list(items)
            for batch in index.prefetched_batches(items):
                for item in items[batch]:
                    index._add(item)
            index._prefetched = None
            for ann in (annotations or {}).values():
                index._set_annotation(ann)
            # One flat array per table instead of an array object per term:
            # a third less memory, and the layout a saved index loads into.
            # The two tables share one term index (title words are nearly all
            # abstract words too).
            index._post, index._short = pack([index._post, index._short])
            (index._author,) = pack([index._author])
            index._vocab = Vocabulary(list(index._post) + list(index._ann_post))
            index._short_vocab = Vocabulary(list(index._short) + list(index._ann_post))
            index._author_vocab = Vocabulary.from_sorted(list(index._author))
            # Made anew, side by side in memory rather than scattered among the
            # build's objects: _score reads them in bulk.
            index._tie = list(map(mul, index._order, repeat(_TIE)))
        finally:
            if enabled:
                gc.enable()
        release_free_memory()
        return index

    def update_item(self, item: Item) -> None:
        """Index ``item``, new or changed; a changed item keeps its library place.

        Its abstract comes from the index's ``texts`` if it has one; the old
        version's is not needed."""
        old = self._doc.get(item.id)
        order = self._order[old] if old is not None else None
        if old is not None:
            self._kill(old)
        doc = self._add(item, order, grow_vocab=True)
        self._bump()
        _ = doc

    def update_annotation(self, ann: Annotation) -> None:
        """Re-index one item's annotation (tags, notes, status, rename)."""
        self._set_annotation(ann, grow_vocab=True)
        self._bump()

    def remove(self, item_id: str) -> None:
        doc = self._doc.pop(item_id, None)
        if doc is not None:
            self._kill(doc)
            self._bump()

    def save(self, path: str | Path, signature: str | None = None) -> None:
        """Save the item part of the index (see :mod:`storage.search.persist`).

        ``signature``: any string identifying the library's state (e.g. its
        file's checksum); :meth:`load` with the same one skips re-checking items.
        """
        from storage.search import persist

        persist.save(self, path, signature)

    @classmethod
    def load(
        cls,
        path: str | Path,
        items: Iterable[Item],
        annotations: Mapping[str, Annotation] | None = None,
        signature: str | None = None,
        texts: Callable[[str], str] | None = None,
    ) -> SearchIndex:
        """The index saved at ``path``, checked against ``items``; rebuilt if
        unusable. ``texts`` as for :meth:`build`."""
        from storage.search import persist

        return persist.load(cls, path, items, annotations, signature, texts)

    def set_other_users(self, by_user: Mapping[str, Mapping[str, Annotation]]) -> None:
        """Other users' annotations, for ``readby:USER`` and ``taggedby:USER``."""
        self._others = dict(by_user)
        self._bump()

    def set_new_source(self, source: Callable[[], Collection[str]] | None) -> None:
        """Where ``is:new`` learns the user's new item ids (storage.seen): asked
        afresh by every query that has the filter, so it must be cheap and
        return the same object while nothing changed. None: nothing is new."""
        self._new_source = source
        self._new = frozenset()
        self._bump()

    def new_ids(self) -> Collection[str]:
        return self._new

    def _refresh_new(self, q: Query) -> None:
        if self._new_source is None:
            return
        if not any(f.name == "is" and "new".startswith(f.value) and (f.prefix or f.value == "new")
                   for f in (*q.filters, *q.not_filters)):  # fmt: skip
            return
        new = self._new_source()
        if new is not self._new:
            self._new = new
            self._bump()  # a result narrowed from before would use the old set

    def __len__(self) -> int:
        return len(self._doc)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._doc

    def _bump(self) -> None:
        self._gen += 1
        self._cache.clear()
        self._decoded.clear()
        self._library = None

    def prefetched_batches(self, items: Sequence[Item]) -> Iterator[slice]:
        """Slices of ``items`` whose abstracts are read in one go while each is in use.

        One ``pread`` per abstract made the building thread drop and retake
        the GIL 100,000 times, and CPython then starves the UI thread waiting
        for it: keys took 70-400 ms during a build at 100k. A few reads per
        batch do not. Only text sources that read in bulk (``get_many``) are
        batched; the caller clears ``_prefetched`` when done.
        """
        many = getattr(self._texts, "get_many", None)
        for start in range(0, len(items), PREFETCH):
            batch = slice(start, start + PREFETCH)
            if many is not None:
                ids = [item.id for item in items[batch]]
                self._prefetched = dict(zip(ids, many(ids), strict=True))
            yield batch

    def _summary(self, item: Item) -> str:
        texts = self._texts
        if texts is None or item.summary:  # a summary in hand (a correction) comes first
            return item.summary
        prefetched = self._prefetched
        if prefetched is not None:
            text = prefetched.get(item.id)
            if text is not None:
                return text
        return texts(item.id)

    def _kill(self, doc: int) -> None:
        """Retire a doc; its postings stay but no longer count or match."""
        item = self._items[doc]
        self._dead.add(doc)
        self._items[doc] = None
        self._ids[doc] = None
        if item is None:
            return
        codes: Iterable[str]
        short: Iterable[str]
        try:
            summary: str | None = self._summary(item)
        except LookupError:  # a removed item's abstract may be gone from the caller's store
            summary = None
        if summary is not None and fingerprint(item, summary) == self._fps[doc]:
            codes, short, _ = analyse(item, summary)
        else:
            # The abstract it was indexed with is gone (the caller's store has
            # the new one by now) or the item was edited in place: its
            # postings still say which terms it had.
            codes, short = _terms_of(self._post, doc), _terms_of(self._short, doc)
        for t in codes:
            self._dead_df[t] = self._dead_df.get(t, 0) + 1
        for t in short:
            self._dead_short_df[t] = self._dead_short_df.get(t, 0) + 1

    def _add(self, item: Item, order: float | None = None, grow_vocab: bool = False) -> int:
        doc = len(self._ids)
        if doc >= 1 << 24:
            raise OverflowError("search index full; rebuild it")
        self._ids.append(item.id)
        self._items.append(item)
        self._doc[item.id] = doc
        if order is None:
            order = self._seq
            self._seq += 1
        self._order.append(order)
        self._tie.append(order * _TIE)
        base = doc << 8
        summary = self._summary(item)
        self._fps.append(fingerprint(item, summary))
        codes, short, author_terms = analyse(item, summary)
        if grow_vocab:
            # A term its table has is in the vocabulary already: a dict look-up
            # spares most terms the vocabulary's bisection.
            _grow(self._vocab, self._post, codes)
            _grow(self._short_vocab, self._short, short)
            _grow(self._author_vocab, self._author, author_terms)
        post = self._post
        deque(map(_append, map(post.__getitem__, codes), map(or_, repeat(base), codes.values())), 0)
        short_post = self._short
        for t, v in short.items():
            short_post[t].append(base | scoring.quantise(v))
        author_post = self._author
        for t in set(author_terms):
            author_post[t].append(doc)

        # Facets (docs only grow, so appending keeps each array sorted).
        year = item_year(item)
        if year is not None:
            _add_doc(self._years, year, doc)
        if item.category:
            _add_doc(self._cats, fold(item.category), doc)
        for src in item.sources:
            _add_doc(self._srcs, fold(src), doc)
        if item.has_code:
            self._code.append(doc)
        if "(" in summary or "(" in item.title:
            self._acronyms.learn(item.title + "\n" + summary[:MAX_FIELD_CHARS])
        return doc

    def _set_annotation(
        self, ann: Annotation, grow_vocab: bool = False, impacts: dict[str, float] | None = None
    ) -> None:
        iid = ann.item_id
        for t in self._ann_terms.pop(iid, ()):
            posting = self._ann_post.get(t)
            if posting is not None:
                posting.pop(iid, None)
                if not posting:
                    del self._ann_post[t]
        old = self._ann.pop(iid, None)
        if old is not None:
            for tag in old.tags:
                members = self._tags.get(tag_key(tag))
                if members is not None:
                    members.discard(iid)
                    if not members:
                        del self._tags[tag_key(tag)]
            for members in self._status.values():
                members.discard(iid)
        if ann.is_empty():
            return
        self._ann[iid] = ann
        if ann.status in self._status:
            self._status[ann.status].add(iid)
        for tag in ann.tags:
            self._tags.setdefault(tag_key(tag), set()).add(iid)
        if impacts is None:
            impacts = annotation_impacts(ann)
        ann_post = self._ann_post
        for t, v in impacts.items():
            users = ann_post.get(t)
            if users is None:
                ann_post[t] = {iid: v}
                if grow_vocab:  # (a term some annotation has is in both already)
                    self._vocab.add(t)
                    self._short_vocab.add(t)
            else:
                users[iid] = v
        self._ann_terms[iid] = list(impacts)

    # ----------------------------------------------------------------- search

    def search(
        self, query: str, previous: SearchResult | None = None, limit: int | None = None
    ) -> SearchResult:
        """Items matching ``query``, best first; see :mod:`storage.search.query`.

        ``previous`` is the result for an earlier query; when ``query`` only
        narrows it (more words, a longer last word, another filter), the
        search starts from its matches. The result is the same either way.
        Raises :class:`QueryError` for a query that cannot mean anything.
        """
        q = parse_query(query)
        if q.is_empty:
            return self._result(query, _Ranking(self._library_order(), None, 0), limit, None)
        self._refresh_new(q)

        matches = [self._match_term(t, t.prefix) for t in q.terms]
        phrase_words: list[TermMatch] = []
        for p in q.phrases:
            for i, w in enumerate(p.words):
                last = p.open and i == len(p.words) - 1
                phrase_words.append(self._match_term(Term(w, w, prefix=last), last, exact=True))
        all_terms = matches + phrase_words

        start = self._narrowing_start(previous, q, all_terms)
        cand, columns = self._candidates(all_terms, q, start)
        fallback = False
        if not cand and len(matches) > 1:
            cand = self._fallback(matches, q)
            fallback = bool(cand)
            columns = [m.full() for m in all_terms]
        docs = list(cand)
        state = _State(self._gen, q, [m.expansions for m in all_terms], docs, fallback)
        highlighter = _highlighter(q, all_terms)
        if not all_terms:
            docs.sort(key=self._order.__getitem__)
            ranking = _Ranking(docs, None, 0)
        else:
            keys = self._score(docs, columns, fallback)
            # The re-ranking is given the head's keys, not a dict of every
            # candidate's: at 100k candidates that dict cost ~10 ms a keystroke.
            rerank = partial(self._rerank, hl=highlighter)
            ranking = _Ranking(docs, keys, _HEAD, rerank)
        return self._result(query, ranking, limit, state, highlighter)

    def highlights(self, item_id: str, query: str) -> Spans:
        """Match spans of ``query`` in ``item_id``'s displayed fields."""
        q = parse_query(query)
        terms = [self._match_term(t, t.prefix) for t in q.terms]
        for p in q.phrases:
            for i, w in enumerate(p.words):
                last = p.open and i == len(p.words) - 1
                terms.append(self._match_term(Term(w, w, prefix=last), last, exact=True))
        return dict(self._spans(item_id, _highlighter(q, terms)))

    def _result(
        self,
        query: str,
        ranking: _Ranking,
        limit: int | None,
        state: _State | None,
        highlighter: Highlighter | None = None,
    ) -> SearchResult:
        ids = self._ids
        tie = self._tie

        def make(doc: int, key: float) -> Hit:
            item_id = ids[doc]
            assert item_id is not None
            score = round(key + tie[doc], 6) if ranking.keys is not None else 0.0
            if highlighter is None:
                return Hit(item_id, score, {})
            return Hit(item_id, score, resolve=partial(self._spans, hl=highlighter))

        def id_of(doc: int) -> str:
            return ids[doc] or ""

        fallback = bool(state and state.fallback)
        return SearchResult(query, ranking, limit, make, id_of, state, fallback, ids)

    def _library_order(self) -> list[int]:
        if self._library is None:
            docs = list(self._doc.values())
            docs.sort(key=self._order.__getitem__)
            self._library = docs
        return list(self._library)

    # ------------------------------------------------------------ term match

    def _match_term(self, term: Term, typing: bool, exact: bool = False) -> TermMatch:
        key = (term.text, typing, exact)
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        made = self._expand(term.text, typing, exact)
        self._cache[key] = made
        if len(self._cache) > 24:
            self._cache.popitem(last=False)
        return made

    def _expand(self, s: str, typing: bool, exact_only: bool) -> TermMatch:
        n = max(1, len(self._doc))
        short_scope = typing and len(s) <= _SHORT_PREFIX and not exact_only
        post = self._short if short_scope else self._post
        vocab = self._short_vocab if short_scope else self._vocab
        scope = "short" if short_scope else "all"
        ann_post = self._ann_post
        dead = self._dead_short_df if short_scope else self._dead_df

        def live_df(t: str) -> int:
            postings = post.get(t)
            got = len(postings) - dead.get(t, 0) if postings else 0
            users = ann_post.get(t)
            return got + len(users) if users else got

        picked: dict[str, float] = {}  # term -> quality
        exact: set[str] = set()  # highlighted as whole words (the rest by prefix)
        prefixes: list[str] = []
        df = exact_df = live_df(s)
        if df:
            picked[s] = scoring.EXACT
        # A word in a quarter of the library is surely what is meant: its
        # completions and typo neighbours would only add cost.
        common = exact_df > max(_PREFIX_BUDGET_MIN, n // 4)
        if typing:
            prefixes.append(s)
            completions = vocab.completions(s)
            if isinstance(post, PackedPostings):
                dfs = post.counts(completions)
            else:
                dfs = list(map(len, map(post.get, completions, repeat(_EMPTY))))
            touched = set(filter(dead.__contains__, completions))
            touched.update(filter(ann_post.__contains__, completions))
            for t in touched:  # few: terms of retired docs or of annotations
                dfs[bisect_left(completions, t)] = live_df(t)
            df = max(dfs, default=df)
            # The commonest completions first, within a postings budget.
            if len(completions) > _MAX_COMPLETIONS:
                ranked = heapq.nlargest(_MAX_COMPLETIONS, range(len(dfs)), key=dfs.__getitem__)
            else:
                ranked = sorted(range(len(dfs)), key=dfs.__getitem__, reverse=True)
            budget = max(_PREFIX_BUDGET_MIN, n // 4)
            for k, i in enumerate([] if common else ranked):
                if dfs[i] <= 0 or (k >= 1 and budget <= 0):
                    break
                budget -= dfs[i]
                if completions[i] != s:
                    picked[completions[i]] = scoring.prefix_quality(s, completions[i])
        else:
            exact.add(s)
        # Digits carry meaning (gpt3 is not gpt4): no typos in numbers.
        fuzzy = not (exact_only or short_scope or common or any(c.isdigit() for c in s))
        edits = max_edits(len(s)) if fuzzy else 0
        if edits:
            # A word that exists is probably meant: its typo neighbours only
            # rank below every exact hit ("toxic" must not prefer "topic").
            damp = scoring.TYPO_DAMP if picked else 1.0
            for t, d in vocab.typos(s, edits):
                if t not in picked and live_df(t) > 0:
                    picked[t] = scoring.typo_quality(d) * damp
                    exact.add(t)
                    df = max(df, live_df(t))
            if typing and not picked:
                for p, d in vocab.typo_prefixes(s, edits)[:8]:
                    prefixes.append(p)
                    for t in vocab.completions(p)[:50]:
                        if t not in picked and live_df(t) > 0:
                            picked[t] = scoring.typo_quality(d, prefix=True)
                            df = max(df, live_df(t))
        in_ann = set(filter(ann_post.__contains__, picked))
        df = max(df, 1)
        weight = scoring.idf(df, n)
        by_quality: dict[float, list[array]] = {}
        for t, quality in picked.items():
            postings = post.get(t)
            if postings:
                by_quality.setdefault(round(quality, 2), []).append(postings)
        groups = [
            ([v * weight * quality for v in scoring.DEQUANT], arrays)
            for quality, arrays in sorted(by_quality.items())
        ]
        user: dict[int, float] = {}
        doc_of = self._doc
        for t in in_ann:
            c = weight * picked[t]
            for iid, impact in ann_post[t].items():
                doc = doc_of.get(iid)
                if doc is not None and user.get(doc, 0.0) < impact * c:
                    user[doc] = impact * c
        acronym_phrases: tuple[tuple[str, ...], ...] = ()
        acronym: dict[int, float] = {}
        if not exact_only and s.isalpha() and 2 <= len(s) <= 6:
            acronym_phrases = tuple(sorted(self._acronyms.expansions(s)))
            if acronym_phrases:
                acronym = self._acronym_scores(acronym_phrases, weight)
        expansions = {(scope, t) for t in picked}
        if acronym_phrases:
            expansions.add(("acronym", s))
        made = TermMatch(
            groups,
            acronym,
            user,
            frozenset(expansions),
            frozenset(exact),
            tuple(prefixes),
            acronym_phrases,
        )
        # "language" while typed and once finished decode to the same scores.
        made.key = (scope, tuple(sorted(picked.items())), weight, acronym_phrases)
        shared = self._decoded.get(made.key)
        if shared is not None:
            made.share(shared)
        return made

    def _acronym_scores(
        self, phrases: Iterable[tuple[str, ...]], weight: float
    ) -> dict[int, float]:
        """Titles that spell out an acronym score as a title hit on it."""
        scores: dict[int, float] = {}
        value = weight * scoring.ACRONYM * scoring.TITLE.weight * (scoring.K1 + 1) * 0.6
        for words in phrases:
            docs: set[int] | None = None
            for w in words:
                postings = self._short.get(w)
                if not postings:
                    docs = set()
                    break
                found = set(map(rshift, postings, repeat(8)))
                docs = found if docs is None else docs & found
            for doc in docs or ():
                item = self._items[doc]
                if item is None or not _contains_run(index_terms(item.title)[0], words):
                    continue
                if scores.get(doc, 0.0) < value:
                    scores[doc] = value
        return scores

    # ------------------------------------------------------------ candidates

    def _narrowing_start(
        self, previous: SearchResult | None, q: Query, terms: list[TermMatch]
    ) -> set[int] | None:
        state = getattr(previous, "_state", None)
        if not isinstance(state, _State) or state.gen != self._gen or state.fallback:
            return None
        old = state.query
        new_exps = [t.expansions for t in terms]
        for exps in state.terms:
            if not any(e <= exps for e in new_exps):
                return None
        if not all(any(phrase_narrows(p, n) for n in q.phrases) for p in old.phrases):
            return None
        if not all(any(filter_narrows(f, g) for g in q.filters) for f in old.filters):
            return None
        for old_list, new_list in (
            (old.not_terms, q.not_terms),
            (old.not_phrases, q.not_phrases),
            (old.not_filters, q.not_filters),
        ):
            if not all(x in new_list for x in old_list):  # type: ignore[operator]
                return None
        return set(state.docs)

    def _candidates(
        self, terms: list[TermMatch], q: Query, start: set[int] | None
    ) -> tuple[set[int], list[dict[int, float]]]:
        """Items matching every word and filter, and each word's scores for them.

        Filters and the rarest words go first; once the candidates are few, a
        common word is looked up for them only instead of decoded whole.
        """
        cand = start
        for f in sorted(q.filters, key=lambda f: f.name in ("author", "is")):
            cand = _intersect(cand, self._filter_docs(f))
            if not cand:
                return set(), []
        columns: dict[int, dict[int, float]] = {}
        for i in sorted(range(len(terms)), key=lambda i: terms[i].size):
            m = terms[i]
            if cand is not None and len(cand) * m.lookups * 6 < m.size:
                scores = m.restricted(cand)
                cand = set(scores)
            else:
                scores = m.full()
                if len(scores) > _SHARE_MIN and m.key is not None:
                    self._decoded[m.key] = scores
                    while len(self._decoded) > 3:
                        self._decoded.popitem(last=False)
                cand = _intersect(cand, scores)
            columns[i] = scores
            if not cand:
                return set(), []
        if cand is None:
            cand = set(self._doc.values())
        elif self._dead:
            cand.difference_update(self._dead)
        for t in q.not_terms:
            self._exclude_term(cand, t.text)
        for f in q.not_filters:
            cand.difference_update(self._filter_docs(f))
        if q.phrases or q.not_phrases:
            cand = self._check_phrases(cand, q)
        return cand, [columns[i] for i in range(len(terms))]

    def _fallback(self, matches: list[TermMatch], q: Query) -> set[int]:
        """No item has every word: those that have some, best coverage first."""
        union: set[int] = set()
        for m in matches:
            union.update(m.full())
        empty = Query(q.text, phrases=q.phrases, filters=q.filters, not_terms=q.not_terms,
                      not_phrases=q.not_phrases, not_filters=q.not_filters)  # fmt: skip
        if empty.is_empty:
            union.difference_update(self._dead)
            return union
        return self._candidates([], empty, union)[0] if union else set()

    def _exclude_term(self, cand: set[int], text: str) -> None:
        postings = self._post.get(text)
        if postings:
            cand.difference_update(map(rshift, postings, repeat(8)))
        for iid in self._ann_post.get(text, ()):
            doc = self._doc.get(iid)
            if doc is not None:
                cand.discard(doc)

    def _check_phrases(self, cand: set[int], q: Query) -> set[int]:
        phrases = [(p, True) for p in q.phrases if checkable(p)]
        phrases += [(p, False) for p in q.not_phrases]
        if not phrases:
            return cand
        checks = [
            (phrase_finder(p), wanted, self._author_docs_of(p.words[0])) for p, wanted in phrases
        ]
        items, anns = self._items, self._ann
        keep = set()
        for doc in cand:
            item = items[doc]
            if item is None:
                continue
            # Title and summary first, folded once (the summary fetched only
            # if the title does not settle it); the rest only where the phrase
            # can be: authors holding its first word, the user's notes.
            title = folded(item.title)
            summary: str | None = None
            ann = anns.get(item.id)
            ok = True
            for found, wanted, by_author in checks:
                hit = found(title)
                if not hit:
                    if summary is None:
                        summary = folded(self._summary(item))
                    hit = (
                        found(summary)
                        or (doc in by_author and found(folded("\n".join(item.authors))))
                        or (ann is not None and any(map(found, map(folded, user_texts(ann)))))
                    )
                if hit != wanted:
                    ok = False
                    break
            if ok:
                keep.add(doc)
        return keep

    def _author_docs_of(self, term: str) -> set[int]:
        return set(self._author.get(term) or ())

    def _filter_docs(self, f: Filter) -> set[int]:
        name, value = f.name, f.value
        if name == "tag":
            keys = [k for k in self._tags if k == value or (f.prefix and k.startswith(value))]
            return self._docs_of(iid for k in keys for iid in self._tags[k])
        if name == "author":
            return self._author_docs(value.split(), f.prefix)
        if name == "is":
            statuses = [s for s in ("unread", "reading", "read", "new") if s == value or
                        (f.prefix and s.startswith(value))]  # fmt: skip
            out: set[int] = set()
            for s in statuses:
                if s == "new":
                    out |= self._docs_of(self.new_ids())
                elif s == "unread":
                    busy = self._docs_of(self._status["reading"] | self._status["read"])
                    out |= set(self._doc.values()) - busy
                else:
                    out |= self._docs_of(self._status[s])
            return out
        if name == "has":
            return self._has_docs(value, f.prefix)
        if name == "cat":
            return _union(v for k, v in self._cats.items() if k == value or
                          (f.prefix and k.startswith(value)))  # fmt: skip
        if name == "src":
            return _union(v for k, v in self._srcs.items() if value in k)
        if name == "year":
            assert f.years is not None
            lo, hi = f.years
            return _union(v for y, v in self._years.items() if lo <= y <= hi)
        if name in ("readby", "taggedby"):
            return self._other_user_docs(name, value)
        raise QueryError(f"unknown filter '{name}:'")

    def _has_docs(self, value: str, prefix: bool) -> set[int]:
        out: set[int] = set()
        for kind in ("code", "note", "notes", "tag", "tags", "rename"):
            if not (kind == value or (prefix and kind.startswith(value))):
                continue
            if kind == "code":
                out.update(self._code)
                out.difference_update(self._dead)
            else:
                out |= self._docs_of(self._annotated(kind.rstrip("s")))
        return out

    def _annotated(self, kind: str) -> Iterable[str]:
        """Ids of items whose annotation has a note, a tag or a rename. A
        saved index's annotations know these without decoding each one."""
        having = getattr(self._ann, "having", None)
        if having is not None:
            return having(kind)
        anns = self._ann.values()
        if kind == "note":
            return (a.item_id for a in anns if a.notes)
        if kind == "tag":
            return (a.item_id for a in anns if a.tags)
        return (a.item_id for a in anns if a.title)

    def _author_docs(self, words: list[str], prefix: bool) -> set[int]:
        docs: set[int] | None = None
        vocab = self._author_vocab
        for i, w in enumerate(words):
            terms = {w} if w in vocab else set()
            if prefix and i == len(words) - 1:
                terms.update(vocab.completions(w))
            terms.update(t for t, _ in vocab.typos(w, max_edits(len(w))))
            found: set[int] = set()
            for t in terms:
                found.update(self._author.get(t) or ())
            docs = found if docs is None else docs & found
        return (docs or set()) - self._dead

    def _other_user_docs(self, name: str, user: str) -> set[int]:
        anns = self._others.get(user)
        if anns is None:
            known = ", ".join(sorted(self._others)) or "none loaded"
            raise QueryError(f"unknown user '{user}' in '{name}:' (known: {known})")
        if name == "readby":
            return self._docs_of(i for i, a in anns.items() if a.status == "read")
        return self._docs_of(i for i, a in anns.items() if a.tags)

    def _docs_of(self, item_ids: Iterable[str]) -> set[int]:
        doc_of = self._doc
        return {doc_of[i] for i in item_ids if i in doc_of}

    # ---------------------------------------------------------------- scoring

    def _score(
        self, docs: list[int], columns: list[dict[int, float]], fallback: bool
    ) -> list[float]:
        acc: Any = None if columns else repeat(0.0)
        for scores in columns:
            # In a fallback, an item lacks some words: those score nothing.
            col = map(scores.get, docs, repeat(0.0)) if fallback else map(scores.__getitem__, docs)
            acc = col if acc is None else map(add, acc, col)
        if fallback:
            # Coverage first: an item with three of four words beats any with two.
            covered = map(sum, zip(*[map(c.__contains__, docs) for c in columns], strict=False))
            acc = map(add, acc, map(mul, covered, repeat(1000.0)))
        if len(docs) <= SLICE:
            return list(map(sub, acc, map(self._tie.__getitem__, docs)))
        out: list[float] = []
        ties = map(self._tie.__getitem__, docs)
        for _ in range(0, len(docs), SLICE):  # in slices: see matching.SLICE
            out += islice(map(sub, acc, ties), SLICE)
        return out

    def _rerank(
        self, head: list[int], keys: list[float], hl: Highlighter
    ) -> list[tuple[int, float]]:
        """Bonus for the top hits whose title holds every query word, and for
        those where consecutive query words stand next to each other.
        ``keys``: the head's sort keys, in its order."""
        if len(hl.units) < 2:  # nothing to bonus: no title read (a saved index's 6 MB)
            return sorted(zip(head, keys, strict=True), key=lambda ds: -ds[1])
        out = []
        for rank, (doc, score) in enumerate(zip(head, keys, strict=True)):
            item = self._items[doc]
            if item is not None:
                ann = self._ann.get(item.id)
                title = ann.title if ann is not None and ann.title else item.title
                bonus = 0.25 * hl.title_coverage(title)
                if rank < _PROXIMITY_HEAD:
                    # The abstract is fetched only if the title does not settle it.
                    texts = chain((title,), map(self._summary, (item,)))
                    bonus += 0.3 * hl.adjacency(texts)
                score += score * bonus
            out.append((doc, score))
        out.sort(key=lambda ds: -ds[1])
        return out

    # ------------------------------------------------------------ highlights

    def _spans(self, item_id: str, hl: Highlighter) -> Spans:
        doc = self._doc.get(item_id)
        item = self._items[doc] if doc is not None else None
        if item is None:
            return {}
        ann = self._ann.get(item_id)
        # The abstract is fetched only if its spans are read (the detail pane).
        fields: dict[str, str | Callable[[], str]] = {
            "title": ann.title if ann is not None and ann.title else item.title,
            "authors": ", ".join(item.authors),
            "affiliations": ", ".join(item.affiliations),
            "summary": partial(self._summary, item),
        }
        if ann is not None:
            if ann.title:
                fields["original_title"] = item.title
            fields["tags"] = " ".join(ann.tags)
            fields["notes"] = "\n".join(n.text for n in ann.notes)
        return LazySpans(fields, hl)

    # ------------------------------------------------------------ inspection

    def memory_bytes(self) -> int:
        """Approximate size of the postings and vocabulary (for benchmarks)."""
        import sys

        total = 0
        indexes: dict[int, dict[str, int]] = {}  # term indexes, counted once if shared
        for table in (self._post, self._short):
            if isinstance(table, PackedPostings):
                total += table.nbytes()
                if isinstance(table._index, dict):
                    indexes[id(table._index)] = table._index
                continue
            total += sys.getsizeof(table)
            for term, postings in table.items():
                total += sys.getsizeof(term) + sys.getsizeof(postings)
        for index in indexes.values():
            total += sys.getsizeof(index) + sum(map(sys.getsizeof, index)) + 28 * len(index)
        for author_term, docs in self._author.items():
            total += sys.getsizeof(author_term) + sys.getsizeof(docs)
        total += sys.getsizeof(self._ids) + sys.getsizeof(self._order) + sys.getsizeof(self._doc)
        return total


def release_free_memory() -> None:
    """Hand the build's freed scratch memory (per-term arrays, since packed)
    back to the OS; glibc keeps it otherwise. Best effort, Linux only."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        pass


def _intersect(cand: set[int] | None, other: Mapping[int, Any] | set[int]) -> set[int]:
    if cand is None:
        return set(other)
    if len(cand) <= len(other):
        return set(filter(other.__contains__, cand))
    return cand.intersection(other)


def _union(groups: Iterable[Iterable[int]]) -> set[int]:
    out: set[int] = set()
    for docs in groups:
        out.update(docs)
    return out


def _grow(vocab: Vocabulary, table: Postings, terms: Iterable[str]) -> None:
    for t in terms:
        if t not in table:
            vocab.add(t)


def _add_doc(groups: dict[Any, array], key: Any, doc: int) -> None:
    docs = groups.get(key)
    if docs is None:
        groups[key] = array("I", (doc,))
    else:
        docs.append(doc)


def _terms_of(table: Postings, doc: int) -> Iterator[str] | list[str]:
    """Terms with a posting for ``doc``."""
    if isinstance(table, PackedPostings):
        return table.terms_of(doc)
    lo, hi = doc << 8, (doc + 1) << 8
    return (t for t, postings in table.items() if any(lo <= p < hi for p in postings))


def _contains_run(words: list[str], run: tuple[str, ...]) -> bool:
    n = len(run)
    first = run[0]
    i = -1
    while True:
        try:
            i = words.index(first, i + 1)
        except ValueError:
            return False
        if tuple(words[i : i + n]) == run:
            return True


def _highlighter(q: Query, terms: list[TermMatch]) -> Highlighter:
    exact: set[str] = set()
    prefixes: list[str] = []
    acronyms: list[tuple[str, ...]] = []
    for m in terms:
        exact |= m.exact
        prefixes += m.prefixes
        acronyms += m.acronym_phrases
    authors = [w for f in q.filters if f.name == "author" for w in f.value.split()]
    tags = [f.value for f in q.filters if f.name == "tag"]
    units = [(m.exact, m.prefixes, m.acronym_phrases) for m in terms]
    return Highlighter(
        exact,
        tuple(prefixes),
        [(p.words, p.open) for p in q.phrases],
        acronyms,
        authors,
        tags,
        units,
    )
