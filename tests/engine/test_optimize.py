"""Descent: the textbook runs, every optimizer, statuses and thinning."""

from __future__ import annotations

import time

import numpy as np
import pytest

from engine import METHODS, OPTIMIZERS, DeadlineExceeded, ExpressionError, descend, parse

SPHERE = parse("x**2 + y**2")


def test_textbook_gradient_descent():
    run = descend(SPHERE, [-3, 4], lr=0.1, steps=100)
    assert run.status == "completed" and run.steps == 100
    assert run.message == "ran all 100 steps"
    assert run.path.shape == (101, 2)
    assert run.path[1].tolist() == pytest.approx([-2.4, 3.2])
    assert run.values[:2].tolist() == pytest.approx([25.0, 16.0])
    assert run.grad_norms[:2].tolist() == pytest.approx([10.0, 8.0])
    np.testing.assert_allclose(run.final, [-3 * 0.8**100, 4 * 0.8**100], rtol=1e-9)
    assert f"{run.final[0]:.2g}" == "-6.1e-10" and f"{run.final[1]:.2g}" == "8.1e-10"
    assert run.iterations.tolist() == list(range(101))


def test_tiny_learning_rate_barely_moves():
    run = descend(SPHERE, [-3, 4], lr=1e-10, steps=100)
    assert run.status == "completed"
    assert np.abs(run.final - [-3, 4]).max() < 1e-7


def test_huge_learning_rate_diverges():
    run = descend(SPHERE, [-3, 4], lr=10, steps=100)
    assert run.status == "diverged"
    assert "divergence_factor" in run.message
    assert run.steps < 100
    assert np.isfinite(run.path).all()


def test_divergence_to_infinity_ends_at_last_finite_point():
    run = descend(SPHERE, [-3, 4], lr=10, steps=1000, divergence_factor=None)
    assert run.status == "diverged"
    assert np.isfinite(run.path).all() and np.isfinite(run.values).all()
    assert "finite" in run.message


def test_converged_with_tolerance():
    run = descend(SPHERE, [-3, 4], lr=0.1, steps=1000, tol=1e-6)
    assert run.status == "converged" and run.steps < 1000
    assert run.grad_norms[-1] <= 1e-6 < run.grad_norms[-2]


def test_converged_at_the_start_only_with_a_tolerance():
    run = descend(SPHERE, [0, 0], lr=0.1, steps=10, tol=1e-12)
    assert run.status == "converged" and run.steps == 0 and len(run.path) == 1
    assert (run.reason, run.stop_step) == ("tol", 0)


def test_tol_zero_never_stops_a_run_early():
    # the gradient is exactly 0 at the minimum: tol = 0 (the default) still runs every step
    run = descend(SPHERE, [0, 0], lr=0.1, steps=10)
    assert run.status == "completed" and run.steps == 10 and len(run.path) == 11
    assert (run.reason, run.stop_step, run.stalled_at) == ("all_steps", None, 0)
    assert run.message == ("ran all 10 steps; the gradient is exactly 0 at the start, "
                           "so the point stops moving there")


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_every_optimizer_finds_the_minimum_of_a_bowl(optimizer):
    lr = {"adagrad": 1.0, "rmsprop": 0.05, "adam": 0.1}.get(optimizer, 0.05)
    run = descend(parse("(x - 1)**2 + 2*(y + 2)**2"), [0, 0], lr=lr, steps=2000,
                  optimizer=optimizer)
    np.testing.assert_allclose(run.final, [1, -2], atol=1e-2)


def test_momentum_and_adam_first_steps_follow_the_textbook():
    f = parse("x**2")  # gradient 2x
    run = descend(f, [1.0], lr=0.1, steps=2, optimizer="momentum", momentum=0.9)
    # v1 = g0 = 2; x1 = 1 - 0.2 = 0.8; v2 = 0.9*2 + 1.6 = 3.4; x2 = 0.8 - 0.34
    assert run.path[:, 0].tolist() == pytest.approx([1.0, 0.8, 0.46])
    run = descend(f, [1.0], lr=0.1, steps=1, optimizer="adam")
    # first adam step moves by lr (bias-corrected m / sqrt(v) = sign(g))
    assert run.path[1, 0] == pytest.approx(0.9, rel=1e-6)
    run = descend(f, [1.0], lr=0.1, steps=1, optimizer="nesterov", momentum=0.9)
    # v1 = 2; x1 = 1 - 0.1*(2 + 0.9*2)
    assert run.path[1, 0] == pytest.approx(1 - 0.38)


