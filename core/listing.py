"""What the list shows and in which order, worked out without Textual.

The app keeps one ``LibraryModel``; everything here is plain Python so the
filtering, sorting, facet counting and statistics can be tested (and timed at
100k items) without a terminal. Rows are built lazily: the first frame needs
only the rows on screen, and a 100k-row library must not pay for 100k row
objects before it shows anything.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from core.mentions import TitleIndex, links_to
from core.text import visible
from seeds.model import Item
from storage.corrections import padded_date
from storage.list_line import DERIVED_GLYPH as DERIVED_GLYPH
from storage.list_line import GLYPHS as GLYPHS
from storage.list_line import NEW_GLYPH as NEW_GLYPH
from storage.model import Annotation
from storage.row_cache import NO_YEAR, SOURCE_SEP, Base, CachedRows, item_base
from storage.views import item_view

# The app shows the glyphs ``shelf list`` prints (re-exported above): NEW_GLYPH
# before the title of an item new to the user (is:new), as ``+N`` counts them
# in the sidebar.
SELECTED_GLYPH = "▌"
STATUS_ORDER = ("unread", "reading", "read")

#: Sort ids are stable: they are saved in the user's view state and config.
SORTS = ("relevance", "date", "title", "changed", "library")
SORT_LABELS = {
    "relevance": "relevance",
    "library": "library order",
    "date": "date, newest first",
    "title": "title, A to Z",
    "changed": "recently changed",
}

#: Facet groups in sidebar order; the last two appear once others share a folder.
FACET_GROUPS = ("status", "tag", "source", "category", "year", "read by", "tagged by")
FACET_TITLES = {
    "saved": "Saved searches",  # not a filter: choosing one puts @name in the search bar
    "status": "Status",
    "tag": "Tags",
    "source": "Sources",
    "category": "Categories",
    "year": "Years",
    "read by": "Read by",
    "tagged by": "Tagged by",
}

_NO_ANNOTATION = Annotation(item_id="")


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def display_date(date: str) -> str:
    """One date style for the list: ``Jul 7, 2021``, the way sources without a year write it.

    The corpus has ISO dates and dates as written (``Feb 6``, ``2022``); ISO
    ones are put in the written style so the column reads the same for both.
    """
    parts = date.split("-")
    if len(parts) >= 2 and parts[0].isdigit() and len(parts[0]) == 4 and parts[1].isdigit():
        month = int(parts[1])
        if 1 <= month <= 12:
            if len(parts) == 3 and parts[2][:2].isdigit():
                return f"{_MONTHS[month - 1]} {int(parts[2][:2])}, {parts[0]}"
            return f"{_MONTHS[month - 1]} {parts[0]}"
    return date


#: One tuple per distinct list of sources: 100k rows share a few hundred.
_SOURCE_TUPLES: dict[tuple[str, ...], tuple[str, ...]] = {}


def _sources_tuple(sources: Sequence[str]) -> tuple[str, ...]:
    key = tuple(sources)
    return _SOURCE_TUPLES.setdefault(key, key)


@dataclass(slots=True)
class Row:
    """One list row; ``ann`` is kept so a stale row can be told by identity."""

    id: str
    title: str
    derived: bool
    author: str
    date: str
    sort_date: str
    year: str
    category: str
    sources: tuple[str, ...]
    status: str
    tags: tuple[str, ...]
    changed: str
    ann: Annotation | None


def make_row(item_id: str, base: Base, ann: Annotation | None) -> Row:
    title, derived, author, more, date, sort_date, year, category, sources = base
    a = ann or _NO_ANNOTATION
    if a.corrections:  # the user's corrections show in the list too
        fixes = a.corrections
        if "authors" in fixes:
            names = fixes["authors"]
            author, more = (names[0] if names else ""), len(names) > 1
        if "date" in fixes:
            date = fixes["date"]
            sort_date = padded_date(date)
            year = date[:4] or NO_YEAR
    renamed = bool(a.title)
    return Row(
        id=item_id,
        title=visible(a.title if a.title else title, lines=False),
        derived=bool(derived) and not renamed,
        author=visible(sys.intern(f"{author} et al.") if author and more else author, lines=False),
        date=display_date(date),
        sort_date=sort_date,
        year=year,
        category=category,
        sources=_sources_tuple(sources),
        status=a.status,
        tags=tuple(a.tags),
        changed=a.updated or "",
        ann=ann,
    )


@dataclass
class Facet:
    group: str
    value: str
    count: int
    chosen: bool = False
    #: How many of ``count`` are new to the user (``is:new``): sources and saved searches.
    new: int = 0


@dataclass
class ViewState:
    """What the user asked for: the query, the chosen facets, the sort."""

    query: str = ""
    filters: dict[str, frozenset[str]] = field(default_factory=dict)
    sort: str = "relevance"

    def toggled(self, group: str, value: str) -> dict[str, frozenset[str]]:
        chosen = set(self.filters.get(group, ()))
        chosen ^= {value}
        filters = {g: v for g, v in self.filters.items() if g != group}
        if chosen:
            filters[group] = frozenset(chosen)
        return filters


class Columns:
    """The library's list fields as columns, one entry per item in library order.

    Filtering, sorting and facet counting at 100k items run over these
    (set look-ups and C-level ``Counter``/``map`` passes) instead of building
    100k row objects on the UI's GIL; rows are made only for lines drawn.
    Sources are kept joined per item: 100k items share a few hundred
    distinct source lists, so counting the joined strings first is cheap.
    """

    __slots__ = (
        "ids", "at", "title", "author", "date", "iso", "year", "cat", "src", "flags", "_codes"
    )  # fmt: skip

    def __init__(
        self,
        ids: list[str],
        title: Sequence[str],
        author: Sequence[str],
        date: Sequence[str],
        iso: Sequence[str],
        year: Sequence[str],
        cat: Sequence[str],
        src: Sequence[str],
        flags: tuple[str, str],
    ) -> None:
        self.ids = ids
        self.at: dict[str, int] = dict(zip(ids, range(len(ids)), strict=True))
        self.title, self.author, self.date, self.iso = title, author, date, iso
        self.year, self.cat, self.src = year, cat, src
        self.flags = flags  # "0"/"1" per item: derived title, more authors
        self._codes: tuple[dict[str, int], list[tuple[str, str, str]]] | None = None

    @classmethod
    def from_cached(cls, ids: list[str], rows: CachedRows) -> Columns:
        return cls(
            ids,
            rows.title,
            rows.author,
            rows.date,
            rows.iso,
            rows.year,
            rows.cat,
            rows.src,
            (rows.derived, rows.more),
        )

    @classmethod
    def from_items(cls, items: Iterable[Item]) -> Columns:
        ids: list[str] = []
        cols: list[list[str]] = [[] for _ in range(7)]
        derived: list[str] = []
        more: list[str] = []
        intern = sys.intern
        for item in items:
            title, is_derived, author, has_more, date, iso, year, cat, sources = item_base(item)
            ids.append(item.id)
            cols[0].append(title)
            cols[1].append(author)
            cols[2].append(date)
            cols[3].append(iso)
            cols[4].append(year)
            cols[5].append(cat)
            cols[6].append(intern(SOURCE_SEP.join(sources)))
            derived.append("1" if is_derived else "0")
            more.append("1" if has_more else "0")
        title, author, date, iso, year, cat, src = cols
        flags = ("".join(derived), "".join(more))
        return cls(ids, title, author, date, iso, year, cat, src, flags)

    def __len__(self) -> int:
        return len(self.ids)

    def base(self, item_id: str) -> Base:
        i = self.at[item_id]
        sources = self.src[i]
        return [
            self.title[i],
            self.flags[0][i] == "1",
            self.author[i],
            self.flags[1][i] == "1",
            self.date[i],
            self.iso[i],
            self.year[i],
            self.cat[i],
            sources.split(SOURCE_SEP) if sources else [],
        ]

    def facet_codes(self) -> tuple[dict[str, int], list[tuple[str, str, str]]]:
        """Each id's code for its (sources, category, year), and the combinations by code.

        Made on first use (a worker's facet count), in C-level passes; two
        threads racing here build the same thing.
        """
        if self._codes is None:
            code: dict[tuple[str, str, str], int] = {}
            code_of: dict[str, int] = {}
            for lo, hi in _chunks(len(self.ids)):
                keys = list(zip(self.src[lo:hi], self.cat[lo:hi], self.year[lo:hi], strict=True))
                for key in dict.fromkeys(keys):
                    code.setdefault(key, len(code))
                code_of.update(zip(self.ids[lo:hi], map(code.__getitem__, keys), strict=True))
            self._codes = (code_of, list(code))
        return self._codes


class LibraryModel:
    """The items, the user's annotations and other users' annotations, as the UI sees them.

    The UI thread replaces ``annotations`` and ``others`` wholesale rather
    than mutating them, so a worker that took a reference keeps a consistent
    snapshot while it filters.
    """

    def __init__(
        self,
        items: Mapping[str, Item],
        annotations: Mapping[str, Annotation],
        others: Mapping[str, Mapping[str, Annotation]] | None = None,
        *,
        cached: tuple[list[str], CachedRows] | None = None,
        columns: Columns | None = None,
    ) -> None:
        """``cached`` (ids, rows) or ``columns`` stand in for ``items`` until it is loaded."""
        self.items = items
        self.annotations = annotations
        self.others = others or {}
        # Abstracts are not kept on the items (80 MB at 100k): this reads one
        # when the detail pane asks. None until the app has opened the texts.
        self.text_source: Callable[[str], str] | None = None
        self._rows: dict[str, Row] = {}
        self._loaded = cached is None and columns is None
        if columns is None:
            columns = Columns.from_cached(*cached) if cached else Columns.from_items(items.values())
        self.columns = columns
        self._previous: Columns | None = None
        self.library_order: list[str] = columns.ids
        self._title_keys: list[str] | None = None
        self._marks_held: tuple[Mapping[str, Annotation], Columns, _Marks] | None = None
        #: The user's new items (``is:new``), replaced whole by the app when they change.
        self.new_ids: frozenset[str] = frozenset()
        self._titles = TitleIndex()  # for the items a note names (core.mentions)

    @property
    def loaded(self) -> bool:
        """Whether ``items`` holds the library (not just the cached rows)."""
        return self._loaded

    def base(self, item_id: str) -> Base:
        """The item's list fields; an item just removed is drawn from the columns before.

        The list still holds the old order until the new one is worked out
        (a worker), and must be able to draw it meanwhile.
        """
        try:
            return self.columns.base(item_id)
        except KeyError:
            if self._previous is None:
                raise
            return self._previous.base(item_id)

    def item(self, item_id: str) -> Item:
        """The item, or a stand-in made from its cached row while the library loads."""
        item = self.items.get(item_id)
        if item is not None:
            return item
        title, derived, author, more, date, sort_date, _, category, sources = self.base(item_id)
        return Item(
            id=item_id,
            title=title,
            title_derived=derived,
            authors=[author] if author else [],
            authors_truncated=bool(more),
            date=sort_date or None,
            date_text=date or None,
            category=category or None,
            sources=list(sources),
        )

    def summary(self, item_id: str) -> str | None:
        """The item's abstract; None while the texts are not open yet."""
        if self.text_source is None:
            return None
        return self.text_source(item_id)

    def row(self, item_id: str) -> Row:
        ann = self.annotations.get(item_id)
        row = self._rows.get(item_id)
        if row is None or row.ann is not ann:
            row = make_row(item_id, self.base(item_id), ann)
            self._rows[item_id] = row
        return row

    def rows(self, ids: Iterable[str]) -> list[Row]:
        """``row`` for many ids (the statistics, tests); the list draws a few at a time."""
        return [self.row(item_id) for item_id in ids]

    def annotation(self, item_id: str) -> Annotation:
        return self.annotations.get(item_id) or Annotation(item_id=item_id)

    def view(self, item_id: str) -> dict[str, Any]:
        """The item's public view (as ``--json`` has it), from what is held: no file access."""
        theirs = {user: anns[item_id] for user, anns in self.others.items() if item_id in anns}
        view = item_view(
            self.item(item_id), self.annotations.get(item_id), theirs, self.summary(item_id)
        )
        columns = self.columns
        view["links_to"] = links_to(
            item_id, view["updates"], self._titles.lookup(columns.ids, columns.title)
        )
        return view

    def statuses(self, item_ids: Iterable[str]) -> dict[str, str]:
        """The statuses shown for ``item_ids``: what a toggle must act on."""
        return {i: self.annotation(i).status for i in item_ids}

    def set_annotations(self, changed: Mapping[str, Annotation]) -> None:
        merged = dict(self.annotations)
        for item_id, ann in changed.items():
            if ann.is_empty():
                merged.pop(item_id, None)
            else:
                merged[item_id] = ann
        self.annotations = merged

    def replace(
        self,
        items: Mapping[str, Item] | None = None,
        annotations: Mapping[str, Annotation] | None = None,
        others: Mapping[str, Mapping[str, Annotation]] | None = None,
        columns: Columns | None = None,
    ) -> None:
        """``columns``: built off the UI thread for ``items`` (else built here)."""
        if items is not None and items is not self.items:
            self.items = items
            self._previous = self.columns
            self.columns = columns if columns is not None else Columns.from_items(items.values())
            self.library_order = self.columns.ids
            self._loaded = True
            self._rows = {}
            self._title_keys = None
        if annotations is not None:
            self.annotations = annotations
        if others is not None:
            self.others = others

    def all_tags(self) -> list[str]:
        """Every tag in use, most used first, for completion in the tag input."""
        counts: Counter[str] = Counter()
        for ann in self.annotations.values():
            counts.update(ann.tags)
        return [tag for tag, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]

    # -- filtering and sorting ---------------------------------------------

    def filter(self, ids: Iterable[str], filters: Mapping[str, frozenset[str]]) -> list[str]:
        """The ``ids`` that every group's choice keeps (values within a group are alternatives)."""
        kept = list(ids)
        if not filters:
            return kept
        cols = self.columns
        at = cols.at
        for group, chosen in filters.items():
            if group == "status":
                if "unread" in chosen:
                    out = {i for i, a in self.annotations.items() if a.status not in chosen}
                    kept = [i for i in kept if i not in out]
                else:
                    keep = {i for i, a in self.annotations.items() if a.status in chosen}
                    kept = [i for i in kept if i in keep]
            elif group == "tag":
                keep = {i for i, a in self.annotations.items() if any(t in chosen for t in a.tags)}
                kept = [i for i in kept if i in keep]
            elif group == "source":
                joined = {j for j in set(cols.src) if any(s in chosen for s in j.split(SOURCE_SEP))}
                src = cols.src
                kept = [i for i in kept if src[at[i]] in joined]
            elif group in ("category", "year"):
                column = cols.cat if group == "category" else cols.year
                kept = [i for i in kept if column[at[i]] in chosen]
            elif group in ("read by", "tagged by"):
                keep = self._by_others(group, chosen)
                kept = [i for i in kept if i in keep]
        return kept

    def _by_others(self, group: str, users: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for user in users:
            anns = self.others.get(user, {})
            if group == "read by":
                found.update(i for i, a in anns.items() if a.status == "read")
            else:
                found.update(i for i, a in anns.items() if a.tags)
        return found

    def sort(self, ids: list[str], sort: str) -> list[str]:
        if sort == "relevance":
            return ids
        at = self.columns.at
        if sort == "library":
            return sorted(ids, key=lambda i: at.get(i, len(at)))
        if sort == "date":
            # Newest first; undated items last, in their previous order.
            iso = self.columns.iso
            dated = [i for i in ids if iso[at[i]]]
            undated = [i for i in ids if not iso[at[i]]]
            dated.sort(key=lambda i: iso[at[i]], reverse=True)
            return dated + undated
        if sort == "title":
            keys = self._title_sort_keys()
            renamed = {i: a.title.casefold() for i, a in self.annotations.items() if a.title}
            if renamed:
                return sorted(ids, key=lambda i: renamed.get(i) or keys[at[i]])
            return sorted(ids, key=lambda i: keys[at[i]])
        if sort == "changed":
            anns = self.annotations
            changed = [i for i in ids if (a := anns.get(i)) is not None and a.updated]
            stamps = {i: anns[i].updated or "" for i in changed}
            rest = [i for i in ids if i not in stamps]
            changed.sort(key=stamps.__getitem__, reverse=True)
            return changed + rest
        raise ValueError(f"unknown sort {sort!r}")

    def _title_sort_keys(self) -> list[str]:
        if self._title_keys is None:
            self._title_keys = [t.casefold() for t in self.columns.title]
        return self._title_keys

    def order(
        self,
        state: ViewState,
        hits: Sequence[str] | None,
    ) -> list[str]:
        """The rows to show: search hits (or the library) filtered by facets, sorted."""
        base = self.library_order if hits is None else hits
        return self.sort(self.filter(base, state.filters), state.sort)

    def facets(
        self,
        base: Sequence[str],
        filters: Mapping[str, frozenset[str]],
        filtered: Sequence[str] | None = None,
        limit: int = 40,
    ) -> list[Facet]:
        """Counts per facet value, disjunctive as in most faceted search UIs.

        A group's counts are taken over ``base`` (the search hits, or the
        library) filtered by every *other* group's choice, so choosing one
        tag still shows the other tags one could add to it (values within a
        group are alternatives; groups narrow each other). Chosen values are
        always listed; large groups show their ``limit`` most frequent.
        """
        if filtered is None:
            filtered = self.filter(base, filters) if filters else base
        counts = self._count(filtered, FACET_GROUPS)
        for group in filters:
            rest = {g: v for g, v in filters.items() if g != group}
            among = self.filter(base, rest) if rest else base
            counts[group] = self._count(among, (group,))[group]
        if self.new_ids and "source" in filters:
            rest = {g: v for g, v in filters.items() if g != "source"}
            new_by_source = self.new_by_source(self.filter(base, rest) if rest else base)
        elif self.new_ids:
            new_by_source = self.new_by_source(filtered)
        else:
            new_by_source = Counter()
        facets: list[Facet] = []
        for group in FACET_GROUPS:
            chosen = filters.get(group, frozenset())
            found = counts[group]
            if group == "status":
                values = list(STATUS_ORDER)
            elif group == "year":
                values = sorted((y for y in found if y != NO_YEAR), reverse=True)
                values += [NO_YEAR] if NO_YEAR in found else []
            else:
                values = [v for v, _ in sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))]
                values = values[:limit]
            values += sorted(v for v in chosen if v not in values)
            news = new_by_source if group == "source" else Counter()
            facets += [
                Facet(group, v, found.get(v, 0), v in chosen, news.get(v, 0)) for v in values
            ]
        return facets

    def _marks(self) -> _Marks:
        """The user's statuses and tags by item, for counting; rebuilt when either changes.

        ``annotations`` and the columns are replaced, never mutated, so their
        identity says whether the summary is current.
        """
        held = self._marks_held
        if held is not None and held[0] is self.annotations and held[1] is self.columns:
            return held[2]
        at = self.columns.at
        read: set[str] = set()
        reading: set[str] = set()
        tags: dict[str, list[str]] = {}
        for item_id, ann in self.annotations.items():
            if item_id not in at:  # annotations outlive removed items
                continue
            if ann.status == "read":
                read.add(item_id)
            elif ann.status == "reading":
                reading.add(item_id)
            if ann.tags:
                tags[item_id] = ann.tags
        marks = _Marks(read, reading, tags)
        self._marks_held = (self.annotations, self.columns, marks)
        return marks

    def new_by_source(self, ids: Sequence[str]) -> Counter[str]:
        """How many of ``ids`` are new, per source: a pass over the new items only."""
        cols = self.columns
        at = cols.at
        among: Mapping[str, Any] | set[str] = at if ids is cols.ids else set(ids)
        counts: Counter[str] = Counter()
        for item_id in self.new_ids:
            i = at.get(item_id)
            if i is None or item_id not in among:
                continue
            joined = cols.src[i]
            counts.update(joined.split(SOURCE_SEP) if joined else ())
        return counts

    def count_new(self, ids: Iterable[str]) -> int:
        """How many of ``ids`` are new to the user."""
        new = self.new_ids
        return sum(1 for i in ids if i in new) if new else 0

    def _count(self, ids: Sequence[str], groups: Sequence[str]) -> dict[str, Counter[str]]:
        """Counts per group over ``ids``, from the columns and the annotations (no rows built)."""
        counts: dict[str, Counter[str]] = {g: Counter() for g in FACET_GROUPS}
        wanted = set(groups)
        cols = self.columns
        whole = ids is cols.ids
        among: Mapping[str, Any] | set[str] = cols.at if whole else set(ids)
        if wanted & {"status", "tag"}:
            marks = self._marks()
            if whole:
                read_ids, reading_ids, tagged = marks.read, marks.reading, list(marks.tags)
            else:
                # Set intersections run in C; at 30,000 hits and 10,000
                # annotations this is a few milliseconds a keystroke.
                hits = among if isinstance(among, set) else set(among)
                read_ids, reading_ids = marks.read & hits, marks.reading & hits
                tagged = list(marks.tags.keys() & hits)
            tags: Counter[str] = Counter(chain.from_iterable(map(marks.tags.__getitem__, tagged)))
            read, reading = len(read_ids), len(reading_ids)
            status = Counter({"unread": len(among) - read - reading, "read": read})
            status["reading"] = reading
            counts["status"] = +status
            counts["tag"] = tags
        if wanted & {"source", "category", "year"}:
            # One C-level pass over the hits, counting (sources, category,
            # year) combinations, of which 100k items have a few thousand.
            code_of, combos = cols.facet_codes()
            tally: Counter[int] = Counter()
            for lo, hi in _chunks(len(ids)):
                tally.update(map(code_of.__getitem__, ids[lo:hi]))
            joined: Counter[str] = Counter()
            categories: Counter[str] = Counter()
            years: Counter[str] = Counter()
            for code, n in tally.items():
                src, cat, year = combos[code]
                joined[src] += n
                categories[cat] += n
                years[year] += n
            sources: Counter[str] = Counter()
            for value, n in joined.items():
                for source in value.split(SOURCE_SEP) if value else ():
                    sources[source] += n
            counts["source"] = sources
            categories.pop("", None)
            counts["category"] = categories
            counts["year"] = years
        if self.others and wanted & {"read by", "tagged by"}:
            for user, anns in self.others.items():
                for item_id, ann in anns.items():
                    if item_id not in among:
                        continue
                    if ann.status == "read":
                        counts["read by"][user] += 1
                    if ann.tags:
                        counts["tagged by"][user] += 1
        return counts

    # -- statistics --------------------------------------------------------

    def stats(self, today: dt.date, weeks: int = 26) -> Stats:
        return compute_stats(self, today, weeks)


