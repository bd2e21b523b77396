"""Gradients by every method, at points and on arrays; the Hessian."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

from engine import METHODS, ExpressionError, gradient, gradient_columns, hessian, parse

EPS = float(np.finfo(np.float64).eps)
LIBM = 8 * EPS
"""How far apart two float64 implementations of one function may be: glibc's libm and
numpy's own loops (which on some CPUs are vectorised code documented to within 4 ulps)
are each within 4 ulps of the exact value, and an ulp is at most EPS relative."""

SMOOTH = "sin(x)*exp(y) + x**3/y + sqrt(x*y) + atanh(x/2)"
POINT = [0.7, 1.3]


def exact_smooth(x, y):
    dx = np.cos(x) * np.exp(y) + 3 * x**2 / y + 0.5 * np.sqrt(y / x) + 0.5 / (1 - x**2 / 4)
    dy = np.sin(x) * np.exp(y) - x**3 / y**2 + 0.5 * np.sqrt(x / y)
    return np.array([dx, dy])


TOLERANCE = {"autodiff": 1e-15, "dual": 1e-15, "complex-step": 1e-15, "richardson": 1e-12,
             "central": 1e-9, "forward": 1e-6, "backward": 1e-6}


@pytest.mark.parametrize("method", METHODS)
def test_every_method_at_a_point(method):
    result = gradient(parse(SMOOTH), POINT, method=method)
    assert result.method == method
    np.testing.assert_allclose(result.gradient, exact_smooth(*POINT), rtol=TOLERANCE[method])
    if method in ("autodiff", "dual"):
        assert result.exact is None and result.h is None
    else:
        np.testing.assert_allclose(result.exact, exact_smooth(*POINT), rtol=1e-15)
        np.testing.assert_array_equal(result.error, result.gradient - result.exact)
        assert result.h is not None and result.h.shape == (2,)
    assert (result.error_estimate is not None) == (method == "richardson")


def test_textbook_central_difference_reproduces_textbook_numbers():
    result = gradient(parse("x**2 + y**2"), [3, 4], method="central", h=1e-4)
    assert result.gradient.tolist() == [6.00000000000378, 7.999999999999119]
    assert result.h.tolist() == [1e-4, 1e-4]
    assert result.exact.tolist() == [6.0, 8.0]
    assert result.value == 25.0


def test_forward_and_backward_with_given_step():
    f = parse("x**2")
    assert gradient(f, [1], "forward", h=0.1).gradient[0] == pytest.approx(2.1, rel=1e-12)
    assert gradient(f, [1], "backward", h=0.1).gradient[0] == pytest.approx(1.9, rel=1e-12)


@pytest.mark.parametrize("method", METHODS)
def test_whole_arrays_in_one_call(method):
    xs = np.linspace(0.2, 1.5, 300)
    ys = np.linspace(0.5, 2.0, 300)
    found = gradient_columns(parse(SMOOTH), [xs, ys], method)
    assert found.gradient.shape == (2, 300)
    tolerance = max(1e-13, TOLERANCE[method]) * 10
    np.testing.assert_allclose(found.gradient, exact_smooth(xs, ys), rtol=tolerance)


@pytest.mark.parametrize("point", [(2.0, 1.0), (-2.0, 1.0), (-2.0, -1.0), (2.0, -1.0),
                                   (0.5, 3.0), (-0.5, -3.0), (-7.0, 1e-9), (0.0, 2.0),
                                   (-1.0, 0.0), (1e200, -3e199)])
def test_complex_step_through_atan2_and_hypot(point):
    # atan2(y, x): d/dx = -y / r^2, d/dy = x / r^2; hypot(x, y): x / r, y / r
    x, y = point
    with mpmath.workdps(40):
        r2 = mpmath.mpf(x) ** 2 + mpmath.mpf(y) ** 2
        angle = [float(-y / r2), float(x / r2)]
        length = [float(x / mpmath.sqrt(r2)), float(y / mpmath.sqrt(r2))]
    for text, exact in (("atan2(y, x)", angle), ("hypot(x, y)", length)):
        found = gradient(parse(text), list(point), "complex-step")
        np.testing.assert_allclose(found.gradient, exact, rtol=1e-15, atol=0)
        np.testing.assert_allclose(found.exact, exact, rtol=1e-15, atol=0)


def test_complex_step_is_nan_where_atan2_and_hypot_have_no_derivative():
    for text in ("atan2(y, x)", "hypot(x, y)"):
        assert np.isnan(gradient(parse(text), [0.0, 0.0], "complex-step").gradient).all()
        assert np.isnan(gradient(parse(text), [0.0, 0.0]).gradient).all()


def test_complex_step_refuses_non_analytic_functions_with_column():
    with pytest.raises(ExpressionError) as err:
        gradient(parse("x + abs(x)"), [1.0], "complex-step")
    assert err.value.code == "not_analytic"
    assert err.value.column == 5
    assert "abs" in err.value.message


def test_unknown_method_and_bad_step():
    with pytest.raises(ExpressionError) as err:
        gradient(parse("x"), [1], "symbolic")
    assert err.value.field == "method"
    for h in (0.0, -1e-3, float("nan"), float("inf")):
        with pytest.raises(ExpressionError) as err:
            gradient(parse("x"), [1], "central", h=h)
        assert err.value.field == "h"


def test_unused_imposed_variable_has_zero_partial():
    expr = parse("x**2", variables=["x", "y"])
    for method in METHODS:
        assert gradient(expr, [3, 5], method).gradient[1] == pytest.approx(0.0, abs=1e-9)


def test_constant_expression_has_empty_gradient():
    assert gradient(parse("2 + 3"), []).gradient.shape == (0,)


def test_undefined_points_give_nan_not_errors():
    result = gradient(parse("log(x)"), [-1.0], "central")
    assert np.isnan(result.value) and np.isnan(result.gradient[0])
    assert np.isnan(gradient(parse("log(x)"), [-1.0], "complex-step").gradient[0])


def test_hessian_is_exact():
    expr = parse("x**2*y + sin(x*y) + exp(x)")
    x, y = 0.5, 2.0
    expected = np.array([
        [2 * y - y * y * np.sin(x * y) + np.exp(x), 2 * x + np.cos(x * y) - x * y * np.sin(x * y)],
        [2 * x + np.cos(x * y) - x * y * np.sin(x * y), -x * x * np.sin(x * y)],
    ])
    np.testing.assert_allclose(hessian(expr, [x, y]), expected, rtol=1e-14)


def test_hessian_of_quadratic_gives_the_stability_limit():
    # gd on a quadratic is stable for lr < 2 / lambda_max
    h = hessian(parse("x**2 + 10*y**2"), [1.0, 1.0])
    assert 2 / np.linalg.eigvalsh(h).max() == pytest.approx(0.1)


@pytest.mark.parametrize("x", [400.0, -400.0, 800.0, 1e300])
def test_hessian_of_tanh_is_finite_far_out(x):
    # tanh'' = -2 tanh sech^2 is below 1e-340 there: 0 after underflow, never NaN
    assert hessian(parse("tanh(x)"), [x]).tolist() in ([[0.0]], [[-0.0]])
    # the other rows whose second derivative could overflow on the way stay finite too
    with mpmath.workdps(40):
        s, rest = 1 / (1 + mpmath.exp(-x)), 1 / (1 + mpmath.exp(x))  # rest = 1 - s
        exact = {"sigmoid(x)": s * rest * (rest - s), "softplus(x)": s * rest,
                 "atan(x)": -2 * x / (1 + mpmath.mpf(x) ** 2) ** 2}
    for text, value in exact.items():
        assert hessian(parse(text), [x])[0, 0] == pytest.approx(float(value), rel=1e-14,
                                                                abs=1e-300), text


def test_hessian_of_tanh_keeps_relative_accuracy():
    for x in (1e-8, 0.3, 10.0, -20.0):
        with mpmath.workdps(40):
            exact = float(-2 * mpmath.tanh(x) * mpmath.sech(x) ** 2)
        assert hessian(parse("tanh(x)"), [x])[0, 0] == pytest.approx(exact, rel=2 * LIBM)


def test_tanh_derivative_keeps_relative_accuracy_far_out():
    result = gradient(parse("tanh(x)"), [10.0])
    # sech(10)**2 by the rule and by this formula: a few roundings of exp values each
    assert result.gradient[0] == pytest.approx(4 / (np.exp(10) + np.exp(-10)) ** 2, rel=LIBM)


@pytest.mark.parametrize("text", ["x/0", "9**9**9*x", "x*(1e308*10)", "x**387420489",
                                  "log(-1)*x + exp(1000)*x", "0*x/0", "exp(1000)-exp(1000) + x"])
@pytest.mark.parametrize("method", [m for m in METHODS if m != "complex-step"])
def test_non_finite_arithmetic_gives_numbers_never_exceptions(text, method):
    result = gradient(parse(text), [2.0], method)
    assert result.gradient.shape == (1,)
    found = gradient_columns(parse(text), [np.linspace(-1, 1, 5000)], method)
    assert found.gradient.shape == (1, 5000)


# A zero factor beats NaN: where a later node is flat (relu' = 0) or an input does not
# move, a NaN partial elsewhere on the path contributes 0, in every mode alike.
# Oracles: pow(x, relu(y)) is x**0 = 1 for y < 0, so both partials are 0 (exactly);
# x**y at (-2, 2): d/dx = y x**(y-1) = -4 and d2/dx2 = y (y-1) x**(y-2) = 2, while
# d/dy = x**y log(x) is undefined.
ZERO_BEATS_NAN = [("pow(x, relu(y))", [-2.0, -1.0], [0.0, 0.0]),
                  ("x**y", [-2.0, 2.0], [-4.0, np.nan]),
                  ("x**relu(y) + y", [-3.0, -0.5], [0.0, 1.0])]


@pytest.mark.parametrize(("text", "point", "exact"), ZERO_BEATS_NAN)
@pytest.mark.parametrize("method", ["autodiff", "dual"])
def test_zero_factor_beats_nan_at_a_point(text, point, exact, method):
    np.testing.assert_array_equal(gradient(parse(text), point, method).gradient, exact)


@pytest.mark.parametrize(("text", "point", "exact"), ZERO_BEATS_NAN)
@pytest.mark.parametrize("method", ["autodiff", "dual"])
def test_zero_factor_beats_nan_on_arrays(text, point, exact, method):
    # 300 points: autodiff runs the generated array code, which hands NaN blocks back
    columns = [np.full(300, v) for v in point]
    found = gradient_columns(parse(text), columns, method)
    np.testing.assert_array_equal(found.gradient, np.repeat(np.array(exact)[:, None], 300, 1))


def test_zero_factor_beats_nan_in_the_hessian():
    np.testing.assert_array_equal(hessian(parse("pow(x, relu(y))"), [-2.0, -1.0]),
                                  [[0.0, 0.0], [0.0, 0.0]])
    h = hessian(parse("x**y"), [-2.0, 2.0])
    assert h[0, 0] == 2.0 and np.isnan(h[1, 1])


def test_undefined_f_has_undefined_hessian():
    assert np.isnan(hessian(parse("relu(y) + log(x)"), [-1.0, -1.0])).all()


@pytest.mark.parametrize(("text", "x"), [("0*sqrt(x)", 0.5), ("relu(-sqrt(x))", 3.0)])
def test_richardson_where_the_partial_is_exactly_zero(text, x):
    result = gradient(parse(text), [x], "richardson")
    assert result.gradient[0] == 0.0
    assert np.isfinite(result.error_estimate[0])