@pytest.mark.parametrize("method", METHODS)
def test_every_gradient_method_drives_descent(method):
    run = descend(parse("(x - 1)**2 + (y - 2)**2"), [0, 0], lr=0.1, steps=200, method=method)
    np.testing.assert_allclose(run.final, [1, 2], atol=1e-6)


def test_long_runs_are_thinned_keeping_first_and_last():
    run = descend(SPHERE, [-3, 4], lr=1e-4, steps=20000, max_points=101)
    assert len(run.path) == 101 and run.iterations[0] == 0 and run.iterations[-1] == 20000
    assert np.all(np.diff(run.iterations) > 0)


def test_rosenbrock_ten_thousand_steps():
    run = descend(parse("(1 - x)**2 + 100*(y - x**2)**2"), [-1.5, 2], lr=1e-3, steps=10000)
    assert run.status == "completed"
    assert run.final_value < 0.1


def test_python_float_errors_fall_back_to_ieee():
    # sqrt of a negative number raises in math, is NaN in numpy: a divergence, not a crash
    run = descend(parse("sqrt(x)"), [1.0], lr=10, steps=10)
    assert run.status == "diverged"


def test_deadline_is_a_backstop():
    with pytest.raises(DeadlineExceeded):
        descend(SPHERE, [1, 1], lr=1e-6, steps=10000, deadline=time.monotonic() - 1)


def test_bad_settings_are_refused_by_field():
    with pytest.raises(ExpressionError) as err:
        descend(SPHERE, [1, 1], optimizer="lbfgs")
    assert err.value.field == "optimizer"
    with pytest.raises(ExpressionError) as err:
        descend(SPHERE, [1], lr=0.1)
    assert err.value.field == "start"


def test_textbook_lr_ten_with_central_differences_stands_still():
    """The textbook's lr = 10 run (central, h = 1e-4, no divergence check): x grows until
    x + h rounds to x, the numerical gradient is then exactly 0 and the point stays."""
    run = descend(SPHERE, [-3, 4], lr=10, steps=100, method="central", h=1e-4,
                  divergence_factor=None)
    assert run.status == "completed" and run.steps == 100 and len(run.path) == 101
    assert f"{run.final[0]:.3g}, {run.final[1]:.3g}" == "-2.59e+13, -1.3e+12"
    k = run.stalled_at
    assert k is not None and run.grad_norms[k] == 0 and run.grad_norms[k - 1] > 0
    assert np.all(run.path[k:] == run.path[k])
    assert (f"the numerical gradient became exactly 0 at step {k} because x + h rounds to x"
            in run.message)


def test_diverged_message_names_the_step_and_the_stability_bound():
    run = descend(parse("x**2 + 10*y**2"), [-3, 4], lr=0.5, steps=100)
    assert run.status == "diverged" and run.reason == "value_grew"
    assert run.message.startswith(f"diverged at step {run.stop_step}: ")
    assert "lr 0.5 is above the stability bound 2/λmax = 0.1 at the start: try lr < 0.1" \
        in run.message
    run = descend(SPHERE, [-3, 4], lr=10, steps=1000, divergence_factor=None)
    assert run.reason in ("value_not_finite", "coordinate_not_finite")
    assert run.stop_step == run.steps + 1  # the step that left the finite numbers


def test_divergence_downwards_is_caught_too():
    # f falls without bound: |f - f0| grows, so the run is diverged, not completed
    run = descend(parse("-x**2"), [1.0], lr=0.5, steps=200)
    assert run.status == "diverged" and run.reason == "value_grew"
    assert run.final_value < -1e10
    assert "stability bound" not in run.message  # lambda_max < 0: no bound exists
    assert run.stability.lr_bound is None
