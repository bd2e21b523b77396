"""Build the application: ``create_app(settings)``, a factory with no side effects.

Nothing is built when this module is imported.  ``slopescope`` (``app.cli``) serves
``create_app()`` through uvicorn's factory mode, and so does plain uvicorn::

    uvicorn --factory app.main:create_app

Settings come from the ``SLOPESCOPE_*`` environment variables when ``create_app`` is
called without any (at server start).  What concerns the whole process is done by the
application's lifespan, i.e. when a server starts it, in every worker process: the
allocator setting (:func:`engine.keep_freed_memory`), quiet logs for floods of bad
connections (:func:`app.connections.install_quiet_logging`), and, in a worker of
``--workers N``, ending with its parent (:func:`die_with_parent`).  The Swagger UI at
``/docs`` and ReDoc at ``/redoc`` use JavaScript and CSS bundled in the
``fastapi-offline`` package and served from this server, so the manual works with no
internet.

On the way in, a request meets (outermost first) the Host check, HEAD-as-GET, the
security headers, gzip for answers over :data:`GZIP_MIN_SIZE` bytes to clients (not on
this machine) that accept it, and the body limit (:mod:`app.middleware`,
:mod:`app.headers`).
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

import engine

from . import __version__
from .assets import asset_dir
from .compute import Compute
from .connections import install_quiet_logging
from .errors import install_error_handlers
from .headers import SecurityHeadersMiddleware
from .limits import document_limits
from .middleware import (
    BodyLimitMiddleware,
    CompressionMiddleware,
    HeadMiddleware,
    HostMiddleware,
)
from .routers import ROUTERS
from .routers.pages import load_bundle
from .settings import Settings
from .static import IMMUTABLE, REVALIDATE, CachedStaticFiles

#: Answers smaller than this are sent as they are (compressing them gains nothing).
GZIP_MIN_SIZE = 2048
#: zlib's level for answers: on JSON numbers level 1 is within a few per cent of level
#: 9's size (48% of the bytes against 45%) at a tenth of its time.
GZIP_LEVEL = 1
#: The pages whose inline blocks the security headers allow, by hash (the API manual).
MANUAL_PAGES = ("/docs", "/redoc", "/docs/oauth2-redirect")

DESCRIPTION = """\
Numerical and automatic differentiation, tangents, gradient fields and gradient descent
for functions typed as text (`x**2 + y**2`, `sin(x)*exp(y)`, ...).

* Numbers in requests must be finite JSON numbers; integers are fine where floats are
  expected; booleans, `NaN`, `Infinity` and `1e999` are refused (422).
* Numbers in responses that are NaN or infinite are sent as `null`, and a `status` or
  `message` field says why.
* Errors: 422 for a bad expression (`type: expression_error` with the 1-based column),
  a schema violation, or a limit exceeded (`type: limit_exceeded`, naming the setting);
  413 for a body over the size limit; 503 with `Retry-After` when the server is busy.

### Limits
Each is a setting, changed with its environment variable:

| setting | default | environment variable | what |
| --- | --- | --- | --- |
"""


def _describe(settings: Settings) -> str:
    rows = [
        f"| `{name}` | {getattr(settings, name)} | `{Settings.env_name(name)}` | "
        f"{info.description} |"
        for name, info in Settings.model_fields.items()
    ]
    return DESCRIPTION + "\n".join(rows) + "\n"


_PR_SET_PDEATHSIG = 1


def die_with_parent() -> bool:
    """In a worker process of ``--workers N`` (a ``multiprocessing`` child), ask Linux
    to send SIGTERM when the parent dies, so that killing the supervisor (even with
    SIGKILL) never leaves workers serving the port; if the parent is gone already, end
    now.  Returns whether this process is such a worker.  Elsewhere (one process, a
    test) it does nothing: a server must outlive the shell that started it."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent.pid:  # it died before the request was made
        os.kill(os.getpid(), signal.SIGTERM)
    return True


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Server start-up: whole-grid work reuses freed memory (engine/allocator.py); a
    flood of bad connections logs a line a minute, not one each; a worker ends with its
    parent; Plotly.js is read (for its styles) in the background."""
    engine.keep_freed_memory()
    install_quiet_logging(asyncio.get_running_loop())
    die_with_parent()
    threading.Thread(target=load_bundle, name="load-plotly", daemon=True).start()
    yield


def create_app(settings: Settings | None = None) -> FastAPI:
    """A Slopescope application with ``settings`` (default: read from the environment now).

    Building one changes nothing outside it; its lifespan tunes the allocator when a
    server starts it.
    """
    settings = settings if settings is not None else Settings()
    app = FastAPIOffline(
        lifespan=lifespan,
        title="Slopescope",
        version=__version__,
        summary="An interactive gradient visualiser's JSON API.",
        description=_describe(settings),
        static_url="/docs-assets",
        swagger_ui_parameters={"tryItOutEnabled": True, "displayRequestDuration": True},
        openapi_tags=[
            {"name": "calculus", "description": "Gradients, descent, tangents, fields."},
            {"name": "health", "description": "Liveness."},
        ],
    )
    app.state.settings = settings
    app.state.compute = Compute(settings)
    install_error_handlers(app)
    # add_middleware: the last added is the outermost
    app.add_middleware(BodyLimitMiddleware, max_body_size=settings.max_body_size)
    app.add_middleware(CompressionMiddleware, minimum_size=GZIP_MIN_SIZE,
                       compresslevel=GZIP_LEVEL)
    app.add_middleware(SecurityHeadersMiddleware, inline_paths=MANUAL_PAGES)
    app.add_middleware(HeadMiddleware)
    app.add_middleware(HostMiddleware, allowed=settings.allowed_hosts or ["*"])
    for router in ROUTERS:
        app.include_router(router)
    static = asset_dir("static")
    app.mount("/assets/{version}",
              CachedStaticFiles(directory=static, cache_control=IMMUTABLE), name="assets")
    app.mount("/static", CachedStaticFiles(directory=static, cache_control=REVALIDATE),
              name="static")

    generate = app.openapi

    def openapi() -> dict[str, Any]:
        """FastAPI's schema, with every settings-bound maximum set to this app's value."""
        if app.openapi_schema is None:
            app.openapi_schema = document_limits(generate(), settings)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
