"""A request that is in flight on a real server for as long as a test wants, with no clock.

:class:`HeldRequest` sends a POST's headers with ``Expect: 100-continue`` and holds the
body back.  uvicorn answers ``100 Continue`` when the app starts to read the body, so
once :meth:`HeldRequest.open` has seen that line the server has the request in hand (a
request cycle in uvicorn's books, the app's handler running) -- an event, not a guess
that "0.3 s should be enough".  :meth:`send_body` lets it go on; :meth:`response` reads
the answer.  Every socket operation has a timeout (a hang guard only).
"""

from __future__ import annotations

import json
import socket
from typing import Any

TIMEOUT = 60.0


class HeldRequest:
    """``POST path`` with a JSON body to ``host:port``, the body held back until asked."""

    def __init__(self, host: str, port: int, path: str, body: dict[str, Any],
                 timeout: float = TIMEOUT) -> None:
        self.address = (host, port)
        self.path = path
        self.body = json.dumps(body).encode("ascii")
        self.timeout = timeout
        self.sock: socket.socket | None = None
        self._buffer = b""

    def open(self) -> HeldRequest:
        """Connect, send the headers, and return once the server says ``100 Continue``."""
        self.sock = socket.create_connection(self.address, timeout=self.timeout)
        head = (f"POST {self.path} HTTP/1.1\r\nHost: {self.address[0]}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(self.body)}\r\n"
                "Expect: 100-continue\r\nConnection: close\r\n\r\n")
        self.sock.sendall(head.encode("ascii"))
        status, _, _ = self._read_head()
        if status != 100:
            raise AssertionError(f"expected 100 Continue, got {status}: {self._buffer[:200]!r}")
        return self

    def send_body(self) -> None:
        assert self.sock is not None, "open() first"
        self.sock.sendall(self.body)

    def response(self) -> tuple[int, Any]:
        """The final answer: (status, parsed JSON body)."""
        assert self.sock is not None, "open() first"
        status, headers, rest = self._read_head()
        length = int(headers.get("content-length", "-1"))
        while length < 0 or len(rest) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        self.close()
        return status, json.loads(rest[:length] if length >= 0 else rest)

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def _read_head(self) -> tuple[int, dict[str, str], bytes]:
        assert self.sock is not None
        while b"\r\n\r\n" not in self._buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"closed before a response head: {self._buffer[:200]!r}")
            self._buffer += chunk
        head, _, self._buffer = self._buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip()
                   for k, _, v in (line.partition(":") for line in lines[1:])}
        rest, self._buffer = self._buffer, b""
        if int(lines[0].split()[1]) == 100:  # an interim answer: keep what follows for later
            self._buffer = rest
            return 100, headers, b""
        return int(lines[0].split()[1]), headers, rest

    def __enter__(self) -> HeldRequest:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()
