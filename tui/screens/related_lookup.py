"""The "Related" section's lookup, shared by the main screen's pane and the detail view.

One :class:`RelatedLookup` per screen holds what is known of one item's related
items (or why there are none yet), looks them up in an exclusive thread worker
(``group="related"``) and keeps the last few results by item id. The worker
posts :class:`~tui.messages.RelatedFound` to the screen; the screen handles it
with ``@on`` and hands it to :meth:`RelatedLookup.receive`, which drops a result
for an item the screen has left.

At 100k items a lookup costs tens of milliseconds, so it never runs on the UI
thread; a lookup whose item was left before it started returns without
touching the index.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import get_current_worker

from core.errors import describe
from core.related import DEFAULT_LIMIT, Related, related_in_index
from tui.messages import RelatedFound
from tui.services import shelf_app
from tui.widgets.detail import RelatedRow, RelatedSection

if TYPE_CHECKING:
    from core.search import SearchService

CACHE_SIZE = 32  # items whose related items are kept (a few KB)
FINDING = "finding…"
WAITING = "waiting for the search index…"


def related_bindings(scope: str, description: str) -> list[Binding]:
    """``1`` to ``5``: open a related item (ids ``SCOPE.related_N``, a contract with keymaps).

    Help lists the first, as "1…5"; the rest have no description to list.
    """
    return [
        Binding(
            str(n),
            f"open_related({n - 1})",
            description if n == 1 else "",
            show=False,
            key_display=f"1…{DEFAULT_LIMIT}" if n == 1 else None,
            id=f"{scope}.related_{n}",
        )
        for n in range(1, DEFAULT_LIMIT + 1)
    ]


class RelatedLookup:
    """The related items of the item a screen shows, found off the UI thread.

    The cache is per screen and is dropped when the library or the index
    changes (:meth:`forget`); a change of annotations (tags are indexed)
    drops the other items' results but keeps the one shown (:meth:`stale`).
    """

    def __init__(self, screen: Screen, limit: int = DEFAULT_LIMIT, delay: float = 0.0) -> None:
        """``delay``: seconds the item must stay wanted before its lookup starts."""
        self._screen = screen
        self.limit = limit
        self._delay = delay
        self._timer: Timer | None = None
        self.item_id: str | None = None  # the item the section is about
        self._related: list[Related] = []
        self._pending: str | None = None  # "finding…", why not, or an error
        self._cache: OrderedDict[str, list[Related]] = OrderedDict()

    def want(self, item_id: str) -> None:
        """Make the section about ``item_id``: from the cache, else looked up (or
        said to wait for the index). Asking again for the same item does nothing."""
        if item_id == self.item_id:
            return
        self._stop_timer()
        self.item_id = item_id
        self._related = []
        cached = self._cache.get(item_id)
        if cached is not None:
            self._cache.move_to_end(item_id)
            self._related = cached
            self._pending = None
            return
        app = shelf_app(self._screen)
        if not app.index_ready:
            failed = app.index_error
            self._pending = f"search is unavailable: {failed}" if failed else WAITING
            return
        self._pending = FINDING
        search = app.session.search
        if self._delay > 0:
            self._timer = self._screen.set_timer(self._delay, lambda: self._start(search, item_id))
        else:
            self._start(search, item_id)

    @property
    def due(self) -> bool:
        """A lookup waits for its delay (for the screen's ``busy``)."""
        return self._timer is not None

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _start(self, search: SearchService, item_id: str) -> None:
        self._timer = None
        if item_id != self.item_id:
            return  # left meanwhile
        self._screen.run_worker(
            lambda: self._lookup(search, item_id),
            name="related",
            group="related",
            description="find related items",
            thread=True,
            exclusive=True,  # a newer item cancels the lookups still waiting
        )

    def _lookup(self, search: SearchService, item_id: str) -> None:
        """In the worker's thread: find, then post the answer to the screen."""
        if get_current_worker().is_cancelled or item_id != self.item_id:
            return  # the highlight moved on before this one started
        try:
            found = related_in_index(search, item_id, self.limit)
        except Exception as exc:  # shown in the section; the item is still there
            self._screen.post_message(RelatedFound(item_id, [], describe(exc)))
            return
        self._screen.post_message(RelatedFound(item_id, found))

    def receive(self, message: RelatedFound) -> bool:
        """Take a worker's answer; False (and nothing kept) if it is for an item
        the screen no longer shows."""
        if message.item_id != self.item_id:
            return False
        self._related = message.related
        self._pending = message.error
        if message.error is None:
            self._cache[message.item_id] = message.related
            self._cache.move_to_end(message.item_id)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return True

    def forget(self) -> None:
        """The library or the index changed: every result may be out of date."""
        self._stop_timer()
        self.item_id = None
        self._cache.clear()

    def stale(self) -> None:
        """Annotations changed (tags are indexed): drop the kept results but the shown one."""
        shown = self._cache.get(self.item_id) if self.item_id is not None else None
        self._cache.clear()
        if shown is not None and self.item_id is not None:
            self._cache[self.item_id] = shown

    @property
    def pending(self) -> str | None:
        return self._pending

    def shown(self) -> list[Related]:
        """The related items still in the library, as the section numbers them."""
        if self._pending is not None or self.item_id is None:
            return []
        model = shelf_app(self._screen).model
        known = not model.loaded
        return [r for r in self._related if known or r.id in model.items]

    def section(self) -> RelatedSection:
        if self._pending is not None:
            return RelatedSection(pending=self._pending)
        model = shelf_app(self._screen).model
        rows = []
        for r in self.shown():
            row = model.row(r.id)
            rows.append(RelatedRow(row.title, row.derived, r.score, r.shared))
        return RelatedSection(tuple(rows))
