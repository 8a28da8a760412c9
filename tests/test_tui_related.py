"""The detail view's "Related" section: found off the UI thread, numbered, opened by number."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from core.related import Related
from core.session import Session
from seeds.model import Item
from storage.shelf import Shelf
from tests.test_related import GAN_PAPERS, SCALING_LAWS
from tests.test_tui_keys import main, run
from tests.tui_helpers import open_test_shelf, sample_items, settle
from tui.app import ShelfApp
from tui.messages import IndexReady, RelatedFound
from tui.screens.detail import DetailScreen
from tui.widgets.detail import DetailPane
from tui.widgets.search_bar import SearchBar


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


# -- the main screen's detail pane --------------------------------------------


def run_bundled(folder: Path, script, size=(120, 40)):
    """Like ``run``, on the bundled corpus."""

    async def go():
        app = ShelfApp(Session(Shelf(folder, "alice")))
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await script(pilot, app)

    return asyncio.run(go())


def main_pane(app) -> str:
    return main(app).query_one("#detail", DetailPane).drawn_text


def related_part(text: str) -> str:
    assert "\nRelated" in text, text
    return text[text.index("\nRelated") :]


async def search_for(pilot, query: str) -> None:
    await pilot.press("slash", *query, "enter")
    await settle(pilot)


def test_the_main_pane_lists_related_items_and_follows_the_highlight(
    bundled_data: Path,
) -> None:
    async def script(pilot, app):
        screen = main(app)
        await search_for(pilot, "Improving GANs Optimal Transport")
        current = screen.items.current_id
        assert app.model.items[current].title == GAN_PAPERS[1]
        text = main_pane(app)
        assert text.startswith(GAN_PAPERS[1])
        section = related_part(text)
        assert "  1  Improved Techniques for Training GANs" in section
        assert "finding" not in section
        # a number opens the related item in the detail view
        assert screen.check_action("open_related", (0,)) is True
        await pilot.press("1")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        assert pane_text(app).startswith(GAN_PAPERS[0])
        await pilot.press("escape")
        await settle(pilot)
        # moving the highlight brings the next item's related items
        await pilot.press("escape")  # clears the search: the whole library
        await settle(pilot)
        order = screen.items.order
        gan = next(i for i in order if app.model.items[i].title == GAN_PAPERS[0])
        screen.items.cursor = order.index(gan)
        await settle(pilot)
        text = main_pane(app)
        assert text.startswith(GAN_PAPERS[0])
        assert "  1  Improving GANs Using Optimal Transport" in related_part(text)
        # to a scaling-law paper: the section follows, the GAN papers leave it
        scaling = next(i for i in order if app.model.items[i].title == SCALING_LAWS[0])
        screen.items.cursor = order.index(scaling)
        await settle(pilot)
        moved = main_pane(app)
        assert moved.startswith(SCALING_LAWS[0])
        section = related_part(moved)
        assert f"  1  {SCALING_LAWS[1]}" in section
        assert not any(title in section for title in GAN_PAPERS)

    run_bundled(bundled_data, script)


def test_the_pane_shows_the_item_at_once_and_finding_until_the_answer(folder: Path) -> None:
    async def script(pilot, app):
        screen = main(app)
        order = screen.items.order
        screen.items.cursor = order.index("e5")  # not highlighted before: nothing kept
        screen.show_detail()  # as the detail delay would, before the worker answers
        text = main_pane(app)
        assert text.startswith("Scaling Laws for Neural Language Models")
        assert "finding…" in related_part(text)
        assert screen.check_action("open_related", (0,)) is False
        await settle(pilot)
        assert "  1  Language Models are Few-Shot Learners" in related_part(main_pane(app))

    run(folder, script)


def test_a_result_for_an_item_no_longer_highlighted_is_ignored(folder: Path) -> None:
    async def script(pilot, app):
        screen = main(app)
        order = screen.items.order
        screen.items.cursor = order.index("a1")
        await settle(pilot)
        before = main_pane(app)
        assert "  1  Scaling Laws for Neural Language Models" in related_part(before)
        # a late answer for the item the highlight was on before
        screen.post_message(RelatedFound("b2", [Related("d4", 0.9, ("bogus-marker",))]))
        await settle(pilot)
        assert main_pane(app) == before
        assert "bogus-marker" not in main_pane(app)
        # and it was not kept: highlighting b2 looks it up afresh
        screen.items.cursor = order.index("b2")
        await settle(pilot)
        assert "bogus-marker" not in main_pane(app)
        assert main_pane(app).startswith("Proximal Policy Optimization Algorithms")

    run(folder, script)


def test_the_pane_waits_for_the_index_then_fills_in(folder: Path) -> None:
    async def script(pilot, app):
        screen = main(app)
        search = app.session.search
        index, search._index = search._index, None  # as while the index is still opening
        screen.items.cursor = screen.items.order.index("e5")
        await pilot.pause(0.2)  # past the detail delay (settle would wait for the index)
        text = main_pane(app)
        assert text.startswith("Scaling Laws for Neural Language Models")
        assert "waiting for the search index…" in related_part(text)
        search._index = index
        screen.post_message(IndexReady())
        await settle(pilot)
        assert "  1  Language Models are Few-Shot Learners" in related_part(main_pane(app))

    run(folder, script)


def test_numbers_typed_in_the_search_bar_are_text(folder: Path) -> None:
    async def script(pilot, app):
        screen = main(app)
        screen.items.cursor = screen.items.order.index("a1")
        await settle(pilot)
        assert screen.check_action("open_related", (0,)) is True
        await pilot.press("slash", "2", "0", "1")
        await settle(pilot)
        assert app.screen is screen
        assert screen.query_one("#search", SearchBar).value == "201"

    run(folder, script)


def test_a_library_change_looks_the_highlighted_items_related_up_again(folder: Path) -> None:
    # Four unrelated items more: in a library of 7 every shared word is too common.
    fillers = [
        Item(id=f"f{n}", title=f"Filler {word}", summary=f"About {word} only.", sources=["x.txt"])
        for n, word in enumerate(("pottery", "sailing", "geology", "baking"))
    ]
    open_test_shelf(folder, items=[*sample_items(), *fillers])

    async def script(pilot, app):
        screen = main(app)
        screen.items.cursor = screen.items.order.index("a1")
        await settle(pilot)
        before = related_part(main_pane(app))
        assert "Zero-Shot Text-to-Image Generation" in before
        app.change("remove", lambda session: session.remove(["d4"]), lambda _: app.reload_library())
        for _ in range(100):
            if "d4" not in app.model.library_order:
                break
            await pilot.pause(0.05)
        await settle(pilot)
        assert screen.items.current_id == "a1"
        after = related_part(main_pane(app))
        assert "Zero-Shot" not in after and after != before
        assert "  1  Scaling Laws for Neural Language Models" in after

    run(folder, script)


def test_the_lookup_waits_until_the_highlight_rests(folder: Path) -> None:
    async def script(pilot, app):
        screen = main(app)
        order = screen.items.order
        screen.items.cursor = order.index("e5")
        await pilot.pause(0.1)  # the pane is drawn; the lookup is not started yet
        assert main_pane(app).startswith("Scaling Laws for Neural Language Models")
        assert "finding…" in related_part(main_pane(app))
        assert not [w for w in app.workers if w.group == "related"]
        screen.items.cursor = order.index("b2")  # moved on: e5 is never looked up
        await settle(pilot)
        assert main_pane(app).startswith("Proximal Policy Optimization Algorithms")
        assert "finding…" not in related_part(main_pane(app))

    run(folder, script)
