"""The item list: a Line-API scroll view that renders only the rows on screen.

``DataTable``, ``ListView`` and ``OptionList`` build per-row objects and take
seconds at 100k rows. Here the list is an array of ids; a new search or sort
hands over a new array and the visible lines are redrawn, nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from core.listing import DERIVED_GLYPH, GLYPHS, NEW_GLYPH, LibraryModel
from core.text import visible as visible_text

Spans = Sequence[tuple[int, int]]

CURSOR_GLYPH = "›"
SELECT_GLYPH = "*"
#: Before the title of an item new to the user (is:new), and the space after it.
NEW_MARK = NEW_GLYPH + " "
_CACHE_LIMIT = 512  # rendered lines kept: a dozen screens; each is ~10 objects the collector walks


_BOLD = Style(bold=True)
_PLAIN = Style()


def _pad(text: str, width: int) -> str:
    return text + " " * (width - cell_len(text))


def _fit(text: str, width: int) -> str:
    """Cut ``text`` to ``width`` cells, ending with an ellipsis when it was cut."""
    if width <= 0:
        return ""
    if len(text) <= width and cell_len(text) <= width:
        return text
    out = []
    used = 0
    for ch in text:
        w = cell_len(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


DATE_W = 12  # "Sep 30, 2021"
GAP = 2


def column_widths(width: int, with_tags: bool = True) -> tuple[int, int, int]:
    """Date, first author and tags column widths for a list ``width`` cells wide.

    Narrow lists drop authors, then tags, then dates, so the title always
    keeps most of the room; a library nobody has tagged yet has no tags column.
    """
    date_w = DATE_W if width >= 40 else 0
    author_w = min(22, max(10, width // 6)) if width >= 70 else 0
    tags_w = min(30, max(8, width // 7)) if width >= 55 and with_tags else 0
    return date_w, author_w, tags_w


def title_width(width: int, widths: tuple[int, int, int]) -> int:
    gaps = sum(GAP for w in widths if w)
    return max(1, width - 4 - sum(widths) - gaps)


def _strip_colour(style: Style) -> Style:
    """A part's emphasis without its colour: on the cursor row the cursor's colours win."""
    return Style(bold=style.bold, italic=style.italic, underline=style.underline)


class ItemList(ScrollView, can_focus=True):
    """The rows of the current view; the cursor row feeds the detail pane."""

    BINDINGS = [
        Binding("j,down", "cursor_down", "down", show=False, id="list.cursor_down"),
        Binding("k,up", "cursor_up", "up", show=False, id="list.cursor_up"),
        Binding("g,home", "top", "top", show=False, id="list.top"),
        Binding("G,end", "bottom", "bottom", show=False, id="list.bottom"),
        Binding("pagedown,ctrl+f", "page_down", "page down", show=False, id="list.page_down"),
        Binding("pageup,ctrl+b", "page_up", "page up", show=False, id="list.page_up"),
        Binding("ctrl+d", "half_down", "half page down", show=False, id="list.half_down"),
        Binding("ctrl+u", "half_up", "half page up", show=False, id="list.half_up"),
        Binding("space", "select", "select", id="list.select"),
    ]

    COMPONENT_CLASSES = {
        "item-list--cursor",
        "item-list--selected",
        "item-list--derived",
        "item-list--new",
        "item-list--match",
        "item-list--author",
        "item-list--date",
        "item-list--tags",
        "item-list--read",
        "item-list--reading",
        "item-list--empty",
    }

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    class Highlighted(Message):
        def __init__(self, item_list: ItemList, item_id: str | None) -> None:
            super().__init__()
            self.item_list = item_list
            self.item_id = item_id

    class SelectionChanged(Message):
        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    def __init__(self, model: LibraryModel, **kwargs) -> None:
        super().__init__(**kwargs)
        self.model = model
        self.order: list[str] = []
        self.matches: Mapping[str, Spans] = {}
        self.selection: dict[str, None] = {}  # ordered, for predictable bulk actions
        self.empty_message = "Nothing here."
        self._cache: dict[tuple, tuple[object, Strip]] = {}
        self._row_style_map: dict[str, Style] | None = None
        self._cursor_style_map: dict[str, Style] | None = None
        #: Whether the tags column is drawn; the screen turns it off while nobody has tags.
        self.with_tags = True
        self._frame: tuple[int, int] | None = None
        self._last_highlighted: str | None = None

    # -- the data ----------------------------------------------------------

    @property
    def current_id(self) -> str | None:
        if 0 <= self.cursor < len(self.order):
            return self.order[self.cursor]
        return None

    def set_order(
        self,
        order: list[str],
        matches: Mapping[str, Spans] | None = None,
        keep: str | None = None,
        cursor: int | None = None,
    ) -> None:
        """Show a new array of ids; the cursor stays on ``keep`` when it is still there."""
        self.order = order
        self.matches = matches or {}
        self.virtual_size = Size(self.size.width, len(order))
        if cursor is None:
            cursor = 0
            if keep is not None:
                try:
                    cursor = order.index(keep)
                except ValueError:
                    cursor = min(self.cursor, max(len(order) - 1, 0))
        self._cache.clear()
        self.refresh()
        self.cursor = max(0, min(cursor, len(order) - 1))

    def refresh_rows(self) -> None:
        """Redraw after annotations changed; cached lines of changed rows no longer match."""
        self.refresh()

    def selected_ids(self) -> list[str]:
        return list(self.selection)

    def clear_selection(self) -> None:
        if self.selection:
            self.selection = {}
            self.refresh()
            self.post_message(self.SelectionChanged(0))

    # -- the cursor --------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.order) - 1)) if self.order else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line(old)
        self.refresh_line(new)
        self._follow(new)
        item_id = self.current_id
        if item_id != self._last_highlighted:
            self._last_highlighted = item_id
            self.post_message(self.Highlighted(self, item_id))

    def _follow(self, row: int) -> None:
        height = self.scrollable_content_region.height
        top = round(self.scroll_y)
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif height > 0 and row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_top(self) -> None:
        self.cursor = 0

    def action_bottom(self) -> None:
        self.cursor = len(self.order) - 1

    def action_page_down(self) -> None:
        self.cursor += self._page()

    def action_page_up(self) -> None:
        self.cursor -= self._page()

    def action_half_down(self) -> None:
        self.cursor += max(1, self._page() // 2)

    def action_half_up(self) -> None:
        self.cursor -= max(1, self._page() // 2)

    def action_select(self) -> None:
        item_id = self.current_id
        if item_id is None:
            return
        if item_id in self.selection:
            del self.selection[item_id]
        else:
            self.selection[item_id] = None
        self.refresh_line(self.cursor)
        self.post_message(self.SelectionChanged(len(self.selection)))
        self.cursor += 1

    def on_click(self, event: events.Click) -> None:
        row = event.y + round(self.scroll_y)
        if 0 <= row < len(self.order):
            self.cursor = row

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.size.width, len(self.order))
        self._cache.clear()
        self._follow(self.cursor)

    def on_focus(self) -> None:
        self.refresh_line(self.cursor)

    def on_blur(self) -> None:
        self.refresh_line(self.cursor)

    # -- drawing -----------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        # What every line needs, worked out once per frame rather than per line.
        self._frame = (round(self.scroll_y), self.scrollable_content_region.width)
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def render_line(self, y: int) -> Strip:
        if self._frame is not None:
            scroll_y, width = self._frame
        else:
            scroll_y, width = round(self.scroll_y), self.scrollable_content_region.width
        index = y + scroll_y
        base = self._row_styles()["base"]
        if index >= len(self.order) or width <= 0:
            if index == 0 and not self.order:
                style = self.get_component_rich_style("item-list--empty")
                text = _fit(f"  {self.empty_message}", width)
                return Strip([Segment(text, base + style)]).adjust_cell_length(width, base)
            return Strip.blank(width, base)
        item_id = self.order[index]
        row = self.model.row(item_id)
        is_cursor = index == self.cursor
        focused = self.has_focus
        selected = item_id in self.selection
        new = item_id in self.model.new_ids  # a frozenset the app replaces when it changes
        # The engine's title spans are for the item's own title, not a rename.
        spans = None if row.ann is not None and row.ann.title else self.matches.get(item_id)
        # Matches change only with set_order, which empties the cache; a row
        # object is rebuilt whenever its annotation changes.
        key = (item_id, width, is_cursor, focused, selected, new, base, self.with_tags)
        cached = self._cache.get(key)
        if cached is not None and cached[0] is row:
            return cached[1]
        strip = self._render_row(row, width, is_cursor, focused, selected, spans, base, new)
        if len(self._cache) > _CACHE_LIMIT:
            self._cache.clear()
        self._cache[key] = (row, strip)
        return strip

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._row_style_map = None
        self._cursor_style_map = None
        self._cache.clear()

    def _cursor_styles(self) -> dict[str, Style]:
        if self._cursor_style_map is None:
            self._cursor_style_map = {
                name: _strip_colour(style) for name, style in self._row_styles().items()
            }
        return self._cursor_style_map

    def _row_styles(self) -> dict[str, Style]:
        """Partial styles, so a row's parts never paint over the cursor's background."""
        if self._row_style_map is None:
            # rich_style walks the DOM on every call: once per style change, not per line.
            self._row_style_map = {
                name.removeprefix("item-list--"): self.get_component_rich_style(name, partial=True)
                for name in self.COMPONENT_CLASSES
            }
            self._row_style_map["base"] = self.rich_style
        return self._row_style_map

    def _render_row(
        self, row, width, is_cursor, focused, selected, spans, base: Style, new: bool = False
    ) -> Strip:
        """One row as segments: a Rich Text per row costs most of a frame at 50 rows."""
        st = self._row_styles()
        line = base
        if is_cursor:
            line = base + (st["cursor"] if focused else _BOLD)
            if focused:
                st = self._cursor_styles()
        segments = [
            Segment(CURSOR_GLYPH if is_cursor else " ", line),
            Segment(SELECT_GLYPH if selected else " ", line + st["selected"]),
            Segment(GLYPHS.get(row.status, "?"), line + st.get(row.status, _PLAIN)),
            Segment(" ", line),
        ]
        # Columns have the same widths on every row so they line up.
        date_w, author_w, tags_w = widths = column_widths(width, self.with_tags)
        title_w = title_width(width, widths)
        # A title may run on over the author and date cells when the row has
        # neither (blog excerpts): their long derived titles get the room.
        columns = [(author_w, row.author, "author"), (date_w, row.date, "date")]
        while columns and columns[0][0] and not columns[0][1]:
            title_w += columns.pop(0)[0] + GAP
        columns = [c for c in columns if c[0]]

        if new and title_w > len(NEW_MARK):
            segments.append(Segment(NEW_MARK, line + st["new"]))
            title_w -= len(NEW_MARK)
        title = (DERIVED_GLYPH if row.derived else "") + row.title
        shown = _fit(title, title_w)
        title_style = line + st["derived"] if row.derived else line
        if spans:
            offset = len(DERIVED_GLYPH) if row.derived else 0
            visible = len(shown) - (1 if shown != title else 0)  # not the ellipsis
            match_style = title_style + st["match"]
            position = 0
            for a, b in sorted(spans):
                a, b = max(a + offset, position), min(b + offset, visible)
                if a >= b:
                    continue
                segments.append(Segment(shown[position:a], title_style))
                segments.append(Segment(shown[a:b], match_style))
                position = b
            segments.append(Segment(shown[position:], title_style))
        else:
            segments.append(Segment(shown, title_style))
        segments.append(Segment(" " * (title_w - cell_len(shown)), line))
        if tags_w:
            columns.append(
                (tags_w, visible_text(" ".join(f"#{t}" for t in row.tags), lines=False), "tags")
            )
        for column_w, text, name in columns:
            if column_w:
                segments.append(Segment(" " * GAP, line))
                segments.append(Segment(_pad(_fit(text, column_w), column_w), line + st[name]))
        return Strip(segments).adjust_cell_length(width, line)


#: The column a sort orders by, marked in the header.
_SORTED_COLUMN = {"date": "date", "title": "title"}


class ListHeader(Widget):
    """The column names over the list, laid out with the list's own widths."""

    DEFAULT_CSS = """
    ListHeader {
        height: 1;
    }
    """

    def __init__(self, items: ItemList, **kwargs) -> None:
        super().__init__(**kwargs)
        self.items = items
        self.sort = "relevance"

    def render(self) -> Text:
        width = self.items.scrollable_content_region.width or max(1, self.size.width - 1)
        widths = date_w, author_w, tags_w = column_widths(width, self.items.with_tags)
        marked = _SORTED_COLUMN.get(self.sort)

        def name(label: str) -> str:
            return label + (" ▾" if label == marked else "")

        text = Text(no_wrap=True, overflow="crop")
        text.append(
            "    "
            + _pad(_fit(name("title"), title_width(width, widths)), title_width(width, widths))
        )
        for column_w, label in ((author_w, "author"), (date_w, "date"), (tags_w, "tags")):
            if column_w:
                text.append(" " * GAP + _pad(_fit(name(label), column_w), column_w))
        return text
