"""Every key's action in the command palette (``ctrl+p``), named as the footer names it.

The commands are read from the bindings themselves, so a new key shows up
here (and in the help screen) without a second list to keep in step.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import partial
from typing import Any

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

from tui.services import OffersCommands

#: Actions that only move the cursor: the palette is for doing things.
_SKIP = {
    "cursor_down",
    "cursor_up",
    "page_down",
    "page_up",
    "half_down",
    "half_up",
    "top",
    "bottom",
}
_SKIP |= {"command_palette", "focus_next", "focus_previous"}


def is_ours(binding: Binding) -> bool:
    """Every shelf binding has a dotted id (``item.toggle_read``); Textual's have none."""
    return bool(binding.id) and "." in (binding.id or "")


#: How keys with long names are written for people.
_KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "right_square_bracket": "]",
    "left_square_bracket": "[",
}


def key_label(binding: Binding, keymap: Mapping[str, str] | None = None) -> str:
    """Every key of the binding as the user has it: their config's ``[keys]`` wins."""
    keys = binding.key
    if keymap and binding.id and binding.id in keymap:
        keys = keymap[binding.id]
    elif binding.key_display and "," not in keys:
        return binding.key_display
    return ", ".join(_KEY_NAMES.get(k.strip(), k.strip()) for k in keys.split(","))


def screen_commands(screen: Any) -> Iterator[tuple[DOMNode, Binding]]:
    """(node, binding) for every action the user can run on ``screen`` now."""
    seen: set[str] = set()
    pairs: list[tuple[DOMNode, Binding]] = []
    if isinstance(screen, OffersCommands):
        pairs += screen.command_bindings()
    pairs += [(b.node, b.binding) for b in screen.active_bindings.values() if b.enabled]
    for node, binding in pairs:
        if binding.action in _SKIP or binding.action in seen or not binding.description:
            continue
        if not is_ours(binding):
            continue  # Textual's own keys (Scroll Left, Focus Next): the palette is for shelf
        seen.add(binding.action)
        yield node, binding


class ShelfCommands(Provider):
    """The palette's only provider: shelf's commands in key order, then the app's own
    (Theme), so what the user came for is listed first."""

    def _commands(self) -> list[tuple[str, str, Any]]:
        found: list[tuple[str, str, Any]] = []
        for node, binding in screen_commands(self.screen):
            title = binding.description
            title = title[:1].upper() + title[1:]
            found.append(
                (
                    title,
                    key_label(binding, self.app._keymap),
                    partial(self.app.run_action, binding.action, node),
                )
            )
        for command in self.app.get_system_commands(self.screen):
            found.append((command.title, "", command.callback))
        return found

    async def discover(self) -> Hits:
        for title, keys, run in self._commands():
            yield DiscoveryHit(title, run, help=f"key: {keys}" if keys else None)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, keys, run in self._commands():
            score = matcher.match(title)
            if score > 0:
                help_text = f"key: {keys}" if keys else None
                yield Hit(score, matcher.highlight(title), run, help=help_text)
