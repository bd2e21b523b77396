"""Finite differences, Richardson extrapolation and the complex step."""

from __future__ import annotations

import numpy as np
import pytest

from engine import numeric

EPS = float(np.finfo(np.float64).eps)
LIBM = 8 * EPS
"""How far apart two float64 implementations of one function may be: glibc's libm and
numpy's own loops (which on some CPUs are vectorised code documented to within 4 ulps)
are each within 4 ulps of the exact value, and an ulp is at most EPS relative."""


def square_sum(columns):
    return columns[0] ** 2 + columns[1] ** 2


def exp_first(columns):
    return np.exp(columns[0])


def point(*values):
    return [np.asarray(v, dtype=np.float64) for v in values]


def test_central_is_second_order():
    errors = []
    for h in (1e-1, 1e-2):
        g, _, _ = numeric.central_difference(exp_first, point(1.0), h)
        errors.append(abs(g[0] - np.e))
    assert errors[0] / errors[1] == pytest.approx(100, rel=0.01)


def test_forward_is_first_order():
    errors = []
    for h in (1e-2, 1e-3):
        g, _, _ = numeric.forward_difference(exp_first, point(1.0), h)
        errors.append(abs(g[0] - np.e))
    assert errors[0] / errors[1] == pytest.approx(10, rel=0.02)


def test_default_steps_are_scaled_and_exact():
    _, h, _ = numeric.central_difference(square_sum, point(1e6, 0.5))
    assert h[0] > 1e6 * 1e-6 > h[1]
    x = 1e6
    assert (x + h[0]) - x == h[0]


def test_richardson_is_accurate_and_estimates_its_error():
    g, _, estimate = numeric.richardson(exp_first, point(1.0))
    assert abs(g[0] - np.e) < 1e-13
    assert 0 < estimate[0] < 1e-10


def test_richardson_stays_in_the_domain():
    g, h, _ = numeric.richardson(lambda c: np.log(c[0]), point(1e-3))
    assert g[0] == pytest.approx(1e3, rel=1e-10)
    assert h[0] < 1e-3


def test_richardson_at_large_argument_of_exp():
    g, _, _ = numeric.richardson(exp_first, point(500.0))
    assert g[0] == pytest.approx(np.exp(500.0), rel=1e-12)


def test_complex_step_has_no_rounding_error():
    g, h, _ = numeric.complex_step(lambda c: np.exp(c[0]) * np.sin(c[0]), point(1.5))
    # no subtraction: only the few ulps of exp, sin and cos (complex on one side, real on
    # the other) and a product remain -- nothing like central differences' 1e-10
    assert g[0] == pytest.approx(np.exp(1.5) * (np.sin(1.5) + np.cos(1.5)), rel=2 * LIBM)
    assert h[0] == 1e-20


def test_methods_work_on_whole_grids():
    xs, ys = np.meshgrid(np.linspace(-1, 1, 50), np.linspace(-2, 2, 40))
    for name, method in numeric.NUMERICAL.items():
        g, _, _ = method(square_sum, [xs, ys], None)
        assert g.shape == (2, 40, 50), name
        np.testing.assert_allclose(g, np.stack([2 * xs, 2 * ys]), atol=1e-6)


def test_h_may_be_an_array_one_per_point():
    hs = np.array([1e-1, 1e-2, 1e-3])
    g, h, _ = numeric.forward_difference(exp_first, [np.full(3, 1.0)], hs)
    np.testing.assert_array_equal(h[0], hs)
    np.testing.assert_allclose(g[0], (np.exp(1 + hs) - np.e) / hs)


def test_finite_difference_names_do_not_collide_with_the_modes():
    assert numeric.NUMERICAL["forward"] is numeric.forward_difference
    assert numeric.NUMERICAL["backward"] is numeric.backward_difference
    assert numeric.NUMERICAL["central"] is numeric.central_difference
    assert not hasattr(numeric, "forward") and not hasattr(numeric, "central")


@pytest.mark.parametrize(("f", "x"), [
    (lambda c: 0 * np.sqrt(c[0]), 0.5),                   # 0*sqrt(x): 0 where defined
    (lambda c: np.maximum(-np.sqrt(c[0]), 0.0), 3.0),      # relu(-sqrt(x))
    (lambda c: np.log(c[0]) * 0 + 2.0, 1e-3),
])
def test_richardson_zero_derivative_next_to_the_domain_edge(f, x):
    # the widest candidate stencils leave the domain (NaN); every one inside is flat:
    # the derivative is exactly 0, with a finite error estimate
    with np.errstate(invalid="ignore"):
        g, h, estimate = numeric.richardson(f, point(x))
    assert g[0] == 0.0
    assert 0.0 <= estimate[0] < 1e-10  # the rounding level of f's values, at most
    assert x - h[0] > 0
