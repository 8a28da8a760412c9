"""Starting on the rows cached by the last run, then loading the library behind them.

The first frame is drawn from the row cache; the library loads after it. If
the library is the one the cache described, what the list worked out from
the cached rows holds and is not worked out again (at 100k items that recount
competed with the index opening for the GIL). If another process changed the
library meanwhile, the list is worked out again from the items.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from core.listing import LibraryModel
from core.session import Session
from tests.test_tui_keys import main
from tests.tui_helpers import open_test_shelf, settle
from tui.app import ShelfApp


def start(folder: Path, script) -> None:
    """One run of the app as ``shelf`` starts it: the row cache read first."""

    async def go() -> None:
        app = ShelfApp(Session.open(folder, "alice", with_cached_rows=True))
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert app.texts_loaded and app.index_ready
            await script(pilot, app)

    asyncio.run(go())


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    open_test_shelf(folder, "alice")

    async def nothing(pilot, app) -> None:
        pass

    start(folder, nothing)  # the first run writes the row cache
    assert Session.open(folder, "alice", with_cached_rows=True).cached_rows
    return folder


def counting_sorts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    sorted_by: list[str] = []
    sort = LibraryModel.sort

    def counted(self, ids, by):
        sorted_by.append(by)
        return sort(self, ids, by)

    monkeypatch.setattr(LibraryModel, "sort", counted)
    return sorted_by


def test_a_library_the_cache_described_is_not_sorted_again(folder, monkeypatch) -> None:
    sorted_by = counting_sorts(monkeypatch)

    async def script(pilot, app) -> None:
        screen = main(app)
        assert screen.items.order == app.model.library_order
        assert sorted_by == []  # the cached order stood
        await pilot.press("slash", *"scaling", "enter")
        await settle(pilot)
        assert len(screen.items.order) == 1  # the index opened all the same
        assert sorted_by  # a query is sorted as ever

    start(folder, script)


def test_a_library_changed_since_the_cache_was_written_is_listed_again(folder, monkeypatch) -> None:
    from storage.shelf import Shelf
    from tests.storage_helpers import add_items
    from tests.tui_helpers import sample_items

    sorted_by = counting_sorts(monkeypatch)
    extra = replace(sample_items()[0], id="zz-added", title="Added By Another Process")

    async def script(pilot, app) -> None:
        screen = main(app)
        assert "zz-added" in screen.items.order
        assert sorted_by  # worked out again from the items

    session = Session.open(folder, "alice", with_cached_rows=True)
    assert session.cached_rows and "zz-added" not in session.cached_rows[0]
    # Another process imports between the first frame's rows and the load.
    add_items(Shelf(folder, "alice", import_bundled=False), [extra])

    async def go() -> None:
        app = ShelfApp(session)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await script(pilot, app)

    asyncio.run(go())


def test_an_item_changed_since_the_cache_was_written_is_drawn_as_it_is_now(folder) -> None:
    from storage.shelf import Shelf
    from tests.storage_helpers import add_items
    from tests.tui_helpers import sample_items

    first = sample_items()[0]
    session = Session.open(folder, "alice", with_cached_rows=True)
    # Same ids in the same order; another process changed what one of them says.
    shelf = Shelf(folder, "alice", import_bundled=False)
    add_items(shelf, [replace(first, title="Retitled By Another Process")])
    assert session.cached_rows and list(shelf.items()) == session.cached_rows[0]

    async def go() -> None:
        app = ShelfApp(session)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert app.model.view(first.id)["title"] == "Retitled By Another Process"
            screen = main(app)
            row = screen.items.order.index(first.id)
            shown = "".join(s.text for s in screen.items.render_line(row))
            assert "Retitled By Another Process" in shown

    asyncio.run(go())
