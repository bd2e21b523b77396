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
    a year, and with a ``modulepreload`` link for every ES module the page imports, so
    that they load at once, not import by import -- as a build step would, done once per
    version of the files.
``GET /vendor/plotly-<version>.min.js``
    The Plotly.js bundle shipped inside the installed ``plotly`` Python package, so
    the page works with no internet at all (no CDN).  ``<version>`` is a hash of the
    bundle; it is sent gzip-compressed (4.8 MB → 1.4 MB, compressed once per process)
    to clients that accept it, with an ``ETag``, and cached for a year.
``GET /vendor/plotly-<version>-<k>.css``
    Plotly's own styles as stylesheets.  Plotly.js writes them into ``<style>`` elements
    it creates, which the page's Content-Security-Policy (styles from files of this
    server only: :mod:`app.headers`) forbids.  It leaves that step out where the page
    already has an element of the id it would give the ``<style>`` (with class
    ``no-inline-styles`` for its main rules), so the page is sent with a ``<link>`` of
    that id to each of these files.  The styles are read out of the bundle itself (its
    table of selectors and declarations, and each block it would inject), so they
    always match it.
``GET /vendor/plotly.min.js``
    The same bundle at its old, stable URL.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from ..assets import asset_dir
from ..i18n import DEFAULT_LANGUAGE, LANGUAGES, language_of, translator
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


