"""Tangents, gradient fields and the error-versus-step sweep."""

from __future__ import annotations

import time

import numpy as np
import pytest

from engine import DeadlineExceeded, ExpressionError, gradient_field, parse, step_sweep, tangent


def test_textbook_tangent_line_and_secants():
    result = tangent(parse("3*x**2 - 4*x"), 1, secants=[0.1, 0.01, 0.001, 1e-4])
    assert result.equation == "y = 2x - 3"
    assert result.slope == 2.0 and result.intercept == -3.0 and result.value == -1.0
    slopes = [s for _, s in result.secants]
    np.testing.assert_allclose(slopes, [2.3, 2.03, 2.003, 2.0003], rtol=1e-9)
    assert [h for h, _ in result.secants] == [0.1, 0.01, 0.001, 1e-4]


def test_tangent_plane():
    result = tangent(parse("x**2 + y**2"), [3, 4])
    assert result.equation == "z = 6x + 8y - 25"
    assert result.gradient.tolist() == [6.0, 8.0]
    assert result.slope is None and result.secants == []


@pytest.mark.parametrize(("text", "point", "equation"), [
    ("x", 5, "y = x"),
    ("-x + 1", 0, "y = -x + 1"),
    ("7", [], "y = 7"),
    ("y**2", 1, "f = 2y - 1"),
    ("theta**2", 1, "y = 2*theta - 1"),
    ("x/3", 0, "y = 0.333333x"),
])
def test_equations_read_naturally(text, point, equation):
    assert tangent(parse(text), point).equation == equation


def test_tangent_where_undefined_says_so():
    result = tangent(parse("log(x)"), -1)
    assert not result.differentiable
    assert result.slope is None and result.intercept is None
    assert result.left_slope is None and result.right_slope is None
    assert result.message == ("f is undefined at x = -1: log(-1) is undefined, "
                              "so there is no tangent line")
    assert result.equation == "no tangent line at x = -1"


def test_differentiable_point_says_so():
    result = tangent(parse("3*x**2 - 4*x"), 1)
    assert result.differentiable
    assert result.left_slope == result.right_slope == result.slope == 2.0
    assert result.message == "the tangent line at x = 1 is y = 2x - 3"


@pytest.mark.parametrize(("text", "point", "left", "right"), [
    ("abs(x)", 0, -1.0, 1.0),
    ("relu(x)", 0, 0.0, 1.0),
    ("abs(-x)", 0, -1.0, 1.0),
    ("abs(sin(x))", 0, -1.0, 1.0),            # d/dx |sin x| = sign(sin x) cos x
    ("min(x, 2 - x)", 1, 1.0, -1.0),
    ("abs(x - 1) + relu(x - 1)", 1, -1.0, 2.0),
    ("max(3*x, -x/2)", 0, -0.5, 3.0),
])
def test_tangent_at_a_corner(text, point, left, right):
    result = tangent(parse(text), point)
    assert not result.differentiable
    assert (result.left_slope, result.right_slope) == (left, right)
    assert result.slope is None and result.intercept is None
    assert np.isnan(result.gradient[0])
    where = f"x = {point}"
    assert result.message == (f"f has a corner at {where}: the slope is {left:g} from the left "
                              f"and {right:g} from the right, so there is no tangent line")
    # the forward-difference secants approach the slope from the right
    assert result.secants[-1][1] == pytest.approx(right, abs=0.01)


@pytest.mark.parametrize(("text", "slope"), [
    ("abs(x)**2", 0.0), ("max(x, x)", 1.0), ("relu(x) - relu(-x)", 1.0),  # the last is x
    ("abs(x)*x", 0.0), ("relu(x)**3", 0.0),
])
def test_corner_whose_sides_agree_is_differentiable(text, slope):
    result = tangent(parse(text), 0)
    assert result.differentiable
    assert result.left_slope == result.right_slope == result.slope == slope
    assert result.gradient.tolist() == [slope]


def test_vertical_tangent_and_the_end_of_the_domain():
    root = tangent(parse("sqrt(x)"), 0)
    assert not root.differentiable
    assert root.left_slope is None and root.right_slope == float("inf")
    assert "infinite" in root.message
    edge = tangent(parse("x**1.5"), 0)  # one-sided tangent y = 0 at the end of the domain
    assert edge.differentiable and edge.slope == 0.0 and edge.left_slope is None
    assert "defined only to the right" in edge.message


