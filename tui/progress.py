"""A one-line progress bar for long imports, drawn only on a terminal.

The CLI creates it only when stderr is a terminal, so piped output stays
clean. An import reports phases (parsing, merging, saving); each phase
restarts the rate and the ETA, because items per second while parsing says
nothing about how long saving will take.

Some steps report nothing until they are done (merging 100k entries is one
call of several seconds). A frozen line looks like a hang, so while a phase
is open a background thread redraws the line every quarter second with the
time spent so far.
"""

from __future__ import annotations

import threading
import time
from typing import TextIO

#: Redraw at most this often: a terminal that is written to 100k times is the
#: bottleneck of the import it reports on.
INTERVAL = 0.1
TICK = 0.25


class ProgressBar:
    def __init__(self, label: str, stream: TextIO, width: int = 30) -> None:
        self.label = label
        self.stream = stream
        self.width = width
        self.unit = "items"
        self.phase_label = ""
        self.started = time.monotonic()
        self._last_draw = 0.0
        self._drawn = False
        self._state: tuple[int, int] | None = None
        self._active = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.finish()

    def phase(self, label: str, unit: str = "items") -> None:
        """Start a new phase: its own label, unit, rate and ETA."""
        with self._lock:
            self.phase_label = label
            self.unit = unit
            self.started = time.monotonic()
            self._last_draw = 0.0
            self._state = None
            self._active = True
        if self._ticker is None:
            self._ticker = threading.Thread(target=self._tick, name="progress", daemon=True)
            self._ticker.start()

    def idle(self) -> None:
        """The work is over (or failed): stop redrawing, leave the line as it is."""
        with self._lock:
            self._active = False

    def line(self, done: int, total: int, now: float | None = None) -> str:
        now = time.monotonic() if now is None else now
        elapsed = max(now - self.started, 1e-6)
        rate = done / elapsed
        if done >= total:
            tail = f"{rate:,.0f}/s  done"
        elif done == 0:
            tail = f"{elapsed:4.1f}s"  # nothing to extrapolate from yet
        elif elapsed >= 0.2:
            tail = f"{rate:,.0f}/s  ETA {(total - done) / rate:4.1f}s"
        else:
            tail = f"{rate:,.0f}/s  ETA  ?"
        filled = min(self.width, int(self.width * done / total)) if total > 0 else self.width
        bar = "█" * filled + "░" * (self.width - filled)
        label = f"{self.label} {self.phase_label}" if self.phase_label else self.label
        return f"{label:<18} {bar} {done:,}/{total:,} {self.unit}  {tail}"

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        with self._lock:
            self._state = (done, total)
            if done < total and now - self._last_draw < INTERVAL:
                return
            self._draw(done, total, now)

    def _draw(self, done: int, total: int, now: float) -> None:
        self._last_draw = now
        self.stream.write("\r" + self.line(done, total, now) + "\033[K")
        self.stream.flush()
        self._drawn = True

    def _tick(self) -> None:
        while not self._stop.wait(TICK):
            now = time.monotonic()
            with self._lock:
                if not self._active or self._state is None or self._stop.is_set():
                    continue
                done, total = self._state
                if done < total and now - self._last_draw >= TICK:
                    self._draw(done, total, now)

    def finish(self) -> None:
        """Stop the redraws and clear the line, so what follows starts on a clean line."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
            self._ticker = None
        with self._lock:
            self._active = False
            if self._drawn:
                self.stream.write("\r\033[K")
                self.stream.flush()
                self._drawn = False
