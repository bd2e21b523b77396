"""Finite differences, Richardson extrapolation and the complex step."""

from __future__ import annotations

import numpy as np
import pytest

from engine import numeric


def square_sum(columns):
    return columns[0] ** 2 + columns[1] ** 2


def exp_first(columns):
    return np.exp(columns[0])


def point(*values):
    return [np.asarray(v, dtype=np.float64) for v in values]


def test_central_is_second_order():
    errors = []
    for h in (1e-1, 1e-2):
        g, _, _ = numeric.central(exp_first, point(1.0), h)
        errors.append(abs(g[0] - np.e))
    assert errors[0] / errors[1] == pytest.approx(100, rel=0.01)


def test_forward_is_first_order():
    errors = []
    for h in (1e-2, 1e-3):
        g, _, _ = numeric.forward(exp_first, point(1.0), h)
        errors.append(abs(g[0] - np.e))
    assert errors[0] / errors[1] == pytest.approx(10, rel=0.02)


def test_default_steps_are_scaled_and_exact():
    _, steps, _ = numeric.central(square_sum, point(1e6, 0.5))
    assert steps[0] > 1e6 * 1e-6 > steps[1]
    x = 1e6
    assert (x + steps[0]) - x == steps[0]


def test_richardson_is_accurate_and_estimates_its_error():
    g, _, estimate = numeric.richardson(exp_first, point(1.0))
    assert abs(g[0] - np.e) < 1e-13
    assert 0 < estimate[0] < 1e-10


def test_richardson_stays_in_the_domain():
    g, steps, _ = numeric.richardson(lambda c: np.log(c[0]), point(1e-3))
    assert g[0] == pytest.approx(1e3, rel=1e-10)
    assert steps[0] < 1e-3


def test_richardson_at_large_argument_of_exp():
    g, _, _ = numeric.richardson(exp_first, point(500.0))
    assert g[0] == pytest.approx(np.exp(500.0), rel=1e-12)


def test_complex_step_has_no_rounding_error():
    g, steps, _ = numeric.complex_step(lambda c: np.exp(c[0]) * np.sin(c[0]), point(1.5))
    assert g[0] == pytest.approx(np.exp(1.5) * (np.sin(1.5) + np.cos(1.5)), rel=1e-15)
    assert steps[0] == 1e-20


def test_methods_work_on_whole_grids():
    xs, ys = np.meshgrid(np.linspace(-1, 1, 50), np.linspace(-2, 2, 40))
    for name, method in numeric.NUMERICAL.items():
        g, _, _ = method(square_sum, [xs, ys], None)
        assert g.shape == (2, 40, 50), name
        np.testing.assert_allclose(g, np.stack([2 * xs, 2 * ys]), atol=1e-6)


def test_steps_may_be_an_array_one_per_point():
    hs = np.array([1e-1, 1e-2, 1e-3])
    g, steps, _ = numeric.forward(exp_first, [np.full(3, 1.0)], hs)
    np.testing.assert_array_equal(steps[0], hs)
    np.testing.assert_allclose(g[0], (np.exp(1 + hs) - np.e) / hs)
