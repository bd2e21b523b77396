"""Curvature at the start and the learning-rate bounds it gives."""

from __future__ import annotations

import numpy as np
import pytest

from engine import ExpressionError, parse, stability


def test_quadratic_bounds_are_the_textbook_formulas():
    s = stability(parse("x**2 + 10*y**2"), [-3, 4])
    assert s.hessian.tolist() == [[2.0, 0.0], [0.0, 20.0]]
    assert s.eigenvalues.tolist() == [2.0, 20.0]
    assert s.lr_bound == 2 / 20 and s.bound_formula == "2/λmax"
    assert s.lr_optimal == 2 / 22 and s.condition_number == 10.0


def test_momentum_bounds():
    f = parse("3*x**2 + y**2")  # lambda_max = 6
    heavy = stability(f, [1, 1], "momentum", {"momentum": 0.5})
    assert heavy.lr_bound == pytest.approx(3 / 6, rel=1e-15)
    nesterov = stability(f, [1, 1], "nesterov", {"momentum": 0.5})
    assert nesterov.lr_bound == pytest.approx(3 / (2 * 6), rel=1e-15)


@pytest.mark.parametrize("optimizer", ["adagrad", "rmsprop", "adam", "adamw"])
def test_adaptive_optimizers_have_no_bound(optimizer):
    s = stability(parse("x**2 + y**2"), [1, 1], optimizer)
    assert s.lr_bound is None and s.bound_formula is None
    assert s.lr_optimal == 0.5  # the curvature is still reported: 2/(2 + 2)


def test_no_bound_where_no_curvature_is_positive():
    s = stability(parse("-(x**2) - y**2"), [1, 1])
    assert s.eigenvalues.tolist() == [-2.0, -2.0]
    assert s.lr_bound is None and s.lr_optimal is None and s.condition_number is None
    saddle = stability(parse("x**2 - y**2"), [0, 0])
    assert saddle.lr_bound == 1.0 and saddle.lr_optimal is None
    assert saddle.condition_number is None


def test_eigenvalues_ascend_for_a_full_hessian():
    s = stability(parse("(1 - x)**2 + 100*(y - x**2)**2"), [1, 1])
    np.testing.assert_allclose(s.hessian, [[802, -400], [-400, 200]])
    expected = np.sort(np.linalg.eigvals(np.array([[802.0, -400], [-400, 200]])).real)
    np.testing.assert_allclose(s.eigenvalues, expected, rtol=1e-12)


def test_undefined_curvature_gives_nulls_not_numbers():
    s = stability(parse("log(x) + y"), [-1, 0])
    assert s.eigenvalues is None and s.lr_bound is None and s.lr_optimal is None


def test_unknown_optimizer_is_refused():
    with pytest.raises(ExpressionError) as err:
        stability(parse("x**2"), [1], "sgd")
    assert err.value.field == "optimizer"
