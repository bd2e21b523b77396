"""A numerical gradient of 0 by a lost step is no convergence (engine/lost_step.py), in the
single run (the generated loop and the generic one) and in the sweep alike."""

from __future__ import annotations

import numpy as np
import pytest

from engine import descend, parse
from engine.lost_step import SHIFTS, lost_coordinates, stalled_by_rounding
from engine.sweep import descend_batch

SPHERE = parse("x**2 + y**2")
FAR = [1e14, 1e14]  # floats 0.016 apart there: h = 1e-3 is lost


# forward, backward and central run as generated code; richardson on the generic loop
@pytest.mark.parametrize("method", ["forward", "backward", "central", "richardson"])
def test_a_lost_step_at_the_start_is_not_convergence(method):
    run = descend(SPHERE, FAR, lr=0.1, steps=20, method=method, h=1e-3, tol=1e-6)
    assert (run.status, run.reason, run.steps) == ("completed", "all_steps", 20)
    assert run.grad_norms[0] == 0 and run.stalled_at == 0
    assert run.final.tolist() == FAR  # gradient descent stands still there
    assert "rounds to x there" in run.message and "not stationary" in run.message


@pytest.mark.parametrize("method", ["central", "richardson"])
def test_a_lost_step_reached_mid_run_is_not_convergence(method):
    # the textbook's lr = 10 run: x grows until x + h rounds to x, then stands still
    run = descend(SPHERE, [-3, 4], lr=10, steps=100, method=method, h=1e-4,
                  divergence_factor=None, tol=1e-6)
    assert (run.status, run.reason) == ("completed", "all_steps")
    k = run.stalled_at
    assert k is not None and 0 < k < 100 and np.all(run.path[k:] == run.path[k])


def test_where_the_exact_gradient_is_0_too_the_run_converges():
    flat = parse("0*x + 0*y")
    run = descend(flat, FAR, lr=0.1, steps=20, method="central", h=1e-3, tol=1e-6)
    assert (run.status, run.reason, run.stop_step) == ("converged", "tol", 0)


def test_a_default_step_is_never_lost_and_a_small_norm_still_converges():
    run = descend(SPHERE, FAR, lr=0.5, steps=20, method="central", tol=1e-6)
    assert run.grad_norms[0] > 0  # the default step scales with |x|
    near = descend(SPHERE, [1e-8, 0.0], lr=0.5, steps=5, method="central", h=1e-3, tol=1e-6)
    assert (near.status, near.stop_step) == ("converged", 0)


@pytest.mark.parametrize("method", ["forward", "backward", "central", "richardson"])
def test_the_sweep_and_the_single_run_agree(method):
    starts = np.array([FAR, FAR, [3.0, 4.0]])
    rates = np.array([0.1, 0.5, 0.5])
    batch = descend_batch(SPHERE, starts, rates, steps=20, method=method, h=1e-3, tol=1e-6)
    for r in range(len(rates)):
        single = descend(SPHERE, starts[r].tolist(), lr=float(rates[r]), steps=20,
                         method=method, h=1e-3, tol=1e-6)
        assert (batch.status[r], batch.reason[r], int(batch.steps[r])) == \
            (single.status, single.reason, single.steps)
    assert batch.status.tolist() == ["completed", "completed", "converged"]


def test_the_sweep_mid_run():
    batch = descend_batch(SPHERE, np.array([[-3.0, 4.0]]), np.array([10.0]), steps=100,
                          method="central", h=1e-4, divergence_factor=None, tol=1e-6)
    assert (batch.status[0], int(batch.steps[0])) == ("completed", 100)


def test_which_coordinates_lose_the_step():
    # at 2**53 with h = 1, x + 1 rounds to x but x - 1 is exact: only forward is blind
    assert lost_coordinates([2.0**53, 1e20], "forward", 1.0) == [0, 1]
    assert lost_coordinates([2.0**53, 1e20], "central", 1.0) == [1]
    assert lost_coordinates([2.0**53], "backward", 1.0) == []
    assert lost_coordinates([1e20], "autodiff", 1.0) == []
    assert "complex-step" not in SHIFTS  # its step is imaginary: never lost
    x = np.array([[1e20, 1.0]])
    assert stalled_by_rounding(SPHERE, x, np.zeros((1, 2)), "central", 1.0).tolist() == [True]
    # a gradient not exactly 0 is the stencil's own answer
    assert stalled_by_rounding(SPHERE, x, np.array([[0.0, 2.0]]), "central", 1.0).tolist() \
        == [False]
