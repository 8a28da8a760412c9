"""Text from data never reaches the terminal as a command, nor the app as markup.

Titles and authors come from documents; notes and tags from teammates'
annotation files. Each front end (every CLI command, the list, the detail
pane, notifications) must show control sequences as visible symbols and
markup as the characters it is made of.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.session import Session
from core.text import visible
from seeds.model import Item
from storage.model import Annotation, Note
from tests.storage_helpers import set_annotations
from tests.tui_helpers import open_test_shelf, sample_items, settle
from tui.app import ShelfApp
from tui.cli import main
from tui.screens.main import MainScreen
from tui.widgets.detail import DetailPane

pytestmark = pytest.mark.timeout(120)

OSC52 = "\x1b]52;c;cm0gLXJmIH4=\x07"  # fills the clipboard with "rm -rf ~"
OSC2 = "\x1b]2;owned\x07"  # retitles the terminal
OSC8 = "\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\"
CLEAR = "\x1b[2J"
C1_CSI = "\x9b31m"
MARKUP = "[link=x.json]click[/] [WIP] [/]"
HOSTILE_TITLE = f"Attention {OSC2}Is All {MARKUP} You Need{CLEAR}"
HOSTILE_NOTE = f"see {OSC52} and {OSC8}\nline two {C1_CSI} \x00 nul"
HOSTILE_TAG = f"tag{CLEAR}x"
#: What must never be written raw: ESC, BEL, NUL, C1 controls.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")


def hostile_library(folder: Path) -> None:
    items = sample_items()
    items[0] = Item.from_dict({**items[0].to_dict(), "title": HOSTILE_TITLE, "authors": [OSC2]})
    shelf = open_test_shelf(folder, items=items)
    shelf.add_note("a1", HOSTILE_NOTE)
    bob = open_test_shelf(folder, user="bob")
    theirs = Annotation(
        "a1", status="read", tags=[HOSTILE_TAG], notes=[Note(HOSTILE_NOTE, "2026-11-01T00:00:00Z")]
    )
    set_annotations(bob, {"a1": theirs})


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    hostile_library(folder)
    return folder


def test_visible_shows_every_control_character_and_keeps_lines() -> None:
    shown = visible(HOSTILE_NOTE)
    assert not RAW_CONTROL.search(shown)
    assert "␛]52;c;" in shown and "\n" in shown and "\\x9b" in shown and "␀" in shown
    assert visible("a\nb", lines=False) == "a␊b"


COMMANDS = [
    ["list"],
    ["list", "attention"],
    ["list", "--json"],
    ["show", "a1"],
    ["show", "a1", "--json"],
    ["tag", "a1", "fine"],
    ["untag", "a1", "fine"],
    ["note", "a1", f"mine {OSC2}"],
    ["rename", "a1", f"Renamed {CLEAR}"],
    ["read", "a1"],
    ["status", "reading", "a1"],
    ["export", "-f", "md"],
    ["export", "-f", "csv"],
    ["export", "-f", "bib"],
    ["export", "-f", "ris"],
    ["export", "-f", "html"],
    ["annotations", "export", "bob"],
    ["show", f"no{OSC2}such"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a)[:30])
def test_no_command_writes_a_control_sequence(folder: Path, capsys, args: list[str]) -> None:
    main(["--data-dir", str(folder), "--user", "alice", *args])
    out, err = capsys.readouterr()
    # Tabs, and CSV's CRLF row ends (RFC 4180), are part of the formats.
    assert not RAW_CONTROL.search(out.replace("\t", "").replace("\r\n", "\n")), out
    assert not RAW_CONTROL.search(err.replace("\t", "")), err


def test_show_prints_the_hostile_note_visibly(folder: Path, capsys) -> None:
    main(["--data-dir", str(folder), "--user", "alice", "show", "a1"])
    out = capsys.readouterr().out
    assert "␛]52;c;cm0gLXJmIH4=␇" in out and MARKUP in out
    assert "bob noted" in out and "line two" in out


def test_the_app_shows_data_as_text(folder: Path) -> None:
    app = ShelfApp(Session(open_test_shelf(folder)))

    async def go() -> tuple[str, str, list[str]]:
        async with app.run_test(size=(160, 50)) as pilot:
            await settle(pilot)
            screen = next(s for s in app.screen_stack if isinstance(s, MainScreen))
            first = screen.items.render_line(0).text
            detail = screen.query_one(DetailPane).drawn_text
            await pilot.press("r")  # the notification names the hostile title
            await settle(pilot)
            return first, detail, [str(n.message) for n in app._notifications]

    first, detail, notes = asyncio.run(go())
    assert "Attention ␛]2;owned␇Is All [link=x.json]click[/]" in first
    assert not RAW_CONTROL.search(first) and not RAW_CONTROL.search(detail.replace("\t", ""))
    assert "␛]52;c;" in detail and "[WIP]" in detail and "tag␛[2Jx" in detail
    assert notes and all(not RAW_CONTROL.search(n) for n in notes)
    assert any("[link=x.json]click[/]" in n for n in notes)


def test_a_huge_note_does_not_stall_the_detail_pane(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shelf = open_test_shelf(folder)
    shelf.add_note("a1", "word " * 4_000_000)  # 20 MB
    app = ShelfApp(Session(open_test_shelf(folder)))

    async def go() -> str:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            screen = next(s for s in app.screen_stack if isinstance(s, MainScreen))
            await pilot.press("q")
            return screen.query_one(DetailPane).drawn_text

    shown = asyncio.run(go())
    assert "more characters: shelf show or shelf notes prints it all" in shown
    assert not app.is_running


@given(
    st.text(
        alphabet=st.characters(
            include_characters="\n\t\x1b\x07\x9b\u202e\u2066", codec=None, max_codepoint=0x2100
        )
    ),
    st.booleans(),
)
def test_visible_skips_only_text_with_nothing_to_show(text: str, lines: bool) -> None:
    """The shortcut for text with no control character changes no output."""
    from core import text as shown

    table = shown._MULTI_LINE if lines else shown._ONE_LINE
    assert shown.visible(text, lines=lines) == text.translate(table)
