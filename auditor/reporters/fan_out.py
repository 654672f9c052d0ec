"""Several renderings of one report stream, in one pass over it.

``wsaudit audit --format json -o a.json --format sarif -o a.sarif`` reads its manifests once.
Every renderer is written as one loop over ``report.iter_results()`` followed by what needs
the whole run; :func:`render_each` runs each renderer in a thread of its own on a copy of the
stream (:meth:`~auditor.model.report.ReportStream.with_results`) and hands every result to
each of them through a small bounded queue. Memory holds at most a few results per renderer,
however large the batch, and a renderer stays a plain function of a report: a new format
needs no second, push-style implementation.

The threads share nothing but immutable results; each writes its own output, so the outputs
are the same bytes as when each format is rendered alone. When a renderer fails, or the run
is interrupted, the others are cancelled (their outputs are not written) and the first error
is raised again in the caller's thread.
"""

from __future__ import annotations

import queue
import threading
from typing import Any, Callable, Iterator, Sequence

from auditor.model.report import ManifestResult, ReportStream

# Results waiting for each renderer at most: a renderer that is slower on one manifest
# catches up on the next, and memory holds a handful of results per format.
QUEUE_SIZE = 4
_END = object()


class RenderingCancelled(BaseException):
    """Raised inside a renderer whose run was abandoned; a ``BaseException`` so that no
    renderer's own error handling can swallow it, like ``KeyboardInterrupt``."""


class _Rendering(threading.Thread):
    """One renderer, reading the stream's results from its queue."""

    def __init__(self, render: Callable[[ReportStream], None], source: ReportStream) -> None:
        super().__init__(name="wsaudit-render", daemon=True)
        self._render = render
        self._queue: queue.Queue[Any] = queue.Queue(QUEUE_SIZE)
        self._stream = source.with_results(self._results())
        self._cancelled = threading.Event()
        self._ended = False
        self.error: BaseException | None = None

    def _results(self) -> Iterator[ManifestResult]:
        while True:
            item = self._queue.get()
            if self._cancelled.is_set():
                raise RenderingCancelled
            if item is _END:
                self._ended = True
                return
            yield item

    def run(self) -> None:
        try:
            self._render(self._stream)
        except BaseException as error:  # handed to the caller's thread, which raises it
            self.error = error
        finally:
            # A renderer that stopped early still takes what it is given, so that the
            # thread feeding it never waits on a full queue.
            while not self._ended and not self._cancelled.is_set():
                self._ended = self._queue.get() is _END

    def give(self, item: Any) -> None:
        self._queue.put(item)

    def cancel(self) -> None:
        """Make the renderer stop at its next result (its output is discarded)."""
        self._cancelled.set()
        try:
            self._queue.put_nowait(None)  # wakes a renderer waiting for a result
        except queue.Full:
            pass  # it has results to read, and stops at the next one


def render_each(stream: ReportStream, renderings: Sequence[Callable[[ReportStream], None]]) -> None:
    """Call each of ``renderings`` with a stream of ``stream``'s report, reading ``stream``
    once; return when all are done, or raise the first error one of them (or the reading)
    raised, after cancelling the others."""
    if len(renderings) == 1:
        renderings[0](stream)
        return
    workers = [_Rendering(render, stream) for render in renderings]
    for worker in workers:
        worker.start()
    try:
        for result in stream.iter_results():
            for worker in workers:
                worker.give(result)
            _raise_first_error(workers)
        for worker in workers:
            worker.give(_END)
        for worker in workers:
            worker.join()
    except BaseException:
        for worker in workers:
            worker.cancel()
        for worker in workers:
            worker.join()
        raise
    _raise_first_error(workers)


def _raise_first_error(workers: list[_Rendering]) -> None:
    """Raise the error of the first renderer (in the order given) that failed."""
    for worker in workers:
        if worker.error is not None and not isinstance(worker.error, RenderingCancelled):
            raise worker.error
