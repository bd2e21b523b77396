"""Every limit: at the limit accepted, one past refused with a message naming it."""

from __future__ import annotations

import json

import pytest

import engine
from app.settings import Settings


def _refused(api, path, body, setting, field):
    err = api.error(path, body)
    assert err["loc"] == ["body", field], err
    assert setting in err["msg"], err
    return err


@pytest.mark.parametrize("field", ["n", "nx", "ny"])
def test_grid(make_api, field):
    api = make_api(max_grid=10)
    body = {"expr": "x*y", "x_range": [0, 1], "y_range": [0, 1], "n": 5}
    api.post("/field", {**body, field: 10})
    err = _refused(api, "/field", {**body, field: 11}, "max_grid", field)
    assert "11" in err["msg"] and err["ctx"] == {"limit": "max_grid", "maximum": 10,
                                                 "given": 11}


def test_grid_default_400(api):
    body = {"expr": "x*y", "x_range": [0, 1], "y_range": [0, 1]}
    assert len(api.post("/field", {**body, "n": 400})["z"]) == 400
    _refused(api, "/field", {**body, "n": 401}, "max_grid", "n")


def test_steps(make_api):
    api = make_api(max_steps=50)
    api.post("/descent", {"expr": "x", "start": 1, "steps": 50})
    _refused(api, "/descent", {"expr": "x", "start": 1, "steps": 51}, "max_steps", "steps")


def test_steps_default_100000(api):
    _refused(api, "/descent", {"expr": "x", "start": 1, "steps": 100_001}, "max_steps",
             "steps")


def test_step_budget(make_api):
    api = make_api(step_budget=500)
    # "x + y" has 3 nodes and 2 variables: 100 steps x (3 + 2) is exactly the budget
    api.post("/descent", {"expr": "x + y", "start": [0, 0], "steps": 100})
    err = _refused(api, "/descent", {"expr": "x + y", "start": [0, 0], "steps": 101},
                   "step_budget", "steps")
    assert "505" in err["msg"] and "(3 + 2)" in err["msg"]


def test_step_budget_counts_dimensions(make_api):
    """500 variables of which the text uses one: the work is per coordinate, not per node."""
    api = make_api(step_budget=100_000)
    names = ["x"] + [f"w{k}" for k in range(499)]
    body = {"expr": "x", "start": [0.5] * 500, "variables": names, "max_points": 2}
    api.post("/descent", {**body, "steps": 199})  # 199 x (1 + 500) = 99,699
    err = _refused(api, "/descent", {**body, "steps": 200}, "step_budget", "steps")
    assert "100200" in err["msg"]


def test_path_size_is_capped(make_api):
    api = make_api(max_path_values=1000)
    body = {"expr": "x**2 + y**2", "start": [1, 1], "steps": 2000}
    assert len(api.post("/descent", body)["path"]) == 500  # the default shrinks to fit
    api.post("/descent", {**body, "max_points": 500})
    err = _refused(api, "/descent", {**body, "max_points": 501}, "max_path_values",
                   "max_points")
    assert "1002" in err["msg"]


def test_step_budget_default(api):
    expr = " + ".join(f"sin({k}*x)" for k in range(1, 40))
    nodes = engine.parse(expr).node_count + 1  # and one variable
    steps = 5_000_000 // nodes
    assert nodes > 50 and steps < 100_000
    body = {"expr": expr, "start": 1, "steps": steps, "max_points": 2}
    api.post("/descent", body)
    err = _refused(api, "/descent", {**body, "steps": steps + 1}, "step_budget", "steps")
    assert "5000000" in err["msg"]


def test_max_points(make_api):
    api = make_api(max_points=11)
    data = api.post("/descent", {"expr": "x**2", "start": 1, "steps": 100})
    assert len(data["path"]) == 11 and data["iterations"][-1] == 100
    api.post("/descent", {"expr": "x**2", "start": 1, "max_points": 11})
    _refused(api, "/descent", {"expr": "x**2", "start": 1, "max_points": 12},
             "max_points", "max_points")


def test_sweep(make_api):
    api = make_api(max_sweep=8)
    api.post("/steps", {"expr": "exp(x)", "point": 1, "n": 8})
    _refused(api, "/steps", {"expr": "exp(x)", "point": 1, "n": 9}, "max_sweep", "n")