_RULES_START = '{"X,X div":'
_STRING = r"""("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
_RULE = re.compile(_STRING + r"\s*:\s*" + _STRING)


def _js_string(literal: str) -> str:
    if literal.startswith("'"):  # a single-quoted JS string: as a JSON one
        literal = '"' + literal[1:-1].replace('\\\'', "'").replace('"', '\\"') + '"'
    return str(json.loads(literal))


def plotly_css(bundle: str) -> str:
    """Plotly's style rules from its bundle: the table ``{"X,X div": "direction:ltr;...",
    ...}`` whose selectors name the plot as ``X`` and the notifier as ``Y``.  Plotly
    inserts each rule before the others, so they are written here in reverse order
    (later rules win a tie).  Empty if the table is not found.

    >>> print(plotly_css('{"X,X div":"margin:0;","Y p":' + "'color:red;'};"))
    .plotly-notifier p{color:red;}
    .js-plotly-plot .plotly,.js-plotly-plot .plotly div{margin:0;}
    <BLANKLINE>
    """
    start = bundle.find(_RULES_START)
    if start < 0:
        return ""
    end = bundle.find("};", start)
    rules = []
    for selector, declarations in _RULE.findall(bundle[start:end + 1]):
        name = re.sub(r"^,", " ,", _js_string(selector))
        name = name.replace("X", ".js-plotly-plot .plotly").replace("Y", ".plotly-notifier")
        rules.append(f"{name}{{{_js_string(declarations)}}}\n")
    return "".join(reversed(rules))


#: A block of CSS the bundle injects unless an element of its id is there already.
_INJECTED = re.compile(r'if\(!document\.getElementById\("([\w-]+)"\)\)\{var (\w+)='
                       r'document\.createElement\("style"\);\2\.id="\1",\2\.textContent='
                       + _STRING)


def plotly_styles(bundle: str) -> list[tuple[str, str]]:
    """Every style Plotly would write into the page, as ``(element id, css)``: its rules
    (:func:`plotly_css`, id ``plotly.js-style-global``), then each injected block."""
    styles = [("plotly.js-style-global", plotly_css(bundle))]
    styles += [(found[0], _js_string(found[2])) for found in _INJECTED.findall(bundle)]
    return [(name, css) for name, css in styles if css]


@dataclass(frozen=True)
class Bundle:
    """The Plotly bundle as sent: its file, gzip-compressed bytes and version, and its
    styles as stylesheets (element id, css)."""

    path: Path
    compressed: bytes
    version: str
    styles: tuple[tuple[str, bytes], ...]

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
    styles = plotly_styles(raw.decode("utf-8", "replace"))
    return Bundle(path, gzip.compress(raw, compresslevel=6, mtime=0),
                  hashlib.sha256(raw).hexdigest()[:12],
                  tuple((name, css.encode()) for name, css in styles))


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


#: A static ``import ... from "./x.js"`` (or ``import "./x.js"``) in an ES module.
_IMPORT = re.compile(r"""(?:\bfrom|^import)\s*["'](\./[\w./-]+\.js)["']""", re.M)


def module_graph(entry: str) -> list[str]:
    """Every module ``static/js/<entry>`` imports, directly or not (names under
    ``static/js/``), in the order they are first found.

    >>> modules = module_graph("main.js")
    >>> "api.js" in modules and "main.js" not in modules
    True
    """
    folder = asset_dir("static") / "js"
    found: list[str] = []
    pending = [entry]
    while pending:
        name = pending.pop(0)
        path = folder / name
        if not path.is_file():
            continue
        for spec in _IMPORT.findall(path.read_text(encoding="utf-8")):
            module = spec[2:]
            if module not in found and module != entry:
                found.append(module)
                pending.append(module)
    return found


def preloads(html: str, version: str) -> str:
    """``<link rel="modulepreload">`` for every module the page's module scripts import:
    the browser fetches them all at once instead of discovering them import by import
    (a waterfall as deep as the import graph)."""
    entries = re.findall(r'<script type="module" src="/static/js/([\w.-]+\.js)"', html)
    modules = [m for entry in entries for m in module_graph(entry)]
    links = "".join(f'<link rel="modulepreload" href="/assets/{version}/js/{m}">\n  '
                    for m in dict.fromkeys(modules))
    return html.replace('<script type="module"', links + '<script type="module"', 1)


def versioned(html: str) -> str:
    """The page with its files' stable URLs (in ``src`` and ``href``) made versioned,
    its modules preloaded, and Plotly's stylesheets linked before Plotly's script.

    >>> versioned('<script src="/static/js/main.js">').startswith('<script src="/assets/')
    True
    """
    version = static_version()
    html = preloads(html, version)
    html = html.replace('="/static/', f'="/assets/{version}/')
    bundle = load_bundle()
    if bundle is None:
        return html
    links = "".join(
        f'<link rel="stylesheet" id="{name}" class="no-inline-styles" '
        f'href="/vendor/plotly-{bundle.version}-{k}.css">\n  '
        for k, (name, _) in enumerate(bundle.styles))
    return html.replace('<script src="/vendor/plotly.min.js"',
                        f'{links}<script src="{plotly_url()}"')


@cache
def _page(version: str, lang: str) -> str:
    page = templates.get_template("index.html").render(
        t=translator(lang), lang=lang, html_lang=LANGUAGES[lang].html, languages=LANGUAGES,
        default_lang=DEFAULT_LANGUAGE)
    return versioned(page)


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index(lang: str | None = None) -> HTMLResponse:
    """The interactive page, written in the language of ``?lang=`` (English unless it
    names one of :data:`app.i18n.LANGUAGES`); the same for every request in a language:
    rendered once per version of the static files."""
    return HTMLResponse(_page(static_version(), language_of(lang)))


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
    return FileResponse(bundle.path, media_type="text/javascript", headers=headers)


@router.get("/vendor/plotly-{version}.min.js", include_in_schema=False)
def plotly_versioned(version: str, request: Request) -> Response:
    """Plotly.js at its versioned URL: compressed, cached for a year."""
    bundle = load_bundle()
    if bundle is not None and version != bundle.version:
        raise HTTPException(status_code=404, detail="no such version of plotly.min.js")
    return _send_bundle(request, IMMUTABLE)


@router.get("/vendor/plotly-{version}-{part}.css", include_in_schema=False)
def plotly_stylesheet(version: str, part: int) -> Response:
    """One of Plotly's styles, as a stylesheet (see the module's notes)."""
    bundle = load_bundle()
    if bundle is None or version != bundle.version or not 0 <= part < len(bundle.styles):
        raise HTTPException(status_code=404, detail="no such stylesheet")
    return Response(bundle.styles[part][1], media_type="text/css",
                    headers={"Cache-Control": IMMUTABLE, "ETag": f'"{version}-{part}"'})


@router.get("/vendor/plotly.min.js", include_in_schema=False)
def plotly_js(request: Request) -> Response:
    """Plotly.js, served from the installed Python package with long cache headers."""
    return _send_bundle(request, VENDOR_CACHE_CONTROL)
