"""POST /gradient: the contract's example, every method, every point form, nulls."""

from __future__ import annotations

import math
from typing import get_args

import pytest

import engine
from app.schemas import Method, NumericalMethod


def test_contract_example(api):
    data = api.post("/gradient", {"expr": "x**2 + y**2", "point": [3, 4],
                                  "method": "central", "h": 1e-4})
    assert data["expr"] == "x**2 + y**2"
    assert data["variables"] == ["x", "y"]
    assert data["point"] == [3.0, 4.0]
    assert data["value"] == 25.0
    assert data["gradient"] == [6.00000000000378, 7.999999999999119]
    assert data["method"] == "central"
    assert data["h"] == [1e-4, 1e-4]
    assert data["exact"] == [6.0, 8.0]
    assert data["error"] == pytest.approx([3.78e-12, -8.81e-13], rel=1e-2)
    assert data["message"] == "ok"


def test_autodiff_is_default_and_has_no_numerical_fields(api):
    data = api.post("/gradient", {"expr": "x**2 + y**2", "point": [3, 4]})
    assert data["method"] == "autodiff"
    assert data["gradient"] == [6.0, 8.0]
    for absent in ("h", "exact", "error", "error_estimate"):
        assert absent not in data


def test_method_literals_match_the_engine():
    assert get_args(Method) == engine.METHODS
    assert get_args(NumericalMethod) == engine.NUMERICAL_METHODS


@pytest.mark.parametrize("method", engine.METHODS)
def test_every_method(api, method):
    data = api.post("/gradient", {"expr": "sin(x)*exp(y)", "point": [1, 0.5],
                                  "method": method})
    exact = [math.cos(1) * math.exp(0.5), math.sin(1) * math.exp(0.5)]
    assert data["method"] == method
    assert data["gradient"] == pytest.approx(exact, rel=1e-5)
    if method in engine.NUMERICAL_METHODS:
        assert data["exact"] == pytest.approx(exact, rel=1e-14)
        assert len(data["h"]) == 2 and all(h > 0 for h in data["h"])
        assert data["error"] == pytest.approx(
            [g - e for g, e in zip(data["gradient"], data["exact"], strict=True)], abs=1e-15)
    assert ("error_estimate" in data) == (method == "richardson")


def test_complex_step_refused_for_abs(api):
    err = api.error("/gradient", {"expr": "abs(x)", "point": 1, "method": "complex-step"})
    assert err["type"] == "expression_error"
    assert err["ctx"]["code"] == "not_analytic"


@pytest.mark.parametrize("point", [[3, 4], {"x": 3, "y": 4}, {"y": 4, "x": 3}, [3.0, 4.0]])
def test_point_forms(api, point):
    data = api.post("/gradient", {"expr": "x*y", "point": point})
    assert data["gradient"] == [4.0, 3.0]


def test_bare_number_for_one_variable(api):
    assert api.post("/gradient", {"expr": "3*x**2", "point": 2})["gradient"] == [12.0]


def test_imposed_variable_order_with_unused_variable(api):
    data = api.post("/gradient", {"expr": "x*y", "point": [1, 2, 3],
                                  "variables": ["y", "w", "x"]})
    assert data["variables"] == ["y", "w", "x"]
    assert data["gradient"] == [3.0, 0.0, 1.0]


def test_wrong_point_length_is_a_422_on_point(api):
    err = api.error("/gradient", {"expr": "x*y", "point": [1]})
    assert err["loc"] == ["body", "point"]
    assert err["type"] == "expression_error"


def test_undefined_value_is_null_with_a_message(api):
    data = api.post("/gradient", {"expr": "log(x)", "point": -1})
    assert data["value"] is None and data["gradient"] == [None]
    assert "not finite" in data["message"]


@pytest.mark.parametrize("expr", ["9**9**9", "exp(1000)-exp(1000)", "1/0", "sqrt(-1)"])
def test_non_finite_arithmetic_is_200_with_null(api, expr):
    data = api.post("/gradient", {"expr": expr, "point": 1, "variables": ["x"]})
    assert data["value"] is None
    assert data["message"] != "ok"


def test_explicit_h_is_echoed_exactly(api):
    data = api.post("/gradient", {"expr": "x**3", "point": 2, "method": "forward", "h": 0.5})
    assert data["h"] == [0.5]
    assert data["gradient"] == [pytest.approx(((2.5**3) - 8) / 0.5)]


def test_hessian_on_request(api):
    data = api.post("/gradient", {"expr": "x**2*y + y**3", "point": [1, 2], "hessian": True})
    assert data["hessian"] == [[4.0, 2.0], [2.0, 12.0]]
    assert data["eigenvalues"] == [pytest.approx(8 - 20**0.5), pytest.approx(8 + 20**0.5)]
    plain = api.post("/gradient", {"expr": "x**2*y + y**3", "point": [1, 2]})
    assert "hessian" not in plain and "eigenvalues" not in plain
    undefined = api.post("/gradient", {"expr": "log(x)", "point": -1, "hessian": True})
    assert undefined["hessian"] == [[None]] and undefined["eigenvalues"] is None
