"""The interactive page and the Plotly.js bundle it draws with.

Routes
------
``GET /``
    ``templates/index.html``: structure only; behaviour lives in ``static/js/``.  Both
    directories are found by :func:`app.assets.asset_dir` (package data in a wheel, the
    repository's own directories in a checkout).
``GET /vendor/plotly.min.js``
    The Plotly.js bundle shipped inside the installed ``plotly`` Python package, so
    the page works with no internet at all (no CDN).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates

from ..assets import asset_dir

TEMPLATES_DIR = asset_dir("templates")

#: The bundle never changes for an installed ``plotly`` version: cache it for a year.
VENDOR_CACHE_CONTROL = "public, max-age=31536000, immutable"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
router = APIRouter(tags=["pages"])


@lru_cache(maxsize=1)
def plotly_bundle() -> Path | None:
    """Path of ``plotly.min.js`` inside the installed ``plotly`` package, or None."""
    try:
        import plotly
    except ImportError:  # pragma: no cover - plotly is a declared dependency
        return None
    bundle = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
    return bundle if bundle.is_file() else None


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index(request: Request) -> HTMLResponse:
    """The interactive page."""
    return templates.TemplateResponse(request, "index.html", {})


@router.get("/vendor/plotly.min.js", include_in_schema=False)
def plotly_js() -> FileResponse:
    """Plotly.js, served from the installed Python package with long cache headers."""
    bundle = plotly_bundle()
    if bundle is None:
        raise HTTPException(status_code=404, detail="plotly.min.js is not installed")
    return FileResponse(
        bundle,
        media_type="text/javascript",
        headers={"Cache-Control": VENDOR_CACHE_CONTROL},
    )
