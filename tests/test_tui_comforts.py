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


def test_detail_view_steps_to_the_next_and_previous_item(folder: Path) -> None:
    from tui.screens.detail import DetailScreen
    from tui.widgets.detail import DetailPane

    async def script(pilot, app):
        order = list(main(app).items.order)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert app.screen.item_id == order[1]
        assert app.model.items[order[1]].title in app.screen.query_one(DetailPane).drawn_text
        await pilot.press("r")  # the item keys act on the item now shown
        await settle(pilot)
        await pilot.press("left_square_bracket", "left_square_bracket")
        await settle(pilot)
        assert app.screen.item_id == order[0]  # stops at the first
        await pilot.press("J", "J", "escape")
        await settle(pilot)
        assert main(app).items.current_id == order[2]  # the list followed
        return order[1]

    second = run(folder, script)
    from tests.test_tui_keys import reopen

    assert reopen(folder).annotation(second).status == "read"


def test_notes_come_before_the_abstract(folder: Path) -> None:
    from tui.widgets.detail import DetailPane

    async def script(pilot, app):
        await pilot.press("n", *"my own words", "ctrl+s")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        text = app.screen.query_one(DetailPane).drawn_text
        assert text.index("my own words") < text.index("Abstract")

    run(folder, script)


def test_help_lists_the_query_language_and_the_glyphs(folder: Path) -> None:
    from tui.screens.help import HelpScreen

    async def script(pilot, app):
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        sections = dict(app.screen.sections)
        queries = " ".join(k for k, _ in sections["Searching (type after /)"])
        for word in ("tag:", "#", "a:", "is:", "has:", "cat:", "src:", "year:", '"', "-word"):
            assert word in queries
        glyphs = [k for k, _ in sections["What the list shows"]]
        assert {"·", "◐", "✓", "~", "*"} <= set(glyphs)

    run(folder, script)


