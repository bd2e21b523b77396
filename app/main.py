"""Build the application: ``create_app(settings)``, a factory with no side effects.

Nothing is built when this module is imported.  ``slopescope`` (``app.cli``) serves
``create_app()`` through uvicorn's factory mode, and so does plain uvicorn::

    uvicorn --factory app.main:create_app

Settings come from the ``SLOPESCOPE_*`` environment variables when ``create_app`` is
called without any (at server start), and the process-wide allocator setting
(:func:`engine.keep_freed_memory`) is made by the application's lifespan, i.e. when a
server starts it, in every worker process.  The Swagger UI at ``/docs`` and ReDoc at
``/redoc`` use JavaScript and CSS bundled in the ``fastapi-offline`` package and served
from this server, so the manual works with no internet.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

import engine

from . import __version__
from .assets import asset_dir
from .compute import Compute
from .errors import install_error_handlers
from .limits import document_limits
from .middleware import BodyLimitMiddleware
from .routers import ROUTERS
from .settings import Settings

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


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Server start-up: whole-grid work reuses freed memory (engine/allocator.py)."""
    engine.keep_freed_memory()
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
    app.add_middleware(BodyLimitMiddleware, max_body_size=settings.max_body_size)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=asset_dir("static")), name="static")

    generate = app.openapi

    def openapi() -> dict[str, Any]:
        """FastAPI's schema, with every settings-bound maximum set to this app's value."""
        if app.openapi_schema is None:
            app.openapi_schema = document_limits(generate(), settings)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
