"""Build the application: ``create_app(settings)`` and the module-level ``app``.

``uvicorn app.main:app`` (or the ``slopescope`` command) serves it.  The Swagger UI at
``/docs`` and ReDoc at ``/redoc`` use JavaScript and CSS bundled in the
``fastapi-offline`` package and served from this server, so the manual works with no
internet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

import engine

from . import __version__
from .compute import Compute
from .errors import install_error_handlers
from .limits import document_limits
from .middleware import BodyLimitMiddleware
from .routers import ROUTERS
from .settings import Settings

#: The repository's ``static/`` directory (the package is installed editable).
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

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


def create_app(settings: Settings | None = None) -> FastAPI:
    """A Slopescope application with ``settings`` (default: from the environment)."""
    settings = settings if settings is not None else Settings()
    engine.keep_freed_memory()  # whole-grid work reuses freed memory (engine/allocator.py)
    app = FastAPIOffline(
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
    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    generate = app.openapi

    def openapi() -> dict[str, Any]:
        """FastAPI's schema, with every settings-bound maximum set to this app's value."""
        if app.openapi_schema is None:
            app.openapi_schema = document_limits(generate(), settings)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


app = create_app()