def test_export_dialog_exports_on_enter_from_the_format_list(folder: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.md"

    async def script(pilot, app):
        await pilot.press("x")
        await settle(pilot)
        app.screen.query_one("#path").value = str(target)
        assert app.focused is app.screen.query_one("#format")
        await pilot.press("enter")  # one enter, as the hint says
        await settle(pilot)
        assert type(app.screen).__name__ == "MainScreen"

    run(folder, script)
    assert target.exists() and "Few-Shot" in target.read_text()


def test_palette_offers_shelf_commands_not_textual_internals(folder: Path) -> None:
    from tui.commands_palette import screen_commands

    async def script(pilot, app):
        names = {b.description for _, b in screen_commands(app.screen)}
        assert {"read", "tag", "export", "sort", "help", "quit"} <= names
        assert not any("scroll" in n.lower() or "focus" in n.lower() for n in names)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert titles == ["Theme"]

    run(folder, script)


def test_saving_a_search_in_the_app_and_using_it_from_the_sidebar(folder: Path) -> None:
    from core.saved import load_saved
    from tui.widgets.facets import FacetList

    async def script(pilot, app):
        screen = main(app)
        await pilot.press("slash", *"is:unread", "enter")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press(*"to-read", "enter")
        await settle(pilot)
        assert "saved @to-read: is:unread" in " ".join(m.message for m in app._notifications)
        facets = screen.query_one(FacetList)
        labels = [str(facets.get_option_at_index(i).prompt) for i in range(facets.option_count)]
        assert labels[0] == "Saved searches"
        assert labels[1].split() == ["@to-read", "8"]
        await pilot.press("escape", "escape", "g")  # clear the search, to the first row
        await settle(pilot)
        assert screen.items.current_id == "a1"
        await pilot.press("r")  # one item read: the count follows
        await settle(pilot)
        labels = [str(facets.get_option_at_index(i).prompt) for i in range(facets.option_count)]
        assert labels[1].split() == ["@to-read", "7"]
        await pilot.press("f")
        await settle(pilot)
        facets.highlighted = 1
        await pilot.press("enter")
        await settle(pilot)
        assert screen.query_one("#search").value == "@to-read"
        assert len(screen.items.order) == 7
        # "/" selects the query (typing replaces it); "end" keeps it to extend.
        await pilot.press("slash", "end", *" year:2020", "enter")
        await settle(pilot)
        assert screen.query_one("#search").value == "@to-read year:2020"
        assert screen.items.order == ["e5"]  # a1 is from 2020 too, but read now

    run(folder, script)
    assert load_saved(folder) == {"to-read": "is:unread"}


def test_an_unknown_saved_search_is_a_query_error(folder: Path) -> None:
    async def script(pilot, app):
        screen = main(app)
        await pilot.press("slash", *"@nosuch ")
        await settle(pilot)
        shown = str(screen.query_one("#query-error").render())
        assert "no saved search named '@nosuch'" in shown
        assert screen.items.order == []

    run(folder, script)


@pytest.mark.parametrize("width", [80, 120])
def test_the_footer_leads_with_help_and_quit(folder: Path, width: int) -> None:
    from textual.widgets._footer import FooterKey

    async def script(pilot, app):
        keys = [key for key in app.screen.query(FooterKey) if key.region.width]
        shown = [(k.key, k.description) for k in keys if k.region.right <= width]
        assert shown[:2] == [("question_mark", "help"), ("q", "quit")]

    run(folder, script, size=(width, 24))


def test_the_footer_is_rebuilt_only_when_what_it_shows_changes(folder: Path) -> None:
    """Rebuilding it costs the UI thread 20-40 ms; most binding refreshes change nothing."""
    from textual.widgets._footer import FooterKey

    async def script(pilot, app):
        screen = main(app)
        before = list(screen.query(FooterKey))
        screen.refresh_bindings()
        await settle(pilot)
        assert list(screen.query(FooterKey)) == before  # the very same widgets
        await pilot.press("r")  # now there is something to undo: another key
        await settle(pilot)
        marked = list(screen.query(FooterKey))
        assert marked != before
        undo = next(key for key in marked if key.description.startswith("undo"))
        assert undo.description == "undo mark read"
        # Only a label changes: that key is redrawn, the bar is not rebuilt.
        await pilot.press("down", "R")
        await settle(pilot)
        assert list(screen.query(FooterKey)) == marked
        assert undo.description not in ("undo", "undo mark read")
        assert undo.description in undo.render().plain
        assert undo.region.width == undo.render().cell_len
        # Other keys (the search bar's): rebuilt.
        await pilot.press("slash")
        await settle(pilot)
        searching = list(screen.query(FooterKey))
        assert searching != marked
        assert "clear" in [key.description for key in searching]

    run(folder, script)


def test_a_query_longer_than_the_bar_scrolls_to_keep_the_cursor_in_view(folder: Path) -> None:
    """The bar redraws itself as it scrolls; the screen is not laid out again per key."""
    long = "scaling laws for neural language models and some other long words, past the edge xyz"

    async def script(pilot, app):
        bar = main(app).query_one("#search")
        await pilot.press("slash", *long)
        await settle(pilot)
        assert len(long) > bar.content_region.width
        drawn = bar.render_line(0).text.rstrip()
        assert drawn.endswith("edge xyz") and not drawn.lstrip().startswith("scaling")
        await pilot.press("home")
        await settle(pilot)
        assert bar.render_line(0).text.strip().startswith("scaling laws for")
        await pilot.press("end", *["backspace"] * (len(long) - len("scaling laws")))
        await settle(pilot)
        assert bar.render_line(0).text.strip() == "scaling laws"
        assert len(main(app).items.order) == 1

    run(folder, script, size=(80, 24))


@pytest.mark.parametrize("theme", ["textual-light", "solarized-light", "catppuccin-latte"])
def test_light_themes_draw_authors_dates_and_derived_titles_dark_enough(
    folder: Path, theme: str
) -> None:
    """The bug: parts drawn with "auto" colours came out white on a light background."""

    async def script(pilot, app):
        app.theme = theme
        await settle(pilot)
        items = main(app).items
        background = items.rich_style.bgcolor.get_truecolor()
        checked = 0
        for row in range(1, 8):  # not the cursor row
            for segment in items.render_line(row):
                text = segment.text.strip()
                if not text or segment.style is None or segment.style.color is None:
                    continue
                if text.startswith(("John", "Jul 20", "~Reward")):
                    colour = segment.style.color.get_truecolor()
                    contrast = sum(abs(a - b) for a, b in zip(colour, background, strict=True))
                    assert contrast > 150, (text, colour, background)
                    checked += 1
        assert checked >= 3

    run(folder, script)


def test_one_date_style_for_iso_and_written_dates() -> None:
    from core.listing import display_date

    assert display_date("2021-07-07") == "Jul 7, 2021"
    assert display_date("2021-07") == "Jul 2021"
    assert display_date("Feb 6") == "Feb 6"  # as written: the year is not known
    assert display_date("2022") == "2022"
    assert display_date("") == ""
    assert display_date("2021-13-01") == "2021-13-01"  # not a date: left as it is
