"""Ending with the terminal: a hang-up or SIGTERM ends the process within a deadline.

Closing a terminal while the app loaded a 100k library left the process
running (every thread waiting on a lock, polling the disk for hours). Every
change the user saw acknowledged is already fsynced in the journal, so the
process may always end: it asks its front end to quit cleanly (folding the
journal into the readable file), and a watchdog thread started from the
signal handler itself ends the process once the deadline passes, whatever
the front end's loop or threads are waiting on.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable
from types import FrameType

#: The process is gone this long after the signal, at the latest.
DEADLINE = 1.5
SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class SignalExit:
    """Install in the main thread; ``request_exit(signum)`` must be safe to call from it."""

    def __init__(
        self,
        request_exit: Callable[[int], None],
        *,
        deadline: float = DEADLINE,
        before_exit: Callable[[], None] | None = None,
        hard_exit: Callable[[int], None] = os._exit,
    ) -> None:
        self._request_exit = request_exit
        self._deadline = deadline
        self._before_exit = before_exit
        self._hard_exit = hard_exit
        self._previous: dict[int, object] = {}
        self.received: int | None = None
        self._watchdog: threading.Thread | None = None

    def install(self) -> bool:
        if threading.current_thread() is not threading.main_thread():
            return False
        for signum in SIGNALS:
            with contextlib.suppress(OSError, ValueError):
                self._previous[signum] = signal.signal(signum, self._on_signal)
        return bool(self._previous)

    @property
    def installed(self) -> tuple[int, ...]:
        return tuple(self._previous)

    def uninstall(self) -> None:
        for signum, previous in self._previous.items():
            with contextlib.suppress(OSError, ValueError, TypeError):
                signal.signal(signum, previous)  # type: ignore[arg-type]
        self._previous = {}

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.received is None:
            self.received = signum
            self._watchdog = threading.Thread(
                target=self._expire, args=(signum,), name="shelf-exit-deadline", daemon=True
            )
            self._watchdog.start()
        with contextlib.suppress(Exception):
            self._request_exit(signum)

    def _expire(self, signum: int) -> None:
        threading.Event().wait(self._deadline)
        if self._before_exit is not None:
            with contextlib.suppress(Exception):
                self._before_exit()
        self._hard_exit(128 + signum)
