"""The app under stress: tiny terminals, failing handlers, other processes, signals."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

import pytest
from textual import events

from core.session import Session
from storage.atomic import StorageError
from storage.shelf import Shelf
from tests.tui_helpers import open_test_shelf, settle
from tui.app import ShelfApp
from tui.screens.main import MainScreen
from tui.widgets.detail import DetailPane


def reopen(folder: Path, user: str = "alice") -> Shelf:
    return Shelf(folder, user, import_bundled=False)


def run(app: ShelfApp, script, size=(120, 40)):
    async def go():
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            result = await script(pilot, app)
            if app.is_running:
                await settle(pilot)
        return result

    return asyncio.run(go())


def main(app: ShelfApp) -> MainScreen:
    return next(s for s in app.screen_stack if isinstance(s, MainScreen))


def messages(app: ShelfApp) -> list[str]:
    return [n.message for n in app._notifications]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "data"


def test_tiny_terminal_and_resizes_do_not_crash(folder: Path) -> None:
    app = ShelfApp(Session(open_test_shelf(folder)))

    async def script(pilot, app):
        for size in [(20, 5), (10, 3), (200, 60), (40, 10), (80, 24), (1, 1), (20, 5)]:
            await pilot.resize_terminal(*size)
            await settle(pilot)
            await pilot.press("j", "G", "g")
        await pilot.press("r")
        await settle(pilot)
        assert app.is_running
        return main(app).items.order[0]

    first = run(app, script, size=(20, 5))
    assert reopen(folder).annotation(first).status == "read"


def test_every_dialog_opens_in_a_tiny_terminal(folder: Path) -> None:
    app = ShelfApp(Session(open_test_shelf(folder)))

    async def script(pilot, app):
        for keys in (["t"], ["T"], ["n"], ["e"], ["x"], ["s"], ["?"], ["S"], ["enter"]):
            await pilot.press(*keys)
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
            if not isinstance(app.screen, MainScreen):  # the note editor asks first
                await pilot.press("y")
                await settle(pilot)
            assert isinstance(app.screen, MainScreen), keys

    run(app, script, size=(20, 5))


def test_a_failing_save_is_reported_and_the_app_keeps_running(folder: Path) -> None:
    shelf = open_test_shelf(folder)
    app = ShelfApp(Session(shelf))

    def broken(*args, **kwargs):
        raise StorageError("cannot save annotations: the disk is full")

    async def script(pilot, app):
        shelf.set_status = broken
        await pilot.press("r")
        await settle(pilot)
        assert app.is_running
        assert any("the disk is full" in m for m in messages(app))
        first = main(app).items.order[0]
        assert app.model.row(first).status == "unread"  # not claimed as saved
        del shelf.set_status
        await pilot.press("R")
        await settle(pilot)
        return first

    first = run(app, script)
    assert reopen(folder).annotation(first).status == "reading"


def test_a_bug_in_a_handler_shows_an_error_and_data_stays_intact(folder: Path) -> None:
    shelf = open_test_shelf(folder)
    shelf.add_tags(["a1"], ["kept"])
    app = ShelfApp(Session(shelf))

    async def script(pilot, app):
        screen = main(app)
        screen.check_item_action = lambda action: True

        def boom(*args):
            raise ZeroDivisionError("division by zero")

        app.model.all_tags = boom
        await pilot.press("t")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, MainScreen)
        assert any("ZeroDivisionError" in m for m in messages(app))
        await pilot.press("r")
        await settle(pilot)

    run(app, script)
    saved = reopen(folder)
    assert saved.annotation("a1").tags == ["kept"]
    assert saved.annotation("a1").status == "read"


async def _search_with_failing(pilot, app, step: str, message: str) -> MainScreen:
    """Type a query with the model's ``step`` raising ``message``; the screen after."""

    def boom(*args, **kwargs):
        raise RuntimeError(message)

    setattr(app.model, step, boom)
    await pilot.press("slash", *"scaling")
    await settle(pilot)
    assert app.is_running
    screen = main(app)
    assert screen.query_error is not None and message in screen.query_error
    return screen


def test_a_failing_worker_shows_an_error_and_the_list_stays(folder: Path) -> None:
    app = ShelfApp(Session(open_test_shelf(folder)))

    async def script(pilot, app):
        screen = await _search_with_failing(pilot, app, "filter", "filtering exploded")
        assert len(screen.items.order) == 8  # the previous list stays
        assert "previous results" in str(screen.query_one("#query-error").render())

    run(app, script)


def test_failing_facet_counts_leave_the_new_list_and_say_so(folder: Path) -> None:
    """The list is shown before the counts; counts that fail do not take it back."""
    app = ShelfApp(Session(open_test_shelf(folder)))

    async def script(pilot, app):
        screen = await _search_with_failing(pilot, app, "facets", "facets exploded")
        assert "filter counts" in str(screen.query_one("#query-error").render())
        shown = [app.model.items[i].title for i in screen.items.order]
        assert shown and all("scaling" in t.lower() for t in shown)

    run(app, script)


def test_changes_by_another_process_show_up(folder: Path) -> None:
    app = ShelfApp(Session(open_test_shelf(folder)), poll_seconds=0.05)

    async def script(pilot, app):
        other = reopen(folder)
        other.set_status(["b2"], "read")
        other.add_tags(["b2"], ["from-cli"])
        deadline = time.monotonic() + 5
        while app.model.row("b2").status != "read" and time.monotonic() < deadline:
            await pilot.pause(0.05)
        await settle(pilot)
        assert app.model.row("b2").tags == ("from-cli",)
        screen = main(app)
        row = screen.items.order.index("b2")
        assert "#from-cli" in screen.items.render_line(row).text
        # and the search index knows the new tag
        await pilot.press("slash", *"from-cli")
        await settle(pilot)
        assert screen.items.order == ["b2"]

    run(app, script)


