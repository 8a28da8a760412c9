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
from operator import attrgetter
from typing import Any

from seeds.model import Item
from storage.model import Annotation
from storage.tui_support import NO_YEAR, Base, item_base
from storage.views import item_view

GLYPHS = {"unread": "·", "reading": "◐", "read": "✓"}
SELECTED_GLYPH = "▌"
DERIVED_GLYPH = "~"
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
_STATUS = attrgetter("status")
_TAGS = attrgetter("tags")
_SOURCES = attrgetter("sources")
_CATEGORY = attrgetter("category")
_YEAR = attrgetter("year")


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


def first_author(item: Item) -> str:
    if not item.authors:
        return ""
    if len(item.authors) > 1 or item.authors_truncated:
        return f"{item.authors[0]} et al."
    return item.authors[0]


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
    renamed = bool(a.title)
    return Row(
        id=item_id,
        title=a.title if a.title else title,
        derived=bool(derived) and not renamed,
        author=sys.intern(f"{author} et al.") if author and more else author,
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
        cached: tuple[list[str], Sequence[Base]] | None = None,
    ) -> None:
        """``cached`` (ids, bases) stands in for ``items`` until the library is loaded."""
        self.items = items
        self.annotations = annotations
        self.others = others or {}
        # Abstracts are not kept on the items (80 MB at 100k): this reads one
        # when the detail pane asks. None until the app has opened the texts.
        self.text_source: Callable[[str], str] | None = None
        self._rows: dict[str, Row] = {}
        self._position: dict[str, int] | None = None
        self._cached: Sequence[Base] | None = None
        self._cached_at: dict[str, int] = {}
        if cached is not None:
            ids, bases = cached
            self.library_order: list[str] = list(ids)
            self._cached = bases
            self._cached_at = dict(zip(ids, range(len(ids)), strict=True))
        else:
            self.library_order = list(items)

    @property
    def loaded(self) -> bool:
        """Whether ``items`` holds the library (not just the cached rows)."""
        return self._cached is None

    def base(self, item_id: str) -> Base:
        item = self.items.get(item_id)
        if item is not None:
            return item_base(item)
        if self._cached is not None:
            return self._cached[self._cached_at[item_id]]
        raise KeyError(item_id)

    def _positions(self) -> dict[str, int]:
        """Each id's place in the library, built on the first library-order sort only."""
        if self._position is None:
            order = self.library_order
            self._position = dict(zip(order, range(len(order)), strict=True))
        return self._position

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
        """``row`` for many ids; the loop is the hot path of filtering 100k items."""
        cached, anns, row = self._rows.get, self.annotations.get, self.row
        out: list[Row] = []
        append = out.append
        for item_id in ids:
            found = cached(item_id)
            if found is None or found.ann is not anns(item_id):
                found = row(item_id)
            append(found)
        return out

    def annotation(self, item_id: str) -> Annotation:
        return self.annotations.get(item_id) or Annotation(item_id=item_id)

    def view(self, item_id: str) -> dict[str, Any]:
        """The item's public view (as ``--json`` has it), from what is held: no file access."""
        theirs = {user: anns[item_id] for user, anns in self.others.items() if item_id in anns}
        return item_view(
            self.item(item_id), self.annotations.get(item_id), theirs, self.summary(item_id)
        )

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
    ) -> None:
        if items is not None and items is not self.items:
            self.items = items
            self.library_order = list(items)
            self._position = None
            self._cached, self._cached_at = None, {}
            self._rows = {}
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
        if not filters:
            return list(ids)
        others = self.others
        checks = list(filters.items())
        return [
            row.id
            for row in self.rows(ids)
            if all(_row_in(row, g, chosen, others) for g, chosen in checks)
        ]

    def sort(self, ids: list[str], sort: str) -> list[str]:
        if sort == "relevance":
            return ids
        if sort == "library":
            position = self._positions()
            return sorted(ids, key=lambda i: position.get(i, len(position)))
        rows = self.rows(ids)
        if sort == "date":
            # Newest first; undated items last, in their previous order.
            dated = [r for r in rows if r.sort_date]
            undated = [r.id for r in rows if not r.sort_date]
            dated.sort(key=lambda r: r.sort_date, reverse=True)
            return [r.id for r in dated] + undated
        if sort == "title":
            rows.sort(key=lambda r: r.title.casefold())
            return [r.id for r in rows]
        if sort == "changed":
            changed = [r for r in rows if r.changed]
            rest = [r.id for r in rows if not r.changed]
            changed.sort(key=lambda r: r.changed, reverse=True)
            return [r.id for r in changed] + rest
        raise ValueError(f"unknown sort {sort!r}")

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
            filtered = self.filter(base, filters)
        counts = self._count(filtered, FACET_GROUPS)
        for group in filters:
            rest = {g: v for g, v in filters.items() if g != group}
            counts[group] = self._count(self.filter(base, rest), (group,))[group]
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
            facets += [Facet(group, v, found.get(v, 0), v in chosen) for v in values]
        return facets

    def _count(self, ids: Sequence[str], groups: Sequence[str]) -> dict[str, Counter[str]]:
        counts: dict[str, Counter[str]] = {g: Counter() for g in FACET_GROUPS}
        wanted = set(groups)
        if wanted & {"status", "tag", "source", "category", "year"}:
            # map/chain keep the per-row work in C: this runs at 100k rows.
            rows = self.rows(ids)
            counts["status"] = Counter(map(_STATUS, rows))
            counts["tag"] = Counter(chain.from_iterable(map(_TAGS, rows)))
            counts["source"] = Counter(chain.from_iterable(map(_SOURCES, rows)))
            counts["category"] = Counter(map(_CATEGORY, rows))
            counts["category"].pop("", None)
            counts["year"] = Counter(map(_YEAR, rows))
        if self.others and wanted & {"read by", "tagged by"}:
            among = set(ids)
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


