"""The help screen (``?``): every key, read from the bindings so it cannot drift."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.commands_palette import key_label

EXTRA = {
    "Search input": [
        ("enter, down", "go to the first result"),
        ("escape", "clear the search (again: back to the list)"),
    ],
    "Dialogs": [
        ("escape", "close the dialog without saving"),
        ("enter", "confirm (tags, rename, export, menus)"),
        ("tab, right", "complete a tag"),
        ("ctrl+s", "save a note"),
    ],
    "Facets": [("enter, space", "toggle the highlighted filter"), ("escape", "back to the list")],
}


def _bindings(cls: type) -> list[tuple[str, str]]:
    rows = []
    for binding in getattr(cls, "BINDINGS", []):
        if isinstance(binding, Binding) and binding.description:
            rows.append((key_label(binding), binding.description))
    return rows


def help_sections() -> list[tuple[str, list[tuple[str, str]]]]:
    from tui.app import ShelfApp
    from tui.screens.main import MainScreen
    from tui.widgets.item_list import ItemList

    main = [row for row in _bindings(MainScreen) if row[1] != "clear"]
    main.append(("escape", "clear the selection, then filters, then the search"))
    return [
        ("Moving in the list", _bindings(ItemList)),
        ("Items (the selection, or the highlighted item)", main),
        ("Everywhere", _bindings(ShelfApp)),
        *EXTRA.items(),
    ]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss(None)", "close", id="help.close"),
        Binding("j", "scroll('down')", "down", show=False, id="help.scroll_down"),
        Binding("k", "scroll('up')", "up", show=False, id="help.scroll_up"),
    ]

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True, width=18)
        table.add_column()
        for title, rows in help_sections():
            table.add_row(Text(title, style="bold underline"), "")
            for keys, description in rows:
                table.add_row(keys, description)
            table.add_row("", "")
        with VerticalScroll(classes="dialog help", id="help-body"):
            yield Static(Text("shelf — keys", style="bold"), classes="dialog-title")
            yield Static(table)
            yield Static("escape, q or ? closes this screen", classes="dialog-keys")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#help-body"))

    def action_scroll(self, direction: str) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        (body.scroll_down if direction == "down" else body.scroll_up)(animate=False)
