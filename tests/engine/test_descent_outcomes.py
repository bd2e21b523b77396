"""Every way a descent can end: each ``status`` and ``reason`` of :func:`engine.descend`,
the step it names, where the path ends, and the message a learner reads.

Each case is built so that exactly one check fires, at a step worked out by hand:

=====================  =====================================================================
reason                 how it is triggered
=====================  =====================================================================
all_steps              ``x**2 + y**2`` at lr 0.1: contracts by 0.8 a step
tol                    the same with ``tol=1e-6``: ‖∇f‖ = 10·0.8**k ≤ 1e-6 first at k = 73
value_grew (up)        ``x**2 + y**2`` at lr 10: f is multiplied by 19² = 361 a step
value_grew (down)      ``-x**2`` at lr 0.5: x doubles, f = -4**k falls without bound
coordinate_not_finite  ``1e150*x`` at lr 1e200: x - lr·g = 1 - 1e350 overflows to -inf,
                       although f and its gradient (1e150) are finite
value_not_finite       ``x**2 + log(x)`` at lr 0.5 steps from 1 to -0.5, outside log's
                       domain: f is NaN
gradient_not_finite    ``sqrt(x)`` at lr 2 steps from 1 to exactly 0: f(0) = 0 is finite,
                       f'(0) = inf is not
start_not_finite       ``log(x)`` at -1 (f is NaN), ``sqrt(x)`` at 0 (f' is inf)
=====================  =====================================================================
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from engine import descend, evaluate, gradient, parse
from engine.optimize import DescentResult


def run(expr: str, start: Any, **options: Any) -> DescentResult:
    return descend(parse(expr), start, **options)


def assert_well_formed(result: DescentResult) -> None:
    """What every result satisfies, however it ended: every number finite, the arrays
    of one length, ``final`` the path's last point, ``steps`` the steps taken."""
    assert np.isfinite(result.path).all()
    assert np.isfinite(result.values).all()
    assert np.isfinite(result.grad_norms).all()
    count = len(result.path)
    assert len(result.values) == len(result.grad_norms) == len(result.iterations) == count
    assert result.iterations.tolist() == list(range(count))
    assert result.steps == count - 1
    assert result.final.tolist() == result.path[-1].tolist()
    assert result.final_value == result.values[-1]


# --- completed and converged ------------------------------------------------------------


def test_completed_runs_all_steps() -> None:
    result = run("x**2 + y**2", [-3, 4], lr=0.1, steps=100)
    assert_well_formed(result)
    assert (result.status, result.reason, result.stop_step) == ("completed", "all_steps", None)
    assert len(result.path) == 101 and result.stalled_at is None
    assert result.message == "ran all 100 steps"
    # x_k = 0.8**k x_0
    assert result.final == pytest.approx([-3 * 0.8**100, 4 * 0.8**100], rel=1e-12)


def test_converged_stops_at_the_first_step_within_tol() -> None:
    result = run("x**2 + y**2", [-3, 4], lr=0.1, steps=100, tol=1e-6)
    assert_well_formed(result)
    # ‖∇f(x_k)‖ = 2·5·0.8**k: 1.05e-6 at k = 72, 8.4e-7 at k = 73.
    assert (result.status, result.reason, result.stop_step) == ("converged", "tol", 73)
    assert len(result.path) == 74
    assert result.grad_norms[-1] <= 1e-6 < result.grad_norms[-2]
    assert result.message == "converged at step 73: the gradient norm 8.42e-07 is <= tol 1e-06"


