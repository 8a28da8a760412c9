"""Giving an item your own title (``e``); an empty title restores the original."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from core.text import visible


class RenameDialog(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "cancel", id="rename.cancel")]

    def __init__(self, current: str, original: str) -> None:
        super().__init__()
        self.current = current
        self.original = original

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog rename-dialog"):
            yield Label("Rename", classes="dialog-title", markup=False)
            yield Input(value=self.current, id="title", select_on_focus=False)
            original = visible(self.original, lines=False)
            yield Label(f"original: {original}", classes="dialog-hint", markup=False)
            yield Label(
                "enter: save   empty: restore the original   escape: cancel",
                classes="dialog-keys",
            )

    def on_mount(self) -> None:
        field = self.query_one(Input)
        self.set_focus(field)
        field.cursor_position = len(field.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)
