"""A one-line progress bar for the domain inventory, drawn only on a terminal.

Called from worker threads; redraws at most a few times a second so that a fast run does
not spend its time writing to the terminal.
"""

from __future__ import annotations

import threading
import time
from typing import TextIO

_WIDTH = 30
_INTERVAL = 0.2


class ProgressBar:
    """``update(scanned, listed, listing_done)`` redraws; :meth:`close` clears the line."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._lock = threading.Lock()
        self._last = 0.0
        self._drawn = False
        self._started = time.monotonic()

    def __call__(self, scanned: int, listed: int, listing_done: bool) -> None:
        now = time.monotonic()
        with self._lock:
            if now - self._last < _INTERVAL and not (listing_done and scanned >= listed):
                return
            self._last = now
            if listing_done and listed:
                filled = int(_WIDTH * scanned / listed)
                bar = "#" * filled + "-" * (_WIDTH - filled)
                text = f"[{bar}] {scanned}/{listed} users"
            else:
                text = f"[{'listing users':^{_WIDTH}}] {scanned}/{listed}+ users"
            text += f"  {now - self._started:.0f} s"
            self.stream.write("\r\x1b[K" + text)
            self.stream.flush()
            self._drawn = True

    def close(self) -> None:
        with self._lock:
            if self._drawn:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
                self._drawn = False
