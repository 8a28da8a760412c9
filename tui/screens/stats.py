"""The statistics screen (``S``): reading progress, pace and what the library holds.

Bars and sparklines are drawn with block characters, so the shapes are there
without colour too; every bar carries its number.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Sparkline, Static

from core.listing import GLYPHS, Stats
from core.text import category_name, source_name
from tui.widgets.footer import ShelfFooter

BLOCKS = " ▏▎▍▌▋▊▉█"
STATUS_FILL = {"read": "█", "reading": "▓", "unread": "░"}
STATUS_STYLE = {"read": "bold", "reading": "", "unread": "dim"}


def bar(value: int, top: int, width: int) -> str:
    """A horizontal bar in eighths of a cell, so small counts still show."""
    if top <= 0 or width <= 0:
        return ""
    eighths = round(value / top * width * 8)
    if value > 0:
        eighths = max(eighths, 1)
    full, rest = divmod(eighths, 8)
    return "█" * full + (BLOCKS[rest] if rest else "")


def progress_text(stats: Stats, width: int = 50) -> Text:
    total = max(stats.total, 1)
    text = Text()
    cells = []
    for status in ("read", "reading", "unread"):
        cells.append((status, round(stats.by_status.get(status, 0) / total * width)))
    drift = width - sum(c for _, c in cells)
    cells[-1] = (cells[-1][0], max(0, cells[-1][1] + drift))
    for status, count in cells:
        text.append(STATUS_FILL[status] * count, STATUS_STYLE[status])
    text.append("\n")
    for status in ("read", "reading", "unread"):
        n = stats.by_status.get(status, 0)
        text.append(f"{STATUS_FILL[status]} {GLYPHS[status]} {status} ", "bold")
        text.append(f"{n:,} ({n / total:.0%})   ")
    return text


def bars_text(rows: Sequence[tuple[str, int]], limit: int = 12, width: int = 24) -> Text:
    text = Text()
    if not rows:
        text.append("nothing yet", "dim italic")
        return text
    shown = list(rows[:limit])
    top = max(n for _, n in shown)
    label_w = min(22, max(len(label) for label, _ in shown))
    for label, n in shown:
        name = label if len(label) <= label_w else label[: label_w - 1] + "…"
        text.append(f"{name:<{label_w}} ")
        text.append(f"{bar(n, top, width):<{width}}", "bold")
        text.append(f" {n:,}\n")
    if len(rows) > limit:
        text.append(f"… and {len(rows) - limit} more", "dim")
    text.rstrip()
    return text


SPARK_WIDTH = 52  # two cells a week for 26 weeks; the legend is laid out to match


def weeks_text(stats: Stats) -> Text:
    text = Text()
    first, last = stats.week_starts[0], stats.week_starts[-1]
    weekly = stats.read_per_week
    left, right = f"week of {first:%b %d}", f"this week ({last:%b %d})"
    text.append(left, "dim")
    text.append(" " * max(1, SPARK_WIDTH - len(left) - len(right)))
    text.append(right + "\n", "dim")
    text.append(f"{sum(weekly):,} read in {len(weekly)} weeks · most in a week: {max(weekly)}")
    text.append(f" · this week: {weekly[-1]}")
    return text


class StatsScreen(Screen[None]):
    BINDINGS = [
        Binding("escape,q,S", "close", "back", id="stats.close"),
        Binding("j", "scroll('down')", "down", show=False, id="stats.scroll_down"),
        Binding("k", "scroll('up')", "up", show=False, id="stats.scroll_up"),
    ]

    def __init__(self, stats: Stats) -> None:
        super().__init__()
        self.stats = stats

    def compose(self) -> ComposeResult:
        stats = self.stats
        with VerticalScroll(id="stats-body"):
            yield Static(Text("Reading progress", style="bold"), classes="stats-title")
            yield Static(progress_text(stats), id="progress")
            yield Static(Text("Read per week", style="bold"), classes="stats-title")
            yield Sparkline(stats.read_per_week, id="weekly")
            yield Static(weeks_text(stats), id="weekly-legend")
            with Grid(id="stats-grid"):
                for title, rows in (
                    ("Tags", [(f"#{t}", n) for t, n in stats.tags]),
                    ("Sources", [(source_name(s), n) for s, n in stats.sources]),
                    ("Categories", [(_category(c), n) for c, n in stats.categories]),
                    ("Years", stats.years),
                ):
                    with Vertical(classes="stats-box"):
                        yield Static(Text(title, style="bold"), classes="stats-title")
                        yield Static(bars_text(rows), classes="stats-bars")
        yield ShelfFooter()

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#stats-body"))

    def action_close(self) -> None:
        self.dismiss()

    def action_scroll(self, direction: str) -> None:
        body = self.query_one("#stats-body", VerticalScroll)
        (body.scroll_down if direction == "down" else body.scroll_up)(animate=False)


def _category(code: str) -> str:
    name = category_name(code)
    return f"{code} {name}" if name else code
