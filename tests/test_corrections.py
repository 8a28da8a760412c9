"""Corrections: the user's own, kept in their annotation file, used by views, search, exports."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from core.corrections import apply_text, edit_item, render
from core.session import Session
from storage.atomic import StorageError
from tests.tui_helpers import open_test_shelf
from tui.cli import main

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    open_test_shelf(folder)
    return folder


def shelf(folder: Path, *args: str, user: str = "alice") -> int:
    return main(["--data-dir", str(folder), "--user", user, *args])


def view(folder: Path, capsys, item: str = "b2", user: str = "alice") -> dict:
    capsys.readouterr()
    assert shelf(folder, "show", item, "--json", user=user) == 0
    return json.loads(capsys.readouterr().out)


def test_set_corrects_views_search_exports_and_the_file(folder: Path, capsys) -> None:
    assert (
        shelf(folder, "set", "b2", "authors", "John Schulman;", "Filip Wolski; Prafulla Dhariwal")
        == 0
    )
    assert shelf(folder, "set", "b2", "date", "2017-07-21") == 0
    assert shelf(folder, "set", "b2", "venue", "arXiv") == 0
    shown = view(folder, capsys)
    assert shown["authors"] == ["John Schulman", "Filip Wolski", "Prafulla Dhariwal"]
    assert shown["date"] == "2017-07-21" and shown["venue"] == "arXiv"
    assert set(shown["corrections"]) == {"authors", "date", "venue"}
    assert shelf(folder, "list", "dhariwal") == 0
    assert capsys.readouterr().out.startswith("b2 ")
    assert shelf(folder, "export", "-f", "bib", "author:dhariwal") == 0
    assert "Dhariwal" in capsys.readouterr().out
    saved = json.loads((folder / "annotations" / "alice.json").read_text())
    assert saved["annotations"]["b2"]["corrections"]["venue"] == "arXiv"
    # An empty value restores the library's; undo takes a correction back.
    assert shelf(folder, "set", "b2", "venue") == 0
    assert view(folder, capsys)["venue"] is None
    assert shelf(folder, "undo") == 0
    assert view(folder, capsys)["venue"] == "arXiv"


def test_bad_values_are_refused_in_one_line(folder: Path, capsys) -> None:
    for args, message in (
        (["date", "July 2017"], "is not YYYY"),
        (["urls", "ftp://x"], "not an http(s) URL"),
        (["colour", "red"], "cannot be set"),
    ):
        assert shelf(folder, "set", "b2", *args) == 1
        assert message in capsys.readouterr().err
    assert view(folder, capsys)["corrections"] == {}


def test_others_see_a_teammates_corrections_attributed(folder: Path, capsys) -> None:
    open_test_shelf(folder, user="bob")
    assert shelf(folder, "set", "b2", "venue", "NeurIPS", user="bob") == 0
    mine = view(folder, capsys)
    assert mine["venue"] is None and mine["others"]["bob"]["corrections"] == {"venue": "NeurIPS"}


def test_a_teammates_bad_correction_is_refused_not_believed(folder: Path, capsys) -> None:
    (folder / "annotations" / "bob.json").write_text(
        json.dumps({"annotations": {"b2": {"corrections": {"date": "tomorrow"}, "tags": ["x"]}}})
    )
    capsys.readouterr()
    assert shelf(folder, "show", "b2", "--json") == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["others"] == {}  # the whole entry is refused, not half-taken
    assert "bob.json" in err and "correction" in err


def _editor(tmp_path: Path, body: str) -> str:
    script = tmp_path / "editor.py"
    script.write_text(
        f"import sys, pathlib\np = pathlib.Path(sys.argv[1])\np.write_text(p.read_text(){body})\n"
    )
    return f"{sys.executable} {script}"


def test_edit_opens_the_editor_and_keeps_what_changed(
    folder, tmp_path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv(
        "VISUAL", _editor(tmp_path, '.replace("date = \\"Jul 20, 2017\\"", "date = \\"2017-07\\"")')
    )
    assert shelf(folder, "edit", "b2") == 0
    assert "saved (corrected: date)" in capsys.readouterr().out
    assert view(folder, capsys)["date"] == "2017-07-01"
    monkeypatch.setenv("VISUAL", _editor(tmp_path, ""))  # saved unchanged: nothing to do
    assert shelf(folder, "edit", "b2") == 0
    assert "nothing changed" in capsys.readouterr().out


def test_a_broken_edit_is_kept_and_named(folder: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    session = Session(open_test_shelf(folder))
    with pytest.raises(StorageError, match="not valid TOML.*your edit is kept in"):
        edit_item(session, "b2", run=lambda path: (path.write_text("title = "), 0)[1])
    assert session.annotation("b2").corrections == {}
    (kept,) = tmp_path.glob("shelf-b2-*.toml")
    assert kept.read_text() == "title = "


def test_the_rendering_round_trips_every_character(folder: Path) -> None:
    session = Session(open_test_shelf(folder))
    session.rename("b2", 'A "quoted" \\ title\twith tab')
    session.correct("b2", {"abstract": 'Line one\n"""three quotes"""\n\x1b[2J and \\u'})
    text = render(session, "b2")
    assert apply_text(session, "b2", text) is None  # re-reading it changes nothing


def test_E_in_the_app_edits_in_the_editor_and_saves(folder: Path, monkeypatch) -> None:
    import asyncio
    import contextlib

    import core.corrections
    from tests.tui_helpers import settle
    from tui.app import ShelfApp

    def editor(path: Path) -> int:
        text = path.read_text().replace('venue = ""', 'venue = "ICML 2017"')
        path.write_text(text)
        return 0

    monkeypatch.setattr(core.corrections, "run_editor", editor)
    monkeypatch.setattr(ShelfApp, "suspend", lambda self: contextlib.nullcontext())
    app = ShelfApp(Session(open_test_shelf(folder)))

    async def go() -> list[str]:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("j", "E")  # b2, the second item
            await settle(pilot)
            return [str(n.message) for n in app._notifications]

    assert "corrections saved" in asyncio.run(go())
    assert Session(open_test_shelf(folder)).annotation("b2").corrections == {"venue": "ICML 2017"}
