"""engine/optimize.py and engine/optimizers.py: the descent loop's defaults and edges, and
the notes its messages add, each test written against mutants the other tests let
through (scripts/mutation.py)."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from engine import DeadlineExceeded, ExpressionError, descend, parse
from engine.optimize import make_update, run_optimizer
from engine.optimizers import OPTIMIZERS, _lerp, _lerp_arrays

# --- run_optimizer's defaults -------------------------------------------------------------


def test_run_optimizer_never_stops_early_by_default():
    """tol defaults to 0: a gradient far below 1 does not stop the run."""
    run = run_optimizer(lambda x: (x[0] ** 2, [2 * x[0]]), [0.1], make_update("gd", 0.25), 4)
    assert run.status == "completed" and run.path == [[0.1], [0.05], [0.025], [0.0125],
                                                      [0.00625]]


def test_run_optimizer_divergence_factor_defaults_to_1e10():
    """f(x) = -x with gradient -1 from 0: one gd step of lr L moves to L, |f - f0| = L
    against the limit 1e10 * (1 + |f0|) = 1e10."""

    def down(x):  # type: ignore[no-untyped-def]
        return -x[0], [-1.0]

    over = run_optimizer(down, [0.0], make_update("gd", 1e10 + 0.5), 1)
    assert over.status == "diverged" and over.reason == "value_grew"
    under = run_optimizer(down, [0.0], make_update("gd", 1e10 - 0.5), 1)
    assert under.status == "completed"


# --- the stall note --------------------------------------------------------------------------


@pytest.mark.parametrize("start", [2.0**53, -(2.0**53)])
def test_a_stencil_rounding_on_one_side_only_is_not_called_rounding(start):
    """At +-2**53 with h = 1 only one of x + h, x - h rounds to x: the stencil still
    sees the function, so a zero gradient there is an ordinary zero."""
    run = descend(parse("0*x"), [start], lr=0.5, steps=3, method="central", h=1.0)
    assert run.stalled_at == 0
    assert run.message == ("ran all 3 steps; the gradient is exactly 0 at the start, so the "
                           "point stops moving there")


def test_a_stencil_rounding_on_both_sides_is_named():
    run = descend(parse("sin(x)"), [1e20], lr=0.5, steps=3, method="central", h=1.0)
    assert "because x + h rounds to x there (x = 1e+20, h = 1)" in run.message


def test_rounding_is_only_blamed_for_numerical_methods():
    run = descend(parse("0*x"), [1e20], lr=0.5, steps=3, method="autodiff", h=1.0)
    assert "rounds" not in run.message
    assert "the gradient is exactly 0 at the start" in run.message


def test_a_stall_at_the_last_step_of_a_completed_run_is_said():
    run = descend(parse("x**2"), [1.0], lr=0.5, steps=1)
    assert run.stalled_at == 1
    assert run.message == ("ran all 1 steps; the gradient is exactly 0 at step 1, so the "
                           "point stops moving there")


def test_a_stall_before_a_divergence_is_said():
    """Momentum carries the point on through a flat stretch (relu), then f falls off a
    cliff: the zero gradient at step 1 is worth saying, though the run diverged later."""
    run = descend(parse("relu(x)**2 - 1e12*relu(-x - 1.5)"), [1.0], lr=0.75, steps=5,
                  optimizer="momentum", momentum=0.9)
    assert run.status == "diverged" and run.path.tolist() == [[1.0], [-0.5], [-1.85]]
    assert "the gradient is exactly 0 at step 1, so the point stops moving there" in \
        run.message


# --- the stability note of a diverged run ---------------------------------------------------


def test_a_rate_equal_to_the_bound_is_not_above_it():
    """x**2 + x**4/10 at 1: lambda_max = 3.2, so 2/lambda_max = 0.625 exactly."""
    run = descend(parse("x**2 + 0.1*x**4"), [1.0], lr=0.625, steps=5, divergence_factor=1e-9)
    assert run.status == "diverged" and run.stability.lr_bound == 0.625
    assert "lr 0.625 is below the stability bound 2/λmax = 0.625" in run.message


# --- a product bug, found while killing mutants (fixed) -----------------------------------
# The stall note once said "the point stands still although f is not stationary" whenever
# x + h and x - h both round to x, without asking whether f is.


def test_a_constant_far_out_is_not_called_non_stationary():
    run = descend(parse("0*x + 5"), [1e20], lr=0.5, steps=3, method="central", h=1.0)
    assert "not stationary" not in run.message
    assert run.message.endswith("the stencil sees no change, and f's exact gradient is 0 "
                                "there as well"), run.message


# --- refusals: message, code and field -----------------------------------------------------

ADAM_SETTINGS = "beta1, beta2, eps, momentum, rho, weight_decay"  # every optimizer's


@pytest.mark.parametrize("kwargs, message, code, field", [
    ({"steps": -1}, "steps must be >= 0", "bad_steps", "steps"),
    ({"tol": -1.0}, "tol must be a finite number >= 0", "bad_tol", "tol"),
    ({"tol": math.inf}, "tol must be a finite number >= 0", "bad_tol", "tol"),
    ({"tol": "0"}, "tol must be a finite number >= 0", "bad_tol", "tol"),
    ({"max_points": 1}, "max_points must be at least 2", "bad_steps", "max_points"),
    ({"lr": 0.0}, "lr must be a finite number > 0", "bad_lr", "lr"),
    ({"lr": math.inf}, "lr must be a finite number > 0", "bad_lr", "lr"),
    ({"lr": True}, "lr must be a finite number > 0", "bad_lr", "lr"),
    ({"method": "central", "h": -1.0}, "the step h must be a finite number > 0", "bad_step",
     "h"),
    ({"optimizer": "sgd"}, "unknown optimizer 'sgd'; choose one of gd, momentum, nesterov, "
     "adagrad, rmsprop, adam, adamw", "unknown_optimizer", "optimizer"),
    ({"optimizer": "adam", "beta3": 0.5},
     f"unknown optimizer setting 'beta3'; the settings are {ADAM_SETTINGS}", "bad_setting",
     "beta3"),
    ({"optimizer": "adam", "beta1": "0.5"}, "beta1 must be a number", "bad_setting", "beta1"),
    ({"optimizer": "adam", "beta1": 1.0}, "beta1 must be in [0, 1), got 1", "bad_setting",
     "beta1"),
    ({"optimizer": "adam", "eps": 0.0}, "eps must be > 0, got 0", "bad_setting", "eps"),
])
def test_refused_with_message_code_and_field(kwargs, message, code, field):
    with pytest.raises(ExpressionError) as info:
        descend(parse("x**2"), [1.0], **kwargs)
    assert (str(info.value), info.value.code, info.value.field) == (message, code, field)


@pytest.mark.parametrize("method", ["central", "dual"])  # the generic loop
def test_the_past_deadline_is_named_with_the_step(method):
    with pytest.raises(DeadlineExceeded) as info:
        descend(parse("x**2"), [1.0], method=method, deadline=time.monotonic() - 1)
    assert str(info.value) == ("descent took longer than its time limit after 1 steps; use "
                               "fewer steps")
    assert info.value.field == "steps"


def test_two_points_are_enough_for_a_path():
    run = descend(parse("x**2"), [1.0], steps=50, max_points=2)
    assert run.iterations.tolist() == [0, 50]


def test_an_update_refuses_a_gradient_of_another_length():
    update = make_update("gd", 0.1)
    with pytest.raises(ValueError):
        update([1.0, 2.0], [1.0], 1)


# --- descend's defaults and what it passes on ----------------------------------------------


def test_descend_defaults_lr_steps_and_variables():
    run = descend(parse("x**2 + y**2"), [1.0, 2.0])
    assert run.steps == 100 and len(run.path) == 101 and run.variables == ("x", "y")
    assert run.path[1].tolist() == [0.8, 1.6]  # lr 0.1


def test_descend_divergence_factor_defaults_to_1e10():
    over = descend(parse("-x"), [0.0], lr=1e10 + 0.5, steps=1)
    assert over.status == "diverged" and over.reason == "value_grew"
    assert descend(parse("-x"), [0.0], lr=1e10 - 0.5, steps=1).status == "completed"


def test_descend_keeps_10001_points_by_default():
    assert len(descend(parse("x**2"), [1.0], steps=10_000).path) == 10_001
    long = descend(parse("x**2"), [1.0], steps=10_001)
    assert len(long.path) == 10_001 and long.iterations[-1] == 10_001


def test_descend_hands_the_settings_to_the_rule_and_to_the_bound():
    run = descend(parse("x**2"), [1.0], lr=0.1, steps=2, optimizer="momentum", momentum=0.5)
    # v1 = 2, x1 = 0.8; v2 = 0.5*2 + 1.6 = 2.6, x2 = 0.8 - 0.26
    assert run.path[:, 0].tolist() == pytest.approx([1.0, 0.8, 0.54], rel=1e-15)
    assert run.stability.lr_bound == pytest.approx((2 + 2 * 0.5) / 2, rel=1e-15)


@pytest.mark.parametrize("tol, where", [(2.0, "at the start"), (1.0, "at step 1")])
def test_a_norm_equal_to_tol_has_converged(tol, where):
    """x**2 from 1 with lr 0.25: gradient norms 2, 1, 0.5, ..."""
    run = descend(parse("x**2"), [1.0], lr=0.25, steps=5, tol=tol)
    assert run.status == "converged" and where in run.message


def test_the_divergence_message_measures_from_f_at_the_start():
    def line(x):  # type: ignore[no-untyped-def]
        return x[0], [-1.0]

    run = run_optimizer(line, [100.0], make_update("gd", 50.0), 3, divergence_factor=0.1)
    assert run.message == ("diverged at step 1: |f - f(start)| = 50 exceeded "
                           "divergence_factor·(1 + |f(start)|) = 10")


# --- the optimizers' table -------------------------------------------------------------------


def test_lerp_takes_torchs_branches():
    """torch.lerp: start + w (end - start) below w = 0.5, end - (end - start)(1 - w) from
    0.5 on, so a weight of 1 gives end exactly."""
    start, end = -1.9619555905256945, 0.29279256832891765
    assert _lerp(start, end, 1.0) == end and _lerp(start, end, 0.75) == end - (end - start) / 4
    a, b = 0.41999600325828146, -1.8009634789371416
    assert _lerp(a, b, 0.5) == b - (b - a) * 0.5 != a + 0.5 * (b - a)
    assert _lerp(a, b, 0.25) == a + 0.25 * (b - a)
    arrays = _lerp_arrays(np.array([start, a, a]), np.array([end, b, b]),
                          np.array([1.0, 0.5, 0.25]))
    assert arrays.tolist() == [end, b - (b - a) * 0.5, a + 0.25 * (b - a)]
    assert _lerp_arrays(np.array(start), np.array(end), 0.75) == end - (end - start) / 4


@pytest.mark.parametrize("name, default", [("adagrad", 1e-10), ("rmsprop", 1e-8),
                                           ("adam", 1e-8), ("adamw", 1e-8)])
def test_eps_is_positive_and_named(name, default):
    (eps,) = [s for s in OPTIMIZERS[name].settings if s.name == "eps"]
    assert (eps.default, eps.label, eps.symbol, eps.minimum) == (default, "ε", "ε", 0.0)
    assert eps.open_below and eps.interval == "> 0" and eps.maximum is None
    assert "denominator" in eps.description
    assert eps.check(1e-300) == 1e-300
    with pytest.raises(ExpressionError, match="eps must be > 0, got 0"):
        eps.check(0.0)
