"""Pure-ASGI middleware: the body limit, HEAD as GET, the Host check, compression.

The body limit: 413 before a large body is read whole.

Uvicorn and Starlette set no limit of their own.  A declared ``Content-Length`` over the
limit is refused at once, before the app runs or a byte of the body is read.  A body
without a length (``Transfer-Encoding: chunked``) is counted as it streams in, and the
request is refused the moment the count passes the limit: the app (FastAPI reading the
body) sees :class:`BodyTooLarge`, an ``HTTPException`` that FastAPI re-raises and the
app's HTTP error handler turns into the 413.  Either way at most ``limit`` bytes plus
one chunk are ever held.

FastAPI ≥ 0.165 has ``max_body_size`` built in; this middleware is kept because it is
small, covers both cases, and names the limit in its message.
"""

from __future__ import annotations

import ipaddress

from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .responses import SafeJSONResponse
from .settings import Settings


class BodyTooLarge(HTTPException):
    """The request body passed ``max_body_size`` (→ 413)."""

    def __init__(self, limit: int, declared: int | None = None) -> None:
        size = f"of {declared} bytes is" if declared is not None else "is"
        super().__init__(
            status_code=413,
            detail=(
                f"request body {size} over the limit max_body_size = {limit} bytes "
                f"(set by {Settings.env_name('max_body_size')})"
            ),
            headers={"Connection": "close"},
        )


class BodyLimitMiddleware:
    """Refuse request bodies larger than ``max_body_size`` bytes with a 413."""

    def __init__(self, app: ASGIApp, max_body_size: int) -> None:
        self.app = app
        self.max_body_size = max_body_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_body_size
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(BodyTooLarge(limit, declared), scope, receive, send)
            return

        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except BodyTooLarge as exc:  # raised where no handler turned it into a response
            if started:
                raise
            await _refuse(exc, scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(exc: BodyTooLarge, scope: Scope, receive: Receive, send: Send) -> None:
    response = SafeJSONResponse(
        {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
    )
    await response(scope, receive, send)


# --- HEAD wherever GET works -------------------------------------------------------------

class HeadMiddleware:
    """``HEAD`` is answered wherever ``GET`` is: the request goes on as a ``GET`` and the
    answer keeps its status and headers (``Content-Length`` included) but no body.

    FastAPI's routes answer only the methods they name, so without this a ``HEAD /``
    or ``HEAD /healthz`` is a 405; a ``HEAD`` of a POST-only path stays a 405.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # wait for the last part, then end with no body
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


# --- the Host header -------------------------------------------------------------------

class HostMiddleware:
    """Refuse (400) a request whose ``Host`` is not one this server answers for.

    A page on another site can make a browser send requests to ``127.0.0.1`` through a
    name of its own that it re-points there (DNS rebinding); the ``Host`` header then
    carries that name.  ``allowed`` holds names, ``*.example.org`` for subdomains, or
    ``*`` for any host.  ``/healthz`` is always answered (health checks of a container
    call it by address).  The answer never quotes the header.
    """

    def __init__(self, app: ASGIApp, allowed: list[str]) -> None:
        self.app = app
        names = [name.lower().strip("[]") for name in allowed]
        self.any = "*" in names
        self.exact = frozenset(n for n in names if not n.startswith("*."))
        self.suffixes = tuple(n[1:] for n in names if n.startswith("*."))

    def allows(self, host: str) -> bool:
        """Whether the ``Host`` header value ``host`` (with or without a port) is ours.

        >>> check = HostMiddleware(None, ["localhost", "::1", "*.example.org"])
        >>> [check.allows(h) for h in ["localhost:8000", "[::1]:80", "a.example.org",
        ...                            "evil.example", "example.org", ""]]
        [True, True, True, False, False, False]
        """
        if self.any:
            return True
        name = host.strip().lower()
        if name.startswith("["):  # an IPv6 address, perhaps with a port
            name = name[1:].partition("]")[0]
        else:
            name = name.partition(":")[0]
        return name in self.exact or (bool(name) and name.endswith(self.suffixes))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.any or scope["path"] == "/healthz":
            await self.app(scope, receive, send)
            return
        host = next((value.decode("latin-1") for name, value in scope["headers"]
                     if name == b"host"), "")
        if self.allows(host):
            await self.app(scope, receive, send)
            return
        response = SafeJSONResponse(
            {"detail": "this server does not answer for that Host header (setting "
                       f"allowed_hosts, {Settings.env_name('allowed_hosts')})"},
            status_code=400, headers={"Connection": "close"})
        await response(scope, receive, send)


# --- compression ----------------------------------------------------------------------

def is_loopback(address: str) -> bool:
    """Whether a client address is this machine.

    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("10.0.0.2")
    (True, True, False)
    """
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


class CompressionMiddleware(GZipMiddleware):
    """Starlette's gzip (answers of at least ``minimum_size`` bytes, to clients that
    accept it; big bodies compressed in a worker thread; streams flushed line by line),
    except for clients on this machine, who get the bytes as they are.  Behind a proxy,
    the proxy's own address is the client and the proxy compresses.

    The rule, measured (a 200x200 field, typed: 1.28 MB of base64, the page's usual
    answer; zlib level 1, CPU time on the 2-core bench machine): gzip takes 10 ms for
    x**2 + y**2 (down to 21% of the bytes) and 33-37 ms for Rosenbrock and a
    transcendental mix (down to only 73-75%: base64 of float64 is nearly random text),
    while the whole loopback round trip of the uncompressed answer takes 5-7 ms.  So
    over loopback compressing only costs time.  To another machine it saves 0.3-1 MB
    per answer for that CPU time, which pays on any link slower than about 80 Mbit/s
    per client -- a classroom's shared Wi-Fi -- and is why remote clients get it.
    (JSON of the same field: 2.3 MB, to 12-48%, in about as long.)"""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client") if scope["type"] == "http" else None
        if client and is_loopback(str(client[0])):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