def test_converged_at_the_start() -> None:
    result = run("x**2 + y**2", [0, 0], steps=10, tol=1e-6)
    assert_well_formed(result)
    assert (result.status, result.reason, result.stop_step) == ("converged", "tol", 0)
    assert result.path.tolist() == [[0.0, 0.0]]
    assert result.message == "converged at the start: the gradient norm 0 is <= tol 1e-06"


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
def test_tol_zero_never_stops_early_even_at_a_stationary_point(optimizer: str) -> None:
    result = run("x**2 + y**2", [0, 0], steps=10, tol=0, optimizer=optimizer)
    assert_well_formed(result)
    assert (result.status, result.reason, result.stop_step) == ("completed", "all_steps", None)
    assert result.path.tolist() == [[0.0, 0.0]] * 11
    assert result.stalled_at == 0
    assert result.message == ("ran all 10 steps; the gradient is exactly 0 at the start, "
                              "so the point stops moving there")


def test_default_tol_is_zero() -> None:
    assert run("x**2 + y**2", [0, 0], steps=5).status == "completed"


# --- diverged: the value grew, both ways ------------------------------------------------


def test_diverged_upward_names_the_step_and_the_stability_bound() -> None:
    # x_k = (-19)**k x_0, f_k = 25·361**k; limit 1e10·(1 + 25) = 2.6e11: f_3 = 1.2e9,
    # f_4 = 4.2e11.
    result = run("x**2 + y**2", [-3, 4], lr=10, steps=100)
    assert_well_formed(result)
    assert (result.status, result.reason, result.stop_step) == ("diverged", "value_grew", 4)
    assert len(result.path) == 5  # the point that crossed the limit ends the path
    assert result.final.tolist() == [-3 * 19.0**4, 4 * 19.0**4]
    assert result.final_value == 25 * 361.0**4
    assert result.message == (
        "diverged at step 4: |f - f(start)| = 4.2e+11 exceeded divergence_factor·"
        "(1 + |f(start)|) = 2.6e+11; lr 10 is above the stability bound 2/λmax = 1 at the "
        "start: try lr < 1")


def test_diverged_downward_counts_the_fall_too() -> None:
    # x_k = 2**k, f_k = -4**k; |f_k - f_0| = 4**k - 1 > 1e10·(1 + 1) first at k = 18.
    # A check on f - f0 (not its absolute value) would never fire: the run would
    # "complete" at f = -4**100 = -1.6e60.
    result = run("-x**2", 1, lr=0.5, steps=100)
    assert_well_formed(result)
    assert (result.status, result.reason, result.stop_step) == ("diverged", "value_grew", 18)
    assert result.final.tolist() == [2.0**18]
    assert result.final_value == -(4.0**18)
    # f has no minimum (λmax = -2 < 0): there is no stability bound to compare with, and
    # the note says what happened instead.
    assert result.stability.lr_bound is None
    assert result.message == ("diverged at step 18: |f - f(start)| = 6.9e+10 exceeded "
                              "divergence_factor·(1 + |f(start)|) = 2e+10; " + FALL.format(-2))


FALL = ("f decreases without bound along a direction of negative curvature (λmin = {} < 0 "
        "at the start): the run follows it down, and no learning rate stops that -- a "
        "smaller lr only slows the fall")


@pytest.mark.parametrize("lr", [0.1, 0.5])
def test_a_saddle_falling_away_is_blamed_on_f_not_on_lr(lr: float) -> None:
    # x**2 - y**2: λ = 2 and -2.  lr 0.1 and 0.5 are below the bound 2/λmax = 1 (x
    # converges), but y grows by 1 + 2 lr a step and f falls without bound.
    result = run("x**2 - y**2", [1, 1], lr=lr, steps=1000)
    assert (result.status, result.reason) == ("diverged", "value_grew")
    assert result.stability.lr_bound == 1.0 and result.final_value < -1e10
    assert result.message.endswith("; " + FALL.format(-2))
    assert "stability bound" not in result.message


def test_a_saddle_overshooting_upward_is_still_the_lr_bound() -> None:
    # from (1, 1e-9) with lr 3 > 1, x swings by -5 a step and f grows: lr is to blame
    result = run("x**2 - y**2", [1, 1e-9], lr=3, steps=1000)
    assert (result.status, result.reason) == ("diverged", "value_grew")
    assert result.final_value > 0
    assert result.message.endswith("; lr 3 is above the stability bound 2/λmax = 1 at the "
                                   "start: try lr < 1")


