"""POST /gradcheck: the contract's example, a wrong coordinate, kinks, errors by index."""

from __future__ import annotations

import pytest

F = {"expr": "x**2 * exp(y)", "point": [1, 2]}


def test_contract_example(api):
    data = api.post("/gradcheck", {**F, "claimed": ["2*x*exp(y)", "x**2*exp(y)"]})
    assert data["variables"] == ["x", "y"] and data["verdict"] == "pass"
    assert data["claimed"] is True and data["method"] == "central" and data["h"] == 1e-5
    (check,) = data["checks"]
    assert check["point"] == [1.0, 2.0] and check["verdicts"] == ["pass", "pass"]
    assert check["checked"] == [pytest.approx(14.7781121978613), pytest.approx(7.38905609893065)]
    assert check["numerical"] == [pytest.approx(c, rel=1e-9) for c in check["exact"]]
    assert check["kinks"] == [False, False]
    assert data["evaluations"] == 8  # x ± h e_i, and again at 2h for the bound


def test_a_wrong_coordinate_fails_and_is_named(api):
    data = api.post("/gradcheck", {**F, "claimed": ["2*x", "x**2*exp(y)"]})
    assert data["verdict"] == "fail" and data["checks"][0]["verdicts"] == ["fail", "pass"]
    assert data["message"].startswith("∂f/∂x is off at (1, 2): claimed 2, numerical 14.7781")


def test_exact_gradient_at_random_points(api):
    data = api.post("/gradcheck", {"expr": "sin(x)*cos(y) + x*y**3", "point": [0, 0],
                                   "random_points": 40, "box": [[-1, 1], [0, 3]], "seed": 5})
    assert data["claimed"] is False and data["verdict"] == "pass"
    assert len(data["checks"]) == 41
    assert all(0 <= c["point"][1] <= 3 for c in data["checks"][1:])
    again = api.post("/gradcheck", {"expr": "sin(x)*cos(y) + x*y**3", "point": [0, 0],
                                    "random_points": 40, "box": [[-1, 1], [0, 3]], "seed": 5})
    assert again == data


def test_kink_is_flagged(api):
    data = api.post("/gradcheck", {"expr": "relu(x)", "claimed": ["1"], "point": 2e-6})
    assert data["checks"][0]["kinks"] == [True] and data["verdict"] == "fail"
    assert "corner" in data["message"]


def test_a_claimed_expression_that_does_not_parse_names_its_index(api):
    err = api.error("/gradcheck", {**F, "claimed": ["2*x*exp(y)", "x**2*exp(y"]})
    assert err["loc"] == ["body", "claimed", 1] and err["type"] == "expression_error"
    assert err["ctx"]["column"] == 9
    err = api.error("/gradcheck", {**F, "claimed": ["2*x*exp(y)"]})
    assert err["loc"] == ["body", "claimed"]


def test_random_points_are_limited(make_api):
    api = make_api(max_check_points=5)
    err = api.error("/gradcheck", {**F, "random_points": 6})
    assert err["ctx"]["limit"] == "max_check_points"


def test_undefined_points_fail_with_nulls(api):
    data = api.post("/gradcheck", {"expr": "log(x)", "claimed": ["1/x"], "point": -1})
    assert data["verdict"] == "fail" and data["checks"][0]["numerical"] == [None]
