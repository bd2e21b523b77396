"""Gradient checking: verdicts, kinks, near-zero derivatives, claimed expressions."""

from __future__ import annotations

import numpy as np
import pytest

from engine import ExpressionError, parse
from engine.gradcheck import gradcheck, verdict_of

F = parse("x**2 * exp(y)")


def test_a_right_claim_passes_everywhere():
    check = gradcheck(F, [1, 2], claimed=["2*x*exp(y)", "x**2*exp(y)"], random_points=20)
    assert check.verdict == "pass" and len(check.points) == 21 and check.claimed
    assert all(c.verdicts == ["pass", "pass"] for c in check.points)
    assert check.message.startswith("every partial derivative matches")
    assert check.evaluations == 2 * 2 * 2 * 21  # central: x ± h e_i, again at 2h (the bound)


def test_a_wrong_coordinate_fails_alone_and_is_named():
    check = gradcheck(F, [1, 2], claimed=["2*x*exp(y)", "2*x*exp(y)"])
    assert check.points[0].verdicts == ["pass", "fail"]
    assert check.verdict == "fail"
    assert check.message.startswith("∂f/∂y is off at (1, 2): claimed 14.7781, numerical 7.38906")


def test_the_exact_gradient_is_checked_without_a_claim():
    check = gradcheck(parse("sin(x)*cos(y) + x*y**3"), [0.3, -0.7], random_points=50, seed=3)
    assert check.verdict == "pass" and not check.claimed
    np.testing.assert_array_equal(check.points[3].checked, check.points[3].exact)


def test_a_rough_claim_warns():
    # off by 1e-6 on a derivative of 2: relative error 5e-7, between 1e-7 and 1e-4
    check = gradcheck(parse("x**2"), 1, claimed=["2*x + 1e-6"])
    assert check.points[0].verdicts == ["warn"] and check.verdict == "warn"
    assert "agrees only roughly" in check.message


@pytest.mark.parametrize("text, point, claim", [
    ("x**3", 1e-9, "3*x**2"),      # f' = 3e-18, the stencil's truncation is h**2 = 1e-10
    ("cos(x)", 0.0, "-sin(x)"),     # exactly 0 on both sides
    ("x**2 + 1e8", 1e-3, "2*x"),    # rounding of f's 1e8 dominates the difference
])
def test_near_zero_derivatives_pass_within_the_methods_own_bound(text, point, claim):
    check = gradcheck(parse(text), point, claimed=[claim])
    assert check.verdict == "pass", check.message
    c = check.points[0]
    assert c.abs_error[0] <= c.bound[0]


def test_a_wrong_near_zero_claim_still_fails():
    # f' = 2e-3, claimed 0: the difference is far above the method's bound
    check = gradcheck(parse("x**2"), 1e-3, claimed=["0*x"])
    assert check.verdict == "fail"


def test_stencils_across_a_corner_are_flagged():
    check = gradcheck(parse("relu(x) + abs(y - 1)"), [2e-6, 0.5], claimed=["1", "-1"])
    c = check.points[0]
    assert c.kinks == [True, False]
    assert c.verdicts[0] == "fail" and c.verdicts[1] == "pass"
    assert "crosses a corner" in check.message
    assert gradcheck(parse("max(x, y)"), [1, 1 + 1e-6]).points[0].kinks == [True, True]
    assert gradcheck(parse("abs(x)"), 1).points[0].kinks == [False]


def test_random_points_are_seeded_and_inside_the_box():
    one = gradcheck(F, [0, 0], random_points=30, box=[[-1, 0], [3, 4]], seed=7)
    two = gradcheck(F, [0, 0], random_points=30, box=[[-1, 0], [3, 4]], seed=7)
    points = np.array([c.point for c in one.points[1:]])
    assert np.array_equal(points, np.array([c.point for c in two.points[1:]]))
    assert np.all((points[:, 0] >= -1) & (points[:, 0] <= 0))
    assert np.all((points[:, 1] >= 3) & (points[:, 1] <= 4))
    other = gradcheck(F, [0, 0], random_points=30, box=[[-1, 0], [3, 4]], seed=8)
    assert not np.array_equal(points, np.array([c.point for c in other.points[1:]]))


def test_claimed_expressions_are_refused_with_their_index():
    with pytest.raises(ExpressionError) as err:
        gradcheck(F, [1, 2], claimed=["2*x*exp(y)", "x**2*exp(y"])
    assert err.value.field == "claimed.1" and err.value.column is not None
    with pytest.raises(ExpressionError) as err:
        gradcheck(F, [1, 2], claimed=["2*x*exp(z)", "x"])
    assert err.value.field == "claimed.0" and "variable" in err.value.message
    with pytest.raises(ExpressionError) as err:
        gradcheck(F, [1, 2], claimed=["2*x"])
    assert err.value.field == "claimed"


def test_other_numerical_methods():
    for method in ("forward", "backward", "richardson", "complex-step"):
        check = gradcheck(F, [1, 2], claimed=["2*x*exp(y)", "x**2*exp(y)"], method=method,
                          h=1e-6 if method != "complex-step" else 1e-20)
        assert check.verdict == "pass", (method, check.message)
    with pytest.raises(ExpressionError) as err:
        gradcheck(F, [1, 2], method="autodiff")
    assert err.value.field == "method"


def test_verdict_bands():
    assert verdict_of(1e-7, 1.0, 0.0) == "pass"
    assert verdict_of(1.0001e-7, 1.0, 0.0) == "warn"
    assert verdict_of(1e-4, 1.0, 0.0) == "warn"
    assert verdict_of(1.0001e-4, 1.0, 0.0) == "fail"
    assert verdict_of(float("nan"), 1.0, 1.0) == "fail"
