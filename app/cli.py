"""The ``slopescope`` command (also ``python -m app``): serve the app with uvicorn.

    slopescope                       # http://127.0.0.1:8000/
    slopescope --port 9000 --open    # and open it in the browser
    slopescope --host 0.0.0.0 --workers 4

The command binds the listening socket itself before anything else: a port that is
taken ends it at once with one line on stderr that names the port and ``--port``, and
exit code 1; only once the socket is bound does it print where it serves.  uvicorn then
serves ``app.main:create_app`` in factory mode on that socket (``--workers N``: N worker
processes sharing it, each of which ends when the command is killed: see
``app.main.lifespan``).  Limits come from ``SLOPESCOPE_*`` environment variables (see
``app.settings``), read when the server starts.  On SIGTERM or Ctrl-C uvicorn stops
accepting connections, lets in-flight requests finish (at most ``shutdown_grace``
seconds) and the process exits 0.

Connections are uvicorn's HTTP protocol (httptools when installed, else h11; on
uvloop when installed) with the guards of :mod:`app.connections`: a time limit to read
each request, a header size limit and a cap on open connections.  Bound to a loopback
address, the server answers only requests whose Host header is a loopback name (setting
``allowed_hosts``), so a web page elsewhere cannot reach it by DNS rebinding.
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import os
import signal
import socket
import sys
import threading
import time
import urllib.request
import webbrowser
from collections.abc import Sequence
from types import FrameType

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from . import __version__
from .connections import protocol_class, raise_file_limit
from .settings import Settings

#: What uvicorn imports and calls, in each worker, to build the application.
APP_FACTORY = "app.main:create_app"
#: The Host names a server bound to a loopback address answers for by default.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="slopescope",
        description="Serve Slopescope, the interactive gradient visualiser.",
    )
    parser.add_argument("--host", default="127.0.0.1",
                        help="interface to listen on (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=8000, help="TCP port (default: 8000)")
    parser.add_argument("--workers", type=int, default=1,
                        help="worker processes (default: 1); each has its own compute slots")
    parser.add_argument("--open", action="store_true",
                        help="open the page in a web browser once the server is up")
    parser.add_argument("--log-level", default="info",
                        choices=["critical", "error", "warning", "info", "debug"],
                        help="uvicorn's log level (default: info)")
    parser.add_argument("--http", default="auto", choices=["auto", "httptools", "h11"],
                        help="HTTP parser (default: httptools when installed, else h11)")
    parser.add_argument("--loop", default="auto", choices=["auto", "uvloop", "asyncio"],
                        help="event loop (default: uvloop when installed, else asyncio)")
    parser.add_argument("--version", action="version", version=f"slopescope {__version__}")
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"--port must be 0-65535, got {args.port}")
    if args.workers < 1:
        parser.error(f"--workers must be at least 1, got {args.workers}")
    return args


def url_for(host: str, port: int) -> str:
    """The URL a browser on this machine should open.

    >>> url_for("0.0.0.0", 8000), url_for("::1", 80)
    ('http://127.0.0.1:8000/', 'http://[::1]:80/')
    """
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def open_when_ready(url: str, timeout: float = 30.0) -> threading.Thread:
    """Open ``url`` in a browser as soon as ``/healthz`` answers (in the background)."""

    def wait_then_open() -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                with urllib.request.urlopen(url + "healthz", timeout=1):  # noqa: S310
                    webbrowser.open(url)
                    return
            except OSError:
                time.sleep(0.2)

    thread = threading.Thread(target=wait_then_open, name="open-browser", daemon=True)
    thread.start()
    return thread


def listen(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``(host, port)``, as uvicorn would bind it (address reuse
    for TIME_WAIT, inheritable by worker processes); uvicorn's server listens on it.

    The protocol is named (``IPPROTO_TCP``, as ``getaddrinfo`` gives it): asyncio turns
    Nagle's algorithm off only on connections whose socket says so, and with it on,
    small responses wait for the client's delayed acknowledgement.

    Raises OSError (``errno.EADDRINUSE`` when another process holds the port).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def bind_error(host: str, port: int, error: OSError) -> str:
    """The one line printed when ``(host, port)`` cannot be bound.

    >>> bind_error("127.0.0.1", 8000, OSError(errno.EADDRINUSE, "Address already in use"))
    'slopescope: port 8000 on 127.0.0.1 is already in use; choose another with --port'
    """
    if error.errno == errno.EADDRINUSE:
        return (f"slopescope: port {port} on {host} is already in use; "
                "choose another with --port")
    return f"slopescope: cannot listen on {host} port {port}: {error.strerror or error}"


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a --host value) is this machine only.

    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def default_allowed_hosts(host: str, settings: Settings) -> list[str] | None:
    """The Host names to answer for when ``allowed_hosts`` is not set: the loopback
    names (and ``host`` itself) for a loopback ``host``; None (any host) otherwise, or
    when the setting is given."""
    if settings.allowed_hosts or not is_loopback(host):
        return None
    return list(dict.fromkeys([*LOOPBACK_HOSTS, host]))


def _stopped(signum: int, frame: FrameType | None) -> None:
    """Handler uvicorn restores and re-raises after its graceful shutdown: exit 0."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``slopescope`` console script.

    Binds the socket first (1 and one line on stderr if it cannot), then serves.
    uvicorn shuts down gracefully on SIGTERM / SIGINT, then restores the handlers it
    found and re-raises the signal; with Python's defaults that would end the process
    with -15 (or a KeyboardInterrupt).  :func:`_stopped` is installed first, so a
    requested stop after a clean shutdown exits 0.
    """
    args = parse_args(argv)
    settings = Settings()
    try:
        sock = listen(args.host, args.port)
    except OSError as error:
        print(bind_error(args.host, args.port, error), file=sys.stderr, flush=True)
        return 1
    raise_file_limit()  # inherited by the workers: connections are capped below it
    hosts = default_allowed_hosts(args.host, settings)
    if hosts is not None:  # the workers build their settings from the environment
        os.environ[Settings.env_name("allowed_hosts")] = ",".join(hosts)
    with sock:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, _stopped)
        url = url_for(args.host, sock.getsockname()[1])
        print(f"Slopescope {__version__} serving on {url} (API manual: {url}docs)", flush=True)
        if args.open:
            open_when_ready(url)
        config = uvicorn.Config(
            APP_FACTORY,
            factory=True,
            host=args.host,
            port=sock.getsockname()[1],
            workers=args.workers,
            log_level=args.log_level,
            http=protocol_class(args.http),
            loop=args.loop,
            timeout_graceful_shutdown=int(settings.shutdown_grace),
        )
        return serve(config, sock)


def serve(config: uvicorn.Config, sock: socket.socket) -> int:
    """Run uvicorn on the bound ``sock`` until it is told to stop; the exit code.

    One worker serves in this process; more are worker processes supervised by
    uvicorn's ``Multiprocess``, which shares the socket with them.  uvicorn's
    start-up failure code (3) when a single server never started, e.g. its lifespan
    failed.
    """
    if config.workers > 1:
        Multiprocess(config, sockets=[sock]).run()  # handles SIGTERM / SIGINT itself
        return 0
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # pragma: no cover - a second Ctrl-C during shutdown
        pass
    return 0 if server.started else STARTUP_FAILURE
