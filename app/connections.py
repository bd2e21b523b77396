"""Connections no client can hold: read time limits, a header size limit, a cap.

uvicorn's HTTP protocols time out idle keep-alive connections, but not a client that
connects and sends nothing, sends its headers a line every few seconds, or declares a
64 KiB body and sends 10 bytes: each holds a connection (and a file descriptor) for
good, and a few hundred of them take a server down.  So the protocol classes uvicorn
runs here (``http=`` in ``app.cli``) are uvicorn's own -- httptools' when it is
installed, else h11's -- with :class:`ConnectionGuard` mixed in:

* **a request must be read within** ``request_timeout`` seconds: counted from the
  connection (for the first request) or from the first byte of each later one, to the
  end of its body.  A client that is slower gets ``408`` and the connection is closed.
  Between requests uvicorn's keep-alive limit (5 s) closes an idle connection; while the
  app computes, nothing is timed here (the compute deadline bounds that).
* **headers are at most** :data:`MAX_HEADER_BYTES` (16 KiB, h11's own limit, which the
  httptools parser lacks): more is ``431`` and the connection is closed.
* **at most** ``max_connections`` **connections** are open per process (the setting,
  kept below the process's file-descriptor limit): one more is answered ``503`` and
  closed at once, so the server never runs out of descriptors.  A full server thus
  refuses quickly instead of failing to accept and logging each failure.

Each refusal is written straight to the socket (a JSON body, ``Connection: close``) and
logged by nobody.  :func:`install_quiet_logging` also keeps asyncio's "accept out of
system resource" error and uvicorn's "Invalid HTTP request received." from writing a
log line per connection: each is logged once a minute at most, with a count.

Settings are read from the ``SLOPESCOPE_*`` environment (as ``create_app`` reads them)
once per process.
"""

from __future__ import annotations

import asyncio
import json
import logging
import resource
import time
from functools import cache
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from .settings import Settings

__all__ = [
    "MAX_HEADER_BYTES",
    "ConnectionGuard",
    "GuardedH11Protocol",
    "GuardedHttpToolsProtocol",
    "connection_cap",
    "install_quiet_logging",
    "protocol_class",
    "raise_file_limit",
]

#: Largest request head (request line and headers), as h11's default.
MAX_HEADER_BYTES = 16 * 1024
#: File descriptors kept for everything but client connections (listening socket,
#: logs, the event loop's own, worker threads' files).
RESERVED_FDS = 64


def raise_file_limit() -> int:
    """Raise this process's soft limit of open files to its hard limit (what any
    process may do); the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):  # pragma: no cover - a sandbox may refuse
            pass
    return soft


def connection_cap(setting: int, file_limit: int) -> int:
    """The connections a process takes: the setting, below its file limit.

    >>> connection_cap(1000, 20000), connection_cap(1000, 1024), connection_cap(5, 80)
    (1000, 960, 16)
    """
    return max(16, min(setting, file_limit - RESERVED_FDS))


@cache
def _limits() -> tuple[float, int]:
    settings = Settings()
    return settings.request_timeout, connection_cap(settings.max_connections,
                                                    raise_file_limit())


def _refusal(status: int, reason: str, detail: str, retry_after: int | None = None) -> bytes:
    body = json.dumps({"detail": detail}).encode("ascii")
    head = [f"HTTP/1.1 {status} {reason}", "content-type: application/json",
            f"content-length: {len(body)}", "connection: close"]
    if retry_after is not None:
        head.append(f"retry-after: {retry_after}")
    return ("\r\n".join(head) + "\r\n\r\n").encode("ascii") + body


TOO_SLOW = _refusal(408, "Request Timeout", "the request was not sent in time (setting "
                    "request_timeout); the connection is closed")
TOO_LARGE_HEAD = _refusal(431, "Request Header Fields Too Large",
                          f"the request's headers are over {MAX_HEADER_BYTES} bytes")
TOO_MANY = _refusal(503, "Service Unavailable", "the server has too many open connections "
                    "(setting max_connections); retry later", retry_after=1)


class ConnectionGuard:
    """Mixed into a uvicorn HTTP protocol (h11's or httptools'): see the module's notes.

    A request is *being read* from its first byte (or the connection) until the cycle
    uvicorn made for it has its whole body (``more_body`` false).  The protocol's
    ``cycle`` is replaced when a request's headers are complete, so "still in the
    headers" is "the cycle is the one there was when reading began".
    """

    transport: asyncio.Transport
    connections: set[Any]
    cycle: Any
    loop: asyncio.AbstractEventLoop

    _read_timer: asyncio.TimerHandle | None = None
    _reading = False
    _cycle_before: Any = None
    _head_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)  # type: ignore[misc]
        timeout, cap = _limits()
        if len(self.connections) > cap:
            self._refuse(TOO_MANY)
            return
        self._start_reading(timeout)

    def data_received(self, data: bytes) -> None:
        if self.transport.is_closing():
            return
        if not self._reading and (self.cycle is None or self.cycle.response_complete):
            self._start_reading(_limits()[0])  # the first bytes of the next request
        if self._reading:
            self._head_bytes += len(data)
        super().data_received(data)  # type: ignore[misc]
        if not self._reading:
            return
        cycle = self.cycle
        if cycle is self._cycle_before:  # no new request yet: all of it was head
            if self._head_bytes > MAX_HEADER_BYTES:
                self._refuse(TOO_LARGE_HEAD)
        elif cycle is not None and not cycle.more_body:
            self._stop_reading()  # the whole request is in

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_reading()
        super().connection_lost(exc)  # type: ignore[misc]

    def _start_reading(self, timeout: float) -> None:
        self._stop_reading()
        self._reading = True
        self._cycle_before = self.cycle
        self._head_bytes = 0
        self._read_timer = self.loop.call_later(timeout, self._too_slow)

    def _stop_reading(self) -> None:
        self._reading = False
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None

    def _too_slow(self) -> None:
        self._read_timer = None
        if self._reading:
            self._refuse(TOO_SLOW)

    def _refuse(self, answer: bytes) -> None:
        """Answer ``answer`` unless a response has begun, and close the connection.  An
        app waiting for the rest of the body then hears ``http.disconnect``."""
        self._stop_reading()
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is None or cycle is self._cycle_before or not cycle.response_started:
            self.transport.write(answer)
        self.transport.close()


class GuardedH11Protocol(ConnectionGuard, H11Protocol):  # type: ignore[misc]
    """uvicorn's h11 protocol with :class:`ConnectionGuard`."""


