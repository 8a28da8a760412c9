"""Snapshots of every screen and dialog, at 80×24 and 200×60.

The app runs on the sample items of ``tui.testing`` with fixed annotations
and a fixed "today", so the pictures only change when the UI does. Update
with ``pytest tests/test_tui_snapshots.py --snapshot-update`` and look at the
report before committing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from core.session import Session
from storage.model import Annotation, Note
from tests.storage_helpers import set_annotations
from tests.tui_helpers import open_test_shelf, settle
from tui.app import ShelfApp

TODAY = dt.date(2026, 11, 20)


def stamp(days_ago: int) -> str:
    day = TODAY - dt.timedelta(days=days_ago)
    return f"{day.isoformat()}T09:30:00Z"


ANNOTATIONS = {
    "a1": Annotation(
        "a1",
        status="read",
        status_at=stamp(2),
        read_at=stamp(2),
        tags=["llm", "must-read"],
        notes=[Note("Few-shot prompting works from 13B up.", stamp(2))],
        updated=stamp(2),
    ),
    "b2": Annotation(
        "b2", status="reading", status_at=stamp(9), tags=["rl"], updated=stamp(9)
    ),
    "e5": Annotation(
        "e5", status="read", status_at=stamp(20), read_at=stamp(20), tags=["llm", "scaling"],
        updated=stamp(20),
    ),
    "g7": Annotation("g7", status="read", status_at=stamp(40), read_at=stamp(40), updated=stamp(40)),
    "d4": Annotation("d4", title="DALL·E: zero-shot text to image", updated=stamp(5)),
}  # fmt: skip


def make_app(folder: Path, others: bool = False) -> ShelfApp:
    shelf = open_test_shelf(folder)
    set_annotations(shelf, ANNOTATIONS)
    if others:
        note = Note("Section 3 is the part to read.", stamp(1))
        theirs = Annotation("a1", status="read", status_at=stamp(1), tags=["classic"], notes=[note])
        set_annotations(open_test_shelf(folder, user="bob"), {"a1": theirs})
        shelf = open_test_shelf(folder)
    return ShelfApp(Session(shelf), today=lambda: TODAY, opener=lambda url: None)


def quiet(*keys: str, pause: float = 0.0, theme: str | None = None):
    """A run_before that presses ``keys`` and waits for the app, without toasts."""

    async def run_before(pilot) -> None:
        if theme is not None:
            pilot.app.theme = theme
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        if pause:
            await pilot.pause(pause)
            await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    return run_before


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "data"


def test_main_screen_80x24(snap_compare, folder: Path) -> None:
    assert snap_compare(make_app(folder), terminal_size=(80, 24), run_before=quiet("j"))


def test_main_screen_200x60_search_selection_facets(snap_compare, folder: Path) -> None:
    keys = ["slash", *"language", "enter", "space", "j"]
    assert snap_compare(make_app(folder), terminal_size=(200, 60), run_before=quiet(*keys))


def test_main_screen_120x40(snap_compare, folder: Path) -> None:
    assert snap_compare(make_app(folder), terminal_size=(120, 40), run_before=quiet())


# Light themes: every column must be drawn in theme colours, not white on white.
@pytest.mark.parametrize("theme", ["textual-light", "solarized-light"])
def test_main_screen_light_theme_80x24(snap_compare, folder: Path, theme: str) -> None:
    run_before = quiet("j", theme=theme)
    assert snap_compare(make_app(folder), terminal_size=(80, 24), run_before=run_before)


def test_main_screen_light_theme_120x40_search(snap_compare, folder: Path) -> None:
    run_before = quiet("slash", *"language", "enter", theme="catppuccin-latte")
    assert snap_compare(make_app(folder), terminal_size=(120, 40), run_before=run_before)


def test_detail_screen_with_reading_group(snap_compare, folder: Path) -> None:
    app = make_app(folder, others=True)
    assert snap_compare(app, terminal_size=(100, 40), run_before=quiet("enter"))


def test_help_screen(snap_compare, folder: Path) -> None:
    assert snap_compare(make_app(folder), terminal_size=(100, 50), run_before=quiet("?"))


def test_statistics_screen(snap_compare, folder: Path) -> None:
    assert snap_compare(make_app(folder), terminal_size=(120, 45), run_before=quiet("S"))


def test_tag_dialog_with_completion(snap_compare, folder: Path) -> None:
    keys = ["j", "t", "m", "u"]
    assert snap_compare(make_app(folder), terminal_size=(100, 30), run_before=quiet(*keys))


def test_note_dialog(snap_compare, folder: Path) -> None:
    keys = ["n", *"Compare with", "enter", *"the PPO paper."]
    assert snap_compare(make_app(folder), terminal_size=(100, 30), run_before=quiet(*keys))


def test_rename_dialog(snap_compare, folder: Path) -> None:
    assert snap_compare(make_app(folder), terminal_size=(100, 30), run_before=quiet("e"))


def test_sort_menu(snap_compare, folder: Path) -> None:
    assert snap_compare(make_app(folder), terminal_size=(100, 30), run_before=quiet("s"))


def test_export_dialog(snap_compare, folder: Path) -> None:
    assert snap_compare(make_app(folder), terminal_size=(100, 30), run_before=quiet("x"))


def test_tiny_terminal(snap_compare, folder: Path) -> None:
    assert snap_compare(make_app(folder), terminal_size=(20, 5), run_before=quiet("j"))
