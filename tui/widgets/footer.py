"""The key bar: Textual's ``Footer`` with the keys that explain the others first.

Textual lists the focused widget's keys, then the screen's, then the app's,
so ``? help`` and ``q quit`` (the app's) were the first to fall off the right
edge. Here they lead, and the compact style fits more keys in 80 columns.
"""

from __future__ import annotations

from typing import NamedTuple

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from core.text import visible
from tui.services import shelf_app

#: Binding ids shown first, in this order, whatever has focus.
FIRST = ("app.help", "app.quit", "detail.close", "app.command_palette")


def _rank(binding: Binding) -> int:
    return FIRST.index(binding.id) if binding.id in FIRST else len(FIRST)


#: Characters of an undo label the footer shows ("undo tag #to-read").
UNDO_LABEL_WIDTH = 22


class Shown(NamedTuple):
    """What one key in the bar shows."""

    key: str
    display: str
    description: str
    action: str
    enabled: bool
    tooltip: str

    def same_key(self, other: Shown) -> bool:
        """The same key doing the same, so only its label may differ."""
        return (self.key, self.action, self.enabled, self.tooltip) == (
            other.key,
            other.action,
            other.enabled,
            other.tooltip,
        )


class ShelfFooter(Footer):
    def __init__(self, **kwargs) -> None:
        super().__init__(compact=True, **kwargs)
        self._composed: list[Shown] | None = None

    def bindings_changed(self, screen: Screen) -> None:
        """Rebuild the bar only when what it shows has changed.

        Textual's footer rebuilds its widgets and the screen's layout on
        every binding refresh, 20-40 ms of the UI thread each time, and the
        app refreshes bindings whenever something a key depends on may have
        changed (a search landed, the undo history moved, the index opened);
        most of those leave the bar as it was.
        """
        composed = self._composed
        attached = screen.app.app_focus and self.is_attached and screen is self.screen
        if composed is not None and attached:
            shown = self._shown()
            if shown == composed or self._relabelled(composed, shown):
                return
        super().bindings_changed(screen)

    def _relabelled(self, composed: list[Shown], shown: list[Shown]) -> bool:
        """Only labels changed ("undo" became "undo tag #to-read"): redraw those keys alone."""
        keys = list(self.query(FooterKey))
        if len(keys) != len(shown) or len(composed) != len(shown):
            return False
        if not all(old.same_key(new) for old, new in zip(composed, shown, strict=True)):
            return False  # another key, or one enabled, disabled or explained anew
        for widget, old, new in zip(keys, composed, shown, strict=True):
            if old != new:
                widget.key_display, widget.description = new.display, new.description
                widget.refresh(layout=True)  # its width follows its label
        self._composed = shown
        return True

    def _shown(self) -> list[Shown]:
        seen: set[str] = set()
        shown: list[tuple[Binding, bool, str]] = []
        for _, binding, enabled, tooltip in self.screen.active_bindings.values():
            wanted = binding.show or binding.id == "app.command_palette"
            if wanted and binding.action not in seen:
                seen.add(binding.action)
                shown.append((binding, enabled, tooltip))
        shown.sort(key=lambda entry: _rank(entry[0]))  # stable: the rest keep their order
        return [
            Shown(
                binding.key,
                self.app.get_key_display(binding),
                self._description(binding),
                binding.action,
                enabled,
                tooltip,
            )
            for binding, enabled, tooltip in shown
        ]

    def _description(self, binding: Binding) -> str:
        """``u`` says what it would undo: the footer is where a user looks before pressing it."""
        if binding.id != "app.undo":
            return binding.description
        label = shelf_app(self).undo_label
        if not label:
            return binding.description
        label = visible(label, lines=False)
        if len(label) > UNDO_LABEL_WIDTH:
            label = label[: UNDO_LABEL_WIDTH - 1] + "…"
        return f"undo {label}"

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        shown = self._shown()
        self._composed = shown
        self.styles.grid_size_columns = len(shown)
        for key, display, description, action, enabled, tooltip in shown:
            yield FooterKey(
                key, display, description, action, disabled=not enabled, tooltip=tooltip
            ).data_bind(compact=Footer.compact)
