"""The detail pane: everything known about the highlighted item, in reading order."""

from __future__ import annotations

from typing import Any

from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.render import rich_detail


class DetailPane(VerticalScroll):
    """Scrolls on its own so a long abstract never pushes the list away."""

    def compose(self):
        yield Static("", id="detail-body", markup=False)

    def show(self, view: dict[str, Any] | None, abstract_loaded: bool = True) -> None:
        body = self.query_one("#detail-body", Static)
        if view is None:
            body.update("")
            return
        body.update(rich_detail(view, abstract_loaded))
