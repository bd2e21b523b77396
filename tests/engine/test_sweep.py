"""Batched descent and learning-rate sweeps: the same outcomes as single runs, bounds
that separate converging from diverging rates."""

from __future__ import annotations

import time

import numpy as np
import pytest

from engine import DeadlineExceeded, ExpressionError, descend, parse
from engine.sweep import descend_batch, sweep_learning_rate

BOWL = parse("x**2 + 10*y**2")  # Hessian diag(2, 20): the gd bound is 2/20 = 0.1
ROSENBROCK = parse("(1 - x)**2 + 100*(y - x**2)**2")


def test_gd_bound_separates_converging_from_diverging_rates():
    sweep = sweep_learning_rate(BOWL, [-3, 4], lr_min=1e-3, lr_max=1, n=120, steps=3000)
    assert sweep.stability.lr_bound == 0.1
    below, above = sweep.lr < 0.095, sweep.lr > 0.105
    assert below.sum() > 50 and above.sum() > 30
    assert set(sweep.status[below]) == {"completed"}
    assert np.all(sweep.final_value[below] < 1e-4 * 169)  # heading to the minimum
    assert set(sweep.status[above]) == {"diverged"}


@pytest.mark.parametrize("optimizer", ["momentum", "nesterov"])
def test_momentum_bounds_separate_the_phase_diagram(optimizer):
    betas = [0.0, 0.3, 0.6, 0.9]
    sweep = sweep_learning_rate(BOWL, [-3, 4], lr_min=1e-3, lr_max=1, n=80, steps=4000,
                                optimizer=optimizer, momentums=betas)
    assert sweep.status.shape == (4, 80)
    for i, beta in enumerate(betas):
        bound = (2 + 2 * beta) / 20 / (1 + 2 * beta if optimizer == "nesterov" else 1)
        assert sweep.lr_bounds[i] == pytest.approx(bound, rel=1e-15)
        assert set(sweep.status[i][sweep.lr < 0.95 * bound]) == {"completed"}
        assert set(sweep.status[i][sweep.lr > 1.05 * bound]) == {"diverged"}


def test_every_run_agrees_with_a_single_descent():
    sweep = sweep_learning_rate(ROSENBROCK, [-1.5, 2], lr_min=1e-5, lr_max=1e-2, n=25,
                                steps=400, tol=1e-3)
    for k, lr in enumerate(sweep.lr):
        single = descend(ROSENBROCK, [-1.5, 2], lr=float(lr), steps=400, tol=1e-3)
        assert (single.status, single.reason, single.steps) == \
            (sweep.status[k], sweep.reason[k], sweep.steps[k]), k
        np.testing.assert_allclose(sweep.final[k], single.final, rtol=1e-10, atol=1e-300)
        assert sweep.final_value[k] == pytest.approx(single.final_value, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("optimizer", ["adagrad", "rmsprop", "adam", "adamw", "nesterov"])
def test_batched_rules_agree_with_single_runs_for_every_optimizer(optimizer):
    lrs = np.array([1e-3, 1e-2, 5e-2])
    batch = descend_batch(ROSENBROCK, np.array([[-1.5, 2.0]] * 3), lrs, 300, optimizer)
    for k, lr in enumerate(lrs):
        single = descend(ROSENBROCK, [-1.5, 2], lr=float(lr), steps=300, optimizer=optimizer)
        assert batch.status[k] == single.status and batch.steps[k] == single.steps
        np.testing.assert_allclose(batch.final[k], single.final, rtol=1e-10)


def test_each_run_keeps_its_own_status_and_reason():
    rates = [0.01, 0.5, 2.0, 1e154, 1e308]
    batch = descend_batch(parse("x**2"), np.array([[1.0]] * 5), np.array(rates), steps=50,
                          tol=1e-12)
    assert batch.status.tolist() == ["completed", "converged"] + ["diverged"] * 3
    assert batch.reason.tolist() == ["all_steps", "tol", "value_grew", "value_not_finite",
                                     "coordinate_not_finite"]
    assert batch.steps.tolist() == [50, 1, 11, 0, 0]
    assert np.all(np.isfinite(batch.final))
    for k, lr in enumerate(rates):  # exactly as a single run decides
        single = descend(parse("x**2"), [1.0], lr=lr, steps=50, tol=1e-12)
        assert (single.reason, single.steps) == (batch.reason[k], batch.steps[k])


def test_a_run_that_leaves_the_domain_stops_at_its_last_finite_point():
    batch = descend_batch(parse("sqrt(x)"), np.array([[1.0], [1.0]]), np.array([0.1, 10.0]), 10)
    single = descend(parse("sqrt(x)"), [1.0], lr=10, steps=10)
    assert batch.status.tolist() == ["completed", "diverged"]
    assert batch.reason[1] == single.reason and batch.steps[1] == single.steps


def test_best_rate_is_the_lowest_final_value_that_did_not_diverge():
    sweep = sweep_learning_rate(BOWL, [-3, 4], lr_min=1e-3, lr_max=1, n=31, steps=100)
    usable = sweep.status != "diverged"
    k = np.argmin(np.where(usable, sweep.final_value, np.inf))
    assert sweep.best_lr == sweep.lr[k]
    # ties (all converged to exactly 0 at the start) go to the fewest steps, then the smallest rate
    flat = sweep_learning_rate(BOWL, [0, 0], lr_min=1e-3, lr_max=1, n=5, steps=10, tol=1e-9)
    assert flat.best_lr == 1e-3 and set(flat.status) == {"converged"}


def test_rates_are_log_spaced_and_end_exactly_at_the_bounds():
    sweep = sweep_learning_rate(BOWL, [1, 1], lr_min=0.003, lr_max=0.7, n=9, steps=1)
    assert sweep.lr[0] == 0.003 and sweep.lr[-1] == 0.7
    assert np.allclose(np.diff(np.log(sweep.lr)), np.log(0.7 / 0.003) / 8)


def test_bad_sweeps_are_refused_by_field():
    for kwargs, field in (({"lr_min": 0}, "lr_min"), ({"lr_min": 2, "lr_max": 1}, "lr_min"),
                          ({"n": 1}, "n"), ({"momentums": [0.5]}, "momentums"),
                          ({"optimizer": "momentum", "momentums": [1.5]}, "momentum")):
        with pytest.raises(ExpressionError) as err:
            sweep_learning_rate(BOWL, [1, 1], **kwargs)
        assert err.value.field == field, kwargs
    with pytest.raises(DeadlineExceeded):
        sweep_learning_rate(BOWL, [1, 1], steps=100, deadline=time.monotonic() - 1)


def test_gradient_norms_do_not_overflow():
    # |g| = 2**512 is finite, and so is its norm: below tol = 1e300, the run has converged
    # at the start (a norm that overflowed to inf would never reach tol)
    batch = descend_batch(parse("-x**2"), np.array([[2.0**511]]), np.array([1e-300]), 1,
                          tol=1e300)
    assert (batch.status.tolist(), batch.steps.tolist()) == (["converged"], [0])
