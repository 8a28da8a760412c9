"""Removing items, and importing only what was meant: --dry-run and --format."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from core.session import Session
from tests.tui_helpers import open_test_shelf, settle
from tui.app import ShelfApp
from tui.cli import main

pytestmark = pytest.mark.timeout(120)
ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "003_841ddd0b77768394.txt"


def shelf(folder: Path, *args: str) -> int:
    return main(["--data-dir", str(folder), "--user", "alice", *args])


def ids(folder: Path) -> list[str]:
    return list(Session.open(folder, "alice").shelf.items(with_text=False))


def test_remove_keeps_annotations_and_a_reimport_brings_the_item_back(
    bundled_data: Path, capsys
) -> None:
    (gpt4,) = [i for i, it in Session.open(bundled_data, "alice").shelf.items().items()
               if it.title == "GPT-4 Technical Report"]  # fmt: skip
    assert shelf(bundled_data, "tag", gpt4, "to-cite") == 0
    before = len(ids(bundled_data))
    capsys.readouterr()
    assert shelf(bundled_data, "remove", gpt4, "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report == {"removed": [gpt4], "annotations_kept": [gpt4]}
    assert gpt4 not in ids(bundled_data) and len(ids(bundled_data)) == before - 1
    assert shelf(bundled_data, "show", gpt4) == 1
    assert shelf(bundled_data, "list", "gpt-4 technical") == 0
    assert gpt4 not in capsys.readouterr().out
    # The same document again: the item comes back, with its tag.
    assert shelf(bundled_data, "import", str(SEED)) == 0
    assert "1 of them came back with your notes, tags and status" in capsys.readouterr().out
    assert gpt4 in ids(bundled_data)
    assert Session.open(bundled_data, "alice").annotation(gpt4).tags == ["to-cite"]


def test_undo_puts_removed_items_back_and_redo_removes_them_again(bundled_data: Path) -> None:
    first, second = ids(bundled_data)[:2]
    assert shelf(bundled_data, "remove", first, second) == 0
    assert first not in ids(bundled_data)
    assert shelf(bundled_data, "undo") == 0
    assert ids(bundled_data)[-2:] == [first, second] or {first, second} <= set(ids(bundled_data))
    view = Session.open(bundled_data, "alice").view(first)
    assert view["summary"]  # its abstract came back too
    assert shelf(bundled_data, "redo") == 0
    assert first not in ids(bundled_data) and second not in ids(bundled_data)


def test_dry_run_reports_and_changes_nothing(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "data"
    open_test_shelf(folder)
    before = sorted(p.name for p in folder.iterdir())
    library = (folder / "library.json").read_bytes()
    assert shelf(folder, "import", "--dry-run", str(SEED)) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "would be: 25 added, 0 merged, 0 unchanged"
    assert (folder / "library.json").read_bytes() == library
    assert sorted(p.name for p in folder.iterdir()) == before


def test_format_forces_a_reading_and_refusal_names_what_was_looked_for(tmp_path, capsys) -> None:
    folder = tmp_path / "data"
    open_test_shelf(folder)
    doc = tmp_path / "notes.md"
    doc.write_text("# Reading\n\n## Papers\n\nSome Title\n\nA summary of the work, in prose.\n")
    assert shelf(folder, "import", str(doc)) == 1
    assert "looks like Markdown" in capsys.readouterr().err
    assert shelf(folder, "import", "--format", "nope", str(doc)) == 1
    assert "unknown format 'nope'" in capsys.readouterr().err


def test_D_removes_after_a_confirmation_naming_the_count(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    app = ShelfApp(Session(open_test_shelf(folder)))

    async def go() -> tuple[list[str], list[str]]:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("space", "down", "space")  # two selected
            chosen = sorted(
                next(s for s in app.screen_stack if hasattr(s, "items")).items.selected_ids()
            )
            assert len(chosen) == 2
            await pilot.press("D")
            await settle(pilot)
            question = str(app.screen.query_one(".dialog-title").render())
            assert "Remove 2 items from the library?" in question
            await pilot.press("y")
            await settle(pilot)
            for _ in range(100):
                if len(app.model.library_order) == 6:
                    break
                await pilot.pause(0.05)
            assert len(app.model.library_order) == 6
            return chosen, [str(n.message) for n in app._notifications]

    chosen, notes = asyncio.run(go())
    assert "removed 2 items (u puts them back)" in notes
    remaining = ids(folder)
    assert len(remaining) == 6 and not set(chosen) & set(remaining)
