"""The optimizer table: every row's rule on floats and on arrays, settings, bounds."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine import ExpressionError, descend, parse
from engine.optimizers import ARRAYS, FLOATS, OPTIMIZERS, resolve_settings

ROWS = list(OPTIMIZERS.values())


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_a_row_declares_everything(row):
    assert row.label and row.description.endswith(".") and row.rule
    assert len({s.name for s in row.settings}) == len(row.settings)
    for setting in row.settings:
        assert setting.check(setting.default) == setting.default
    assert (row.lr_bound is None) == (row.bound_formula is None)


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_rule_on_arrays_equals_rule_on_floats(row):
    """One array operation over a batch gives, element by element, the float path's bits."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=6)
    lr = np.geomspace(1e-3, 1.0, 6)
    s = row.defaults()
    state_arrays = [np.zeros(6) for _ in row.state]
    state_floats = [[0.0] * len(row.state) for _ in range(6)]
    xf = x.tolist()
    for t in range(1, 6):
        g = 3 * x * x - 1  # any gradient: exact arithmetic, the same bits on either path
        x, *state_arrays = row.step(ARRAYS, x, g, t, lr, s, *state_arrays)
        for i in range(6):
            gi = 3 * xf[i] * xf[i] - 1
            xf[i], *state_floats[i] = row.step(FLOATS, xf[i], gi, t, float(lr[i]), s,
                                              *state_floats[i])
    assert x.tolist() == xf


def test_defaults_follow_pytorch():
    defaults = {(row.name, s.name): s.default for row in ROWS for s in row.settings}
    assert defaults[("momentum", "momentum")] == 0.9
    assert defaults[("rmsprop", "rho")] == 0.99  # torch.optim.RMSprop's alpha
    assert defaults[("adagrad", "eps")] == 1e-10
    assert defaults[("rmsprop", "eps")] == defaults[("adam", "eps")] == 1e-8
    assert defaults[("adam", "beta1")] == 0.9 and defaults[("adam", "beta2")] == 0.999
    assert defaults[("adamw", "weight_decay")] == 0.01


def test_adamw_decays_the_weights_apart_from_the_gradient():
    # f = x**2 at x = 2, lr 0.1, weight decay 0.5: x first shrinks to 2 * (1 - 0.05) = 1.9,
    # then Adam's first step moves it by lr * g / (|g| + eps) with g = 4 (taken at x = 2)
    run = descend(parse("x**2"), [2.0], lr=0.1, steps=1, optimizer="adamw", weight_decay=0.5)
    assert run.path[1, 0] == pytest.approx(1.9 - 0.1 * 4 / (4 + 1e-8), rel=1e-15)
    plain = descend(parse("x**2"), [2.0], lr=0.1, steps=1, optimizer="adam")
    assert plain.path[1, 0] == pytest.approx(2.0 - 0.1 * 4 / (4 + 1e-8), rel=1e-15)


def test_adam_bias_correction_uses_the_step_number():
    # with a constant gradient, bias-corrected m/sqrt(v) is 1 at every step: x moves by lr
    run = descend(parse("3*x"), [0.0], lr=0.1, steps=5, optimizer="adam")
    np.testing.assert_allclose(np.diff(run.path[:, 0]), -0.1 * 3 / (3 + 1e-8), rtol=1e-12)


def test_settings_are_checked_and_other_optimizers_settings_ignored():
    s = resolve_settings(OPTIMIZERS["adam"], {"beta1": 0.5, "momentum": 0.3, "rho": None})
    assert vars(s) == {"beta1": 0.5, "beta2": 0.999, "eps": 1e-8}
    for name, value in (("beta1", 1.0), ("momentum", -0.1), ("eps", 0.0),
                        ("weight_decay", -1.0), ("rho", math.nan)):
        row = next(r for r in ROWS if any(s.name == name for s in r.settings))
        with pytest.raises(ExpressionError) as err:
            resolve_settings(row, {name: value})
        assert err.value.field == name and err.value.code == "bad_setting"
    with pytest.raises(ExpressionError) as err:
        resolve_settings(OPTIMIZERS["gd"], {"betta1": 0.5})
    assert err.value.field == "betta1"


QUADRATIC = parse("x**2 + 10*y**2")  # Hessian diag(2, 20): lambda_max = 20


@pytest.mark.parametrize("name", [row.name for row in ROWS if row.lr_bound is not None])
@pytest.mark.parametrize("momentum", [0.0, 0.5, 0.9])
def test_stability_bound_is_exact_on_a_quadratic(name, momentum):
    """Just below the bound the run converges; just above it, it diverges."""
    settings = {"momentum": momentum} if name != "gd" else {}
    bound = descend(QUADRATIC, [1, 1], steps=0, optimizer=name, **settings).stability.lr_bound
    assert bound is not None
    below = descend(QUADRATIC, [1, 1], lr=bound * 0.99, steps=20000, optimizer=name,
                    divergence_factor=None, **settings)
    above = descend(QUADRATIC, [1, 1], lr=bound * 1.01, steps=20000, optimizer=name,
                    **settings)
    assert below.status == "completed" and below.final_value < 1e-6
    assert above.status == "diverged"
    assert f"lr {bound * 1.01:g} is above the stability bound" in above.message
