"""Ctrl-C that never lands inside Python's import machinery.

Python turns SIGINT into a ``KeyboardInterrupt`` raised in the main thread wherever it
happens to be. Modules are imported on first use, by the main thread and by the threads
that write reports at the same time; when the interrupt lands in the import system's own
bookkeeping (the callback that drops a module's lock runs while holding the global import
lock, and an exception there is printed and ignored) the lock is never released, every
other thread that imports waits for it, and the command, waiting for those threads, hangs
instead of exiting with 130.

The handler here raises the interrupt at once, except while the main thread is inside the
import system: then it asks for the signal again a moment later, when the import is done.
"""

from __future__ import annotations

import os
import signal
from types import FrameType

# How long to wait before asking again: an import finishes in far less, and a person
# pressing Ctrl-C does not notice it.
RETRY_SECONDS = 0.02


def install() -> None:
    """Handle SIGINT as described above, unless the program does not use Python's default
    handling (Ctrl-C ignored by whoever started it, or a handler of its own)."""
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, interrupt_outside_imports)


def interrupt_outside_imports(signum: int, frame: FrameType | None) -> None:
    """Raise ``KeyboardInterrupt``, or, inside the import system, deliver SIGINT again soon."""
    if inside_import_system(frame):
        import threading  # already loaded by whatever was importing: free here

        retry = threading.Timer(RETRY_SECONDS, os.kill, (os.getpid(), signal.SIGINT))
        retry.daemon = True
        retry.start()
        return
    raise KeyboardInterrupt


def inside_import_system(frame: FrameType | None) -> bool:
    """Whether ``frame`` or one of its callers runs code of Python's import system (its
    frozen bootstrap modules)."""
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib."):
            return True
        frame = frame.f_back
    return False
