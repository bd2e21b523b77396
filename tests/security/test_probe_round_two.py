"""Issue 14, the probe's findings as regression tests (in process, no clock).

Each test is one reproducer of "Hardening, round two": work that must be refused
before it is done, wrong answers and contract breaches, and the headers and hosts a
browser relies on.  The stalled-connection findings are in test_stalled_clients.py,
the ``--workers`` one in tests/app/test_workers.py, abandoned work in
tests/app/test_work_stops.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings

REPO = Path(__file__).resolve().parents[2]
NAMES = [f"v{k}" for k in range(500)]


@pytest.fixture(scope="module")
def tight() -> TestClient:
    """An app whose time limit any started work would pass: a refusal that names a
    limit, not the deadline, was made before the work began."""
    with TestClient(create_app(Settings(deadline=1e-9, compute_slots=1))) as client:
        yield client


# --- work that scales with dimensions: refused before it is done ------------------------

def test_500_dimensions_at_100000_steps_are_over_the_step_budget(tight, helpers):
    body = {"expr": "x", "start": [0.5] * 500, "variables": ["x", *NAMES[1:]],
            "steps": 100_000, "max_points": 2}
    response = tight.post("/descent", json=body)
    item = helpers.check_answer(response.status_code, response.content)["detail"][0]
    assert response.status_code == 422 and item["type"] == "limit_exceeded", item
    assert item["ctx"]["limit"] == "step_budget" and item["ctx"]["given"] == 100_000 * (1 + 500)


def test_a_path_of_10001_points_in_500_dimensions_is_over_the_answer_cap(tight, helpers):
    body = {"expr": "x", "start": [0.5] * 500, "variables": ["x", *NAMES[1:]],
            "steps": 9_000, "max_points": 10_001}
    response = tight.post("/descent", json=body)
    item = helpers.check_answer(response.status_code, response.content)["detail"][0]
    assert response.status_code == 422 and item["type"] == "limit_exceeded", item
    assert item["ctx"]["limit"] == "max_path_values"
    assert item["ctx"]["given"] == 10_001 * 500


def test_steps_may_not_repeat_a_method(client, helpers):
    body = {"expr": "exp(x)", "point": 1, "methods": ["central"] * 5, "n": 200}
    response = client.post("/steps", json=body)
    data = helpers.check_answer(response.status_code, response.content)
    assert response.status_code == 422
    (error,) = data["detail"]  # says what and where, in our words (no "Value error, ")
    assert error["loc"] == ["body", "methods"]
    assert error["msg"] == "methods must not repeat a method"


# --- wrong answers and contract breaches -------------------------------------------------

def test_steps_of_a_constant_is_an_answer_not_a_500(client, helpers):
    response = client.post("/steps", json={"expr": "2", "point": []})
    data = helpers.check_answer(response.status_code, response.content)
    assert response.status_code == 200, data
    assert data["variables"] == [] and data["exact"] == []
    assert all(errors == [0.0] * 31 for errors in data["errors"].values())


def test_min_and_max_keep_nan_on_every_path(client, helpers):
    text = "max(1, 0*(x*1e308*10))"  # 0 * inf is NaN, and max(1, NaN) is NaN
    response = client.post("/gradient", json={"expr": text, "point": [0.5]})
    assert helpers.check_answer(response.status_code, response.content)["value"] is None
    response = client.post("/descent", json={"expr": text, "start": [0.5], "steps": 50,
                                             "tol": 1e-8})
    data = helpers.check_answer(response.status_code, response.content)
    assert data["status"] == "diverged" and data["final_value"] is None, data["message"]


def test_a_finite_function_with_an_infinite_constant_term_descends(client, helpers):
    body = {"expr": "x**2 + y**2 + 1/(1/0)", "start": [-3, 4], "lr": 0.1, "steps": 100}
    response = client.post("/descent", json=body)
    data = helpers.check_answer(response.status_code, response.content)
    plain = client.post("/descent", json={**body, "expr": "x**2 + y**2"}).json()
    assert data["status"] == "completed" and data["path"] == plain["path"]


def test_an_integer_of_4301_digits_is_a_422(client, helpers):
    body = b'{"expr": "x", "point": ' + b"1" * 4301 + b"}"
    response = client.post("/gradient", content=body,
                           headers={"content-type": "application/json"})
    item = helpers.check_answer(response.status_code, response.content)["detail"][0]
    assert response.status_code == 422 and item["type"] == "json_invalid"
    assert "digits" in item["msg"] and b"1111" not in response.content


@pytest.mark.parametrize("ranges", [{"x_range": [-1.79e308, 1.79e308], "y_range": [0, 1]},
                                    {"x_range": [0, 1], "y_range": [-1e308, 1e308]}])
def test_a_grid_whose_width_overflows_is_a_422(client, helpers, ranges):
    response = client.post("/field", json={"expr": "x + y", "n": 5, **ranges})
    item = helpers.check_answer(response.status_code, response.content)["detail"][0]
    assert response.status_code == 422 and "not a finite number" in item["msg"]


def test_the_widest_finite_grid_has_finite_coordinates(client, helpers):
    response = client.post("/field", json={"expr": "x", "x_range": [-8.9e307, 8.9e307],
                                           "n": 400})
    data = helpers.check_answer(response.status_code, response.content)
    assert None not in data["x"] and data["x"][0] == -8.9e307 and data["x"][-1] == 8.9e307


# --- nothing the client chose is echoed, keys included -----------------------------------

MARKUP = "<img src=x onerror=alert(1)>"


@pytest.mark.parametrize(("path", "body"), [
    ("/gradient", {"expr": "x", "point": 1, MARKUP: 1}),
    ("/gradient", {"expr": "x", "point": {MARKUP: 1}}),
    ("/gradient", {"expr": "x", "point": {MARKUP: "a"}}),
    ("/descent", {"expr": "x", "start": {"x": 1, MARKUP: 2}}),
    ("/field", {"expr": "x", "x_range": [0, 1], "extra": {MARKUP: 1}}),
])
def test_keys_are_never_echoed(client, helpers, path, body):
    response = client.post(path, json=body)
    data = helpers.check_answer(response.status_code, response.content)
    assert response.status_code == 422
    text = json.dumps(data)
    assert "img" not in text and "onerror" not in text and "alert" not in text, text
    for item in data["detail"]:
        assert all(isinstance(part, int) or part.isidentifier() or part.startswith("[")
                   for part in item["loc"]), item["loc"]


def test_an_unknown_field_is_named_by_its_position(client):
    response = client.post("/gradient", json={"expr": "x", "point": 1, "mehtod": "central"})
    item = response.json()["detail"][0]
    assert item["type"] == "extra_forbidden" and item["loc"] == ["body", 2]
    assert "unknown field" in item["msg"]


# --- headers -----------------------------------------------------------------------------

RESPONSES = [("GET", "/", None), ("GET", "/healthz", None), ("GET", "/functions", None),
             ("POST", "/gradient", {"expr": "x", "point": 1}),
             ("POST", "/gradient", {"expr": "x +", "point": 1}), ("GET", "/nope", None),
             ("GET", "/static/js/main.js", None), ("GET", "/docs", None),
             ("GET", "/openapi.json", None)]


@pytest.mark.parametrize(("method", "path", "body"), RESPONSES)
def test_every_answer_says_nosniff_and_no_frames(client, method, path, body):
    response = client.request(method, path, json=body)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def _policy(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_the_page_runs_only_scripts_and_styles_from_this_server(client):
    policy = _policy(client.get("/").headers["content-security-policy"])
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["img-src"][0] == "'self'" and policy["font-src"][0] == "'self'"
    assert "style-src-elem" not in policy  # stylesheets: from this server only
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert _policy(client.get("/healthz").headers["content-security-policy"])[
        "default-src"] == ["'none'"]


INLINE_CODE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.I)


@pytest.mark.parametrize("template", sorted((REPO / "templates").glob("*.html")),
                         ids=lambda p: p.name)
def test_templates_hold_no_inline_script_or_style(template):
    """What the page policy would block: inline scripts and styles, event attributes."""
    found = INLINE_CODE.findall(template.read_text(encoding="utf-8"))
    assert not found, found


def test_the_manual_keeps_working_under_its_policy(client):
    """/docs' own inline start-up script is allowed by its hash, and nothing else."""
    response = client.get("/docs")
    assert response.status_code == 200
    scripts = re.findall(r"<script>(.*?)</script>", response.text, re.S)
    assert scripts
    policy = _policy(response.headers["content-security-policy"])
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy["script-src"]
    assert "'unsafe-inline'" not in policy["script-src"]
    for src in re.findall(r'<script src="([^"]+)"', response.text):
        assert client.get(src).status_code == 200, src
    assert client.get("/openapi.json").status_code == 200


