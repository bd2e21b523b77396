"""The page's routes and assets, without a browser: GET /, the Plotly bundle, no CDN."""

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
    assert re.search(r'<script src="/vendor/plotly-\w+\.min\.js"', html)
    assert re.search(r'<script type="module" src="/assets/\w+/js/main\.js">', html)
    for label in ("Function", "Preset", "Method", "Optimizer", "Learning rate", "Steps"):
        assert re.search(rf"<label for=\"[\w-]+\"[^>]*>{label}<", html), label


def test_plotly_comes_from_the_installed_package(client):
    response = client.get("/vendor/plotly.min.js")
    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]
    assert "max-age=31536000" in response.headers["cache-control"]
    assert len(response.content) > 1_000_000
    assert b"plotly.js" in response.content[:400]


def test_static_modules_are_served(client):
    for name in ("main.js", "api.js", "state.js", "plot2d.js", "graph.js"):
        response = client.get(f"/static/js/{name}")
        assert response.status_code == 200, name
        assert "javascript" in response.headers["content-type"], name
    assert client.get("/static/css/app.css").status_code == 200


def test_no_asset_names_another_host():
    """No CDN, no web font, no analytics: every URL in the front end is relative."""
    files = [*REPO.glob("templates/**/*.html"), *REPO.glob("static/**/*.js")]
    files += list(REPO.glob("static/**/*.css"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        urls = set(re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s\"'`)]*", text)) - NAMESPACES
        assert not urls, f"{path.relative_to(REPO)} names {sorted(urls)}"
        assert "@import" not in text and "fonts.googleapis" not in text
