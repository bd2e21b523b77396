"""POST /steps: error against h, truncation vs rounding."""

from __future__ import annotations

import math

import pytest


def test_contract_example(api):
    data = api.post("/steps", {"expr": "exp(x)", "point": 1, "methods": ["forward", "central"],
                               "h_min": 1e-16, "h_max": 0.1, "n": 31})
    assert len(data["h"]) == 31
    assert data["h"][0] == pytest.approx(0.1) and data["h"][-1] == pytest.approx(1e-16)
    assert data["exact"] == [pytest.approx(math.e)]
    assert set(data["errors"]) == {"forward", "central"}
    assert all(len(v) == 31 for v in data["errors"].values())
    assert 1e-10 < data["best_h"]["forward"] < 1e-6 < data["best_h"]["central"] < 1e-3
    # truncation error dominates at large h: central beats forward there
    assert data["errors"]["central"][0] < data["errors"]["forward"][0]


def test_every_numerical_method(api):
    methods = ["forward", "backward", "central", "richardson", "complex-step"]
    data = api.post("/steps", {"expr": "sin(x)", "point": 0.5, "methods": methods, "n": 8})
    assert set(data["errors"]) == set(data["best_h"]) == set(methods)


@pytest.mark.parametrize("bad", [{"h_min": 0.1, "h_max": 0.1}, {"h_min": 0}, {"n": 1},
                                 {"methods": []}, {"methods": ["autodiff"]}])
def test_bad_sweeps(api, bad):
    err = api.error("/steps", {"expr": "exp(x)", "point": 1, **bad})
    assert err["loc"][0] == "body"


@pytest.mark.parametrize("body, field, message", [
    ({"h_min": 0.1, "h_max": 0.01}, "h_max", "h_min must be smaller than h_max"),
    ({"methods": ["central", "central"]}, "methods", "methods must not repeat a method"),
])
def test_a_refused_sweep_names_its_field(api, body, field, message):
    error = api.error("/steps", {"expr": "exp(x)", "point": 1, **body})
    assert error["loc"] == ["body", field] and error["msg"] == message