# --- hosts -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def loopback_only() -> TestClient:
    hosts = ["localhost", "127.0.0.1", "::1"]
    with TestClient(create_app(Settings(allowed_hosts=hosts))) as client:
        yield client


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example",
                                  "localhost.evil.example", ""])
def test_a_host_that_is_not_ours_is_refused(loopback_only, helpers, host):
    """DNS rebinding: a name the attacker controls, pointed at 127.0.0.1."""
    response = loopback_only.get("/", headers={"host": host})
    data = helpers.check_answer(response.status_code, response.content)
    assert response.status_code == 400 and "allowed_hosts" in data["detail"]
    assert "evil" not in data["detail"]
    response = loopback_only.post("/gradient", json={"expr": "x", "point": 1},
                                  headers={"host": host})
    assert response.status_code == 400


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1:8000", "[::1]:8000",
                                  "LOCALHOST"])
def test_loopback_names_are_served(loopback_only, host):
    assert loopback_only.get("/", headers={"host": host}).status_code == 200


def test_health_checks_are_answered_by_address(loopback_only):
    assert loopback_only.get("/healthz", headers={"host": "10.1.2.3:8000"}).status_code == 200


# --- HEAD wherever GET works --------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/healthz", "/functions", "/optimizers", "/methods",
                                  "/docs", "/openapi.json", "/static/js/main.js",
                                  "/static/vendor/plotly/plotly.js"])
def test_head_works_wherever_get_does(client, path):
    get, head = client.get(path), client.head(path)
    assert get.status_code == head.status_code == 200, (path, head.status_code)
    assert head.content == b""
    for name in ("content-type", "content-length", "content-encoding"):
        assert head.headers.get(name) == get.headers.get(name), name


def test_head_of_a_post_only_path_is_405(client):
    assert client.head("/gradient").status_code == 405
