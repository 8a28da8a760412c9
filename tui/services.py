"""How screens and widgets reach the app, typed: no ``getattr`` hooks, no ``Any``.

Screens draw from ``ShelfApp.model`` and ask for changes with
``ShelfApp.change``; what changed reaches them as Messages (``tui.messages``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast, runtime_checkable

from textual.binding import Binding
from textual.dom import DOMNode

if TYPE_CHECKING:
    from tui.app import ShelfApp


def shelf_app(node: DOMNode) -> ShelfApp:
    return cast("ShelfApp", node.app)


@runtime_checkable
class HasPendingWork(Protocol):
    """A screen with work of its own in flight (a search on its way), for ``settle``."""

    def busy(self) -> bool: ...


@runtime_checkable
class OffersCommands(Protocol):
    """A screen whose palette lists keys of widgets that may not have focus."""

    def command_bindings(self) -> list[tuple[DOMNode, Binding]]: ...
