"""Adding papers by reference (``a``): arXiv ids, DOIs or URLs, several at once."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class AddDialog(ModalScreen[list[str] | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "cancel", id="add.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog rename-dialog"):
            yield Label("Add papers", classes="dialog-title", markup=False)
            yield Input(placeholder="arxiv:2303.08774  doi:10.…  https://…", id="refs")
            yield Label(
                "several references separated by spaces; fetched from arXiv, Crossref or the page",
                classes="dialog-hint",
                markup=False,
            )
            yield Label("enter: add   escape: cancel", classes="dialog-keys", markup=False)

    def on_mount(self) -> None:
        self.set_focus(self.query_one(Input))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        refs = event.value.split()
        self.dismiss(refs or None)
