"""The detail view's "Related" section: found off the UI thread, numbered, opened by number."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_tui_keys import main, run
from tests.tui_helpers import settle
from tui.screens.detail import DetailScreen
from tui.widgets.detail import DetailPane


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "data"


def pane_text(app) -> str:
    return app.screen.query_one(DetailPane).drawn_text


def test_the_detail_view_lists_related_items_and_opens_one_by_number(folder: Path) -> None:
    async def script(pilot, app):
        screen = main(app)
        gpt3 = next(i for i in screen.items.order if app.model.items[i].id == "a1")
        screen.items.cursor = screen.items.order.index(gpt3)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, DetailScreen)
        text = pane_text(app)
        assert "Related" in text
        section = text[text.index("Related") :]
        # the other language-model paper of the sample comes first
        assert "  1  Scaling Laws for Neural Language Models" in section
        assert detail.check_action("open_related", (0,)) is True
        assert detail.check_action("open_related", (4,)) is False or "  5  " in section
        await pilot.press("1")
        await settle(pilot)
        opened = app.screen
        assert isinstance(opened, DetailScreen) and opened is not detail
        assert opened.item_id == "e5"
        assert pane_text(app).startswith("Scaling Laws for Neural Language Models")
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is detail and detail.item_id == "a1"

    run(folder, script)


def test_hostile_titles_are_shown_not_sent(folder: Path) -> None:
    async def script(pilot, app):
        hostile = "Scaling \x1b]2;owned\x07 [bold]x[/bold]"
        app.change("rename", lambda session: session.rename("e5", hostile))
        await settle(pilot)
        screen = main(app)
        screen.items.cursor = screen.items.order.index("a1")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        section = pane_text(app)[pane_text(app).index("Related") :]
        assert "\x1b" not in section and "\u241b]2;owned\u2407" in section
        assert "[bold]x[/bold]" in section  # text, never markup

    run(folder, script)
