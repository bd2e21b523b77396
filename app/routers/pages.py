"""The interactive page and the Plotly.js bundle it draws with.

Routes
------
``GET /``
    ``templates/index.html``: structure only; behaviour lives in ``static/js/``.  Both
    directories are found by :func:`app.assets.asset_dir` (package data in a wheel, the
    repository's own directories in a checkout).  The templates name the page's files
    by their stable URLs (``/static/...``, ``/vendor/plotly.min.js``); the page is sent
    with those rewritten to versioned URLs (``/assets/<version>/...``,
    ``/vendor/plotly-<version>.min.js``: see :mod:`app.static`), which browsers keep for
    a year -- as a build step would, done once per process.
``GET /vendor/plotly-<version>.min.js``
    The Plotly.js bundle shipped inside the installed ``plotly`` Python package, so
    the page works with no internet at all (no CDN).  ``<version>`` is a hash of the
    bundle; it is sent gzip-compressed (4.8 MB → 1.4 MB, compressed once per process)
    to clients that accept it, with an ``ETag``, and cached for a year.
``GET /vendor/plotly.min.js``
    The same bundle at its old, stable URL.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from ..assets import asset_dir
from ..static import IMMUTABLE, tree_version

TEMPLATES_DIR = asset_dir("templates")

#: The bundle at its stable URL never changes for an installed ``plotly`` version.
VENDOR_CACHE_CONTROL = IMMUTABLE

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
router = APIRouter(tags=["pages"])


@cache
def plotly_bundle() -> Path | None:
    """Path of ``plotly.min.js`` inside the installed ``plotly`` package, or None."""
    try:
        import plotly
    except ImportError:  # pragma: no cover - plotly is a declared dependency
        return None
    bundle = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
    return bundle if bundle.is_file() else None


@dataclass(frozen=True)
class Bundle:
    """The Plotly bundle as sent: its bytes, gzip-compressed bytes and version."""

    raw: bytes
    compressed: bytes
    version: str

    @property
    def etag(self) -> str:
        return f'"{self.version}"'


_bundle_lock = threading.Lock()


@cache
def _load_bundle() -> Bundle | None:
    path = plotly_bundle()
    if path is None:  # pragma: no cover - plotly is a declared dependency
        return None
    raw = path.read_bytes()
    return Bundle(raw, gzip.compress(raw, compresslevel=6, mtime=0),
                  hashlib.sha256(raw).hexdigest()[:12])


def load_bundle() -> Bundle | None:
    """The bundle, read and compressed once per process (the app's start-up does it in
    the background, so the first page load does not wait for it)."""
    with _bundle_lock:
        return _load_bundle()


def static_version() -> str:
    """The version of ``static/`` in the page's asset URLs."""
    return tree_version(asset_dir("static"))


def plotly_url() -> str:
    bundle = load_bundle()
    return "/vendor/plotly.min.js" if bundle is None else \
        f"/vendor/plotly-{bundle.version}.min.js"


def versioned(html: str) -> str:
    """The page with its files' stable URLs (in ``src`` and ``href``) made versioned.

    >>> versioned('<script src="/static/js/main.js">').startswith('<script src="/assets/')
    True
    """
    return (html.replace('="/static/', f'="/assets/{static_version()}/')
            .replace('="/vendor/plotly.min.js"', f'="{plotly_url()}"'))


@cache
def _page(version: str) -> str:
    return versioned(templates.get_template("index.html").render())


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index() -> HTMLResponse:
    """The interactive page (the same for every request: rendered once per version of
    the static files)."""
    return HTMLResponse(_page(static_version()))


def _send_bundle(request: Request, cache_control: str) -> Response:
    bundle = load_bundle()
    if bundle is None:
        raise HTTPException(status_code=404, detail="plotly.min.js is not installed")
    headers = {"Cache-Control": cache_control, "ETag": bundle.etag, "Vary": "Accept-Encoding"}
    if bundle.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(bundle.compressed, media_type="text/javascript",
                        headers={**headers, "Content-Encoding": "gzip"})
    return Response(bundle.raw, media_type="text/javascript", headers=headers)


@router.get("/vendor/plotly-{version}.min.js", include_in_schema=False)
def plotly_versioned(version: str, request: Request) -> Response:
    """Plotly.js at its versioned URL: compressed, cached for a year."""
    bundle = load_bundle()
    if bundle is not None and version != bundle.version:
        raise HTTPException(status_code=404, detail="no such version of plotly.min.js")
    return _send_bundle(request, IMMUTABLE)


@router.get("/vendor/plotly.min.js", include_in_schema=False)
def plotly_js(request: Request) -> Response:
    """Plotly.js, served from the installed Python package with long cache headers."""
    return _send_bundle(request, VENDOR_CACHE_CONTROL)
