"""The search input at the top of the main screen."""

from __future__ import annotations

from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widgets import Input


class SearchBar(Input):
    """Typing searches as you go; ``enter``/``down`` go to the results, ``escape`` clears."""

    # Input's virtual width grows with its text, and a widget's virtual size
    # lays the whole screen out again when it changes: one full-screen render
    # per key before the results even arrive. The bar is one line of fixed
    # width that scrolls its own text, so a redraw of the bar is enough.
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False, repaint=True)

    BINDINGS = [
        Binding("enter", "to_results", "results", show=False, id="search.to_results"),
        Binding("down", "to_results", "results", show=False, id="search.down_to_results"),
        Binding("escape", "clear_or_leave", "clear", show=True, id="search.clear_or_leave"),
    ]
    # The main screen also binds enter and down with priority while this has
    # focus, so keys typed right after them reach the list, not this input.

    class Leave(Message):
        """The user wants to go to the results."""

    def action_to_results(self) -> None:
        self.post_message(self.Leave())

    def action_clear_or_leave(self) -> None:
        if self.value:
            self.value = ""
        else:
            self.post_message(self.Leave())
