"""Pausing Python's cyclic garbage collector while one manifest is read and judged.

Reading a manifest builds a tree of nodes, then data, positions and findings: many small
containers that all stay alive until the manifest is done, and none of them in a reference
cycle, so reference counting frees every one of them. The cyclic collector does not know
that: each time enough new containers pile up it scans them, and a full collection scans
every live object. For one large manifest (20,000 list entries) those scans grew faster
than the manifest did and cost more than half of the audit; with the collector paused the
same work grows with the manifest. A cycle made meanwhile is not lost, only collected once
the collector runs again, after the manifest.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Run the block with automatic cyclic collection off; it comes back on afterwards
    only if it was on before (so nested pauses, or a program that keeps it off, are
    respected)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