def test_secants(make_api):
    api = make_api(max_secants=2)
    api.post("/tangent", {"expr": "x**2", "point": 1, "secants": [0.1, 0.01]})
    _refused(api, "/tangent", {"expr": "x**2", "point": 1, "secants": [0.1, 0.01, 0.001]},
             "max_secants", "secants")


def test_expression_length(make_api):
    api = make_api(max_length=9)
    api.post("/gradient", {"expr": "x + x + x", "point": 1})
    _refused(api, "/gradient", {"expr": "x + x + xx", "point": 1}, "max_length", "expr")


def test_expression_length_default(api):
    text = "x + " + " " * 995 + "1"  # 1000 characters, 3 nodes
    api.post("/gradient", {"expr": text, "point": 1})
    err = api.error("/gradient", {"expr": text + "1", "point": 1})
    assert err["loc"] == ["body", "expr"] and "1000" in err["msg"]


def test_nodes_and_depth(make_api):
    api = make_api(max_nodes=5, max_depth=3)
    api.post("/gradient", {"expr": "x + y", "point": [1, 2]})
    err = api.error("/gradient", {"expr": "x + y + x + y", "point": [1, 2]})
    assert err["type"] == "expression_error" and "5" in err["msg"]
    err = api.error("/gradient", {"expr": "((((x))))", "point": 1})
    assert err["type"] == "expression_error"


def test_deadline(make_api):
    api = make_api(deadline=0.001)
    err = api.error("/descent", {"expr": "sin(x)*cos(y) + x**2", "start": [1, 1],
                                 "steps": 100_000, "method": "richardson"})
    assert err["type"] == "deadline_exceeded"
    assert "deadline" in err["msg"] and "time limit" in err["msg"]


def test_body_at_the_limit_is_read(make_api):
    api = make_api(max_body_size=1000)
    body = json.dumps({"expr": "x", "point": 1})
    body = body[:-1] + " " * (1000 - len(body)) + "}"
    assert len(body) == 1000
    assert api.raw("/gradient", body).status_code == 200
    response = api.raw("/gradient", body[:-1] + " }")
    assert response.status_code == 413
    assert "max_body_size" in response.json()["detail"]


def test_body_over_64k(api):
    body = json.dumps({"expr": "+".join(["x"] * 40_000), "point": 1})
    response = api.raw("/gradient", body)
    assert response.status_code == 413
    assert "65536" in response.json()["detail"]


def test_chunked_body_over_the_limit(api):
    sent = []

    def chunks():
        for _ in range(100):
            sent.append(1)
            yield b" " * 4096

    response = api.client.post("/gradient", content=chunks(),
                               headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert "max_body_size" in response.json()["detail"]


def test_env_variables_set_limits(monkeypatch):
    monkeypatch.setenv("SLOPESCOPE_MAX_GRID", "12")
    monkeypatch.setenv("SLOPESCOPE_COMPUTE_SLOTS", "3")
    settings = Settings()
    assert settings.max_grid == 12 and settings.compute_slots == 3


def test_openapi_documents_the_apps_limits(make_api):
    schema = make_api(max_grid=10).get("/openapi.json")
    n = schema["components"]["schemas"]["FieldRequest"]["properties"]["n"]
    assert n["maximum"] == 10 and n["x-limit"] == "max_grid"


def test_limits_are_checked_before_any_work(make_api):
    """With a deadline that any computation passes at once, a request over a limit is
    still refused for that limit: the check came before the work."""
    api = make_api(deadline=1e-9)
    _refused(api, "/descent", {"expr": "x", "start": 1, "steps": 10**9}, "max_steps", "steps")
    big = "+".join(["sin(x)"] * 120)
    _refused(api, "/descent", {"expr": big, "start": 1, "steps": 100_000}, "step_budget",
             "steps")
    _refused(api, "/field", {"expr": "x*y", "x_range": [0, 1], "y_range": [0, 1],
                             "n": 10**6}, "max_grid", "n")
    # and the same app does stop work that is under the limits at its deadline
    err = api.error("/descent", {"expr": big, "start": 1, "steps": 10_000})
    assert err["type"] == "deadline_exceeded", err
