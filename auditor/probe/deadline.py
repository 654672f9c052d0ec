"""A deadline for a whole HTTP exchange: connecting, sending, and every read of the answer.

``requests`` applies its timeout to each socket operation, so a server that sends one byte
a second never trips it and keeps the probe waiting as long as it likes. Here each call
runs under a :class:`Deadline`; the sockets it opens or reuses are registered with a
:class:`Watchdog` thread, which shuts them down when the deadline passes. The blocked read
then returns at once, the call fails, and the caller sees that the deadline (not the
server) ended it.

The sockets are found through connection classes of urllib3 mounted by
:class:`DeadlineAdapter`; a pool of another kind (a SOCKS proxy) keeps only the
per-read timeout.
"""

from __future__ import annotations

import _socket
import heapq
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests.adapters
import urllib3
import urllib3.connection

_current = threading.local()


class Deadline:
    """One exchange's time limit and the sockets it uses."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires = time.monotonic() + seconds
        self.expired = False
        self.finished = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def remaining(self) -> float:
        return max(0.0, self.expires - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        """Cut ``sock`` off when the deadline passes (at once, if it already has)."""
        with self._lock:
            if all(known is not sock for known in self._sockets):
                self._sockets.append(sock)
            if not self.expired:
                return
        _shut(sock)

    def expire(self) -> None:
        with self._lock:
            if self.finished:
                return
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    def finish(self) -> None:
        """The exchange is over: its sockets may serve the next one and must not be cut."""
        with self._lock:
            self.finished = True
            self._sockets.clear()


def _shut(sock: socket.socket) -> None:
    # The plain socket's shutdown, also for a TLS socket: it wakes a read blocked in another
    # thread, which closing the file descriptor would not.
    try:
        _socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass  # already closed or never connected


class Watchdog:
    """One daemon thread that expires deadlines, shared by every thread of a client."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    @contextmanager
    def deadline(self, seconds: float) -> Iterator[Deadline]:
        """Run the block under a fresh deadline of ``seconds``, registered for this thread."""
        deadline = Deadline(seconds)
        with self._wake:
            heapq.heappush(self._heap, (deadline.expires, next(self._order), deadline))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="wsaudit-deadline", daemon=True)
                self._thread.start()
            if self._heap[0][2] is deadline:  # sooner than the one the thread waits for
                self._wake.notify()
        previous = getattr(_current, "deadline", None)
        _current.deadline = deadline
        try:
            yield deadline
        finally:
            _current.deadline = previous
            deadline.finish()

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._heap and self._heap[0][2].finished:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._wake.wait()
                    continue
                wait = self._heap[0][0] - time.monotonic()
                if wait > 0:
                    self._wake.wait(wait)
                    continue
                _expires, _order, due = heapq.heappop(self._heap)
            due.expire()


def _watch_socket(sock: Any) -> None:
    deadline = getattr(_current, "deadline", None)
    if deadline is not None and sock is not None:
        deadline.watch(sock)


class _Watched:
    """Registers the connection's socket with the current deadline: a new one as soon as it
    is connected, a kept-alive one when a request starts on it."""

    sock: Any

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # type: ignore[misc]
        _watch_socket(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watch_socket(self.sock)
        super().request(*args, **kwargs)  # type: ignore[misc]


class _WatchedHTTPConnection(_Watched, urllib3.connection.HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, urllib3.connection.HTTPSConnection):
    pass


class _WatchedHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


def _use_watched_pools(manager: Any) -> Any:
    classes = getattr(manager, "pool_classes_by_scheme", None)
    if classes and classes.get("http") in (urllib3.HTTPConnectionPool, _WatchedHTTPPool):
        manager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}
    return manager


class DeadlineAdapter(requests.adapters.HTTPAdapter):
    """An adapter whose connections (direct or through an HTTP proxy) honour deadlines."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        _use_watched_pools(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        return _use_watched_pools(super().proxy_manager_for(proxy, **proxy_kwargs))
