"""One thread that does a session's file work, in the order it was asked for.

Saves must never be dropped or reordered (``r`` then ``R`` must end in the
state the user pressed last), so they cannot go to a front end's exclusive
workers, which cancel what came before. And the Shelf's caches are not made
for two threads, so loads, polls and saves share this single queue: the front
end submits and carries on; the outcome comes back through ``post``, on this
thread, for the front end to hand to its own loop (the app posts a Message).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class JobOutcome:
    """A finished job: ``error`` is set when it raised, ``result`` otherwise."""

    label: str
    result: Any
    error: BaseException | None
    on_done: Callable[[Any], None] | None


class JobQueue:
    def __init__(self, post: Callable[[JobOutcome], Any], name: str = "shelf-storage") -> None:
        self._post = post
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._lock = threading.Lock()
        self._pending = 0
        self._closed = False

    @property
    def pending(self) -> int:
        """Jobs submitted whose outcome has not been posted yet."""
        return self._pending

    @property
    def closed(self) -> bool:
        return self._closed

    def submit(
        self,
        label: str,
        job: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
    ) -> Future[Any] | None:
        if self._closed:
            return None
        with self._lock:
            self._pending += 1

        def run() -> Any:
            result: Any = None
            error: BaseException | None = None
            try:
                result = job()
            except Exception as exc:  # reported to the user; the front end keeps running
                error = exc
            try:
                self._post(JobOutcome(label, result, error, on_done))
            finally:
                with self._lock:
                    self._pending -= 1
            return result

        try:
            return self._executor.submit(run)
        except RuntimeError:  # shut down between the check and the submit
            with self._lock:
                self._pending -= 1
            return None

    def close(self, wait: bool = True) -> None:
        """Refuse new jobs and let the queued ones finish: they are the user's saves."""
        self._closed = True
        self._executor.shutdown(wait=wait)
