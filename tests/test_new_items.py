"""What is new (``is:new``): arrival stamps, each user's seen file, the CLI and the sidebar.

Items that arrive (an import, ``shelf add``, a feed refresh) after a user's
watermark are new to that user until they open (the detail view, ``shelf
show``) or mark them; ``shelf seen`` catches up. Times are never compared to
the clock: only the order of stamps matters.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.session import Session
from storage.paths import DataDir
from storage.seen import MAX_SEEN_BYTES, SeenFile, SeenState, arrival_stamp
from tests.feed_fixtures.server import FeedServer, Route, feed_server
from tui.cli import main

pytestmark = pytest.mark.timeout(120)

BIB = """\
@misc{doe2026widgets, title={A Brand New Paper on Widgets}, author={Doe, Jane}, year={2026}}
@misc{roe2026gadgets, title={Another Fresh Result About Gadgets}, author={Roe, Rick}, year={2026}}
"""


def shelf(folder: Path, user: str, *args: str) -> int:
    return main(["--data-dir", str(folder), "--user", user, *args])


def listed(folder: Path, user: str, query: str, capsys) -> list[str]:
    capsys.readouterr()
    assert shelf(folder, user, "list", "--json", "--", query) == 0
    return [view["id"] for view in json.loads(capsys.readouterr().out)]


def seen_dirs(tmp_path: Path) -> DataDir:
    dirs = DataDir(tmp_path / "data")
    dirs.create()
    return dirs


# -- the seen file ---------------------------------------------------------------


def test_the_watermark_and_opened_items_are_read_back_from_disk(tmp_path: Path) -> None:
    dirs = seen_dirs(tmp_path)
    first = SeenFile(dirs, "alice").state()
    assert first.opened == frozenset()
    assert (dirs.root / "seen" / "alice.json").is_file()
    assert SeenFile(dirs, "alice").state() == first  # made once, then kept

    SeenFile(dirs, "alice").add_opened(["a1", "b2"])
    again = SeenFile(dirs, "alice").state()
    assert again.looked == first.looked and again.opened == {"a1", "b2"}

    later = "9999-01-01T00:00:00.000000Z"
    SeenFile(dirs, "alice").catch_up(later)
    caught = SeenFile(dirs, "alice").state()
    assert caught == SeenState(later)
    assert not caught.is_new("9998-12-31T23:59:59.999999Z") and caught.is_new(later + "1")
    assert SeenFile(dirs, "bob").state().opened == frozenset()  # each user has their own


def test_a_file_that_is_not_json_is_set_aside_with_one_warning(tmp_path: Path) -> None:
    dirs = seen_dirs(tmp_path)
    path = dirs.root / "seen" / "alice.json"
    path.parent.mkdir()
    path.write_bytes(b'{"format": {"name": "shelf-seen", "vers')
    annotations = dirs.annotation_file("alice")
    annotations.write_text("{}")
    warnings: list[str] = []
    state = SeenFile(dirs, "alice", warn=warnings.append).state()
    assert state.opened == frozenset()
    assert len(warnings) == 1 and "\n" not in warnings[0] and "kept it as" in warnings[0]
    kept = [p for p in path.parent.iterdir() if ".corrupt-" in p.name]
    assert len(kept) == 1 and kept[0].read_bytes().startswith(b'{"format"')
    assert json.loads(path.read_text())["looked"] == state.looked  # a good one in its place
    assert annotations.read_text() == "{}"  # nothing else of the user's touched


@pytest.mark.parametrize(
    "content",
    [
        b"[1, 2]",
        b'{"format": {"name": "shelf-seen", "version": 1}, "looked": "yesterday"}',
        b'{"format": {"name": "shelf-seen", "version": 1}, '
        b'"looked": "2026-01-01T00:00:00.000000Z", "opened": ["../x", 3]}',
        b'{"format": {"name": "shelf-seen", "version": 99}, '
        b'"looked": "2026-01-01T00:00:00.000000Z"}',
    ],
)
def test_a_file_of_the_wrong_shape_is_set_aside(tmp_path: Path, content: bytes) -> None:
    dirs = seen_dirs(tmp_path)
    path = dirs.root / "seen" / "alice.json"
    path.parent.mkdir()
    path.write_bytes(content)
    warnings: list[str] = []
    SeenFile(dirs, "alice", warn=warnings.append).state()
    assert len(warnings) == 1
    assert [p.read_bytes() for p in path.parent.glob("alice.json.corrupt-*")] == [content]


def test_a_huge_file_is_refused_unread(tmp_path: Path) -> None:
    dirs = seen_dirs(tmp_path)
    path = dirs.root / "seen" / "alice.json"
    path.parent.mkdir()
    with open(path, "wb") as f:
        f.truncate(MAX_SEEN_BYTES + 1)
    warnings: list[str] = []
    state = SeenFile(dirs, "alice", warn=warnings.append).state()
    assert state.opened == frozenset()
    assert len(warnings) == 1 and "over" in warnings[0]
    assert path.stat().st_size < 1000


def test_a_link_in_place_of_the_file_is_neither_followed_nor_written_through(
    tmp_path: Path,
) -> None:
    dirs = seen_dirs(tmp_path)
    elsewhere = tmp_path / "elsewhere.json"
    content = json.dumps(
        {
            "format": {"name": "shelf-seen", "version": 1},
            "looked": "2000-01-01T00:00:00.000000Z",
            "opened": ["x1"],
        }
    )
    elsewhere.write_text(content)
    link = dirs.root / "seen" / "alice.json"
    link.parent.mkdir()
    link.symlink_to(elsewhere)
    warnings: list[str] = []
    seen = SeenFile(dirs, "alice", warn=warnings.append)
    state = seen.state()
    assert "x1" not in state.opened and state.looked != "2000-01-01T00:00:00.000000Z"
    seen.add_opened(["y2"])
    seen.catch_up()
    assert len(warnings) == 1 and "symbolic link" in warnings[0]
    assert link.is_symlink() and elsewhere.read_text() == content


# -- arrivals in the library ---------------------------------------------------------


def test_imports_stamp_what_they_add_and_a_merge_keeps_the_stamp(bundled_data: Path) -> None:
    session = Session.open(bundled_data, "alice")
    assert session.shelf.library.arrivals() == {}  # the corpus as shipped: nothing arrived
    bib = bundled_data.parent / "new.bib"
    bib.write_text(BIB)
    added = session.import_paths([bib]).added
    arrivals = session.shelf.library.arrivals()
    assert sorted(arrivals) == sorted(added) and len(added) == 2
    assert all(stamp > session.newness.state().looked for stamp in arrivals.values())

    again = Session.open(bundled_data, "alice")
    assert again.shelf.library.arrivals() == arrivals  # from .cache, as written by the import
    bib.write_text(BIB.replace("year={2026}}", "year={2026}, note={more}}"))
    report = again.import_paths([bib])
    assert not report.added
    assert Session.open(bundled_data, "alice").shelf.library.arrivals() == arrivals
    (bundled_data / ".cache" / "arrivals.json").unlink()
    assert Session.open(bundled_data, "alice").shelf.library.arrivals() == arrivals  # rebuilt


# -- through the command line ----------------------------------------------------------


def test_shelf_list_is_new_shows_what_arrived_until_opened_or_marked(
    bundled_data: Path, capsys
) -> None:
    assert shelf(bundled_data, "bob", "list") == 0  # bob has used this shelf before
    everything = listed(bundled_data, "alice", "", capsys)
    assert listed(bundled_data, "alice", "is:new", capsys) == []  # the corpus is not new
    bib = bundled_data.parent / "new.bib"
    bib.write_text(BIB)
    assert shelf(bundled_data, "alice", "import", str(bib)) == 0
    capsys.readouterr()
    new = listed(bundled_data, "alice", "is:new", capsys)
    assert len(new) == 2 and not set(new) & set(everything)
    assert set(listed(bundled_data, "alice", "-is:new", capsys)) == set(everything)
    (widgets,) = listed(bundled_data, "alice", "is:new widgets", capsys)
    assert widgets in new

    first, second = new
    assert shelf(bundled_data, "alice", "tag", everything[0], "keep") == 0
    annotations = bundled_data / "annotations" / "alice.json"
    before = annotations.stat()
    assert shelf(bundled_data, "alice", "show", first) == 0
    after = annotations.stat()  # opening writes the small seen file, not the annotations
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert listed(bundled_data, "alice", "is:new", capsys) == [second]
    assert shelf(bundled_data, "alice", "read", second) == 0
    assert listed(bundled_data, "alice", "is:new", capsys) == []
    assert shelf(bundled_data, "alice", "unread", second) == 0  # marked once is enough
    assert listed(bundled_data, "alice", "is:new", capsys) == []
    assert shelf(bundled_data, "alice", "import", str(bib)) == 0  # merged again: not new again
    assert listed(bundled_data, "alice", "is:new", capsys) == []

    assert sorted(listed(bundled_data, "bob", "is:new", capsys)) == sorted(new)
    capsys.readouterr()
    assert shelf(bundled_data, "bob", "seen", first) == 0
    assert capsys.readouterr().out.strip() == "1 new item marked as seen"
    assert listed(bundled_data, "bob", "is:new", capsys) == [second]
    assert shelf(bundled_data, "bob", "seen", "--all", "--json") == 0
    assert json.loads(capsys.readouterr().out) == {"seen": [second]}
    assert listed(bundled_data, "bob", "is:new", capsys) == []
    assert shelf(bundled_data, "bob", "seen") == 1  # ids or --all


def _views(folder: Path, user: str, capsys, *args: str) -> list[dict]:
    capsys.readouterr()
    assert shelf(folder, user, *args, "--json") == 0
    out = json.loads(capsys.readouterr().out)
    return out if isinstance(out, list) else [out]


def test_json_views_say_what_is_new_to_the_user_running_the_command(
    bundled_data: Path, capsys
) -> None:
    assert shelf(bundled_data, "bob", "list") == 0  # bob has used this shelf before
    corpus = _views(bundled_data, "alice", capsys, "list")
    assert corpus and all(v["new"] is False and v["arrived"] is None for v in corpus)
    bib = bundled_data.parent / "new.bib"
    bib.write_text(BIB)
    assert shelf(bundled_data, "alice", "import", str(bib)) == 0
    views = {v["id"]: v for v in _views(bundled_data, "alice", capsys, "list")}
    added = [i for i, v in views.items() if v["arrived"] is not None]
    assert len(added) == 2 and all(views[i]["new"] is True for i in added)
    assert sum(v["new"] for v in views.values()) == 2
    stamp = views[added[0]]["arrived"]
    assert stamp == arrival_stamp(dt.datetime.fromisoformat(stamp))  # the stamp as kept

    first, second = added
    (shown,) = _views(bundled_data, "alice", capsys, "show", first)
    assert shown["new"] is True and shown["arrived"] == views[first]["arrived"]  # new as shown
    (shown,) = _views(bundled_data, "alice", capsys, "show", first)
    assert shown["new"] is False and shown["arrived"] == views[first]["arrived"]
    after = {v["id"]: v for v in _views(bundled_data, "alice", capsys, "list", "is:new")}
    assert list(after) == [second] and after[second]["new"] is True
    for user, expected in (("alice", {first: False, second: True}), ("bob", {first: True})):
        views = {v["id"]: v for v in _views(bundled_data, user, capsys, "list", "widgets gadgets")}
        assert {i: views[i]["new"] for i in expected} == expected  # per user

    # The plain line marks new items with "+" after the status glyph, nothing else changes.
    capsys.readouterr()
    assert shelf(bundled_data, "alice", "list", "is:new") == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert line.split("  ")[:2] == [second, "·+"]
    assert shelf(bundled_data, "alice", "read", second) == 0
    capsys.readouterr()
    assert shelf(bundled_data, "alice", "list", "--", "-is:new") == 0
    lines = capsys.readouterr().out.splitlines()
    assert all(line.split("  ")[1] in ("·", "◐", "✓") for line in lines)


def test_newness_in_commands_does_not_decode_the_library(
    bundled_data: Path, no_decoding: dict[str, int], capsys
):
    bib = bundled_data.parent / "new.bib"
    bib.write_text(BIB)
    assert shelf(bundled_data, "alice", "import", str(bib)) == 0
    assert shelf(bundled_data, "alice", "list", "widgets") == 0  # the saved index, made once
    new = listed(bundled_data, "alice", "is:new", capsys)
    calls = no_decoding
    calls.update(load_meta=0, decode_item=0)
    assert listed(bundled_data, "alice", "is:new", capsys) == new
    assert calls["load_meta"] == 0  # only the listed items' views were decoded
    calls["decode_item"] = 0
    assert shelf(bundled_data, "alice", "read", new[0]) == 0
    assert shelf(bundled_data, "alice", "seen", new[1]) == 0
    assert calls == {"load_meta": 0, "decode_item": 0}  # their stamps read from the item store
    assert listed(bundled_data, "alice", "is:new", capsys) == []


def test_a_saved_search_can_hold_is_new(bundled_data: Path, capsys) -> None:
    bib = bundled_data.parent / "new.bib"
    bib.write_text(BIB)
    assert shelf(bundled_data, "alice", "import", str(bib)) == 0
    assert shelf(bundled_data, "alice", "saved", "add", "fresh", "is:new") == 0
    capsys.readouterr()
    assert shelf(bundled_data, "alice", "saved", "list", "--json") == 0
    assert json.loads(capsys.readouterr().out)[0]["count"] == 2
    assert len(listed(bundled_data, "alice", "@fresh", capsys)) == 2


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with feed_server() as running:
        yield running


FEED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title>'
    b"<item><title>A Post About Sparse Mixtures</title><link>https://example.org/moe</link>"
    b"<pubDate>Tue, 01 Dec 2026 10:00:00 GMT</pubDate>"
    b"<description>Routing tokens to experts.</description></item></channel></rss>"
)


def test_what_a_feed_refresh_adds_is_new(bundled_data: Path, server, capsys) -> None:
    server.routes["/blog"] = Route(FEED)
    assert shelf(bundled_data, "alice", "feed", "add", server.url("/blog"), "--name", "blog") == 0
    capsys.readouterr()
    assert shelf(bundled_data, "alice", "refresh", "--json") == 0
    added = json.loads(capsys.readouterr().out)["added"]
    assert len(added) == 1
    assert listed(bundled_data, "alice", "is:new", capsys) == added
    assert listed(bundled_data, "alice", "is:new src:blog", capsys) == added


# -- in the app ------------------------------------------------------------------------


def test_items_a_feed_brings_into_the_app_are_counted_new(tmp_path: Path, server) -> None:
    import asyncio

    from core import feeds
    from tests.tui_helpers import open_test_shelf, settle
    from tui.app import ShelfApp

    folder = tmp_path / "data"
    session = Session(open_test_shelf(folder))
    server.routes["/blog"] = Route(FEED)
    feeds.add_feed(session, server.url("/blog"), "blog")
    app = ShelfApp(session)

    async def go() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert app.model.new_ids == frozenset()
            await pilot.press("U")
            await settle(pilot)
            for _ in range(100):  # the poll that follows the refresh brings the items in
                if app.model.new_ids:
                    break
                await pilot.pause(0.05)
            await settle(pilot)
            (new,) = app.model.new_ids
            (source,) = app.model.item(new).sources
            assert _source_new(app, source) == 1

    asyncio.run(go())


async def _open_and_leave_first_hit(pilot, app, query: str) -> None:
    """Search, open the first hit's detail view by keys, and come back."""
    from tests.tui_helpers import settle
    from tui.screens.detail import DetailScreen

    await pilot.press("slash", *query, "enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, DetailScreen)
    await pilot.press("escape")
    await settle(pilot)


def _source_new(app, source: str) -> int:
    from tui.widgets.facets import FacetList

    facets = app.screen.query_one(FacetList)._facets
    return next(f.new for f in facets if f.group == "source" and f.value == source)


def _saved_new(app, name: str) -> int:
    from tui.widgets.facets import FacetList

    facets = app.screen.query_one(FacetList)._facets
    return next(f.new for f in facets if f.group == "saved" and f.value == name)


def test_the_sidebar_counts_new_items_and_opening_one_clears_it(tmp_path: Path) -> None:
    import asyncio

    from tests.tui_helpers import open_test_shelf, settle
    from tui.app import ShelfApp
    from tui.commands_palette import screen_commands

    folder = tmp_path / "data"
    session = Session(open_test_shelf(folder))
    bib = tmp_path / "new.bib"
    bib.write_text(BIB)
    added = session.import_paths([bib]).added
    session.save_search("widgets", "widgets")

    async def first_run() -> None:
        app = ShelfApp(Session(open_test_shelf(folder)))
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert app.model.new_ids == set(added)
            assert _source_new(app, "new.bib") == 2
            assert _source_new(app, "papers.txt") == 0
            assert _saved_new(app, "widgets") == 1
            await _open_and_leave_first_hit(pilot, app, "widgets")
            assert len(app.model.new_ids) == 1
            assert _source_new(app, "new.bib") == 0  # (counted over the hits for "widgets")
            assert _saved_new(app, "widgets") == 0

    async def second_run() -> int:
        app = ShelfApp(Session(open_test_shelf(folder)))
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            count = _source_new(app, "new.bib")
            commands = [b.description for _, b in screen_commands(app.screen)]
            assert "mark all as seen" in commands  # in the command palette too
            await pilot.press("W")  # mark all as seen
            await settle(pilot)
            assert app.model.new_ids == frozenset()
            assert _source_new(app, "new.bib") == 0
            return count

    asyncio.run(first_run())
    assert asyncio.run(second_run()) == 1
    assert Session(open_test_shelf(folder)).new_ids() == frozenset()


def _row_of(app, item_id: str):
    """The list's line for ``item_id`` (on screen), drawn now, as a Strip."""
    from tui.widgets.item_list import ItemList

    items = app.screen.query_one(ItemList)
    return items.render_line(items.order.index(item_id) - round(items.scroll_y))


def _on_screen(app, text: str) -> str:
    """The screen's line showing ``text``, as the terminal has it (not drawn afresh)."""
    from tui.widgets.item_list import ItemList

    region = app.screen.query_one(ItemList).region  # the list's part of the screen
    strips = app.screen._compositor.render_strips()[region.y : region.bottom]
    lines = [strip.text[region.x : region.right] for strip in strips]
    (line,) = [line for line in lines if text in line]
    return line


def _contrast(a, b) -> float:
    def luminance(colour) -> float:
        def channel(c: int) -> float:
            c = c / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = colour
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("theme", ["catppuccin-latte", "textual-dark"])
def test_the_list_marks_new_rows_until_the_item_is_opened(tmp_path: Path, theme: str) -> None:
    import asyncio

    from tests.tui_helpers import open_test_shelf, settle
    from tui.app import ShelfApp
    from tui.widgets.item_list import NEW_MARK

    folder = tmp_path / "data"
    session = Session(open_test_shelf(folder))
    bib = tmp_path / "new.bib"
    bib.write_text(BIB)
    added = session.import_paths([bib]).added
    widgets, gadgets = sorted(added, key=lambda i: "Widgets" not in (session.title(i) or ""))

    async def run() -> None:
        app = ShelfApp(Session(open_test_shelf(folder)))
        async with app.run_test(size=(120, 40)) as pilot:
            app.theme = theme
            await settle(pilot)
            assert NEW_MARK + "A Brand New Paper on Widgets" in _on_screen(app, "on Widgets")
            assert NEW_MARK + "Another Fresh Result" in _on_screen(app, "About Gadgets")
            old = next(i for i in app.model.library_order if i not in (widgets, gadgets))
            assert NEW_MARK not in _row_of(app, old).text  # the shipped corpus is never new
            # The mark has a colour of its own, readable on the list's background.
            mark = next(seg for seg in _row_of(app, widgets) if seg.text == NEW_MARK)
            background = _row_of(app, widgets)._segments[-1].style.bgcolor
            assert mark.style.color is not None and mark.style.bold
            assert _contrast(mark.style.color.get_truecolor(), background.get_truecolor()) >= 3

            await _open_and_leave_first_hit(pilot, app, "widgets")
            assert app.model.new_ids == {gadgets}
            assert NEW_MARK not in _on_screen(app, "on Widgets")  # opened: not new any more
            await pilot.press("escape")  # the whole list again
            await settle(pilot)
            assert NEW_MARK not in _on_screen(app, "on Widgets")
            assert NEW_MARK + "Another Fresh Result" in _on_screen(app, "About Gadgets")
            await pilot.press("W")  # catch up: the same list, no row marked
            await settle(pilot)
            assert app.model.new_ids == frozenset()
            assert NEW_MARK not in _on_screen(app, "About Gadgets")

    asyncio.run(run())


def test_arrival_stamps_sort_as_times() -> None:
    import datetime as dt

    early = arrival_stamp(dt.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC))
    assert early == "2026-01-02T03:04:05.000006Z"
    later = arrival_stamp(dt.datetime(2026, 1, 2, 3, 4, 5, 7, tzinfo=dt.UTC))
    assert early < later
