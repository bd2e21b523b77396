"""The floor of an HTTP round trip: the same server stack with no application in it.

``python -m bench.floor --host 127.0.0.1 --port P`` serves, on the stack ``slopescope``
serves on (uvicorn with :func:`app.connections.protocol_class`'s protocol -- httptools'
when installed -- and uvloop when installed), an ASGI app that does nothing but read the
request body and answer:

* ``GET /healthz``: ``{"status":"ok"}``, so :class:`bench.server.LocalServer` can wait
  for it;
* ``POST /bytes/N`` (any body, read and dropped): ``N`` bytes of JSON -- a string of
  ``N - 2`` zeros in quotes -- built once per size and kept, so answering costs
  nothing but the sending;
* anything else: 404.

A round trip to ``/bytes/N`` with the body of a real request is what no server can go
below for an answer of ``N`` bytes with this client on this machine: the client's
request, the server's HTTP parsing, the transfer and the client reading the answer.
:mod:`bench.http` times it beside ``POST /field`` to say how much of the end-to-end time
is that floor and how much is the application's own.

>>> import asyncio
>>> sent = []
>>> async def receive():
...     return {"type": "http.request", "body": b'{"n": 200}', "more_body": False}
>>> async def send(message):
...     sent.append(message)
>>> asyncio.run(app({"type": "http", "method": "POST", "path": "/bytes/5"}, receive, send))
>>> sent[0]["status"], sent[1]["body"]
(200, b'"000"')
"""

from __future__ import annotations

import argparse
import re
import signal
from collections.abc import Sequence
from typing import Any

__all__ = ["app", "main", "MAX_BYTES"]

#: Largest answer this server builds (an n=400 field as JSON is under 10 MB).
MAX_BYTES = 64 * 1024 * 1024
_BYTES = re.compile(r"/bytes/([0-9]{1,9})")
_HEALTH = b'{"status":"ok"}'
_bodies: dict[int, bytes] = {}


def _body(size: int) -> bytes:
    """``size`` bytes of JSON (a quoted string of zeros), built once per size."""
    found = _bodies.get(size)
    if found is None:
        found = _bodies[size] = b'"' + b"0" * (size - 2) + b'"' if size >= 2 else b"0" * size
    return found


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The ASGI app: ``GET /healthz``, ``POST /bytes/N``, else 404."""
    if scope["type"] != "http":
        return  # lifespan: nothing to set up
    more = True
    while more:  # read the whole request, as an application would
        message = await receive()
        more = message.get("more_body", False) and message["type"] == "http.request"
    path, method = scope["path"], scope["method"]
    match = _BYTES.fullmatch(path)
    if method == "GET" and path == "/healthz":
        status, body = 200, _HEALTH
    elif method == "POST" and match is not None and int(match.group(1)) <= MAX_BYTES:
        status, body = 200, _body(int(match.group(1)))
    else:
        status, body = 404, b'{"detail":"Not Found"}'
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode("ascii"))]})
    await send({"type": "http.response.body", "body": body})


def main(argv: Sequence[str] | None = None) -> None:
    """Serve :func:`app` on ``--host`` and ``--port`` until SIGTERM or Ctrl-C."""
    import uvicorn

    from app.connections import protocol_class

    parser = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args(argv)
    for signum in (signal.SIGTERM, signal.SIGINT):  # uvicorn re-raises them once stopped:
        signal.signal(signum, lambda *_: None)  # then exit 0, as slopescope does
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level,
                http=protocol_class("auto"), loop="auto", lifespan="off")


if __name__ == "__main__":
    main()
