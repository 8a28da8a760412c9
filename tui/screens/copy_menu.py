"""Copying a citation (``y``) and choosing a link to open (``O``): two short menus.

Entries are built from data (link URLs), so every label is a ``Text``, never markup.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from core.cite import COPY_CHOICES, Link
from core.text import visible


class _Menu(ModalScreen[str | None]):
    BINDINGS = [Binding("escape,q", "dismiss(None)", "cancel")]
    TITLE_TEXT = ""

    def options(self) -> list[Option]:  # pragma: no cover - each menu overrides it
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog sort-menu"):
            yield Label(self.TITLE_TEXT, classes="dialog-title", markup=False)
            yield OptionList(*self.options(), id="choices")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        self.set_focus(options)

    def action_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class CopyMenu(_Menu):
    """``y``: what to copy; each entry has its own letter (``y b`` copies BibTeX)."""

    BINDINGS = [
        *_Menu.BINDINGS,
        *[
            Binding(key, f"choose('{choice}')", label, show=False)
            for choice, (key, label) in COPY_CHOICES.items()
        ],
    ]

    def __init__(self, count: int) -> None:
        super().__init__()
        self.TITLE_TEXT = "Copy" + (f" for {count} items" if count > 1 else "")

    def options(self) -> list[Option]:
        return [
            Option(Text(f"{key}  {label}"), id=choice)
            for choice, (key, label) in COPY_CHOICES.items()
        ]


class LinkMenu(_Menu):
    """``O``: every link the item has, the paper's page first."""

    BINDINGS = [
        *_Menu.BINDINGS,
        Binding("j", "down", "down", show=False),
        Binding("k", "up", "up", show=False),
    ]
    TITLE_TEXT = "Open a link"

    def __init__(self, links: list[Link]) -> None:
        super().__init__()
        self.links = links

    def options(self) -> list[Option]:
        return [
            Option(Text(f"{link.label}: {visible(link.url, lines=False)}"), id=str(i))
            for i, link in enumerate(self.links)
        ]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        index = int(event.option.id or 0)
        self.dismiss(self.links[index].url)