def test_without_the_check_the_fall_runs_on() -> None:
    result = run("-x**2", 1, lr=0.5, steps=100, divergence_factor=None)
    assert (result.status, result.reason) == ("completed", "all_steps")
    assert result.final_value == -(4.0**100) == pytest.approx(-1.6069e60, rel=1e-4)


@pytest.mark.parametrize("factor, step", [(1e10, 18), (1e4, 8), (1.0, 1)])
def test_divergence_factor_sets_the_limit(factor: float, step: int) -> None:
    # 4**k - 1 > 2·factor: k = 18 for 1e10, 8 for 1e4 (65535 > 20000), 1 for 1 (3 > 2).
    result = run("-x**2", 1, lr=0.5, steps=100, divergence_factor=factor)
    assert (result.reason, result.stop_step) == ("value_grew", step)


def test_the_limit_is_strict() -> None:
    # f_1 = -4: |f_1 - f_0| = 3, and 1.5·(1 + 1) = 3 is not exceeded; 15 > 3 at step 2.
    result = run("-x**2", 1, lr=0.5, steps=100, divergence_factor=1.5)
    assert (result.reason, result.stop_step) == ("value_grew", 2)


@pytest.mark.parametrize("optimizer, formula, bound", [
    ("momentum", "(2 + 2β)/λmax", "1.9"),
    ("nesterov", "(2 + 2β)/((1 + 2β)·λmax)", "0.679"),
])
def test_diverged_momentum_names_its_own_bound(optimizer: str, formula: str,
                                               bound: str) -> None:
    result = run("x**2 + y**2", [-3, 4], lr=5, steps=100, optimizer=optimizer)
    assert (result.status, result.reason) == ("diverged", "value_grew")
    assert result.message.endswith(f"; lr 5 is above the stability bound {formula} = {bound} "
                                   f"at the start: try lr < {bound}")


def test_diverged_below_the_bound_says_the_curvature_grew() -> None:
    # f'' = 12x**2 is 0.0012 at the start (bound 2/λ = 1667), but x swings to -0.99,
    # 1.89, -26, 7e4: the curvature grows under the step.
    result = run("x**4 + x", 0.01, lr=1, steps=100)
    assert (result.status, result.reason, result.stop_step) == ("diverged", "value_grew", 4)
    assert result.message.endswith("; lr 1 is below the stability bound 2/λmax = 1.67e+03 at "
                                   "the start, so the curvature must have grown along the path")


def test_adaptive_optimizers_name_no_bound() -> None:
    # Adam moves x by about lr a step, so -exp(x) falls past -1e10·(1 + e) near x = 26.
    result = run("-exp(x)", 1, lr=0.5, steps=100, optimizer="adam")
    assert (result.status, result.reason) == ("diverged", "value_grew")
    assert result.stability.lr_bound is None
    assert "stability bound" not in result.message
    assert result.message.startswith(f"diverged at step {result.stop_step}: |f - f(start)| = ")


# --- diverged: something stopped being finite -------------------------------------------


def test_the_triggers_do_what_the_table_says() -> None:
    """The premises of the cases below, checked on their own."""
    assert 1.0 - 1e200 * 1e150 == -math.inf
    assert math.isnan(float(evaluate(parse("x**2 + log(x)"), -0.5)))
    found = gradient(parse("sqrt(x)"), 0)
    assert float(evaluate(parse("sqrt(x)"), 0)) == 0.0 and found.gradient.tolist() == [math.inf]


