"""Every key of the main and detail screens, checked on screen and on disk.

Each test drives the app with ``pilot.press`` on a temporary data folder,
then reopens the library from disk with a fresh Shelf to check what was saved.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from core.listing import GLYPHS
from core.session import Session
from storage.shelf import Shelf
from tests.tui_helpers import open_test_shelf, settle
from tui.app import ShelfApp
from tui.screens.detail import DetailScreen
from tui.screens.help import HelpScreen, help_sections
from tui.screens.main import MainScreen
from tui.screens.stats import StatsScreen
from tui.widgets.detail import DetailPane


def reopen(folder: Path, user: str = "alice") -> Shelf:
    return Shelf(folder, user, import_bundled=False)


def run(folder: Path, script, size=(120, 40), **kwargs):
    """Run ``script(pilot, app)`` against an app on ``folder``; returns what it returns."""
    opened: list[str] = []

    async def go():
        app = ShelfApp(Session(open_test_shelf(folder)), opener=opened.append, **kwargs)
        app.opened = opened
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            result = await script(pilot, app)
            if app.is_running:
                await settle(pilot)
        return result

    return asyncio.run(go())


def main(app: ShelfApp) -> MainScreen:
    screen = app.screen_stack[1]
    assert isinstance(screen, MainScreen)
    return screen


def messages(app: ShelfApp) -> list[str]:
    return [n.message for n in app._notifications]


def line(app: ShelfApp, row: int) -> str:
    """The text of list row ``row`` as drawn."""
    items = main(app).items
    return items.render_line(row - round(items.scroll_y)).text


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "data"


def test_opens_with_the_library_and_first_item_highlighted(folder: Path) -> None:
    async def script(pilot, app):
        screen = main(app)
        assert len(screen.items.order) == 8
        assert screen.items.cursor == 0
        assert app.focused is screen.items
        assert app.index_ready and app.texts_loaded

    run(folder, script)


def test_j_k_arrows_g_G_move_the_cursor(folder: Path) -> None:
    async def script(pilot, app):
        items = main(app).items
        await pilot.press("j", "j", "down")
        assert items.cursor == 3
        await pilot.press("k", "up")
        assert items.cursor == 1
        await pilot.press("G")
        assert items.cursor == len(items.order) - 1
        await pilot.press("g")
        assert items.cursor == 0
        await pilot.press("end")
        assert items.cursor == 7
        await pilot.press("home", "pagedown")
        assert items.cursor > 0

    run(folder, script)
    assert reopen(folder).all_annotations() == {}  # moving never writes


def test_r_toggles_read_and_saves_before_showing_it(folder: Path) -> None:
    async def script(pilot, app):
        items = main(app).items
        first = items.order[0]
        await pilot.press("r")
        await settle(pilot)
        assert app.model.row(first).status == "read"
        assert GLYPHS["read"] in line(app, 0)
        assert reopen(folder).annotation(first).status == "read"
        await pilot.press("r")
        await settle(pilot)
        assert app.model.row(first).status == "unread"
        return first

    first = run(folder, script)
    assert reopen(folder).annotation(first).status == "unread"


def test_R_cycles_unread_reading_read(folder: Path) -> None:
    seen = []

    async def script(pilot, app):
        first = main(app).items.order[0]
        for _ in range(3):
            await pilot.press("R")
            await settle(pilot)
            seen.append((app.model.row(first).status, reopen(folder).annotation(first).status))
        assert GLYPHS["unread"] in line(app, 0)

    run(folder, script)
    assert seen == [("reading", "reading"), ("read", "read"), ("unread", "unread")]


def test_t_adds_tags_with_completion_of_tags_in_use(folder: Path) -> None:
    shelf = open_test_shelf(folder)
    shelf.add_tags(["b2"], ["reinforcement"])

    async def script(pilot, app):
        first = main(app).items.order[0]
        await pilot.press("t")
        await settle(pilot)
        assert type(app.screen).__name__ == "TagDialog"
        await pilot.press("r", "e", "i")
        await settle(pilot)
        field = app.screen.query_one("#tags")
        assert field._suggestion == "reinforcement"
        await pilot.press("tab", "s", "a", "f", "e", "t", "y", "enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.model.row(first).tags == ("reinforcement", "safety")
        assert "#reinforcement #safety" in line(app, 0)
        return first

    first = run(folder, script, size=(200, 40))
    assert reopen(folder).annotation(first).tags == ["reinforcement", "safety"]


def test_escape_closes_the_tag_dialog_without_saving(folder: Path) -> None:
    async def script(pilot, app):
        await pilot.press("t", "x", "y", "escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)

    run(folder, script)
    assert reopen(folder).all_annotations() == {}


def test_T_removes_a_tag(folder: Path) -> None:
    shelf = open_test_shelf(folder)
    first = list(shelf.items(with_text=False))[0]
    shelf.add_tags([first], ["alpha", "beta"])

    async def script(pilot, app):
        await pilot.press("T")
        await settle(pilot)
        assert type(app.screen).__name__ == "UntagDialog"
        await pilot.press("j", "enter")  # the second tag: beta
        await settle(pilot)
        assert app.model.row(first).tags == ("alpha",)
        assert "#beta" not in line(app, 0)

    run(folder, script)
    assert reopen(folder).annotation(first).tags == ["alpha"]


def test_n_adds_a_multiline_note_saved_with_ctrl_s(folder: Path) -> None:
    async def script(pilot, app):
        await pilot.press("n")
        await settle(pilot)
        assert type(app.screen).__name__ == "NoteDialog"
        await pilot.press(*"first line", "enter", *"second")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        detail = app.screen.query_one(DetailPane).drawn_text
        assert "first line" in detail and "second" in detail
        return main(app).items.order[0]

    first = run(folder, script)
    notes = reopen(folder).annotation(first).notes
    assert [n.text for n in notes] == ["first line\nsecond"]


def test_escape_in_the_note_editor_asks_before_discarding(folder: Path) -> None:
    async def script(pilot, app):
        await pilot.press("n", *"draft", "escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("n")  # no: keep editing
        await settle(pilot)
        assert type(app.screen).__name__ == "NoteDialog"
        assert app.screen.query_one("TextArea").text == "draft"
        await pilot.press("escape", "y")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)

    run(folder, script)
    assert reopen(folder).all_annotations() == {}


def test_e_renames_and_an_empty_title_restores_the_original(folder: Path) -> None:
    async def script(pilot, app):
        first = main(app).items.order[0]
        original = app.model.items[first].title
        await pilot.press("e")
        await settle(pilot)
        field = app.screen.query_one("#title")
        assert field.value == original
        field.value = ""
        await pilot.press(*"My own title", "enter")
        await settle(pilot)
        assert "My own title" in line(app, 0)
        assert reopen(folder).title(first) == "My own title"
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#title").value = ""
        await pilot.press("enter")
        await settle(pilot)
        assert original[:20] in line(app, 0)
        assert reopen(folder).title(first) == original

    run(folder, script)


def test_o_opens_the_first_url(folder: Path) -> None:
    async def script(pilot, app):
        items = main(app).items
        target = next(i for i in items.order if app.model.items[i].urls)
        items.cursor = items.order.index(target)
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert app.opened == [app.model.items[target].urls[0]]

    run(folder, script)


def test_o_on_an_item_without_a_url_says_so_and_opens_nothing(folder: Path) -> None:
    async def script(pilot, app):
        screen = main(app)
        target = next(i for i in screen.items.order if not app.model.items[i].urls)
        screen.items.cursor = screen.items.order.index(target)
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert app.opened == []
        assert any("no link" in m for m in messages(app))

    run(folder, script)


def test_the_detail_screen_offers_o_only_for_an_item_with_a_url(folder: Path) -> None:
    async def script(pilot, app):
        screen = main(app)
        target = next(i for i in screen.items.order if not app.model.items[i].urls)
        screen.items.cursor = screen.items.order.index(target)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, DetailScreen)
        assert detail.check_action("open_url", ()) is False
        await pilot.press("o")
        await settle(pilot)
        assert app.opened == []

    run(folder, script)


def test_space_selects_and_r_t_apply_to_the_selection(folder: Path) -> None:
    async def script(pilot, app):
        items = main(app).items
        await pilot.press("space", "space")
        assert items.selected_ids() == items.order[:2]
        assert line(app, 0)[1] == "*" and line(app, 1)[1] == "*"
        assert items.cursor == 2
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("space", "space")  # select the same two again
        # the selection was cleared by the bulk action; reselect from the top
        items.clear_selection()
        items.cursor = 0
        await pilot.press("space", "space", "t", *"group", "enter")
        await settle(pilot)
        assert items.selection == {}
        return list(items.order)

    order = run(folder, script)
    saved = reopen(folder)
    for item_id in order[:2]:
        assert saved.annotation(item_id).status == "read"
        assert saved.annotation(item_id).tags == ["group"]
    assert saved.annotation(order[2]).status == "unread"


def test_T_on_a_selection_removes_the_tag_from_all(folder: Path) -> None:
    shelf = open_test_shelf(folder)
    ids = list(shelf.items(with_text=False))[:3]
    shelf.add_tags(ids, ["x"])

    async def script(pilot, app):
        await pilot.press("space", "space", "space", "T")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    run(folder, script)
    assert all(reopen(folder).annotation(i).tags == [] for i in ids)


def test_slash_searches_as_you_type_and_highlights_matches(folder: Path) -> None:
    async def script(pilot, app):
        screen = main(app)
        await pilot.press("slash")
        assert app.focused is screen.query_one("#search")
        await pilot.press(*"scaling")
        await settle(pilot)
        assert screen.items.order[0] == "e5"
        assert len(screen.items.order) < 8
        spans = screen.items.matches["e5"]
        title = app.model.items["e5"].title
        assert any(title[a:b].lower() == "scaling" for a, b in spans)
        await pilot.press("enter")
        assert app.focused is screen.items
        assert screen.items.current_id == "e5"
        await pilot.press("r")
        await settle(pilot)

    run(folder, script)
    assert reopen(folder).annotation("e5").status == "read"


def test_down_in_the_search_goes_to_the_first_result_and_escape_clears(folder: Path) -> None:
    async def script(pilot, app):
        screen = main(app)
        await pilot.press("slash", *"policy")
        await settle(pilot)
        assert screen.items.order == ["b2"]
        await pilot.press("down")
        assert app.focused is screen.items and screen.items.current_id == "b2"
        await pilot.press("slash", "escape")
        await settle(pilot)
        assert screen.query_one("#search").value == ""
        assert len(screen.items.order) == 8
        await pilot.press("escape")  # empty search: back to the list
        assert app.focused is screen.items
        await pilot.press("slash", "a", "slash", "b")  # "/" in the input is a character
        assert screen.query_one("#search").value == "a/b"

    run(folder, script)


def test_a_bad_query_shows_one_line_and_keeps_running(folder: Path) -> None:
    async def script(pilot, app):
        screen = main(app)
        await pilot.press("slash", *"nosuchfilter:x")
        await settle(pilot)
        error = screen.query_one("#query-error")
        if screen.query_error is not None:
            assert error.display and "\n" not in screen.query_error
        await pilot.press("escape")
        await settle(pilot)
        assert not error.display
        assert len(screen.items.order) == 8

    run(folder, script)


def test_enter_opens_the_detail_view_with_item_keys(folder: Path) -> None:
    async def script(pilot, app):
        first = main(app).items.order[0]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        text = app.screen.query_one(DetailPane).drawn_text
        assert app.model.items[first].title in text
        await pilot.press("r")
        await settle(pilot)
        assert "✓ read" in app.screen.query_one(DetailPane).drawn_text
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        return first

    first = run(folder, script)
    assert reopen(folder).annotation(first).status == "read"


def test_s_sorts_by_date_title_and_recently_changed(folder: Path) -> None:
    async def script(pilot, app):
        screen = main(app)
        await pilot.press("s")
        await settle(pilot)
        assert type(app.screen).__name__ == "SortMenu"
        await pilot.press("d")
        await settle(pilot)
        dates = [app.model.row(i).sort_date for i in screen.items.order]
        dated = [d for d in dates if d]
        assert dated == sorted(dated, reverse=True) and screen.items.order[0] == "g7"
        assert dates[-1] == ""  # undated items last
        await pilot.press("s", "t")
        await settle(pilot)
        titles = [app.model.row(i).title.casefold() for i in screen.items.order]
        assert titles == sorted(titles)
        await pilot.press("G", "r")  # change the last one: it comes first by "changed"
        await settle(pilot)
        last = screen.items.current_id
        await pilot.press("s", "c")
        await settle(pilot)
        assert screen.items.order[0] == last
        await pilot.press("s", "k", "k", "enter")  # menus work with j/k too
        await settle(pilot)
        assert screen.state.sort == "date"
        return last

    last = run(folder, script)
    assert list(reopen(folder).all_annotations()) == [last]  # sorting wrote nothing


def test_facets_filter_the_list(folder: Path) -> None:
    shelf = open_test_shelf(folder)
    shelf.set_status(["b2"], "read")

    async def script(pilot, app):
        screen = main(app)
        facets = screen.query_one("#facets")
        await pilot.press("f")
        assert app.focused is facets
        index = facets.get_option_index("status\x1fread")
        facets.highlighted = index
        await pilot.press("enter")
        await settle(pilot)
        assert screen.items.order == ["b2"]
        # Values of one group are alternatives: unread is still offered.
        facets.highlighted = facets.get_option_index("status\x1funread")
        await pilot.press("enter")
        await settle(pilot)
        assert len(screen.items.order) == 8
        # Groups narrow each other.
        facets.highlighted = facets.get_option_index("category\x1fCL")
        await pilot.press("space")
        await settle(pilot)
        assert sorted(screen.items.order) == ["a1", "g7"]
        assert "● CL" in str(facets.get_option("category\x1fCL").prompt)
        await pilot.press("escape")  # back to the list
        assert app.focused is screen.items and len(screen.items.order) == 2
        await pilot.press("escape")  # clears the filters
        await settle(pilot)
        assert len(screen.items.order) == 8

    run(folder, script)


def test_x_exports_the_current_view(folder: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)

    async def script(pilot, app):
        await pilot.press("slash", *"scaling", "enter")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert type(app.screen).__name__ == "ExportDialog"
        app.screen.query_one("#path").value = "out.md"
        app.screen.query_one("#path").focus()
        await pilot.press("enter")
        await settle(pilot)

    run(folder, script)
    text = (tmp_path / "out.md").read_text()
    assert "Scaling Laws for Neural Language Models" in text
    assert "Proximal Policy" not in text


def test_S_shows_statistics_and_question_mark_shows_every_key(folder: Path) -> None:
    async def script(pilot, app):
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        assert isinstance(app.screen, StatsScreen)
        assert app.screen.stats.by_status["read"] == 1
        await pilot.press("escape", "question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = " ".join(f"{k} {d}" for _, rows in help_sections() for k, d in rows)
        for key in ("j, down", "g, home", "G, end", "/", "enter", "r", "R", "t", "T", "n"):
            assert key in text
        for key in ("e", "o", "space", "x", "s", "S", "?", "q", "ctrl+p"):
            assert key in text
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        return main(app).items.order[0]

    first = run(folder, script)
    saved = reopen(folder).all_annotations()
    assert list(saved) == [first] and saved[first].status == "read"


def test_ctrl_p_runs_item_actions_from_the_command_palette(folder: Path) -> None:
    async def script(pilot, app):
        first = main(app).items.order[0]
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"read")
        await pilot.pause(0.3)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.model.row(first).status == "read"
        return first

    first = run(folder, script)
    assert reopen(folder).annotation(first).status == "read"


def test_q_quits_and_loses_nothing(folder: Path) -> None:
    async def script(pilot, app):
        first = main(app).items.order[0]
        await pilot.press("r", "t", *"kept", "enter", "q")
        await pilot.pause(0.5)
        assert not app.is_running and app.return_code == 0
        return first

    first = run(folder, script)
    anns = reopen(folder).all_annotations()
    assert list(anns) == [first]
    assert anns[first].status == "read" and anns[first].tags == ["kept"]


def test_q_in_a_dialog_does_not_quit_and_lose_the_draft(folder: Path) -> None:
    async def script(pilot, app):
        await pilot.press("n", *"draft", "escape")  # the discard question is up
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        assert app.is_running and type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("n", "ctrl+s")
        await settle(pilot)
        return main(app).items.order[0]

    first = run(folder, script)
    assert [n.text for n in reopen(folder).annotation(first).notes] == ["draft"]
