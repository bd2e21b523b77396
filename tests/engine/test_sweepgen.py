"""The generated batched loop gives the generic batched path's runs to the last bit, and
hands back every step at which a run may stop."""

from __future__ import annotations

import re

import numpy as np
import pytest

from engine import OPTIMIZERS, descend, parse
from engine.sweep import descend_batch, sweep_learning_rate
from engine.sweepgen import batch_loop, generated_batch_source

ROSENBROCK = parse("(1 - x)**2 + 100*(y - x**2)**2")

# (text, start, rates): each set of rates has runs that complete, and most have runs that
# stop on the way (grow past the limit, leave the domain, overflow)
CASES = [
    ("(1 - x)**2 + 100*(y - x**2)**2", [-1.5, 2.0], np.geomspace(1e-5, 1e-2, 9)),
    ("x**2 + 10*y**2", [-3.0, 4.0], np.geomspace(1e-3, 1.0, 9)),
    ("sqrt(x) + y**2", [1.0, 1.0], np.geomspace(1e-2, 10.0, 9)),
    ("log(x*y) + x**2", [0.5, 2.0], np.geomspace(1e-3, 1.0, 9)),
    ("sin(x)*cos(y) + 0.1*(x**2 + y**2)", [1.0, -2.0], np.geomspace(1e-2, 100.0, 9)),
    ("x[0]**2 + 2*x[1]**2 + 3*x[2]**2 - x[0]*x[2]", [1.0, -1.0, 0.5], np.geomspace(1e-3, 1, 9)),
    ("x**3 - 3*x + y**4 + 1/x", [0.5, 0.5], np.geomspace(1e-3, 10.0, 9)),
    ("abs(x) + relu(y) + max(x, y) + pow(x, 2.5)", [1.0, 2.0], np.geomspace(1e-3, 10, 9)),
    ("2*x + 2*y", [0.0, 0.0], np.geomspace(1e-3, 1.0, 3)),   # constant partials
]


def _assert_same_runs(generated, generic):
    assert generated.reason.tolist() == generic.reason.tolist()
    assert generated.status.tolist() == generic.status.tolist()
    assert generated.steps.tolist() == generic.steps.tolist()
    assert generated.final.tobytes() == generic.final.tobytes()  # -0.0 and 0.0 apart
    assert generated.final_value.tobytes() == generic.final_value.tobytes()


def _both(text, starts, rates, optimizer, steps=300, **kwargs):
    expr = parse(text)
    starts = np.array(starts, dtype=np.float64)
    return (descend_batch(expr, starts, rates, steps, optimizer, **kwargs),
            descend_batch(expr, starts, rates, steps, optimizer, generated=False, **kwargs))


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize("text, start, rates", CASES)
def test_the_generated_loop_gives_the_generic_paths_runs(text, start, rates, optimizer):
    generated, generic = _both(text, [start] * len(rates), rates, optimizer)
    _assert_same_runs(generated, generic)


@pytest.mark.parametrize("tol, factor", [(1e-3, 1e10), (0.0, None), (1e-8, 1e3), (1e300, 1e10)])
def test_tol_and_the_divergence_limit_decide_as_on_the_generic_path(tol, factor):
    rates = np.geomspace(1e-3, 1.0, 12)
    generated, generic = _both("x**2 + 10*y**2", [[-3.0, 4.0]] * 12, rates, "gd", tol=tol,
                               divergence_factor=factor)
    _assert_same_runs(generated, generic)
    if tol == 1e-3:
        assert {"tol", "value_grew", "all_steps"} <= set(generated.reason)


def test_runs_from_different_starts_with_their_own_settings():
    rng = np.random.default_rng(3)
    starts = [-1.5, 2.0] + rng.normal(0.0, 0.5, (10, 2))
    rates = np.geomspace(1e-4, 1e-2, 10)
    for optimizer, name, values in (("momentum", "momentum", rng.uniform(0, 0.95, 10)),
                                    ("adam", "beta1", rng.uniform(0.5, 0.99, 10))):
        generated, generic = _both("(1 - x)**2 + 100*(y - x**2)**2", starts, rates,
                                   optimizer, tol=1e-4, settings={name: values})
        _assert_same_runs(generated, generic)


