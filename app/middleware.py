"""A pure-ASGI request body limit: 413 before a large body is read whole.

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

from starlette.exceptions import HTTPException
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
