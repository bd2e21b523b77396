"""The interactive page and the Plotly.js it draws with.

Routes
------
``GET /``
    ``templates/index.html``: structure only; behaviour lives in ``static/js/``.  Both
    directories are found by :func:`app.assets.asset_dir` (package data in a wheel, the
    repository's own directories in a checkout).  The templates name the page's files
    by their stable URLs (``/static/...``); the page is sent with those rewritten to
    versioned URLs (``/assets/<version>/...``: see :mod:`app.static`), which browsers
    keep for a year, and with a ``modulepreload`` link for every ES module each module
    script imports, so that they load at once, not import by import -- as a build step
    would, done once per version of the files.
``GET /vendor/plotly-<version>-<k>.css``
    Plotly's own styles as stylesheets.  Plotly.js writes them into ``<style>`` elements
    it creates, which the page's Content-Security-Policy (styles from files of this
    server only: :mod:`app.headers`) forbids.  It leaves that step out where the page
    already has an element of the id it would give the ``<style>`` (with class
    ``no-inline-styles`` for its main rules), so the page is sent with a ``<link>`` of
    that id to each of these files.  The styles are read out of the bundle itself (its
    table of selectors and declarations, and each block it would inject), so they
    always match it.

Plotly.js itself is part of ``static/``: ``static/vendor/plotly/`` holds a partial
bundle with only the traces the page draws, built from the plotly.js npm package by
``scripts/build_plotly.sh`` and committed (so the page works with no internet and no
npm).  ``plotly.js`` (core, scatter, contour, heatmap) is an ES module script of the
page, loaded ``async``: it runs as soon as it arrives, while the page's own modules
load, and ``static/js/plotlyload.js`` waits for it before the first plot;
``plotly-3d.js`` (surface, scatter3d) is imported when the 3-D view first opens.  Both
import the code they share from one chunk, so they register into one Plotly.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from ..assets import asset_dir
from ..i18n import DEFAULT_LANGUAGE, LANGUAGES, language_of, translator
from ..static import IMMUTABLE, tree_version

TEMPLATES_DIR = asset_dir("templates")
#: Where Plotly.js is, under ``static/`` (``scripts/build_plotly.sh`` puts it there).
PLOTLY_DIR = "vendor/plotly"
#: The page's script tag of Plotly.js, as the template writes it (before its URL is
#: versioned): Plotly's stylesheets are linked just before it.
PLOTLY_SCRIPT = f'<script type="module" src="/static/{PLOTLY_DIR}/plotly.js"'

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
router = APIRouter(tags=["pages"])


def plotly_files() -> list[Path]:
    """The vendored Plotly.js modules: its entry points and the chunk they share.

    >>> {"plotly.js", "plotly-3d.js"} <= {path.name for path in plotly_files()}
    True
    """
    return sorted((asset_dir("static") / PLOTLY_DIR).glob("*.js"))


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
    """Plotly.js as the page gets it: a version (a hash of its files, in its stylesheets'
    URLs) and its styles as stylesheets (element id, css)."""

    version: str
    styles: tuple[tuple[str, bytes], ...]


_bundle_lock = threading.Lock()


@cache
def _load_bundle() -> Bundle | None:
    files = plotly_files()
    if not files:
        return None
    raw = b"".join(path.read_bytes() for path in files)
    styles = plotly_styles(raw.decode("utf-8", "replace"))
    return Bundle(hashlib.sha256(raw).hexdigest()[:12],
                  tuple((name, css.encode()) for name, css in styles))


def load_bundle() -> Bundle | None:
    """Plotly.js's version and styles, read once per process (the app's start-up does it
    in the background, so the first page load does not wait for it); None when
    ``static/vendor/plotly/`` holds no bundle."""
    with _bundle_lock:
        return _load_bundle()


def static_version() -> str:
    """The version of ``static/`` in the page's asset URLs."""
    return tree_version(asset_dir("static"))


#: A static ``import ... from "./x.js"`` (or ``import "./x.js"``) in an ES module.
_IMPORT = re.compile(r"""(?:\bfrom|^import)\s*["'](\./[\w./-]+\.js)["']""", re.M)


def module_graph(entry: str, folder: str = "js") -> list[str]:
    """Every module ``static/<folder>/<entry>`` imports statically, directly or not
    (names under ``static/<folder>/``), in the order they are first found.  A dynamic
    ``import()`` is left out: what it loads is loaded when it is needed.

    >>> modules = module_graph("main.js")
    >>> "api.js" in modules and "main.js" not in modules
    True
    >>> [m.startswith("plotly-") for m in module_graph("plotly.js", "vendor/plotly")]
    [True]
    """
    folder_path = asset_dir("static") / folder
    found: list[str] = []
    pending = [entry]
    while pending:
        name = pending.pop(0)
        path = folder_path / name
        if not path.is_file():
            continue
        for spec in _IMPORT.findall(path.read_text(encoding="utf-8")):
            module = spec[2:]
            if module not in found and module != entry:
                found.append(module)
                pending.append(module)
    return found


#: The page's module scripts (``<script type="module" ... src="/static/<folder>/<name>"``).
_MODULE_SCRIPT = re.compile(r'<script type="module" src="/static/([\w/.-]+)/([\w.-]+\.js)"')


def preloads(html: str, version: str) -> str:
    """``<link rel="modulepreload">`` for every module each of the page's module scripts
    imports, just before its script tag: the browser fetches them all at once instead of
    discovering them import by import (a waterfall as deep as the import graph)."""
    done: set[str] = set()

    def links(script: re.Match[str]) -> str:
        folder = script[1]
        modules = [f"{folder}/{m}" for m in module_graph(script[2], folder)]
        fresh = [m for m in dict.fromkeys(modules) if m not in done]
        done.update(fresh)
        return "".join(f'<link rel="modulepreload" href="/assets/{version}/{m}">\n  '
                       for m in fresh) + script[0]

    return _MODULE_SCRIPT.sub(links, html)


def versioned(html: str) -> str:
    """The page with its files' stable URLs (in ``src`` and ``href``) made versioned,
    its modules preloaded, and Plotly's stylesheets linked before Plotly's script.

    >>> versioned('<script src="/static/js/main.js">').startswith('<script src="/assets/')
    True
    """
    bundle = load_bundle()
    if bundle is not None:
        links = "".join(
            f'<link rel="stylesheet" id="{name}" class="no-inline-styles" '
            f'href="/vendor/plotly-{bundle.version}-{k}.css">\n  '
            for k, (name, _) in enumerate(bundle.styles))
        html = html.replace(PLOTLY_SCRIPT, links + PLOTLY_SCRIPT, 1)
    version = static_version()
    html = preloads(html, version)
    return html.replace('="/static/', f'="/assets/{version}/')


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


@router.get("/vendor/plotly-{version}-{part}.css", include_in_schema=False)
def plotly_stylesheet(version: str, part: int) -> Response:
    """One of Plotly's styles, as a stylesheet (see the module's notes)."""
    bundle = load_bundle()
    if bundle is None or version != bundle.version or not 0 <= part < len(bundle.styles):
        raise HTTPException(status_code=404, detail="no such stylesheet")
    return Response(bundle.styles[part][1], media_type="text/css",
                    headers={"Cache-Control": IMMUTABLE, "ETag": f'"{version}-{part}"'})
