"""Saving the current search (``ctrl+s``) under a name, to use later as ``@name``."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class SaveSearchDialog(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "cancel", id="save_search.cancel")]

    def __init__(self, query: str) -> None:
        super().__init__()
        self.query_text = query

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog save-search-dialog"):
            yield Label("Save this search", classes="dialog-title", markup=False)
            yield Label(self.query_text, classes="dialog-hint", markup=False)
            yield Input(placeholder="name, e.g. to-read", id="name")
            yield Label(
                "enter: save (then type @name in any search)   escape: cancel",
                classes="dialog-keys",
            )

    def on_mount(self) -> None:
        self.set_focus(self.query_one(Input))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = event.value.strip().removeprefix("@")
        if not name:
            self.notify("type a name for the search", severity="warning", timeout=3)
            return
        self.dismiss(name)
