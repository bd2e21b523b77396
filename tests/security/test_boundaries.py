"""Boundaries not already in tests/app/test_limits.py, at the contract's defaults.

At the limit: accepted.  One past: a 4xx whose message names the limit (the setting, or
the schema's bound).  test_limits.py covers grid n (default and small), steps over the
default, the step budget, max_points with a small setting, sweep and secants with small
settings, text length, body size with a small setting and over 64 KiB, chunked bodies and
the descent deadline; this file adds the default values and the remaining limits.
"""

from __future__ import annotations

import json

import pytest

JSON = {"content-type": "application/json"}


def post(client, path, body):
    return client.post(path, content=json.dumps(body), headers=JSON)


def accepted(client, path, body):
    response = post(client, path, body)
    assert response.status_code == 200, response.text[:400]
    return response.json()


def refused(client, path, body, *words, field=None):
    response = post(client, path, body)
    assert response.status_code == 422, response.text[:400]
    item = response.json()["detail"][0]
    for word in words:
        assert word in item["msg"], item
    if field is not None:
        assert item["loc"][:2] == ["body", field], item
    return item


# --- the expression: nodes and depth at the defaults (500, 50) ------------------------

def test_500_nodes_accepted_501_refused(client):
    at = "-" + "+".join(["x"] * 250)  # 250 x, 249 '+', one '-': 500 nodes
    past = "+".join(["x"] * 250) + "+1"  # 501 nodes
    assert accepted(client, "/gradient", {"expr": at, "point": 1})["gradient"] == [248.0]
    item = refused(client, "/gradient", {"expr": past, "point": 1}, "500", "max_nodes",
                   "SLOPESCOPE_MAX_NODES", field="expr")
    assert item["ctx"]["code"] == "too_many_nodes" and item["ctx"]["limit"] == "max_nodes"


@pytest.mark.parametrize("left,right", [("(", ")"), ("-", ""), ("sin(", ")")])
def test_depth_50_accepted_51_refused(client, left, right):
    accepted(client, "/gradient", {"expr": left * 50 + "x" + right * 50, "point": 0.5})
    item = refused(client, "/gradient", {"expr": left * 51 + "x" + right * 51, "point": 0.5},
                   "50", "max_depth", "SLOPESCOPE_MAX_DEPTH", field="expr")
    assert item["ctx"]["code"] == "too_deep"


def test_length_limit_names_its_setting(client):
    refused(client, "/gradient", {"expr": "x" + " " * 1000, "point": 1}, "1000",
            "max_length", "SLOPESCOPE_MAX_LENGTH", field="expr")


def test_small_expression_limits_name_their_settings(make_client):
    client = make_client(max_nodes=5, max_depth=3, max_length=20)
    accepted(client, "/gradient", {"expr": "x + y + x", "point": [1, 2]})
    refused(client, "/gradient", {"expr": "x + y + x + y", "point": [1, 2]}, "max_nodes")
    accepted(client, "/gradient", {"expr": "((x))", "point": 1})
    refused(client, "/gradient", {"expr": "((((x))))", "point": 1}, "max_depth")
    refused(client, "/gradient", {"expr": "x" + " " * 20, "point": 1}, "max_length")


# --- points and variable lists: at most max_nodes (500) items -------------------------

def _wide(count):
    return ["x"] + [f"v{i}" for i in range(count - 1)]


@pytest.mark.parametrize("path,point_field,extra", [
    ("/gradient", "point", {}),
    ("/tangent", "point", {}),
    ("/graph", "point", {}),
    ("/steps", "point", {"n": 2, "methods": ["central"]}),
    ("/descent", "start", {"steps": 2}),
])
def test_points_at_max_nodes_accepted_one_more_refused(client, make_client, path,
                                                       point_field, extra):
    limit = 500
    body = {"expr": "x", **extra}
    data = accepted(client, path, {**body, point_field: [0.5] * limit,
                                   "variables": _wide(limit)})
    assert len(data["variables"]) == limit
    refused(client, path, {**body, point_field: [0.5] * (limit + 1),
                           "variables": _wide(limit + 1)},
            "max_nodes", str(limit + 1), field=point_field)
    refused(client, path, {**body, point_field: [0.5] * limit, "variables": _wide(limit + 1)},
            "max_nodes", field="variables")


