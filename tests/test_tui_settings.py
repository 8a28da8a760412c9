"""Settings that persist: the config file, the user's keys, the theme, the remembered view.

Each test drives the app with keys on a temporary data folder and config
folder, then opens a second app on the same folders to see what it remembered.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from core.config import load_config, set_value
from core.session import Session
from tests.test_tui_keys import main, messages, reopen
from tests.tui_helpers import open_test_shelf, settle
from tui.app import ShelfApp


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return tmp_path / "config" / "config.toml"


def run(folder: Path, config: Path, script, size=(120, 40)):
    async def go():
        app = ShelfApp(Session(open_test_shelf(folder)), config_path=config)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            result = await script(pilot, app)
            if app.is_running:
                await settle(pilot)
        return result

    return asyncio.run(go())


def test_the_query_filters_and_sort_come_back_after_quitting(folder: Path, config: Path) -> None:
    async def first(pilot, app):
        await pilot.press("slash", *"language", "enter", "s", "t")
        await settle(pilot)
        screen = main(app)
        await pilot.press("f", "enter")  # the first facet: unread
        await settle(pilot)
        assert screen.state.filters
        await pilot.press("q")
        await settle(pilot)

    run(folder, config, first)

    async def second(pilot, app):
        screen = main(app)
        assert screen.query_one("#search").value == "language"
        assert screen.state.sort == "title"
        assert screen.state.filters == {"status": frozenset({"unread"})}
        titles = [app.model.row(i).title for i in screen.items.order]
        assert titles and all("Language" in t or "language" in t.lower() for t in titles)
        assert "title" in screen.query_one("#status").render().plain

    run(folder, config, second)


def test_restore_view_false_starts_fresh(folder: Path, config: Path) -> None:
    set_value("restore_view", "false", config)
    set_value("default_sort", "title", config)

    async def first(pilot, app):
        await pilot.press("slash", *"language", "enter", "q")
        await settle(pilot)

    run(folder, config, first)

    async def second(pilot, app):
        screen = main(app)
        assert screen.query_one("#search").value == ""
        assert len(screen.items.order) == 8
        assert screen.state.sort == "title"  # the default sort from the config
        titles = [app.model.row(i).title.casefold() for i in screen.items.order]
        assert titles == sorted(titles)

    run(folder, config, second)


def test_user_keys_from_the_config_rebind_and_show_in_help(folder: Path, config: Path) -> None:
    set_value("keys.item.toggle_read", "m", config)

    async def script(pilot, app):
        first = main(app).items.current_id
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        rows = dict(dict(app.screen.sections)["Items (the selection, or the highlighted item)"])
        keys = {description: key for key, description in rows.items()}
        assert keys["read"] == "m"
        return first

    first = run(folder, config, script)
    assert reopen(folder).annotation(first).status == "read"


def test_an_unknown_binding_id_or_a_broken_file_is_a_warning(folder: Path, config: Path) -> None:
    config.parent.mkdir(parents=True)
    config.write_text('[keys]\n"item.nosuch" = "m"\n')

    async def script(pilot, app):
        assert any("item.nosuch" in m for m in messages(app))
        assert app.is_running

    run(folder, config, script)
    config.write_text("theme = \n")

    async def broken(pilot, app):
        assert any("not valid TOML" in m for m in messages(app))
        assert len(main(app).items.order) == 8

    run(folder, config, broken)


def test_a_theme_chosen_in_the_palette_is_remembered(folder: Path, config: Path) -> None:
    async def first(pilot, app):
        await pilot.press("ctrl+p", *"theme")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*"solarized-light", "enter")
        await settle(pilot)
        assert app.theme == "solarized-light"

    run(folder, config, first)
    assert load_config(config).theme == "solarized-light"

    async def second(pilot, app):
        assert app.theme == "solarized-light"

    run(folder, config, second)