def _row_in(
    row: Row,
    group: str,
    chosen: frozenset[str],
    others: Mapping[str, Mapping[str, Annotation]],
) -> bool:
    if group == "status":
        return row.status in chosen
    if group == "tag":
        return any(t in chosen for t in row.tags)
    if group == "source":
        return any(s in chosen for s in row.sources)
    if group == "category":
        return row.category in chosen
    if group == "year":
        return row.year in chosen
    if group == "read by":
        return any(
            (ann := others.get(user, {}).get(row.id)) is not None and ann.status == "read"
            for user in chosen
        )
    if group == "tagged by":
        return any(
            (ann := others.get(user, {}).get(row.id)) is not None and bool(ann.tags)
            for user in chosen
        )
    return True


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
    by_status = {s: 0 for s in STATUS_ORDER}
    tags: Counter[str] = Counter()
    sources: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    years: Counter[str] = Counter()
    this_week = _week_start(today)
    starts = [this_week - dt.timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    per_week = [0] * weeks
    for item_id in model.library_order:
        row = model.row(item_id)
        by_status[row.status] = by_status.get(row.status, 0) + 1
        tags.update(row.tags)
        sources.update(row.sources)
        if row.category:
            categories[row.category] += 1
        years[row.year] += 1
        if row.status == "read" and row.ann is not None and row.ann.read_at:
            try:
                day = dt.date.fromisoformat(row.ann.read_at[:10])
            except ValueError:
                continue
            index = weeks - 1 - (this_week - _week_start(day)).days // 7
            if 0 <= index < weeks:
                per_week[index] += 1

    def ranked(counter: Counter[str]) -> list[tuple[str, int]]:
        return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))

    return Stats(
        total=len(model.library_order),
        by_status=by_status,
        read_per_week=per_week,
        week_starts=starts,
        tags=ranked(tags),
        sources=ranked(sources),
        categories=ranked(categories),
        years=sorted(years.items(), key=lambda kv: kv[0]),
    )
