"""The help screen (``?``): every key, read from the bindings so it cannot drift."""

from __future__ import annotations

from rich.console import Group
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


#: The query language, as README "Searching" has it.
QUERY_LANGUAGE = [
    ("words", "titles, your titles, authors, abstracts, tags, notes; typos are forgiven"),
    ("tag:rlhf  #rlhf", "items you tagged rlhf"),
    ("author:radford  a:radford", "items with an author called Radford"),
    ("is:unread|reading|read", "by your reading status"),
    ("is:new", "arrived since you caught up, not yet opened or marked (W: catch up)"),
    ("has:code  has:note", "items with code; items you wrote a note on"),
    ("cat:CL", "arXiv category"),
    ("src:003", "items from a document (file name or a prefix of it)"),
    ("year:2020", "by year; year:2019..2021 for a range"),
    ('"exact phrase"', "words next to each other"),
    ("-word", "leave out items that mention word"),
    ("readby:bob  taggedby:bob", "what another member of your group read or tagged"),
    ("@name", "a saved search (shelf saved add NAME QUERY), combinable: @to-read year:2024"),
]


def glyph_legend() -> list[tuple[str, str]]:
    from core.listing import DERIVED_GLYPH, GLYPHS, NEW_GLYPH
    from tui.widgets.item_list import CURSOR_GLYPH, SELECT_GLYPH

    return [
        (GLYPHS["unread"], "unread"),
        (GLYPHS["reading"], "reading"),
        (GLYPHS["read"], "read"),
        (DERIVED_GLYPH, "title derived from the text (the source gave none)"),
        (NEW_GLYPH, "new to you (is:new); opening or marking it, or W, clears it"),
        (SELECT_GLYPH, "selected (space): r, t and T apply to all selected"),
        (CURSOR_GLYPH, "the highlighted item"),
    ]


def _bindings(cls: type, keymap: dict[str, str] | None = None) -> list[tuple[str, str]]:
    rows = []
    for binding in getattr(cls, "BINDINGS", []):
        if isinstance(binding, Binding) and binding.description:
            rows.append((key_label(binding, keymap), binding.description))
    return rows


def help_sections(keymap: dict[str, str] | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """``keymap``: the user's ``[keys]``, so the screen shows the keys they actually use."""
    from tui.app import ShelfApp
    from tui.screens.actions import ITEM_BINDINGS
    from tui.screens.detail import DetailScreen
    from tui.screens.main import MainScreen
    from tui.widgets.item_list import ItemList

    item_keys = {b.description for b in ITEM_BINDINGS}
    main = [row for row in _bindings(MainScreen, keymap) if row[1] != "clear"]
    main.append(("escape", "clear the selection, then filters, then the search"))
    return [
        ("Moving in the list", _bindings(ItemList, keymap)),
        ("Items (the selection, or the highlighted item)", main),
        ("Everywhere", _bindings(ShelfApp, keymap)),
        (
            "The detail view",
            [row for row in _bindings(DetailScreen, keymap) if row[1] not in item_keys],
        ),
        *EXTRA.items(),
        ("Searching (type after /)", QUERY_LANGUAGE),
        ("What the list shows", glyph_legend()),
    ]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss(None)", "close", id="help.close"),
        Binding("j", "scroll('down')", "down", show=False, id="help.scroll_down"),
        Binding("k", "scroll('up')", "up", show=False, id="help.scroll_up"),
    ]

    def compose(self) -> ComposeResult:
        self.sections = help_sections(dict(self.app._keymap))
        parts: list[Table | Text] = []
        for title, rows in self.sections:
            # The title above its table, not in its first column: long titles were cut.
            parts.append(Text(title, style="bold underline"))
            table = Table.grid(padding=(0, 2))
            table.add_column(style="bold", no_wrap=True, width=26)
            table.add_column()
            for keys, description in rows:
                table.add_row(Text(keys), Text(description))
            parts += [table, Text("")]
        with VerticalScroll(classes="dialog help", id="help-body"):
            yield Static(
                Text("shelf — keys, searching, glyphs", style="bold"), classes="dialog-title"
            )
            yield Static(Group(*parts))
            yield Static("escape, q or ? closes this screen", classes="dialog-keys")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#help-body"))

    def action_scroll(self, direction: str) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        (body.scroll_down if direction == "down" else body.scroll_up)(animate=False)
