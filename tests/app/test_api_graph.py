"""POST /graph: nodes with forward values and reverse-mode adjoints."""

from __future__ import annotations

import pytest


def test_contract_example(api):
    data = api.post("/graph", {"expr": "(2*x**2 + 2*y) / 4", "point": [1, 2]})
    nodes = {node["id"]: node for node in data["nodes"]}
    root = nodes[data["output"]]
    assert root["value"] == 1.5 and root["grad"] == 1.0
    variables = {node["label"]: node for node in data["nodes"] if node["op"] == "var"}
    assert variables["x"]["inputs"] == [] and variables["y"]["inputs"] == []
    assert variables["x"]["grad"] == pytest.approx(1.0)  # d/dx = x
    assert variables["y"]["grad"] == pytest.approx(0.5)
    for node in data["nodes"]:
        assert set(node) == {"id", "op", "label", "inputs", "value", "grad", "partials", "tangent"}
        assert all(i in nodes for i in node["inputs"])
    assert any(node["label"] == "4" for node in data["nodes"])


def test_undefined_values_are_null(api):
    data = api.post("/graph", {"expr": "log(x)", "point": -1})
    root = next(node for node in data["nodes"] if node["id"] == data["output"])
    assert root["value"] is None


def test_edges_and_the_forward_trace(api):
    data = api.post("/graph", {"expr": "(2*x**2 + 2*y) / 4", "point": [1, 2],
                               "direction": [0, 1]})
    nodes = {n["id"]: n for n in data["nodes"]}
    assert all(len(n["partials"]) == len(n["inputs"]) for n in data["nodes"])
    out = nodes[data["output"]]
    assert out["partials"] == [0.25, -0.375] and out["tangent"] == 0.5  # = df/dy
    assert data["direction"] == [0.0, 1.0]
    default = api.post("/graph", {"expr": "(2*x**2 + 2*y) / 4", "point": [1, 2]})
    assert default["direction"] == [1.0, 0.0]
    assert {n["id"]: n for n in default["nodes"]}[default["output"]]["tangent"] == 1.0
    err = api.error("/graph", {"expr": "x + y", "point": [1, 2], "direction": [1]})
    assert err["loc"] == ["body", "direction"]
