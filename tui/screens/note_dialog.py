"""Writing a note (``n``): a multi-line editor; ``ctrl+s`` saves, ``escape`` asks first."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, TextArea

from tui.screens.confirm import ConfirmScreen


class NoteDialog(ModalScreen[str | None]):
    BINDINGS = [
        Binding("ctrl+s", "save", "save", priority=True, id="note.save"),
        Binding("escape", "cancel", "cancel", priority=True, id="note.cancel"),
    ]

    def __init__(self, what: str, text: str = "") -> None:
        """``text``: the note being edited (empty for a new one)."""
        super().__init__()
        self.what = what
        self.text = text
        self.editing = bool(text)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog note-dialog"):
            verb = "Edit the note" if self.editing else "Note"
            yield Label(f"{verb} on {self.what}", classes="dialog-title", markup=False)
            yield TextArea(self.text, id="note", soft_wrap=True, show_line_numbers=False)
            yield Label("ctrl+s: save   escape: discard", classes="dialog-keys")

    def on_mount(self) -> None:
        self.set_focus(self.query_one(TextArea))

    def action_save(self) -> None:
        text = self.query_one(TextArea).text
        if not text.strip():
            self.notify("the note is empty: write something or press escape", timeout=3)
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        if self.query_one(TextArea).text.strip() in ("", self.text.strip()):
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen("Discard this note?", "It has not been saved."), answered
        )
