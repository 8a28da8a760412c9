"""One thread that does all of the app's file work, in the order it was asked for.

(The app has a second queue of the same kind for exports, which run in a
process of their own and would otherwise hold every save behind them.)

Saves must never be dropped or reordered (``r`` then ``R`` must end in the
state the user pressed last), so they cannot go to Textual's exclusive
workers, which cancel what came before. And the Shelf's caches are not made
for two threads, so loads, polls and saves share this single queue: the UI
thread submits and carries on; the result comes back as a message.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from textual.message import Message


class JobDone(Message):
    """A storage job finished; ``error`` is set when it raised."""

    def __init__(
        self,
        label: str,
        result: Any,
        error: BaseException | None,
        on_done: Callable[[Any], None] | None,
    ) -> None:
        super().__init__()
        self.label = label
        self.result = result
        self.error = error
        self.on_done = on_done


class StorageThread:
    def __init__(self, post: Callable[[Message], Any], name: str = "shelf-storage") -> None:
        self._post = post
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._lock = threading.Lock()
        self._pending = 0
        self._closed = False

    @property
    def pending(self) -> int:
        """Jobs submitted whose message has not been posted yet."""
        return self._pending

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
            except Exception as exc:  # reported to the user; the app keeps running
                error = exc
            try:
                self._post(JobDone(label, result, error, on_done))
            finally:
                with self._lock:
                    self._pending -= 1
            return result

        return self._executor.submit(run)

    def close(self, wait: bool = True) -> None:
        """Refuse new jobs and let the queued ones finish: they are the user's saves."""
        self._closed = True
        self._executor.shutdown(wait=wait)
