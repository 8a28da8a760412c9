"""``x``: the current view exported by a process of its own while the app carries on."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import storage.export.job as job
from core.session import Session
from storage.atomic import StorageError
from storage.export import export_views
from storage.export.job import ExportRequest, run_export_process
from storage.shelf import Shelf
from tests.test_tui_keys import main, messages, reopen, run
from tests.tui_helpers import open_test_shelf, settle


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "data"


async def export_to(pilot, app, path: str, fmt: str = "md") -> None:
    await pilot.press("x")
    await settle(pilot)
    assert type(app.screen).__name__ == "ExportDialog"
    if fmt != "md":
        options = app.screen.query_one("#format")
        options.highlighted = next(
            i for i in range(options.option_count) if options.get_option_at_index(i).id == fmt
        )
    app.screen.query_one("#path").value = path
    app.screen.query_one("#path").focus()
    await pilot.press("enter")


def test_the_export_carries_the_saves_pressed_just_before_it(folder: Path, tmp_path: Path) -> None:
    target = tmp_path / "list.md"

    async def script(pilot, app):
        first = main(app).items.current_id
        await pilot.press("r")  # no settling: the export must still see it
        await export_to(pilot, app, str(target))
        await settle(pilot)
        assert messages(app)[-1] == f"exported 8 items to {target}"
        return first

    first = run(folder, script)
    title = reopen(folder).view(first)["title"]
    read_lines = [line for line in target.read_text().splitlines() if line.startswith("- [x]")]
    assert len(read_lines) == 1 and title.split()[0] in read_lines[0]


def test_saves_go_on_while_an_export_runs(folder: Path, tmp_path: Path, monkeypatch) -> None:
    release = threading.Event()
    running = threading.Event()
    real = job.run_export_process

    def held(request, started=None):
        running.set()
        release.wait(10)
        return real(request, started)

    import tui.screens.export_dialog  # noqa: F401 - the dialog imports it when used

    monkeypatch.setattr(job, "run_export_process", held)
    target = tmp_path / "refs.bib"

    async def script(pilot, app):
        await export_to(pilot, app, str(target), fmt="bib")
        for _ in range(200):
            if running.is_set():
                break
            await pilot.pause(0.01)
        assert running.is_set() and app.exports.pending == 1
        await pilot.press("down", "t", *"later", "enter")
        # The tag reaches the disk while the export is still held.
        for _ in range(300):
            if app.jobs.pending == 0:
                break
            await pilot.pause(0.01)
        assert app.jobs.pending == 0 and app.exports.pending == 1
        tagged = [i for i, a in reopen(folder).all_annotations().items() if "later" in a.tags]
        release.set()
        await settle(pilot)
        assert messages(app)[-1] == f"exported 8 items to {target}"
        return tagged

    tagged = run(folder, script)
    assert len(tagged) == 1
    assert "keywords = {later}" in target.read_text()


def test_a_failed_export_is_one_line_and_the_app_carries_on(folder: Path, tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "list.md"

    async def script(pilot, app):
        await export_to(pilot, app, str(target))
        await settle(pilot)
        error = messages(app)[-1]
        assert error.startswith("could not export: cannot save ") and "\n" not in error
        assert str(target) in error
        await pilot.press("r")
        await settle(pilot)
        return main(app).items.current_id

    first = run(folder, script)
    assert reopen(folder).all_annotations()[first].status == "read"
    assert not target.parent.exists()


# -- the process itself ----------------------------------------------------------


def test_the_process_writes_what_the_exporter_writes(tmp_path: Path) -> None:
    shelf = open_test_shelf(tmp_path / "data")
    ids = Session(shelf).find("")[::-1]
    target = tmp_path / "out.json"
    request = ExportRequest(str(shelf.dirs.root), "alice", ids, "csv", str(target), "q", None)
    assert run_export_process(request) == len(ids)
    assert target.read_bytes() == export_views(shelf.views(ids), "csv")


def test_the_process_reports_a_bad_request_in_one_line(tmp_path: Path) -> None:
    shelf: Shelf = open_test_shelf(tmp_path / "data")
    target = tmp_path / "out.md"
    bad_id = ExportRequest(str(shelf.dirs.root), "alice", ["nope"], "md", str(target))
    with pytest.raises(StorageError, match=r"^no item with id 'nope'$"):
        run_export_process(bad_id)
    bad_format = ExportRequest(str(shelf.dirs.root), "alice", [], "docx", str(target))
    with pytest.raises(StorageError, match=r"^unknown export format 'docx'"):
        run_export_process(bad_format)
    assert not target.exists()


def test_an_existing_file_is_replaced_only_when_confirmed(folder: Path, tmp_path: Path) -> None:
    target = tmp_path / "mine.md"
    target.write_text("my own notes\n")

    async def script(pilot, app):
        await export_to(pilot, app, str(target))
        await settle(pilot)
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("n")
        await settle(pilot)
        assert target.read_text() == "my own notes\n"
        await export_to(pilot, app, str(target))
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert messages(app)[-1] == f"exported 8 items to {target}"

    run(folder, script)
    assert target.read_text().startswith("# Reading list\n")