_httptools: type[asyncio.Protocol] | None
try:  # uvicorn's faster protocol, when httptools is installed
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - httptools is a declared dependency
    _httptools = None
else:
    class GuardedHttpToolsProtocol(ConnectionGuard, HttpToolsProtocol):  # type: ignore[misc]
        """uvicorn's httptools protocol with :class:`ConnectionGuard`."""

    _httptools = GuardedHttpToolsProtocol


def protocol_class(http: str = "auto") -> type[asyncio.Protocol]:
    """The guarded protocol for uvicorn's ``http`` choice (``auto``: httptools when it
    is installed, else h11)."""
    if http == "h11" or (http == "auto" and _httptools is None):
        return GuardedH11Protocol
    if _httptools is None:
        raise ValueError("http='httptools' needs the httptools package")
    return _httptools


# --- logs that a flood of connections must not fill ------------------------------------

class _OncePerInterval(logging.Filter):
    """Lets a record whose message starts with one of ``prefixes`` through at most once
    per ``interval`` seconds, with the count of those held back since."""

    def __init__(self, prefixes: tuple[str, ...], interval: float = 60.0) -> None:
        super().__init__()
        self.prefixes = prefixes
        self.interval = interval
        self.last: dict[str, float] = {}
        self.held: dict[str, int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        prefix = next((p for p in self.prefixes if message.startswith(p)), None)
        if prefix is None:
            return True
        now = time.monotonic()
        if now - self.last.get(prefix, -self.interval) < self.interval:
            self.held[prefix] = self.held.get(prefix, 0) + 1
            return False
        self.last[prefix] = now
        held = self.held.pop(prefix, 0)
        if held:
            record.msg = f"{message} ({held} more like it in the last minute not logged)"
            record.args = ()
        return True


REPEATED = ("Invalid HTTP request received.", "Exceeded concurrency limit.")


def _quiet_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """asyncio's exception handler, except that failed accepts (out of descriptors)
    are one line without a traceback, at most once a minute."""
    message = str(context.get("message", ""))
    if message.startswith("socket.accept() out of system resource"):
        record = logging.LogRecord("slopescope", logging.ERROR, __file__, 0,
                                   "failed to accept a connection: %s", (context.get(
                                       "exception"),), None)
        if _ACCEPT_FILTER.filter(record):
            logging.getLogger("slopescope").handle(record)
        return
    loop.default_exception_handler(context)


_ACCEPT_FILTER = _OncePerInterval(("failed to accept a connection",))


def install_quiet_logging(loop: asyncio.AbstractEventLoop) -> None:
    """Repeated per-connection log lines become one a minute (see the module's notes)."""
    loop.set_exception_handler(_quiet_handler)
    error_log = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _OncePerInterval) for f in error_log.filters):
        error_log.addFilter(_OncePerInterval(REPEATED))
