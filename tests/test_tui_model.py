"""The Textual-free view model: rows, filters, sorting, facets, statistics, the row cache."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from core.listing import NO_YEAR, LibraryModel, ViewState, item_base
from storage.model import Annotation
from storage.row_cache import library_signature, read_row_cache, write_row_cache
from tests.tui_helpers import open_test_shelf, sample_items
from tui.widgets.item_list import column_widths


def model(**anns: Annotation) -> LibraryModel:
    items = {item.id: item for item in sample_items()}
    return LibraryModel(items, anns)


def test_rows_mark_derived_titles_and_renames() -> None:
    m = model(d4=Annotation("d4", title="My title"))
    assert m.row("c3").derived and m.row("c3").year == NO_YEAR
    assert m.row("d4").title == "My title" and not m.row("d4").derived
    assert m.row("a1").author == "Tom B. Brown et al."
    assert m.row("d4").author == "Aditya Ramesh"


def test_a_row_is_rebuilt_when_its_annotation_changes() -> None:
    m = model()
    before = m.row("a1")
    assert m.row("a1") is before
    m.set_annotations({"a1": Annotation("a1", status="read", status_at="x")})
    assert m.row("a1").status == "read"
    m.set_annotations({"a1": Annotation("a1")})  # empty again: dropped
    assert "a1" not in m.annotations and m.row("a1").status == "unread"


def test_filters_or_within_a_group_and_within_groups() -> None:
    m = model(
        a1=Annotation("a1", status="read", tags=["x"]),
        b2=Annotation("b2", status="reading", tags=["y"]),
    )
    read_or_reading = {"status": frozenset({"read", "reading"})}
    assert m.filter(m.library_order, read_or_reading) == ["a1", "b2"]
    assert m.filter(m.library_order, {**read_or_reading, "tag": frozenset({"y"})}) == ["b2"]
    assert m.filter(m.library_order, {"category": frozenset({"CL"})}) == ["a1", "g7"]
    assert m.filter(m.library_order, {"year": frozenset({NO_YEAR})}) == ["c3", "f6", "h8"]


def test_sorts() -> None:
    m = model(b2=Annotation("b2", status="read", updated="2026-01-02T00:00:00Z"))
    ids = list(m.library_order)
    by_date = m.sort(ids, "date")
    assert by_date[:3] == ["g7", "d4", "a1"] and set(by_date[-3:]) == {"c3", "f6", "h8"}
    titles = [m.row(i).title.casefold() for i in m.sort(ids, "title")]
    assert titles == sorted(titles)
    assert m.sort(ids, "changed")[0] == "b2"
    assert m.sort(ids, "relevance") == ids


def test_facets_are_disjunctive_per_group() -> None:
    m = model(a1=Annotation("a1", status="read"))
    filters = {"status": frozenset({"read"})}
    facets = {(f.group, f.value): f for f in m.facets(m.library_order, filters)}
    # Status counts ignore the status choice, so "unread" can be added to it.
    assert facets["status", "unread"].count == 7 and facets["status", "read"].chosen
    # Other groups count only the read items.
    assert facets["category", "CL"].count == 1
    assert ("category", "LG") not in facets


def _naive_counts(m: LibraryModel, ids: list[str]) -> dict[str, Counter[str]]:
    rows = [m.row(i) for i in ids]
    return {
        "status": +Counter(r.status for r in rows),
        "tag": Counter(t for i in ids for t in (m.annotations.get(i) or Annotation(i)).tags),
        "source": Counter(s for r in rows for s in r.sources),
        "category": Counter(r.category for r in rows if r.category),
        "year": Counter(r.year for r in rows),
    }


def test_facet_counts_agree_with_counting_rows_one_by_one() -> None:
    anns = {
        "a1": Annotation("a1", status="read", tags=["x", "y"]),
        "b2": Annotation("b2", status="reading", tags=["y"]),
        "zz": Annotation("zz", status="read", tags=["gone"]),  # a removed item's
    }
    m = model(**anns)
    groups = ("status", "tag", "source", "category", "year")
    for ids in (m.library_order, ["a1", "c3", "h8"], ["b2"], []):
        counts = m._count(ids, groups)
        assert {g: counts[g] for g in groups} == _naive_counts(m, list(ids))
    # Replaced annotations are counted afresh, not from the summary kept before.
    m.set_annotations({"c3": Annotation("c3", status="read", tags=["z"])})
    counts = m._count(m.library_order, groups)
    assert counts["status"]["read"] == 2 and counts["tag"]["z"] == 1
    assert {g: counts[g] for g in groups} == _naive_counts(m, m.library_order)


def test_view_state_toggles_values() -> None:
    state = ViewState()
    filters = state.toggled("tag", "x")
    assert filters == {"tag": frozenset({"x"})}
    assert ViewState(filters=filters).toggled("tag", "x") == {}


def test_stats_count_reading_per_week() -> None:
    today = dt.date(2026, 11, 20)  # a Friday
    m = model(
        a1=Annotation("a1", status="read", read_at="2026-11-17T10:00:00Z", tags=["x"]),
        b2=Annotation("b2", status="read", read_at="2026-11-09T10:00:00Z", tags=["x"]),
        e5=Annotation("e5", status="reading"),
    )
    stats = m.stats(today, weeks=4)
    assert stats.by_status == {"unread": 5, "reading": 1, "read": 2}
    assert stats.read_per_week == [0, 0, 1, 1]
    assert stats.week_starts[-1] == dt.date(2026, 11, 16)
    assert stats.tags == [("x", 2)]
    assert stats.categories[0] == ("CL", 2) or stats.categories[0] == ("LG", 2)


def test_row_cache_round_trip_and_invalidation(tmp_path: Path) -> None:
    shelf = open_test_shelf(tmp_path / "data")
    # Writing items leaves the rows for the next start.
    written = read_row_cache(shelf)
    assert written is not None and written[0] == list(shelf.items(with_text=False))
    items = shelf.items(with_text=False)
    bases = [item_base(i) for i in items.values()]
    write_row_cache(shelf, library_signature(shelf), list(items), bases)
    ids, rows = read_row_cache(shelf)
    assert ids == list(items) and list(rows) == bases
    cached = LibraryModel({}, {}, cached=(ids, rows))
    assert not cached.loaded
    assert cached.row("a1").title == "Language Models are Few-Shot Learners"
    assert cached.item("a1").authors_truncated
    # Another import changes library.json: the cache no longer applies.
    from tests.storage_helpers import add_items

    extra = sample_items()[0]
    extra.id = "zz"
    add_items(shelf, [extra])
    assert read_row_cache(shelf)[0][-1] == "zz"  # rewritten by the import
    # library.json changed by anything else: the cache no longer applies.
    library_file = shelf.dirs.library_file
    library_file.write_bytes(library_file.read_bytes())
    assert read_row_cache(shelf) is None


def test_columns_drop_authors_then_tags_then_dates() -> None:
    assert all(column_widths(200))
    date_w, author_w, tags_w = column_widths(60)
    assert date_w and not author_w and tags_w
    assert column_widths(30) == (0, 0, 0)


def test_the_search_index_is_saved_and_reused(tmp_path: Path, monkeypatch) -> None:
    from storage.search import SearchIndex
    from storage.search.saved import open_search_index
    from tests.storage_helpers import add_items

    shelf = open_test_shelf(tmp_path / "data")
    items = shelf.items()
    first = open_search_index(shelf, items.values(), {})
    assert [h.id for h in first.search("scaling").hits] == ["e5"]

    def no_build(*args, **kwargs):
        raise AssertionError("the saved index should have been loaded")

    monkeypatch.setattr(SearchIndex, "build", no_build)
    again = open_search_index(shelf, items.values(), {})
    assert [h.id for h in again.search("scaling").hits] == ["e5"]
    # A new item after the save is indexed on top of the saved ones.
    extra = sample_items()[1]
    extra.id, extra.title = "new1", "Scaling the new item"
    add_items(shelf, [extra])
    updated = open_search_index(shelf, shelf.items().values(), {})
    assert {h.id for h in updated.search("scaling").hits} == {"e5", "new1"}


def test_an_unusable_saved_index_is_rebuilt_once_and_saved_again(tmp_path: Path) -> None:
    from storage.search.saved import open_search_index
    from storage.search.saved_files import SEARCH_INDEX_FILE

    shelf = open_test_shelf(tmp_path / "data")
    items = shelf.items()
    open_search_index(shelf, items.values(), {})
    saved = shelf.dirs.cache_dir / SEARCH_INDEX_FILE
    saved.write_bytes(b"shelf-search\x00 from another version")
    rebuilt = open_search_index(shelf, items.values(), {})
    assert not rebuilt.from_file
    assert [h.id for h in rebuilt.search("scaling").hits] == ["e5"]
    loaded = open_search_index(shelf, items.values(), {})
    assert loaded.from_file
    assert [h.id for h in loaded.search("scaling").hits] == ["e5"]