def test_reading_group_annotations_are_shown_and_filterable(folder: Path) -> None:
    open_test_shelf(folder)
    bob = open_test_shelf(folder, user="bob")
    bob.set_status(["b2"], "read")
    bob.add_tags(["e5"], ["scaling"])
    bob.add_note("b2", "Clip ratio matters.")
    app = ShelfApp(Session(open_test_shelf(folder)))

    async def script(pilot, app):
        screen = main(app)
        facets = screen.query_one("#facets")
        assert facets.get_option_index("tagged by\x1fbob") >= 0
        facets.highlighted = facets.get_option_index("read by\x1fbob")
        facets.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert screen.items.order == ["b2"]
        text = screen.query_one(DetailPane).drawn_text
        assert "bob" in text and "Clip ratio matters." in text

    run(app, script)


def test_warnings_from_storage_are_shown_at_start(folder: Path) -> None:
    shelf = open_test_shelf(folder)
    shelf.add_tags(["a1"], ["x"])
    shelf.flush()
    shelf.annotations.path.write_text("{ not json")
    app = ShelfApp(Session(reopen(folder)))

    async def script(pilot, app):
        assert any("unreadable" in m for m in messages(app))
        assert app.is_running

    run(app, script)


def test_quit_waits_for_a_slow_save(folder: Path) -> None:
    shelf = open_test_shelf(folder)
    app = ShelfApp(Session(shelf))
    real = shelf.set_status

    def slow(ids, status):
        time.sleep(0.4)
        return real(ids, status)

    async def script(pilot, app):
        shelf.set_status = slow
        first = main(app).items.order[0]
        await pilot.press("r", "q")
        deadline = time.monotonic() + 5
        while app.is_running and time.monotonic() < deadline:
            await pilot.pause(0.05)
        assert not app.is_running
        return first

    first = run(app, script)
    assert reopen(folder).annotation(first).status == "read"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_quit_cleanly(folder: Path, signum: int) -> None:
    deadline_passed: list[int] = []
    app = ShelfApp(Session(open_test_shelf(folder)), hard_exit=deadline_passed.append)

    async def script(pilot, app):
        if signum not in app.signals.installed:
            pytest.skip("signal handlers need the main thread and a Unix event loop")
        first = main(app).items.order[0]
        await pilot.press("r")
        os.kill(os.getpid(), signum)
        deadline = time.monotonic() + 5
        while app.is_running and time.monotonic() < deadline:
            await pilot.pause(0.05)
        assert not app.is_running
        return first

    first = run(app, script)
    assert app.return_code == 0
    assert reopen(folder).annotation(first).status == "read"


def test_no_color_keeps_every_mark_as_a_glyph(folder: Path, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    shelf = open_test_shelf(folder)
    shelf.set_status(["a1"], "read")
    shelf.set_status(["b2"], "reading")
    app = ShelfApp(Session(shelf))

    async def script(pilot, app):
        screen = main(app)
        await pilot.press("j", "space")
        lines = [screen.items.render_line(i).text for i in range(4)]
        assert lines[0].startswith("  ✓ ")
        assert lines[1].startswith(" *◐ ")  # selected, and the cursor moved on
        assert lines[2].startswith("› · ~Reward")  # cursor; derived title marked
        return None

    run(app, script)


def test_a_failed_index_build_leaves_everything_but_search_working(folder, monkeypatch) -> None:
    import storage.search

    def broken(*args, **kwargs):
        raise MemoryError("no room for the index")

    monkeypatch.setattr(storage.search.SearchIndex, "build", broken)
    app = ShelfApp(Session(open_test_shelf(folder)))

    async def script(pilot, app):
        screen = main(app)
        assert not app.index_ready and "MemoryError" in (app.index_error or "")
        assert "search is unavailable" in str(screen.query_one("#query-error").render())
        await pilot.press("slash", *"policy")
        await settle(pilot)
        assert screen.query_error and "unavailable" in screen.query_error
        await pilot.press("escape", "escape", "r")
        await settle(pilot)
        return screen.items.order[0]

    first = run(app, script)
    assert reopen(folder).annotation(first).status == "read"


def test_keys_typed_during_a_search_wait_for_it_and_the_last_query_wins(folder: Path) -> None:
    """One search at a time, however fast the keys come; the list ends on what was typed."""
    app = ShelfApp(Session(open_test_shelf(folder)))
    running: list[str] = []
    most = [0]
    asked: list[str] = []

    async def script(pilot, app):
        service = app.session.search
        real = service.search

        def slow(query, previous=None):
            running.append(query)
            most[0] = max(most[0], len(running))
            asked.append(query)
            try:
                time.sleep(0.05)  # a search slower than the keys come
                return real(query, previous)
            finally:
                running.remove(query)

        service.search = slow
        await pilot.press("slash")
        for ch in "scaling":  # all at once, as a paste or a fast typist sends them
            app.post_message(events.Key(ch, ch))
        await settle(pilot)
        screen = main(app)
        assert screen.state.query == "scaling"
        assert not screen.results_pending() and not screen.counts_pending()
        shown = [app.model.items[i].title for i in screen.items.order]
        assert shown and all("scaling" in t.lower() for t in shown)
        assert most[0] == 1
        assert asked[-1] == "scaling" and len(asked) <= 3

    run(app, script)