#: Items per C-level pass: each pass holds the GIL, and the UI thread needs
#: it back within a few milliseconds (a 100k pass held it for 70 ms).
CHUNK = 16_384


def _chunks(n: int) -> Iterable[tuple[int, int]]:
    return ((lo, min(n, lo + CHUNK)) for lo in range(0, n, CHUNK))


@dataclass(frozen=True)
class _Marks:
    read: set[str]
    reading: set[str]
    tags: dict[str, list[str]]


@dataclass
class Stats:
    total: int
    by_status: dict[str, int]
    read_per_week: list[int]  # oldest week first, the current week last
    week_starts: list[dt.date]
    tags: list[tuple[str, int]]
    sources: list[tuple[str, int]]
    categories: list[tuple[str, int]]
    years: list[tuple[str, int]]


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def compute_stats(model: LibraryModel, today: dt.date, weeks: int = 26) -> Stats:
    """Figures for the statistics screen, from the columns and annotations (no rows built)."""
    cols = model.columns
    counts = model._count(cols.ids, ("status", "tag", "source", "category", "year"))
    by_status = {s: counts["status"].get(s, 0) for s in STATUS_ORDER}
    this_week = _week_start(today)
    starts = [this_week - dt.timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    per_week = [0] * weeks
    for item_id, ann in model.annotations.items():
        if ann.status != "read" or not ann.read_at or item_id not in cols.at:
            continue
        try:
            day = dt.date.fromisoformat(ann.read_at[:10])
        except ValueError:
            continue
        index = weeks - 1 - (this_week - _week_start(day)).days // 7
        if 0 <= index < weeks:
            per_week[index] += 1

    def ranked(counter: Counter[str]) -> list[tuple[str, int]]:
        return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))

    return Stats(
        total=len(cols),
        by_status=by_status,
        read_per_week=per_week,
        week_starts=starts,
        tags=ranked(counts["tag"]),
        sources=ranked(counts["source"]),
        categories=ranked(counts["category"]),
        years=sorted(counts["year"].items(), key=lambda kv: kv[0]),
    )
