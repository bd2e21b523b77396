"""POST /tangent: the classic secant table and the tangent plane."""

from __future__ import annotations

import pytest


def test_contract_example(api):
    data = api.post("/tangent", {"expr": "3*x**2 - 4*x", "point": 1,
                                 "secants": [0.1, 0.01, 0.001]})
    assert data["value"] == -1.0
    assert data["slope"] == 2.0
    assert data["intercept"] == -3.0
    assert data["equation"] == "y = 2x - 3"
    assert [s["h"] for s in data["secants"]] == [0.1, 0.01, 0.001]
    assert [s["slope"] for s in data["secants"]] == pytest.approx([2.3, 2.03, 2.003])


def test_default_secants(api):
    data = api.post("/tangent", {"expr": "3*x**2 - 4*x", "point": 1})
    assert len(data["secants"]) == 3


def test_tangent_plane(api):
    data = api.post("/tangent", {"expr": "x**2 + y**2", "point": [3, 4]})
    assert data["value"] == 25.0
    assert data["gradient"] == [6.0, 8.0]
    assert data["equation"] == "z = 6x + 8y - 25"
    assert "slope" not in data and "secants" not in data


def test_undefined_point(api):
    data = api.post("/tangent", {"expr": "log(x)", "point": -1})
    assert data["value"] is None and data["slope"] is None
    assert data["message"] != "ok"


@pytest.mark.parametrize("secants", [[0], [-0.1], [], [True]])
def test_bad_secants(api, secants):
    if secants == []:
        data = api.post("/tangent", {"expr": "x**2", "point": 1, "secants": secants})
        assert data["secants"] == []
    else:
        err = api.error("/tangent", {"expr": "x**2", "point": 1, "secants": secants})
        assert err["loc"][:2] == ["body", "secants"]


def test_corner_has_no_tangent(api):
    data = api.post("/tangent", {"expr": "abs(x)", "point": 0})
    assert data["differentiable"] is False
    assert (data["left_slope"], data["right_slope"]) == (-1.0, 1.0)
    assert data["slope"] is None and data["intercept"] is None
    assert "corner" in data["message"] and "-1 from the left" in data["message"]


def test_smooth_points_are_differentiable(api):
    line = api.post("/tangent", {"expr": "abs(x)", "point": 2})
    assert line["differentiable"] is True and line["slope"] == 1.0
    assert line["left_slope"] == line["right_slope"] == 1.0
    assert api.post("/tangent", {"expr": "abs(x)**2", "point": 0})["differentiable"] is True
    plane = api.post("/tangent", {"expr": "abs(x) + y", "point": [0, 1]})
    assert plane["differentiable"] is False and "left_slope" not in plane


def test_undefined_point_is_not_differentiable(api):
    data = api.post("/tangent", {"expr": "log(x)", "point": -1})
    assert data["differentiable"] is False
    assert "log(-1) is undefined" in data["message"]
