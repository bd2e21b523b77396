"""The ``slopescope`` command (also ``python -m app``): serve the app with uvicorn.

    slopescope                       # http://127.0.0.1:8000/
    slopescope --port 9000 --open    # and open it in the browser
    slopescope --host 0.0.0.0 --workers 4

Limits come from ``SLOPESCOPE_*`` environment variables (see ``app.settings``).  On
SIGTERM or Ctrl-C uvicorn stops accepting connections, lets in-flight requests finish
(at most ``shutdown_grace`` seconds) and the process exits 0.
"""

from __future__ import annotations

import argparse
import signal
import threading
import time
import urllib.request
import webbrowser
from collections.abc import Sequence
from types import FrameType

import uvicorn

from . import __version__
from .settings import Settings


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


def _stopped(signum: int, frame: FrameType | None) -> None:
    """Handler uvicorn restores and re-raises after its graceful shutdown: exit 0."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``slopescope`` console script.

    uvicorn shuts down gracefully on SIGTERM / SIGINT, then restores the handlers it
    found and re-raises the signal; with Python's defaults that would end the process
    with -15 (or a KeyboardInterrupt).  :func:`_stopped` is installed first, so a
    requested stop after a clean shutdown exits 0.
    """
    args = parse_args(argv)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _stopped)
    settings = Settings()
    url = url_for(args.host, args.port)
    print(f"Slopescope {__version__} serving on {url} (API manual: {url}docs)", flush=True)
    if args.open:
        open_when_ready(url)
    uvicorn.run(
        "app.main:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        timeout_graceful_shutdown=int(settings.shutdown_grace),
    )
    return 0