def test_tangent_plane_at_a_kink():
    result = tangent(parse("abs(x) + y**2"), [0, 1])
    assert not result.differentiable
    assert result.left_slope is None and result.right_slope is None
    assert np.isnan(result.gradient[0]) and result.gradient[1] == 2.0
    assert result.message == ("f has a kink at (x, y) = (0, 1): \u2202f/\u2202x is -1 from "
                              "the left and 1 from the right, so there is no tangent plane")
    assert not tangent(parse("max(x, y)"), [0, 0]).differentiable
    assert tangent(parse("relu(x)*relu(y)"), [0, 0]).differentiable  # smooth enough there
    undefined = tangent(parse("x**y"), [-2, 2])  # d/dy = x**y log(x) is undefined
    assert not undefined.differentiable and undefined.gradient[0] == -4.0


def test_field_layout_is_z_j_i():
    result = gradient_field(parse("x + 10*y"), (0, 1), (0, 2), nx=3, ny=5)
    assert result.z.shape == (5, 3)
    assert result.z[4, 2] == pytest.approx(1 + 10 * 2)
    assert np.all(result.u == 1.0) and np.all(result.v == 10.0)


def test_field_one_variable():
    result = gradient_field(parse("x**3"), (-1, 1), nx=5)
    assert result.y is None and result.v is None
    np.testing.assert_allclose(result.u, 3 * result.x**2)


def test_field_undefined_points_are_nan():
    result = gradient_field(parse("log(x)"), (-1, 1), nx=5)
    assert np.isnan(result.z[:2]).all() and np.isnan(result.u[:2]).all()
    assert result.z[2] == -np.inf  # log(0)
    assert np.isfinite(result.z[3:]).all()


def test_large_field_matches_closed_form_across_blocks():
    result = gradient_field(parse("sin(x)*cos(y)"), (-3, 3), (-3, 3), nx=400)
    xs, ys = np.meshgrid(result.x, result.y)
    np.testing.assert_allclose(result.u, np.cos(xs) * np.cos(ys), atol=1e-15)
    np.testing.assert_allclose(result.v, -np.sin(xs) * np.sin(ys), atol=1e-15)


@pytest.mark.parametrize("method", ["dual", "central", "richardson", "complex-step"])
def test_field_by_other_methods(method):
    result = gradient_field(parse("x**2*y"), (-1, 1), (-1, 1), nx=7, method=method)
    xs, ys = np.meshgrid(result.x, result.y)
    np.testing.assert_allclose(result.u, 2 * xs * ys, atol=1e-8)


def test_field_refuses_three_variables_and_bad_ranges():
    with pytest.raises(ExpressionError):
        gradient_field(parse("x*y*z"), (0, 1), (0, 1))
    with pytest.raises(ExpressionError) as err:
        gradient_field(parse("x"), (1, 0))
    assert err.value.field == "x_range"


def test_field_deadline_is_a_backstop():
    with pytest.raises(DeadlineExceeded):
        gradient_field(parse("x*y"), (0, 1), (0, 1), nx=400, deadline=time.monotonic() - 1)


def test_sweep_shows_the_v():
    sweep = step_sweep(parse("exp(x)"), 1, methods=["forward", "central", "complex-step"],
                       h_min=1e-16, h_max=0.1, n=31)
    assert sweep.h[0] == pytest.approx(0.1) and sweep.h[-1] == pytest.approx(1e-16)
    forward = sweep.errors["forward"]
    best = int(np.argmin(forward))
    assert 0 < best < 30  # the bottom of the V is inside the sweep
    assert forward[0] > 100 * forward[best] and forward[-1] > 100 * forward[best]
    assert 1e-10 < sweep.best_h["forward"] < 1e-6
    assert 1e-9 < sweep.best_h["central"] < 1e-3  # near-equal errors from 3e-7 to 1e-5
    # complex step: only truncation (h**2 f'''/6), no rounding floor as h shrinks
    assert np.max(sweep.errors["complex-step"][14:]) < 1e-15


def test_best_h_takes_the_largest_of_tied_errors():
    # exp(x) at 1, central: the errors at h = 1e-5 and 1e-7 are equal on some CPUs and
    # differ in the last bits on others; the bottom of the V is between them either way
    sweep = step_sweep(parse("exp(x)"), 1, methods=["central"], n=16)
    assert 1e-9 < sweep.best_h["central"] < 1e-3
    # ties (made exact here: (h - (-h)) / 2h is 1 for every h) go to the largest h
    flat = step_sweep(parse("x"), 0, methods=["central"], h_min=1e-4, h_max=1, n=5)
    assert flat.errors["central"].tolist() == [0.0] * 5
    assert flat.best_h["central"] == 1.0


def test_sweep_refuses_exact_methods():
    with pytest.raises(ExpressionError) as err:
        step_sweep(parse("x"), 1, methods=["autodiff"])
    assert err.value.field == "methods"
