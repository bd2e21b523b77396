"""The page's routes and assets, without a browser: GET /, Plotly.js, no CDN."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app

REPO = Path(__file__).resolve().parents[2]
#: Strings that look like URLs but are XML namespaces, never fetched.
NAMESPACES = {"http://www.w3.org/2000/svg"}


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


def test_index_is_the_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    # the page names its files by versioned URLs (app/static.py), kept for a year
    assert re.search(r'<script type="module" src="/assets/\w+/vendor/plotly/plotly\.js" async>',
                     html)
    assert re.search(r'<script type="module" src="/assets/\w+/js/main\.js">', html)
    for label in ("Function", "Preset", "Method", "Optimizer", "Learning rate", "Steps"):
        assert re.search(rf"<label for=\"[\w-]+\"[^>]*>{label}<", html), label


def test_plotly_comes_from_this_server(client):
    """Plotly.js is one of the page's static files (static/vendor/plotly/), not a CDN's."""
    for name in ("plotly.js", "plotly-3d.js"):
        response = client.get(f"/static/vendor/plotly/{name}")
        assert response.status_code == 200, name
        assert "javascript" in response.headers["content-type"], name
        assert b"/*! plotly.js v" in response.content[:200], name


def test_static_modules_are_served(client):
    for name in ("main.js", "api.js", "state.js", "plot2d.js", "graph.js"):
        response = client.get(f"/static/js/{name}")
        assert response.status_code == 200, name
        assert "javascript" in response.headers["content-type"], name
    assert client.get("/static/css/app.css").status_code == 200


def test_no_asset_names_another_host():
    """No CDN, no web font, no analytics: every URL in the front end is relative.  (The
    vendored Plotly.js, static/vendor/, holds links in its texts and licences; that it
    fetches nothing from elsewhere is tests/browser/test_page.py's foreign requests.)"""
    files = [*REPO.glob("templates/**/*.html"), *REPO.glob("static/**/*.js")]
    files += list(REPO.glob("static/**/*.css"))
    files = [path for path in files if not path.is_relative_to(REPO / "static" / "vendor")]
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        urls = set(re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s\"'`)]*", text)) - NAMESPACES
        assert not urls, f"{path.relative_to(REPO)} names {sorted(urls)}"
        assert "@import" not in text and "fonts.googleapis" not in text
