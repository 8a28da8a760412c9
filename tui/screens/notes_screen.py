"""An item's notes (``N``): each one numbered, to edit (``e``, or ``ctrl+e`` in $EDITOR) or delete."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from core.text import visible
from tui.errors import guarded, safe
from tui.screens.confirm import ConfirmScreen
from tui.screens.note_dialog import NoteDialog
from tui.services import shelf_app

if TYPE_CHECKING:
    from core.session import Change

PREVIEW = 300  # characters of a note shown in the list


class NotesScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("e,enter", "edit", "edit", id="notes.edit"),
        Binding("ctrl+e", "edit_outside", "edit in $EDITOR", id="notes.edit_outside"),
        Binding("d,delete", "delete", "delete", id="notes.delete"),
        Binding("escape,q", "dismiss(None)", "close", id="notes.close"),
    ]

    def __init__(self, item_id: str, what: str) -> None:
        super().__init__()
        self.item_id = item_id
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog notes-dialog"):
            yield Label(f"Notes on {self.what}", classes="dialog-title", markup=False)
            yield OptionList(id="notes")
            yield Label(
                "e: edit   ctrl+e: edit in $EDITOR   d: delete   escape: close",
                classes="dialog-keys",
                markup=False,
            )

    def on_mount(self) -> None:
        self.show_notes()
        self.set_focus(self.query_one(OptionList))

    def show_notes(self) -> None:
        notes = shelf_app(self).model.annotation(self.item_id).notes
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        for number, note in enumerate(notes, 1):
            label = Text(f"{number}. ", style="bold")
            label.append(f"{note.created or 'undated'}\n", style="dim")
            text = note.text if len(note.text) <= PREVIEW else note.text[:PREVIEW] + "…"
            label.append(visible(text))
            options.add_option(Option(label, id=str(number)))
        if not notes:
            options.add_option(Option(Text("no notes: n adds one", style="dim"), disabled=True))
        elif highlighted is not None:
            options.highlighted = min(highlighted, len(notes) - 1)

    def _chosen(self) -> int | None:
        option = self.query_one(OptionList).highlighted_option
        return int(option.id) if option is not None and option.id else None

    def _saved(self, change: Change) -> None:
        self.show_notes()

    @guarded("edit the note")
    def action_edit(self) -> None:
        number = self._chosen()
        if number is None:
            return
        app = shelf_app(self)
        note = app.model.annotation(self.item_id).notes[number - 1]
        item_id = self.item_id

        def chosen(text: str | None) -> None:
            if text is None or text.strip() == note.text.strip():
                return
            app.change("edit the note", lambda s: s.edit_note(item_id, number, text), self._saved)

        app.push_screen(NoteDialog(self.what, note.text), safe(app, "edit the note", chosen))

    @guarded("edit the note")
    def action_edit_outside(self) -> None:
        from core.corrections import run_editor
        from core.notes_editing import finish_note_edit, start_note_edit

        number = self._chosen()
        if number is None:
            return
        app = shelf_app(self)
        item_id = self.item_id
        path, written = start_note_edit(app.session, item_id, number)
        with app.suspend():
            code = run_editor(path)

        def done(change: Change | None) -> None:
            self.notify("note unchanged" if change is None else "note saved", timeout=3)
            self.show_notes()

        app.change_or_none(
            "edit the note",
            lambda s: finish_note_edit(s, item_id, number, path, written, code),
            done,
        )

    @guarded("delete the note")
    def action_delete(self) -> None:
        number = self._chosen()
        if number is None:
            return
        app = shelf_app(self)
        item_id = self.item_id

        def answered(yes: bool | None) -> None:
            if yes:
                app.change("delete a note", lambda s: s.delete_note(item_id, number), self._saved)

        app.push_screen(
            ConfirmScreen(f"Delete note {number}?", "u undoes it."), safe(app, "delete", answered)
        )
