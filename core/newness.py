"""What is new to the user: items that arrived since they last caught up.

An item is new when it arrived (``Item.arrived``: an import, ``shelf add`` or
a feed refresh put it in the library) after the user's watermark and they
have not opened or marked it since (storage.seen). The bundled corpus and
items from before arrivals were kept have no arrival, so they are never new.

Cheap by construction: what is new is worked out from the library's
arrivals (a small cache, not the items) and the user's small seen file, and
kept until either changes. Clearing one item reads that item only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from storage.seen import SeenFile, SeenState, arrival_stamp

if TYPE_CHECKING:
    from storage.shelf import Shelf

__all__ = ["Newness"]


class Newness:
    def __init__(self, shelf: Shelf) -> None:
        self._library = shelf.library
        self.file = SeenFile(shelf.dirs, shelf.user, warn=shelf._warn)
        self._known: tuple[dict[str, str], SeenState, frozenset[str]] | None = None

    def state(self) -> SeenState:
        """The user's watermark and opened items (made the first time: nothing is new yet)."""
        return self.file.state()

    def new_ids(self) -> frozenset[str]:
        """Ids of the items new to the user; the same object while nothing changed."""
        arrivals = self._library.arrivals()
        state = self.file.state()
        known = self._known
        if known is not None and known[0] is arrivals and known[1] == state:
            return known[2]
        looked, opened = state.looked, state.opened
        new = frozenset(i for i, at in arrivals.items() if at > looked and i not in opened)
        self._known = (arrivals, state, new)
        return new

    def is_new(self, item_id: str, arrived: str) -> bool:
        """Whether one item, arrived at ``arrived``, is new: the seen file only, not the arrivals."""
        state = self.file.state()
        return state.is_new(arrived) and item_id not in state.opened

    def clear(self, item_ids: Sequence[str]) -> list[str]:
        """The user opened or marked these: those that were new are not any more.

        Reads only these items' arrival stamps, not the library.
        """
        state = self.file.state()
        wanted = [i for i in dict.fromkeys(item_ids) if i not in state.opened]
        if not wanted:
            return []
        arrived = self._library.arrived_of(wanted)
        new = [i for i in wanted if state.is_new(arrived.get(i, ""))]
        if new:
            self.file.add_opened(new)
        return new

    def catch_up(self, item_ids: Iterable[str] | None = None) -> list[str]:
        """Nothing is new any more (or, given ids, those are not); the ids that were."""
        if item_ids is not None:
            return self.clear(list(item_ids))
        arrivals = self._library.arrivals()
        was = sorted(self.new_ids())
        # A teammate's clock may run ahead: what arrived is seen however it is stamped.
        latest = max(arrivals.values(), default="")
        self.file.catch_up(max(arrival_stamp(), latest))
        return was
