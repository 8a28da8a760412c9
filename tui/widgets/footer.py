"""The key bar: Textual's ``Footer`` with the keys that explain the others first.

Textual lists the focused widget's keys, then the screen's, then the app's,
so ``? help`` and ``q quit`` (the app's) were the first to fall off the right
edge. Here they lead, and the compact style fits more keys in 80 columns.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

#: Binding ids shown first, in this order, whatever has focus.
FIRST = ("app.help", "app.quit", "detail.close", "app.command_palette")


def _rank(binding: Binding) -> int:
    return FIRST.index(binding.id) if binding.id in FIRST else len(FIRST)


class ShelfFooter(Footer):
    def __init__(self, **kwargs) -> None:
        super().__init__(compact=True, **kwargs)

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        seen: set[str] = set()
        shown: list[tuple[Binding, bool, str]] = []
        for _, binding, enabled, tooltip in self.screen.active_bindings.values():
            wanted = binding.show or binding.id == "app.command_palette"
            if wanted and binding.action not in seen:
                seen.add(binding.action)
                shown.append((binding, enabled, tooltip))
        shown.sort(key=lambda entry: _rank(entry[0]))  # stable: the rest keep their order
        self.styles.grid_size_columns = len(shown)
        for binding, enabled, tooltip in shown:
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip,
            ).data_bind(compact=Footer.compact)
