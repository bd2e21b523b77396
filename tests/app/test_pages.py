"""The page's ``<head>`` (app/routers/pages.py, templates/index.html) for a fast first load:
Plotly.js asked for first, and every ES module the page's scripts import preloaded, as
found by reading the modules here (independently of the app's own scan)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.assets import asset_dir
from app.main import create_app

STATIC = asset_dir("static")
#: A static import, over several lines if need be: ``import {a,\n b} from "./x.js";``,
#: ``import "./x.js";`` or ``export ... from "./x.js"`` -- not ``import("./x.js")``.
STATIC_IMPORT = re.compile(
    r"""^\s*(?:import\s*(?:[\w*{}\s,$]+?\s*from\s*)?|export\s*[\w*{}\s,$]+?\s*from\s*)"""
    r"""["'](?P<spec>[^"']+)["']""", re.M)
COMMENT = re.compile(r"/\*.*?\*/|^\s*//[^\n]*", re.S | re.M)


def imported_by(entry: Path) -> set[Path]:
    """Every file ``entry`` imports statically, directly or not (resolved paths)."""
    seen: set[Path] = set()
    pending = [entry]
    while pending:
        source = COMMENT.sub("", pending.pop().read_text(encoding="utf-8"))
        for match in STATIC_IMPORT.finditer(source):
            spec = match["spec"]
            assert spec.startswith("./"), f"a bare or parent import in the page: {spec}"
            target = (entry.parent / spec).resolve()
            if target not in seen:
                seen.add(target)
                pending.append(target)
    seen.discard(entry.resolve())
    return seen


class Head(HTMLParser):
    """The ``<link>`` and ``<script>`` elements of a page's head, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[dict[str, str | None]] = []
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.done = True
        if not self.done and tag in ("link", "script"):
            self.elements.append({"tag": tag, **dict(attrs)})


@pytest.fixture(scope="module")
def client() -> TestClient:
    with TestClient(create_app()) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def head(client) -> list[dict[str, str | None]]:
    parser = Head()
    parser.feed(client.get("/").text)
    return parser.elements


def asset_path(url: str) -> Path:
    """The file under static/ that a versioned URL serves."""
    found = re.fullmatch(r"/assets/\w+/(.+)", url)
    assert found, url
    return (STATIC / found[1]).resolve()


def test_every_module_a_page_script_imports_is_preloaded(head, client):
    scripts = [e["src"] for e in head if e["tag"] == "script" and e.get("type") == "module"]
    preloaded = [str(e["href"]) for e in head if e.get("rel") == "modulepreload"]
    assert len(scripts) == 3 and len(preloaded) == len(set(preloaded))
    wanted = set().union(*(imported_by(asset_path(str(src))) for src in scripts))
    assert {asset_path(url) for url in preloaded} == wanted
    assert (STATIC / "js" / "view2d.js").resolve() in wanted  # two levels down from main.js
    for url in preloaded:
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert "javascript" in answer.headers["content-type"], url


def test_each_preload_comes_before_the_script_that_imports_it(head):
    positions = {e.get("src") or e.get("href"): k for k, e in enumerate(head)}
    for k, element in enumerate(head):
        if element["tag"] != "script":
            continue
        for module in imported_by(asset_path(str(element["src"]))):
            url = next(u for u in positions if u and asset_path_or_none(u) == module)
            assert positions[url] < k, (url, element["src"])


def asset_path_or_none(url: str) -> Path | None:
    return asset_path(url) if url.startswith("/assets/") else None


def test_plotly_is_asked_for_first(head):
    """The longest to arrive and compile takes the first of the browser's connections:
    nothing the page fetches comes before Plotly.js but Plotly's own stylesheets (which
    must be there before it runs)."""
    fetching = [e for e in head if e.get("src") or e.get("rel") in (
        "stylesheet", "preload", "modulepreload")]
    first = [e for e in fetching if "plotly" not in str(e.get("href") or e.get("src"))]
    k = fetching.index(first[0])
    plotly = [str(e.get("href") or e.get("src")) for e in fetching[:k]]
    assert any(url.endswith("/vendor/plotly/plotly.js") for url in plotly)
    assert any(re.search(r"/vendor/plotly/plotly-\w+\.js$", url) for url in plotly)
    styles = [url for url in plotly if url.endswith(".css")]
    assert plotly[:len(styles)] == styles  # Plotly's styles, then its modules
