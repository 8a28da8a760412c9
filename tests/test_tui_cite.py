"""The app's citation keys: ``y`` copies, ``o`` opens the paper, ``O`` offers every link,
``x`` exports the selection; a browser that fails is reported as failing."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from core.session import Session
from seeds.model import Item
from tests.tui_helpers import open_test_shelf, sample_items, settle
from tui.app import ShelfApp
from tui.screens.main import MainScreen

CLIP = Item(
    id="k9",
    title="Learning Transferable Visual Models From Natural Language Supervision",
    authors=["Alec Radford", "Jong Wook Kim"],
    date="2021-02-26",
    category="CV",
    has_code=True,
    urls=["https://github.com/OpenAI/CLIP"],
    sources=["papers.txt"],
    kinds=["paper_listing"],
)


def run(folder: Path, script, opener=None):
    opened: list[str] = []

    async def go():
        if not (folder / "library.json").exists():
            open_test_shelf(folder, items=[*sample_items(), Item.from_dict(CLIP.to_dict())])
        app = ShelfApp(Session(open_test_shelf(folder)), opener=opener or opened.append)
        app.opened = opened
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            result = await script(pilot, app)
            if app.is_running:
                await settle(pilot)
        return result

    return asyncio.run(go())


def screen(app: ShelfApp) -> MainScreen:
    main = app.screen_stack[1]
    assert isinstance(main, MainScreen)
    return main


async def go_to(pilot, app: ShelfApp, item_id: str) -> None:
    items = screen(app).items
    items.cursor = items.order.index(item_id)
    await settle(pilot)


def messages(app: ShelfApp) -> list[str]:
    return [n.message for n in app._notifications]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture(autouse=True)
def no_system_clipboard(monkeypatch):
    monkeypatch.setattr("core.clipboard.clipboard_tool", lambda: None)


def test_y_copies_the_chosen_citation_of_the_item(folder: Path) -> None:
    async def script(pilot, app):
        await go_to(pilot, app, "k9")
        await pilot.press("y")
        await settle(pilot)
        assert type(app.screen).__name__ == "CopyMenu"
        await pilot.press("k")
        await settle(pilot)
        assert app.clipboard == "radford2021learning"
        assert any("copied citation key" in m for m in messages(app))
        await pilot.press("y", "b")
        await settle(pilot)
        assert app.clipboard.startswith("@article{radford2021learning,\n")
        await pilot.press("y", "m")
        await settle(pilot)
        assert app.clipboard.startswith("[Learning Transferable Visual Models")
        assert "github.com" not in app.clipboard
        await pilot.press("y", "r")
        await settle(pilot)
        assert app.clipboard.startswith("Radford, A. and Kim, J.W. (2021)")
        await pilot.press("y", "i")
        await settle(pilot)
        assert app.clipboard == "k9"
        await pilot.press("y", "escape")
        await settle(pilot)
        assert app.clipboard == "k9" and isinstance(app.screen, MainScreen)

    run(folder, script)


def test_y_on_a_selection_copies_every_selected_item(folder: Path) -> None:
    async def script(pilot, app):
        items = screen(app).items
        items.cursor = 0
        await settle(pilot)
        await pilot.press("space", "space")
        chosen = items.selected_ids()
        await pilot.press("y", "u")
        await settle(pilot)
        urls = app.clipboard.splitlines()
        assert len(urls) == 2
        for item_id, url in zip(chosen, urls, strict=True):
            arxiv = app.model.items[item_id].urls[0].rsplit("/", 1)[1]
            assert url == f"https://arxiv.org/abs/{arxiv}"
        assert any("of 2 items" in m for m in messages(app))

    run(folder, script)


def test_o_opens_the_paper_page_not_the_code(folder: Path) -> None:
    async def script(pilot, app):
        await go_to(pilot, app, "k9")
        await pilot.press("o")
        await settle(pilot)
        assert len(app.opened) == 1
        assert app.opened[0].startswith("https://arxiv.org/search/?query=Learning+Transferable")
        assert any(m.startswith("opened https://arxiv.org/") for m in messages(app))

    run(folder, script)


def test_O_offers_every_link_and_opens_the_chosen_one(folder: Path) -> None:
    async def script(pilot, app):
        await go_to(pilot, app, "k9")
        await pilot.press("O")
        await settle(pilot)
        assert type(app.screen).__name__ == "LinkMenu"
        assert [link.kind for link in app.screen.links] == ["search", "code"]
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.opened == ["https://github.com/OpenAI/CLIP"]

    run(folder, script)


def test_a_failing_browser_is_reported_as_a_failure(folder: Path) -> None:
    def broken(url: str) -> bool:
        raise OSError("firefox: command not found")

    async def script(pilot, app):
        await go_to(pilot, app, "a1")
        await pilot.press("o")
        await settle(pilot)
        found = [n for n in app._notifications if "could not open" in n.message]
        assert found and found[0].severity == "error"
        assert "command not found" in found[0].message
        assert not any(m.startswith(("opened", "opening")) for m in messages(app))

    run(folder, script, opener=broken)


def test_webbrowser_saying_false_is_a_failure_too(folder: Path) -> None:
    async def script(pilot, app):
        await go_to(pilot, app, "a1")
        await pilot.press("o")
        await settle(pilot)
        assert any("could not open https://arxiv.org/abs/2005.14165" in m for m in messages(app))

    run(folder, script, opener=lambda url: False)


def test_x_exports_the_selection_and_says_so(folder: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)

    async def script(pilot, app):
        items = screen(app).items
        await go_to(pilot, app, "k9")
        await pilot.press("space")
        await go_to(pilot, app, "a1")
        await pilot.press("space", "x")
        await settle(pilot)
        assert type(app.screen).__name__ == "ExportDialog"
        title = str(app.screen.query_one(".dialog-title").render())
        assert title == "Export the 2 items selected"
        app.screen.query_one("#path").value = "out.md"
        app.screen.query_one("#path").focus()
        await pilot.press("enter")
        await settle(pilot)
        return items.order

    order = run(folder, script)
    text = (tmp_path / "out.md").read_text()
    assert "_2 items," in text and text.count("\n- [") == 2
    clip, gpt3 = text.index("Learning Transferable"), text.index("Few-Shot Learners")
    assert (gpt3 < clip) == (order.index("a1") < order.index("k9"))  # list order


def test_x_without_a_selection_exports_the_whole_view(folder: Path) -> None:
    async def script(pilot, app):
        await pilot.press("x")
        await settle(pilot)
        title = str(app.screen.query_one(".dialog-title").render())
        assert title == "Export the view: 9 items"

    run(folder, script)
