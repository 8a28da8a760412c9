"""Choosing the sort order (``s``): a short menu, each entry with its own letter."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from core.listing import SORT_LABELS, SORTS

#: One key per sort so ``s d`` sorts by date without moving the cursor.
SORT_KEYS = {"relevance": "r", "date": "d", "title": "t", "changed": "c", "library": "l"}


class SortMenu(ModalScreen[str | None]):
    BINDINGS = [
        Binding("escape,q", "dismiss(None)", "cancel", id="sort.cancel"),
        Binding("j", "down", "down", show=False, id="sort.down"),
        Binding("k", "up", "up", show=False, id="sort.up"),
        *[
            Binding(key, f"choose('{sort}')", sort, show=False, id=f"sort.{sort}")
            for sort, key in SORT_KEYS.items()
        ],
    ]

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        options = [
            Option(
                f"{'●' if sort == self.current else ' '} {SORT_KEYS[sort]}  {SORT_LABELS[sort]}",
                id=sort,
            )
            for sort in SORTS
        ]
        with Vertical(classes="dialog sort-menu"):
            yield Label("Sort by", classes="dialog-title", markup=False)
            yield OptionList(*options, id="sorts")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = SORTS.index(self.current)
        self.set_focus(options)

    def action_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def action_choose(self, sort: str) -> None:
        self.dismiss(sort)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
