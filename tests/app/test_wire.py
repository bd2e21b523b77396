"""The wire (issue 15): gzip for big answers, versioned URLs cached for a year (Plotly.js
among them), validators on the stable ones, what the page needs first asked for at once."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
from fastapi.testclient import TestClient

from app.main import GZIP_MIN_SIZE, create_app

FIELD = {"expr": "x**2 + y**2", "x_range": [-2, 2], "y_range": [-2, 2], "n": 100}


@pytest.fixture(scope="module")
def client() -> TestClient:
    with TestClient(create_app()) as test_client:
        yield test_client


def test_big_answers_are_gzipped_for_clients_that_accept_it(client):
    plain = client.post("/field", json=FIELD, headers={"accept-encoding": "identity"})
    packed = client.post("/field", json=FIELD, headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in packed.headers["vary"].lower()
    assert int(packed.headers["content-length"]) < len(plain.content) / 1.5
    assert packed.content == plain.content  # httpx undoes the gzip: the same JSON


def test_small_answers_are_sent_as_they_are(client):
    answer = client.get("/healthz", headers={"accept-encoding": "gzip"})
    assert len(answer.content) < GZIP_MIN_SIZE and "content-encoding" not in answer.headers


def test_clients_on_this_machine_get_no_compression():
    """Over loopback gzip only costs time; behind a proxy, the proxy compresses."""

    async def fetch(address: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(), client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
            return await c.post("/field", json=FIELD, headers={"accept-encoding": "gzip"})

    assert "content-encoding" not in asyncio.run(fetch("127.0.0.1")).headers
    assert "content-encoding" not in asyncio.run(fetch("::1")).headers
    assert asyncio.run(fetch("192.0.2.7")).headers["content-encoding"] == "gzip"


def _page_urls(client) -> list[str]:
    return re.findall(r'(?:src|href)="(/(?:assets|vendor)/[^"]+)"', client.get("/").text)


def test_the_page_names_its_files_by_versioned_urls_cached_for_a_year(client):
    urls = _page_urls(client)
    assert any(re.fullmatch(r"/assets/\w+/js/main\.js", u) for u in urls), urls
    assert any(re.fullmatch(r"/assets/\w+/vendor/plotly/plotly\.js", u) for u in urls), urls
    for url in urls:
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable", url
        assert "etag" in answer.headers, url


def test_a_changed_file_is_a_new_url(tmp_path):
    """The version is a hash of static/'s files: here of a copy, changed."""
    from app.static import tree_version

    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "main.js").write_text("one")
    first = tree_version(tmp_path)
    (tmp_path / "js" / "main.js").write_text("two!")
    assert tree_version(tmp_path) != first


def test_stable_urls_are_revalidated_with_their_validators(client):
    answer = client.get("/static/js/main.js")
    assert answer.headers["cache-control"] == "no-cache"
    etag, modified = answer.headers["etag"], answer.headers["last-modified"]
    assert client.get("/static/js/main.js", headers={"if-none-match": etag}).status_code == 304
    again = client.get("/static/js/main.js", headers={"if-modified-since": modified})
    assert again.status_code == 304


def test_plotly_styles_are_linked_as_stylesheets(client):
    """Plotly injects none of its styles where the page has an element of their id (the
    page's CSP forbids inline style blocks): each is a stylesheet of this server."""
    page = client.get("/").text
    links = re.findall(r'<link rel="stylesheet" id="([^"]+)" class="no-inline-styles" '
                       r'href="([^"]+)"', page)
    assert links and links[0][0] == "plotly.js-style-global"
    for _, href in links:
        answer = client.get(href)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(
            "text/css")
    rules = client.get(links[0][1]).text
    assert ".js-plotly-plot .plotly .modebar" in rules
    assert page.index("plotly.js-style-global") < page.index("/vendor/plotly/plotly.js")
    assert client.get(links[0][1].replace("-0.css", "-9.css")).status_code == 404


def test_every_module_the_page_imports_is_preloaded(client):
    """One round of requests for the whole module graph, not one per level of imports."""
    from app.routers.pages import module_graph

    page = client.get("/").text
    preloaded = re.findall(r'<link rel="modulepreload" href="(/assets/\w+/js/([\w.-]+))">', page)
    assert {name for _, name in preloaded} == set(module_graph("main.js"))
    for url, _ in preloaded:
        assert client.get(url).status_code == 200, url
    # Plotly.js's chunk too, before its script; its 3-D traces are imported when needed
    chunk = re.search(
        r'<link rel="modulepreload" href="/assets/\w+/vendor/plotly/(plotly-\w+\.js)">', page)
    assert chunk and chunk[1] in module_graph("plotly.js", "vendor/plotly")
    assert chunk.start() < page.index("/vendor/plotly/plotly.js")
    assert "plotly-3d.js" not in page


def test_what_the_page_asks_first_is_asked_with_the_page(client):
    """The tables and texts main.js fetches first are preloaded (same URLs): their answers
    come while the modules load."""
    page = client.get("/?lang=zh").text
    preloaded = re.findall(r'<link rel="preload" as="fetch" href="([^"]+)" crossorigin>', page)
    assert {"/optimizers", "/methods", "/limits", "/network/tables", "/functions"} <= set(
        preloaded)
    assert any(re.fullmatch(r"/assets/\w+/i18n/zh\.json", u) for u in preloaded), preloaded
    for url in preloaded:
        assert client.get(url).status_code == 200, url
