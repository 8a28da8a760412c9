"""The everyday comforts: messages that say what happened, the list's columns, sorting.

Driven with keys through Pilot, as in ``test_tui_keys``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_tui_keys import line, main, run
from tests.tui_helpers import settle


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "data"


def test_a_search_without_matches_says_no_item_matches(folder: Path) -> None:
    async def script(pilot, app):
        screen = main(app)
        await pilot.press("slash", *"zzzqqq")
        await settle(pilot)
        assert screen.items.order == []
        shown = line(app, 0)
        assert "No item matches “zzzqqq”" in shown
        assert "library is empty" not in shown

    run(folder, script)


def test_an_empty_library_says_so(folder: Path) -> None:
    from core.session import Session
    from tests.tui_helpers import open_test_shelf
    from tui.app import ShelfApp

    async def go():
        app = ShelfApp(Session(open_test_shelf(folder, items=[])))
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert "The library is empty" in line(app, 0)

    import asyncio

    asyncio.run(go())


def test_an_unknown_filter_is_a_plain_message_and_clears_the_stale_list(folder: Path) -> None:
    async def script(pilot, app):
        screen = main(app)
        await pilot.press("slash", *"scaling")
        await settle(pilot)
        assert len(screen.items.order) == 1
        await pilot.press(*" nosuch:x")
        await settle(pilot)
        shown = str(screen.query_one("#query-error").render())
        assert "unknown filter 'nosuch:'" in shown
        assert "QueryError" not in shown
        assert screen.items.order == []  # the results of "scaling" are not this query's
        assert "could not be read" in line(app, 0)
        await pilot.press("escape")
        await settle(pilot)
        assert len(screen.items.order) == 8

    run(folder, script)


def test_list_has_a_header_one_date_style_and_titles_use_empty_cells(folder: Path) -> None:
    async def script(pilot, app):
        screen = main(app)
        header = str(screen.query_one("#list-header").render())
        assert header.split() == ["title", "author", "date"]  # nobody has tags yet
        rows = [line(app, i) for i in range(8)]
        assert any("May 28, 2020" in r for r in rows)  # ISO dates in the written style
        assert not any("2020-05-28" in r for r in rows)
        # A row with no author and no date gives its title their cells.
        derived = next(r for r in rows if "Diffusion models" in r)
        assert "on image synthesis" in derived

    run(folder, script, size=(120, 40))


def test_library_order_sort(folder: Path) -> None:
    async def script(pilot, app):
        screen = main(app)
        library = list(app.model.library_order)
        await pilot.press("s", "t")
        await settle(pilot)
        assert screen.items.order != library
        assert "title ▾" in str(screen.query_one("#list-header").render())
        await pilot.press("s", "l")
        await settle(pilot)
        assert screen.state.sort == "library"
        assert screen.items.order == library
        await pilot.press("slash", *"language", "enter")
        await settle(pilot)
        hits = screen.items.order
        assert hits == [i for i in library if i in set(hits)]

    run(folder, script)