def test_a_gradient_the_generic_path_redoes_is_redone():
    # at the origin the generated chain rule gives 0/0 = NaN where f is defined: the
    # generic path's interpreter decides there (0 times NaN is 0), in both
    starts = [[1e-3, 0.0], [0.5, 0.0], [1.0, 1.0]] * 3
    generated, generic = _both("sqrt(x**2 + y**2)", starts, np.geomspace(1e-3, 1.0, 9), "gd",
                               steps=50)
    _assert_same_runs(generated, generic)


def test_a_float_error_hands_the_rest_to_the_generic_path():
    # (1e200)**3 raises OverflowError on Python floats (numpy would give inf): the first
    # generated step raises, and the generic path runs from there
    generated, generic = _both("x**2 + exp(-(1e200)**3)", [[1.0]] * 3, np.array([1e-3, 0.1, 2]),
                               "gd", steps=50)
    _assert_same_runs(generated, generic)
    assert generated.reason.tolist() == ["all_steps", "all_steps", "value_grew"]


def test_a_sum_that_overflows_is_only_a_look_at_the_step():
    # every number is finite but their sum is not: each step goes to the run-by-run check,
    # which lets every run go on
    generated, generic = _both("x - y", [[1.7e308, 1.7e308]] * 2, np.array([1e-300, 1.0]), "gd",
                               steps=20, divergence_factor=None)
    _assert_same_runs(generated, generic)
    assert generated.reason.tolist() == ["all_steps", "all_steps"]


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_a_sweep_run_is_the_single_run_to_the_last_bit(optimizer):
    # + - * / and sqrt round alike on floats and arrays: the runs are the same floats
    sweep = sweep_learning_rate(ROSENBROCK, [-1.5, 2], lr_min=1e-5, lr_max=0.1, n=8,
                                steps=400, optimizer=optimizer, tol=1e-6)
    for k, lr in enumerate(sweep.lr):
        single = descend(ROSENBROCK, [-1.5, 2], lr=float(lr), steps=400, optimizer=optimizer,
                         tol=1e-6)
        assert (single.reason, single.steps) == (sweep.reason[k], sweep.steps[k])
        assert single.final.tolist() == sweep.final[k].tolist()
        assert single.final_value == sweep.final_value[k]


def test_each_operation_on_arrays_writes_into_a_buffer():
    source = generated_batch_source(ROSENBROCK, OPTIMIZERS["gd"])
    loop = source[source.index("for t in range"):source.index("except")]
    # Rosenbrock has no powers or functions: no array is created inside the loop
    assert not re.search(r"\b_u\d", loop) and " = " not in loop
    assert loop.count("_uf_") == 4 + 14  # the update (2 per coordinate) and the gradient
    assert "eval" not in source and "import" not in source and "lambda" not in source
    momentum = generated_batch_source(ROSENBROCK, OPTIMIZERS["momentum"], ["momentum"])
    # the table's rule, its velocity written straight into the next step's slot
    assert "_uf_add(_t0, gr0, _su0_0)" in momentum and "_copyto" not in momentum


def test_powers_and_functions_keep_the_generic_paths_form():
    source = generated_batch_source(parse("x**3 + sin(x*y)"), OPTIMIZERS["gd"])
    assert "_b0 ** (3.0)" in source and "_sin(" in source


def test_no_loop_without_variables():
    assert batch_loop(parse("3"), OPTIMIZERS["gd"], ()) is None
    assert batch_loop(ROSENBROCK, OPTIMIZERS["gd"], ()) is batch_loop(ROSENBROCK,
                                                                     OPTIMIZERS["gd"], ())
