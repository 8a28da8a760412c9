"""Undo and redo: durable, per user, the inverse of each change applied to what is saved now."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from core.session import Session
from core.undo import as_doc
from storage.history import KEEP, History
from tests.tui_helpers import open_test_shelf, settle
from tui.app import ShelfApp
from tui.cli import main

IDS = ["a1", "b2", "c3", "d4"]


def session_on(folder: Path, user: str = "alice") -> Session:
    return Session(open_test_shelf(folder, user=user))


def saved(folder: Path, user: str = "alice") -> dict[str, dict | None]:
    anns = open_test_shelf(folder, user=user).all_annotations()
    return {i: as_doc(anns[i]) if i in anns else None for i in IDS}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    open_test_shelf(folder)
    return folder


def test_undo_survives_a_restart_and_redo_follows(folder: Path) -> None:
    session_on(folder).set_status(["a1", "b2"], "read")  # one bulk step
    session_on(folder).add_tags(["a1"], ["x"])
    assert saved(folder)["a1"]["tags"] == ["x"]
    later = session_on(folder)  # a new process: the history is on disk
    assert [s.label for s in later.undo_state().undo] == ["tag #x", "mark read"]
    (change,) = later.undo()
    assert change.label == "tag #x" and "tags" not in (saved(folder)["a1"] or {})
    (change,) = session_on(folder).undo()
    assert change.ids == ["a1", "b2"] and saved(folder)["b2"] is None
    assert session_on(folder).undo() == []
    session_on(folder).redo(2)
    assert saved(folder)["a1"]["tags"] == ["x"] and saved(folder)["b2"]["status"] == "read"


def test_undo_keeps_a_later_change_by_another_process(folder: Path) -> None:
    mine = session_on(folder)
    mine.add_tags(["a1"], ["mine"])
    mine.set_status(["a1"], "read")
    other = session_on(folder)  # a second window, without history of its own steps
    other.shelf.add_tags(["a1"], ["theirs"])
    other.shelf.set_status(["a1"], "reading")
    (status_step,) = mine.undo()
    assert status_step.kept == ["a1 status"]  # the later "reading" stays
    mine.undo()  # the tag step: only "mine" goes
    after = saved(folder)["a1"]
    assert after["status"] == "reading" and after["tags"] == ["theirs"]


def test_a_new_change_ends_what_could_be_redone(folder: Path) -> None:
    s = session_on(folder)
    s.add_tags(["a1"], ["x"])
    s.undo()
    assert [st.label for st in s.undo_state().redo] == ["tag #x"]
    s.add_tags(["b2"], ["y"])
    assert s.undo_state().redo == []


def test_history_keeps_at_least_a_hundred_steps_after_compaction(folder: Path) -> None:
    s = session_on(folder)
    for n in range(2 * KEEP + 5):
        s.rename("a1", f"title {n}")
    steps = History(s.shelf.dirs, "alice").stacks().done
    assert KEEP <= len(steps) <= 2 * KEEP + 1 and steps[-1].records[0].after == {
        "title": f"title {2 * KEEP + 4}"
    }
    assert len(s.undo(150)) == 150
    assert saved(folder)["a1"]["title"] == f"title {2 * KEEP + 4 - 150}"


def test_a_damaged_history_line_is_skipped_with_a_warning(folder: Path) -> None:
    s = session_on(folder)
    s.add_tags(["a1"], ["x"])
    with open(s.history.path, "ab") as f:
        f.write(b"{not json\n")
    again = session_on(folder)
    assert [st.label for st in again.undo_state().undo] == ["tag #x"]
    assert any("damaged" in w for w in again.warnings)


def test_history_is_per_user(folder: Path) -> None:
    session_on(folder).add_tags(["a1"], ["alice"])
    bob = session_on(folder, "bob")
    assert bob.undo_state().undo == []


def run_cli(folder: Path, *args: str) -> int:
    return main(["--data-dir", str(folder), "--user", "alice", *args])


def test_cli_notes_edit_delete_and_undo(folder: Path, capsys) -> None:
    assert run_cli(folder, "note", "a1", "first") == 0
    assert run_cli(folder, "note", "a1", "second") == 0
    assert run_cli(folder, "note", "a1", "--edit", "1", "first,", "edited") == 0
    assert run_cli(folder, "note", "a1", "--delete", "2") == 0
    capsys.readouterr()
    assert run_cli(folder, "notes", "a1") == 0
    out = capsys.readouterr().out
    assert out.startswith("1. (") and "first, edited" in out and "second" not in out
    assert run_cli(folder, "note", "a1", "--delete", "7") == 1
    assert "no note 7 on a1 (it has 1 note)" in capsys.readouterr().err
    assert run_cli(folder, "undo", "--list") == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].endswith("delete a note (1 items)") and len(listed) == 4
    assert run_cli(folder, "undo", "2") == 0
    assert capsys.readouterr().out.splitlines() == [
        "undone: delete a note (1 item)",
        "undone: edit a note (1 item)",
    ]
    assert [n.text for n in session_on(folder).notes("a1")] == ["first", "second"]
    assert run_cli(folder, "redo") == 0
    assert [n.text for n in session_on(folder).notes("a1")] == ["first, edited", "second"]
    assert run_cli(folder, "undo", "9") == 0
    assert run_cli(folder, "undo") == 1
    assert "nothing to undo" in capsys.readouterr().err


def test_u_undoes_and_ctrl_r_redoes_in_the_app(folder: Path) -> None:
    app = ShelfApp(Session(open_test_shelf(folder)))

    async def go() -> list[str]:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("r")
            await settle(pilot)
            assert app.undo_label == "mark read"
            assert saved(folder)["a1"]["status"] == "read"
            from textual.widgets._footer import FooterKey

            shown = [k.description for k in app.screen.query(FooterKey)]
            assert "undo mark read" in shown  # the footer says what u would undo
            await pilot.press("u")
            await settle(pilot)
            assert saved(folder)["a1"] is None and app.redo_label == "mark read"
            assert app.model.row("a1").status == "unread"
            await pilot.press("ctrl+r")
            await settle(pilot)
            return [str(n.message) for n in app._notifications]

    notes = asyncio.run(go())
    assert "undone: mark read (1 item)" in notes and "redone: mark read (1 item)" in notes
    assert saved(folder)["a1"]["status"] == "read"


# -- any sequence of changes, undone, gives back the saved state it started from ----------

texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12)
tags = st.lists(st.sampled_from(["x", "y", "z"]), min_size=1, max_size=2)


class UndoMachine(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        import tempfile

        self.folder = Path(tempfile.mkdtemp(prefix="shelf-undo-")) / "data"
        self.session = session_on(self.folder)
        self.states = [saved(self.folder)]  # the saved state after each step

    def _after(self) -> None:
        now = saved(self.folder)
        if now != self.states[-1]:
            self.states.append(now)

    @rule(item=st.sampled_from(IDS), status=st.sampled_from(["unread", "reading", "read"]))
    def status(self, item: str, status: str) -> None:
        self.session.set_status([item], status)
        self._after()

    @rule(items=st.lists(st.sampled_from(IDS), min_size=1, max_size=3, unique=True), t=tags)
    def tag(self, items: list[str], t: list[str]) -> None:
        self.session.add_tags(items, t)
        self._after()

    @rule(item=st.sampled_from(IDS), t=tags)
    def untag(self, item: str, t: list[str]) -> None:
        self.session.remove_tags([item], t)
        self._after()

    @rule(item=st.sampled_from(IDS), text=texts)
    def note(self, item: str, text: str) -> None:
        if text.strip():
            self.session.add_note(item, text)
            self._after()

    @rule(item=st.sampled_from(IDS), text=st.one_of(st.none(), texts))
    def rename(self, item: str, text: str | None) -> None:
        self.session.rename(item, text)
        self._after()

    @rule(item=st.sampled_from(IDS))
    def delete_first_note(self, item: str) -> None:
        if self.session.notes(item):
            self.session.delete_note(item, 1)
            self._after()

    @rule()
    def undo_all_then_redo_all(self) -> None:
        steps = len(self.session.undo_state().undo)
        changes = self.session.undo(steps)
        assert all(not c.kept for c in changes)
        assert saved(self.folder) == self.states[0]
        self.session.redo(steps)
        assert saved(self.folder) == self.states[-1]

    @invariant()
    def one_step_per_saved_change(self) -> None:
        assert len(self.session.undo_state().undo) >= len(self.states) - 1


UndoMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=12, deadline=None)
TestUndoMachine = UndoMachine.TestCase


def test_the_notes_view_edits_and_deletes_a_note(folder: Path, monkeypatch) -> None:
    import contextlib

    import core.corrections

    session = session_on(folder)
    session.add_note("a1", "first")
    session.add_note("a1", "second")

    def editor(path: Path) -> int:
        path.write_text("second, edited in the editor")
        return 0

    monkeypatch.setattr(core.corrections, "run_editor", editor)
    monkeypatch.setattr(ShelfApp, "suspend", lambda self: contextlib.nullcontext())
    app = ShelfApp(Session(open_test_shelf(folder)))

    async def go() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("N")
            await settle(pilot)
            assert type(app.screen).__name__ == "NotesScreen"
            await pilot.press("e")  # the first note, in the note editor
            await settle(pilot)
            await pilot.press("end", *" (checked)", "ctrl+s")
            await settle(pilot)
            await pilot.press("down", "ctrl+e")  # the second, in $EDITOR
            await settle(pilot)
            await pilot.press("up", "d", "y")  # delete the first
            await settle(pilot)

    asyncio.run(go())
    assert [n.text for n in session_on(folder).notes("a1")] == ["second, edited in the editor"]
    labels = [s.label for s in session_on(folder).undo_state().undo[:3]]
    assert labels == ["delete a note", "edit a note", "edit a note"]
