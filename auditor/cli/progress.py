"""A one-line progress bar on stderr, drawn only on a terminal and only for long runs.

It waits a moment before drawing anything, so a quick run leaves the terminal untouched,
and redraws a few times a second at most, so drawing never costs the run its speed.
"""

from __future__ import annotations

import time
from typing import TextIO

_WIDTH = 30
_INTERVAL = 0.2
_DELAY = 0.5


class Progress:
    """``advance()`` after each item of ``total``; :meth:`close` clears the line."""

    def __init__(self, stream: TextIO, total: int, unit: str) -> None:
        self.stream = stream
        self.total = total
        self.unit = unit
        self.done = 0
        self._started = time.monotonic()
        self._last = 0.0
        self._drawn = False

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if now - self._started < _DELAY or now - self._last < _INTERVAL:
            return
        self._last = now
        filled = int(_WIDTH * self.done / self.total) if self.total else _WIDTH
        self.stream.write(f"\r\x1b[K[{'#' * filled}{'-' * (_WIDTH - filled)}] {self.done}/{self.total} {self.unit}"
                          f"  {now - self._started:.0f} s")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._drawn = False


def progress_for(total: int, unit: str, stream: TextIO, wanted: bool = True) -> Progress | None:
    """A progress bar for ``total`` items when ``stream`` is a terminal and it is wanted."""
    return Progress(stream, total, unit) if wanted and total > 1 and stream.isatty() else None
