"""A one-line progress bar for long imports, drawn only on a terminal.

The CLI creates it only when stderr is a terminal, so piped output stays
clean. An import reports phases (parsing, merging, saving); each phase
restarts the rate and the ETA, because items per second while parsing says
nothing about how long saving will take.
"""

from __future__ import annotations

import time
from typing import TextIO

#: Redraw at most this often: a terminal that is written to 100k times is the
#: bottleneck of the import it reports on.
INTERVAL = 0.1


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

    def phase(self, label: str, unit: str = "items") -> None:
        """Start a new phase: its own label, unit, rate and ETA."""
        self.phase_label = label
        self.unit = unit
        self.started = time.monotonic()
        self._last_draw = 0.0

    def line(self, done: int, total: int, now: float | None = None) -> str:
        now = time.monotonic() if now is None else now
        elapsed = max(now - self.started, 1e-6)
        rate = done / elapsed
        if done >= total:
            eta = "done"
        elif rate > 0 and elapsed >= 0.2:
            eta = f"ETA {(total - done) / rate:4.1f}s"
        else:
            eta = "ETA  ?"
        filled = min(self.width, int(self.width * done / total)) if total > 0 else self.width
        bar = "█" * filled + "░" * (self.width - filled)
        label = f"{self.label} {self.phase_label}" if self.phase_label else self.label
        return f"{label:<18} {bar} {done:,}/{total:,} {self.unit}  {rate:,.0f}/s  {eta}"

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._last_draw < INTERVAL:
            return
        self._last_draw = now
        self.stream.write("\r" + self.line(done, total, now) + "\033[K")
        self.stream.flush()
        self._drawn = True

    def finish(self) -> None:
        if self._drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
