"""When Python's cyclic garbage collector may run while the app is open.

A full collection walks every tracked object that is not frozen. With 100k
items loaded that was ~400 ms in the middle of a key press; with the library
and index frozen it is still 15-30 ms, because scrolling keeps tens of
thousands of rows and rendered lines alive, and the collector runs a full
pass every few dozen keys. So: the loaded library and index are frozen
(:meth:`HeapPolicy.settle`), the collector's own full passes are put off, and
a full pass runs instead once the user has stopped typing and scrolling for a
moment, where a pause cannot be seen. The young generations are still
collected as usual (well under a millisecond each).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

#: Gen-1 collections between automatic full collections: never, in practice.
_NO_AUTOMATIC_FULL = 1_000_000
IDLE_SECONDS = 1.0


class HeapPolicy:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last_input = clock()
        self._saved: tuple[int, int, int] | None = None
        self._froze = False
        self.full_collections = 0

    def install(self) -> None:
        if self._saved is None:
            self._saved = gc.get_threshold()
            gen0, gen1, _ = self._saved
            gc.set_threshold(gen0, gen1, _NO_AUTOMATIC_FULL)

    def uninstall(self) -> None:
        """Give back the thresholds, and what was frozen to the collector.

        The app's own objects (screens, widgets, the shelf) hold reference
        cycles and were frozen with the library; a process that goes on after
        the app (the test suite runs hundreds) must be able to free them.
        """
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None
        if self._froze:
            gc.unfreeze()
            self._froze = False

    def settle(self) -> None:
        """Freeze what is alive now: loaded data that lives as long as the app.

        Called after each large load; the collector never walks these again.
        Objects frozen are still freed when no longer referenced; only cycles
        among them wait for :meth:`uninstall`. Items, annotations and the
        index hold none.
        """
        gc.freeze()
        self._froze = True
        if not gc.isenabled():
            gc.enable()  # launch() turned it off for the start-up burst

    def input_seen(self) -> None:
        self._last_input = self._clock()

    def tick(self, *_: Any) -> bool:
        """Run a full collection if one is due and the user is idle; True if it ran."""
        if self._saved is None or not gc.isenabled():
            return False
        if self._clock() - self._last_input < IDLE_SECONDS:
            return False
        if gc.get_count()[2] == 0:
            return False  # nothing has grown old since the last full pass
        gc.collect()
        self.full_collections += 1
        return True
