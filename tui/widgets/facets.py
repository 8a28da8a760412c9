"""The facet sidebar: counts per status, tag, source, category and year that filter the list."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from core.listing import FACET_TITLES, GLYPHS, Facet
from core.text import category_name, source_name, visible

CHOSEN = "●"
#: Before a source's or saved search's count of items new to the user.
NEW_MARK = "+"
_SEP = "\x1f"


def facet_label(facet: Facet) -> str:
    """Tags, sources and user names come from data: shown, never interpreted."""
    return visible(_label(facet), lines=False)


def _label(facet: Facet) -> str:
    if facet.group == "status":
        return f"{GLYPHS.get(facet.value, '?')} {facet.value}"
    if facet.group == "tag":
        return f"#{facet.value}"
    if facet.group == "saved":
        return f"@{facet.value}"
    if facet.group == "source":
        return source_name(facet.value)
    if facet.group == "category":
        name = category_name(facet.value)
        return f"{facet.value} {name}" if name else facet.value
    return facet.value


class FacetList(OptionList):
    """Choosing a value toggles it as a filter; values of one group are alternatives."""

    BINDINGS = [
        Binding("j", "cursor_down", "down", show=False, id="facets.cursor_down"),
        Binding("k", "cursor_up", "up", show=False, id="facets.cursor_up"),
        Binding("g", "first", "top", show=False, id="facets.first"),
        Binding("G", "last", "bottom", show=False, id="facets.last"),
        Binding("space", "select", "toggle filter", show=False, id="facets.toggle_space"),
        Binding("enter", "select", "toggle filter", id="facets.toggle"),
    ]

    class Toggled(Message):
        def __init__(self, group: str, value: str) -> None:
            super().__init__()
            self.group = group
            self.value = value

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._shown: tuple[int, list[tuple[str, str, int, bool, int]]] | None = None
        self._facets: Sequence[Facet] = ()

    def on_resize(self) -> None:
        self.show_facets(self._facets)

    def show_facets(self, facets: Sequence[Facet]) -> None:
        self._facets = facets
        # Room for the scrollbar is kept whether it shows or not: it appears
        # after the options are set and would otherwise hide the counts.
        width = max(8, self.size.width - self.styles.gutter.width - 1) if self.size.width else 27
        shown = (width, [(f.group, f.value, f.count, f.chosen, f.new) for f in facets])
        if shown == self._shown:
            return
        self._shown = shown
        keep = self.highlighted_option.id if self.highlighted_option else None
        options: list[Option] = []
        group = None
        for facet in facets:
            if facet.group != group:
                group = facet.group
                options.append(Option(Text(FACET_TITLES[group], style="bold"), disabled=True))
            count = f" {facet.count:,}"
            # New to the user (is:new) before the count: "+3 120".
            new = f" {NEW_MARK}{facet.new:,}" if facet.new else ""
            room = max(1, width - 2 - len(count) - len(new))
            name = facet_label(facet)
            name = name if len(name) <= room else name[: room - 1] + "…"
            label = Text(no_wrap=True)
            label.append(f"{CHOSEN if facet.chosen else ' '} ", "bold")
            label.append(name, "bold" if facet.chosen else "")
            if new:
                label.append(new.rjust(width - 2 - len(name) - len(count)), "bold")
                label.append(count, "dim")
            else:
                label.append(count.rjust(width - 2 - len(name)), "dim")
            options.append(Option(label, id=f"{facet.group}{_SEP}{facet.value}"))
        self.set_options(options)
        if keep is not None:
            try:
                self.highlighted = self.get_option_index(keep)
            except Exception:  # the value left the list with the new counts
                self.highlighted = None
        if self.highlighted is None and self.option_count:
            self.action_first()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and _SEP in event.option.id:
            group, value = event.option.id.split(_SEP, 1)
            self.post_message(self.Toggled(group, value))
