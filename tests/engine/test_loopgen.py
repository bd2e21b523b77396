"""The generated descent loop gives the generic loop's run to the last bit."""

from __future__ import annotations

import time

import numpy as np
import pytest

from engine import OPTIMIZERS, DeadlineExceeded, parse
from engine.loopgen import descent_loop, generated_loop_source
from engine.optimize import ending, make_update, run_optimizer, value_and_gradient_on_floats
from engine.optimizers import resolve_settings

CASES = [
    ("(1 - x)**2 + 100*(y - x**2)**2", [-1.5, 2.0], 1e-3),
    ("x**2 + 10*y**2", [-3.0, 4.0], 0.12),           # diverges (value_grew)
    ("sqrt(x) + y**2", [1.0, 1.0], 0.8),             # steps out of the domain
    ("log(x*y) + x**2", [0.5, 2.0], 0.05),
    ("sin(x)*cos(y) + 0.1*(x**2 + y**2)", [1.0, -2.0], 0.3),
    ("x[0]**2 + 2*x[1]**2 + 3*x[2]**2 - x[0]*x[2]", [1.0, -1.0, 0.5], 0.05),
]


def _both(text, start, lr, optimizer, steps=300, tol=0.0, factor=1e10):
    expr = parse(text)
    row = OPTIMIZERS[optimizer]
    value_and_gradient = value_and_gradient_on_floats(expr, "autodiff", None)
    generic = run_optimizer(value_and_gradient, list(start), make_update(optimizer, lr), steps,
                            tol, factor)
    loop = descent_loop(expr, row, "autodiff", None)
    reason, step, columns, values, norms = loop(list(start), lr, steps, tol, factor, None,
                                                vars(resolve_settings(row, {})),
                                                value_and_gradient)
    generated = ending(np.column_stack(columns), values, norms, reason, step, steps, tol, factor)
    return generic, generated


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize("text, start, lr", CASES)
def test_generated_loop_equals_the_generic_loop(text, start, lr, optimizer):
    generic, generated = _both(text, start, lr, optimizer)
    assert (generated.status, generated.reason, generated.stop_step, generated.message) == \
        (generic.status, generic.reason, generic.stop_step, generic.message)
    assert np.asarray(generated.path).tolist() == np.asarray(generic.path).tolist()
    assert generated.values == generic.values and generated.grad_norms == generic.grad_norms


def test_tol_and_the_start_decide_as_in_the_generic_loop():
    for kwargs in ({"tol": 1e-3}, {"tol": 1e300}, {"factor": None}):
        generic, generated = _both("x**2 + y**2", [3.0, 4.0], 0.1, "gd", **kwargs)
        assert (generated.reason, generated.stop_step) == (generic.reason, generic.stop_step)
    generic, generated = _both("log(x) + y", [-1.0, 0.0], 0.1, "gd")
    assert generated.reason == generic.reason == "start_not_finite"


def test_the_deadline_is_checked_as_it_runs():
    expr = parse("x**2 + y**2")
    loop = descent_loop(expr, OPTIMIZERS["gd"], "autodiff", None)
    with pytest.raises(DeadlineExceeded):
        loop([1.0, 1.0], 1e-9, 5000, 0.0, None, time.monotonic() - 1, {},
             value_and_gradient_on_floats(expr, "autodiff", None))


def test_the_update_is_the_tables_rule_written_out():
    source = generated_loop_source(parse("x**2"), OPTIMIZERS["momentum"])
    assert "s_momentum" in source and "st0_0" in source and "eval" not in source
    assert source.count("_fallback(") == 4  # at the start and in the loop: a float error, or f
    # or a partial not finite (the numpy path decides there)