@pytest.mark.parametrize("expr, start, lr, reason, cause", [
    ("1e150*x", 1, 1e200, "coordinate_not_finite", "a coordinate stopped being finite"),
    ("x**2 + log(x)", 1, 0.5, "value_not_finite", "f stopped being finite"),
    ("sqrt(x)", 1, 2, "gradient_not_finite", "the gradient stopped being finite"),
])
def test_not_finite_at_step_1(expr: str, start: float, lr: float, reason: str,
                              cause: str) -> None:
    result = run(expr, start, lr=lr, steps=100)
    assert_well_formed(result)
    assert (result.status, result.reason, result.stop_step) == ("diverged", reason, 1)
    # The non-finite step is not in the path: it ends at the start, the last finite point.
    assert result.path.tolist() == [[1.0]]
    assert result.message.startswith(f"diverged at step 1: {cause}")


def test_value_not_finite_by_overflow_keeps_the_last_finite_point() -> None:
    # Without the value check -x**2 falls until f = -(2**512)**2 overflows at step 512;
    # the path ends at x = 2**511, f = -2**1022.
    result = run("-x**2", 1, lr=0.5, steps=1000, divergence_factor=None)
    assert np.isfinite(result.path).all() and np.isfinite(result.values).all()
    assert (result.status, result.reason, result.stop_step) == (
        "diverged", "value_not_finite", 512)
    assert len(result.path) == 512
    assert result.final.tolist() == [2.0**511]
    assert result.final_value == -(2.0**1022)
    assert result.message == "diverged at step 512: f stopped being finite; " + FALL.format(-2)


def test_gradient_norm_does_not_overflow() -> None:
    # At x = 2**511 the gradient of -x**2 is -2**512 = -1.3e154, a finite number: so is
    # its norm, which the API would otherwise send as null with no reason given.
    result = run("-x**2", 2.0**511, lr=0.5, steps=0)
    assert result.grad_norms.tolist() == [2.0**512]


@pytest.mark.parametrize("expr, start", [("log(x)", -1), ("sqrt(x)", 0), ("x + y", [1e308, 1e308])])
def test_start_not_finite(expr: str, start: Any) -> None:
    result = run(expr, start, steps=100)
    assert (result.status, result.reason, result.stop_step) == (
        "diverged", "start_not_finite", 0)
    assert len(result.path) == 1 and result.steps == 0
    assert result.message.startswith("f or its gradient is not finite at the start point")


def test_stop_step_is_none_only_when_all_steps_ran() -> None:
    for result in (run("x**2", 1, steps=3), run("x**2", 1, lr=10, steps=30),
                   run("x**2", 1, steps=30, tol=0.5)):
        assert (result.stop_step is None) == (result.status == "completed")


# --- the stalled numerical gradient -----------------------------------------------------


def test_textbook_lr_10_stalls_where_x_plus_h_rounds_to_x() -> None:
    """The textbook's lr = 10 run (central differences, h = 1e-4, from (-3, 4)) ends at
    (-2.58983747e+13, -1.29524862e+12), where x + h == x: the numerical gradient is 0."""
    result = run("x**2 + y**2", [-3, 4], lr=10, steps=100, method="central", h=1e-4,
                 divergence_factor=None)
    assert_well_formed(result)
    assert (result.status, result.reason, result.stop_step) == ("completed", "all_steps", None)
    assert len(result.path) == 101
    assert result.final.tolist() == pytest.approx([-2.58983747e13, -1.29524862e12], rel=1e-8)
    k = result.stalled_at
    assert k == 10
    assert result.grad_norms[k] == 0 and result.grad_norms[k - 1] > 0
    assert (result.path[k:] == result.path[k]).all()  # it stands still from step k on
    x = result.path[k, 0]
    assert x + 1e-4 == x
    assert result.message == (
        "ran all 100 steps; the numerical gradient became exactly 0 at step 10 because "
        "x + h rounds to x there (x = -2.59e+13, h = 0.0001): the stencil sees no change, "
        "so the point stands still although f is not stationary (its exact gradient is "
        "not 0 there)")
