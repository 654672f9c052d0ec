"""Raw HTTP servers on 127.0.0.1 that misbehave on purpose: one drips its answer a byte at a
time, one sends an answer far larger than any real one. Each counts the bytes it managed to
send, which tells how soon the probe gave up."""

from __future__ import annotations

import socket
import threading
import time


class MisbehavingServer:
    """Accepts connections on an ephemeral port; :meth:`answer` writes to each one."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.sent = 0
        self.connections = 0
        self.closed = threading.Event()
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        self._listener.settimeout(0.1)
        while not self._stop.is_set():
            try:
                connection, _address = self._listener.accept()
            except OSError:
                continue
            self.connections += 1
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(5)
            try:
                _read_request(connection)
                self.answer(connection)
            except OSError:
                pass  # the client went away: the point of these servers
            finally:
                self.closed.set()

    def write(self, connection: socket.socket, data: bytes) -> None:
        connection.sendall(data)
        self.sent += len(data)

    def answer(self, connection: socket.socket) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        self._stop.set()
        self._listener.close()


def _read_request(connection: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            missing = int(value) - len(body)
            while missing > 0:
                chunk = connection.recv(missing)
                if not chunk:
                    return
                missing -= len(chunk)


class DripServer(MisbehavingServer):
    """Sends its answer one byte per ``interval`` seconds: in the status line and headers
    (``where="head"``), or in a body announced with a length (``"body"``) or ended by closing
    the connection (``"body-until-close"``)."""

    def __init__(self, where: str, length: int = 40, interval: float = 1.0) -> None:
        self.where, self.length, self.interval = where, length, interval
        super().__init__()

    def answer(self, connection: socket.socket) -> None:
        body = b'{"scope": "openid", "azp": "' + b"x" * max(0, self.length - 32) + b'"}'
        if self.where == "head":
            head = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"y" * self.length + b"\r\n"
            self._drip(connection, head)
            self.write(connection, b"Content-Length: %d\r\n\r\n" % len(body) + body)
            return
        framing = b"Connection: close\r\n" if self.where == "body-until-close" else b"Content-Length: %d\r\n" % len(body)
        self.write(connection, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + framing + b"\r\n")
        self._drip(connection, body)

    def _drip(self, connection: socket.socket, data: bytes) -> None:
        for index in range(len(data)):
            self.write(connection, data[index:index + 1])
            time.sleep(self.interval)


class FloodServer(MisbehavingServer):
    """Answers 200 with ``size`` bytes of one JSON string, with or without a Content-Length,
    written in 64 KiB pieces so that the server itself holds little memory."""

    def __init__(self, size: int, declare_length: bool) -> None:
        self.size, self.declare_length = size, declare_length
        super().__init__()

    def answer(self, connection: socket.socket) -> None:
        framing = b"Content-Length: %d\r\n" % self.size if self.declare_length else b"Connection: close\r\n"
        self.write(connection, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + framing + b"\r\n")
        piece = b"x" * 65536
        self.write(connection, b'{"scope": "')
        remaining = self.size - 13
        while remaining > 0:
            self.write(connection, piece[:remaining])
            remaining -= len(piece)
        self.write(connection, b'"}')