# --- the other work limits at their defaults ------------------------------------------

def test_steps_100000_accepted(client):
    data = accepted(client, "/descent", {"expr": "x", "start": 1, "steps": 100_000,
                                         "lr": 1e-6, "max_points": 2})
    assert data["status"] == "completed" and data["iterations"] == [0, 100_000]


def test_max_points_10001_accepted_10002_refused(client):
    body = {"expr": "x", "start": 1, "steps": 20_000, "lr": 1e-6}
    data = accepted(client, "/descent", {**body, "max_points": 10_001})
    assert len(data["path"]) == 10_001
    data = accepted(client, "/descent", body)
    assert len(data["path"]) == 10_001  # the default is the limit
    refused(client, "/descent", {"expr": "x**2", "start": 1, "max_points": 10_002},
            "max_points", "10001", field="max_points")


def test_sweep_200_accepted_201_refused(client):
    body = {"expr": "exp(x)", "point": 1, "methods": ["central"]}
    assert len(accepted(client, "/steps", {**body, "n": 200})["h"]) == 200
    refused(client, "/steps", {**body, "n": 201}, "max_sweep", "200", field="n")


def test_20_secants_accepted_21_refused(client):
    hs = [10.0 ** -k for k in range(1, 22)]
    assert len(accepted(client, "/tangent", {"expr": "x**2", "point": 1,
                                             "secants": hs[:20]})["secants"]) == 20
    refused(client, "/tangent", {"expr": "x**2", "point": 1, "secants": hs},
            "max_secants", "20", field="secants")


@pytest.mark.parametrize("axis", ["nx", "ny"])
def test_grid_axes_400_accepted_401_refused(client, axis):
    body = {"expr": "x*y", "x_range": [0, 1], "y_range": [0, 1], "n": 2}
    accepted(client, "/field", {**body, axis: 400})
    refused(client, "/field", {**body, axis: 401}, "max_grid", "400", field=axis)


def test_five_methods_accepted_six_refused(client):
    methods = ["forward", "backward", "central", "richardson", "complex-step"]
    body = {"expr": "exp(x)", "point": 1, "n": 3}
    assert len(accepted(client, "/steps", {**body, "methods": methods})["errors"]) == 5
    refused(client, "/steps", {**body, "methods": methods + ["central"]}, "5",
            field="methods")


def test_variable_name_64_accepted_65_refused(client):
    name = "v" * 64
    accepted(client, "/gradient", {"expr": name, "point": 1, "variables": [name]})
    refused(client, "/gradient", {"expr": "x", "point": 1, "variables": ["x", "v" * 65]},
            "64", field="variables")


def test_range_has_exactly_two_numbers(client):
    refused(client, "/field", {"expr": "x", "x_range": [0, 1, 2]}, "2", field="x_range")
    refused(client, "/field", {"expr": "x", "x_range": [0]}, "2", field="x_range")


def test_body_at_the_default_64k_limit_is_read(client):
    body = json.dumps({"expr": "x", "point": 1})
    body = body[:-1] + " " * (65_536 - len(body)) + "}"
    assert len(body) == 65_536
    assert client.post("/gradient", content=body, headers=JSON).status_code == 200
    response = client.post("/gradient", content=body[:-1] + " }", headers=JSON)
    assert response.status_code == 413
    assert "max_body_size" in response.json()["detail"] and "65536" in response.json()["detail"]


# --- the time limit -------------------------------------------------------------------

def test_default_deadline_is_a_few_seconds():
    from app.settings import Settings

    assert Settings().deadline <= 5


def test_field_deadline(make_client):
    client = make_client(deadline=0.02)
    item = refused(client, "/field", {"expr": "sin(x)*cos(y)", "x_range": [0, 1],
                                      "y_range": [0, 1], "n": 400, "method": "richardson"},
                   "deadline", "time limit")
    assert item["type"] == "deadline_exceeded" and item["ctx"]["limit"] == "deadline"

