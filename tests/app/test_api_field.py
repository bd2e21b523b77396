"""POST /field: grid layout, one variable, nulls where f is undefined."""

from __future__ import annotations

import pytest


def test_contract_example(api):
    data = api.post("/field", {"expr": "x**2 + y**2", "x_range": [-2, 2],
                               "y_range": [-2, 2], "n": 21})
    assert data["variables"] == ["x", "y"]
    assert len(data["x"]) == len(data["y"]) == 21
    for name in ("z", "u", "v"):
        assert len(data[name]) == 21 and all(len(row) == 21 for row in data[name])
    x, y = data["x"], data["y"]
    for j in (0, 7, 20):
        for i in (0, 13, 20):
            assert data["z"][j][i] == pytest.approx(x[i] ** 2 + y[j] ** 2)
            assert data["u"][j][i] == pytest.approx(2 * x[i])
            assert data["v"][j][i] == pytest.approx(2 * y[j])


def test_unequal_axes(api):
    data = api.post("/field", {"expr": "x*y", "x_range": [0, 1], "y_range": [0, 2],
                               "nx": 3, "ny": 5})
    assert len(data["x"]) == 3 and len(data["y"]) == 5
    assert len(data["z"]) == 5 and len(data["z"][0]) == 3
    assert data["z"][4][2] == 2.0


def test_one_variable(api):
    data = api.post("/field", {"expr": "3*x**2 - 4*x", "x_range": [0, 2], "n": 3})
    assert data["x"] == [0.0, 1.0, 2.0]
    assert data["z"] == [0.0, -1.0, 4.0]
    assert data["u"] == [-4.0, 2.0, 8.0]
    assert "y" not in data and "v" not in data


def test_undefined_points_are_null(api):
    data = api.post("/field", {"expr": "log(x)", "x_range": [-1, 3], "n": 5})
    assert data["z"][:2] == [None, None] and data["u"][:2] == [None, None]
    assert data["z"][2:] == pytest.approx([0.0, 0.6931471805599453, 1.0986122886681098])
    assert "2 of 5" in data["message"]


def test_undefined_points_two_variables(api):
    data = api.post("/field", {"expr": "log(x) + y", "x_range": [-1, 1],
                               "y_range": [0, 1], "n": 3})
    assert [row[0] for row in data["z"]] == [None, None, None]
    assert data["z"][0][2] == 0.0


@pytest.mark.parametrize("method", ["autodiff", "dual", "central", "richardson"])
def test_methods(api, method):
    data = api.post("/field", {"expr": "sin(x)*y", "x_range": [0, 1], "y_range": [0, 1],
                               "n": 4, "method": method})
    assert data["v"][3][3] == pytest.approx(0.8414709848, rel=1e-6)


@pytest.mark.parametrize("bad", [{"x_range": [1, 0]}, {"x_range": [0]}, {"x_range": [0, 1, 2]},
                                 {"n": 1}, {"nx": 1}, {"y_range": [2, 2]}])
def test_bad_grid(api, bad):
    body = {"expr": "x*y", "x_range": [0, 1], "y_range": [0, 1], **bad}
    err = api.error("/field", body)
    assert err["loc"][:2] == ["body", next(iter(bad))]  # names the field


def test_three_variables_refused(api):
    err = api.error("/field", {"expr": "x*y*z", "x_range": [0, 1], "y_range": [0, 1]})
    assert err["type"] == "expression_error"
