"""The detail pane: everything known about the highlighted item, in reading order.

A Line-API scroll view rather than a ``Static`` in a scrolling container: a
``Static`` whose text changes height asks for a layout of the whole screen,
and the repaint after it cost 25-30 ms of every cursor move at 100k items.
Here a new item is wrapped once into strips and only this pane is redrawn;
a layout happens only when the vertical scrollbar appears or goes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.segment import Segment
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from core.text import visible, visible_view
from tui.render import rich_detail


@dataclass(frozen=True)
class RelatedRow:
    title: str
    derived: bool
    score: float
    shared: tuple[str, ...]


@dataclass(frozen=True)
class RelatedSection:
    """What the "Related" section says: the rows, or why there are none yet."""

    rows: tuple[RelatedRow, ...] = ()
    pending: str | None = None  # "finding…", "waiting for the search index…", an error

    def render(self) -> Text:
        out = Text()
        out.append("\n\nRelated", "bold")
        if self.rows:
            out.append(f"  (1–{len(self.rows)} opens one)", "dim")
        out.append("\n")
        if self.pending is not None:
            out.append(visible(self.pending, lines=False), "dim italic")
            return out
        if not self.rows:
            out.append("(nothing alike)", "dim italic")
            return out
        for i, row in enumerate(self.rows, 1):
            out.append(f"  {i}  ", "bold")
            title = ("~" if row.derived else "") + visible(row.title, lines=False)
            out.append(title, "italic" if row.derived else "")
            why = ", ".join(visible(t, lines=False) for t in row.shared)
            out.append(f"  {row.score:.2f}" + (f" · {why}" if why else ""), "dim")
            if i < len(self.rows):
                out.append("\n")
        return out


def _section_text(related: RelatedSection) -> Text:
    """The section as wrapped on its own: a blank line, then "Related"."""
    text = related.render()
    return text[1:] if text.plain.startswith("\n\n") else text


class DetailPane(ScrollView, can_focus=True):
    """Scrolls on its own so a long abstract never pushes the list away."""

    DEFAULT_CSS = """
    DetailPane {
        overflow-x: hidden;
        overflow-y: auto;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._text = Text()  # the item, without the Related section
        self._related = Text()  # the Related section, wrapped on its own
        self._item_strips: list[Strip] = []
        self._item_wrapped_at = -1
        self._strips: list[Strip] = []
        self._wrapped_at = -1
        self._styled: list[Strip] = []
        self._styled_for: tuple[Any, int] | None = None
        self._blank = Strip.blank(0)

    @property
    def drawn_text(self) -> str:
        """The pane's lines as wrapped for the screen, without styles (for tests)."""
        return "\n".join(strip.text.rstrip() for strip in self._strips)

    def show(
        self,
        view: dict[str, Any] | None,
        abstract_loaded: bool = True,
        related: RelatedSection | None = None,
    ) -> None:
        """``related``: the "Related" section under the item (the detail view's);
        None leaves it out."""
        shown = None if view is None else visible_view(view)  # data never reaches the terminal raw
        self._text = Text() if shown is None else rich_detail(shown, abstract_loaded)
        self._related = Text() if shown is None or related is None else _section_text(related)
        self._item_wrapped_at = -1
        self._wrapped_at = -1
        self._rewrap()
        self.refresh()

    def show_related(self, related: RelatedSection) -> None:
        """Replace only the Related section: the item's lines are not built or
        wrapped again when a lookup answers."""
        if not self._text:
            return
        self._related = _section_text(related)
        self._wrapped_at = -1
        self._rewrap()
        self.refresh()

    def on_resize(self) -> None:
        self._rewrap()

    def _content_width(self, with_scrollbar: bool) -> int:
        width = self.content_region.width
        if with_scrollbar:
            width -= self.styles.scrollbar_size_vertical
        return max(1, width)

    def _wrap_text(self, text: Text, width: int) -> list[Strip]:
        console = self.app.console
        options = console.options.update_width(width)
        lines = console.render_lines(text, options, pad=False)
        return [Strip(line).simplify() for line in lines]

    def _wrap_all(self, width: int) -> list[Strip]:
        """The item's lines (kept while the width stays) and the section's under them."""
        if self._item_wrapped_at != width:
            self._item_strips = self._wrap_text(self._text, width)
            self._item_wrapped_at = width
        if not self._related:
            return self._item_strips
        return [*self._item_strips, *self._wrap_text(self._related, width)]

    def _rewrap(self) -> None:
        """Wrap the text for the width there is, and size the scroll area to it."""
        if not self.is_mounted or not self.size:
            return
        height = self.content_region.height
        # Wrapped beside a scrollbar first: long abstracts (most at 100k) then
        # wrap once. Text that fits is short, and wrapping it again is cheap.
        width = self._content_width(with_scrollbar=True)
        strips = self._wrap_all(width)
        if len(strips) <= height:
            width = self._content_width(with_scrollbar=False)
            strips = self._wrap_all(width)
        self._strips = strips
        self._styled_for = None
        self._wrapped_at = self.content_region.width
        size = Size(width, len(strips))
        if size != self.virtual_size:
            # Not the reactive's setter: that lays out the whole screen. The
            # scrollbars are updated here; only showing or hiding one needs a
            # layout, and _scroll_update asks for that itself.
            self.set_reactive(DetailPane.virtual_size, size)
            self._scroll_update(size)

    def render_line(self, y: int) -> Strip:
        if self._wrapped_at != self.content_region.width:
            self._rewrap()
        width = self.scrollable_content_region.width
        style = self.rich_style
        if self._styled_for != (style, width):
            # Styled and padded once per item, not per frame: a new Strip per
            # line per frame is garbage with reference cycles (Strip caches
            # hold the strip), which only a full collection frees.
            self._styled = [
                Strip(Segment.apply_style(line, style)).adjust_cell_length(width, style)
                for line in self._strips
            ]
            self._blank = Strip.blank(width, style)
            self._styled_for = (style, width)
        index = y + self.scroll_offset.y
        if 0 <= index < len(self._styled):
            return self._styled[index]
        return self._blank
