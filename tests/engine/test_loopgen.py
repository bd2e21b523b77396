"""The generated descent loop gives the generic loop's run to the last bit."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from engine import OPTIMIZERS, DeadlineExceeded, descend, parse
from engine.loopgen import descent_loop, generated_loop_source, generates
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


def _both(text, start, lr, optimizer, steps=300, tol=0.0, factor=1e10, method="autodiff",
          h=None):
    """The generic loop (numpy path for the numerical methods) and the generated one."""
    expr = parse(text)
    row = OPTIMIZERS[optimizer]
    value_and_gradient = value_and_gradient_on_floats(expr, method, h)
    generic = run_optimizer(value_and_gradient, list(start), make_update(optimizer, lr), steps,
                            tol, factor)
    loop = descent_loop(expr, row, method, h)
    reason, step, columns, values, norms = loop(list(start), lr, steps, tol, factor, None,
                                                vars(resolve_settings(row, {})),
                                                value_and_gradient, h=h)
    generated = ending(np.column_stack(columns), values, norms, reason, step, steps, tol, factor)
    return generic, generated


def _assert_same_run(generic, generated):
    assert (generated.status, generated.reason, generated.stop_step, generated.message) == \
        (generic.status, generic.reason, generic.stop_step, generic.message)
    assert np.asarray(generated.path).tolist() == np.asarray(generic.path).tolist()
    assert generated.values == generic.values and generated.grad_norms == generic.grad_norms


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize("text, start, lr", CASES)
def test_generated_loop_equals_the_generic_loop(text, start, lr, optimizer):
    generic, generated = _both(text, start, lr, optimizer)
    _assert_same_run(generic, generated)


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
    # at the start and in the loop, where f or a partial is not finite (or a float error
    # made it so): the numpy path decides there
    assert source.count("_fallback(") == 2
    assert "lambda" not in source and "import" not in source


def test_terms_shared_by_the_coordinates_are_computed_once_and_constants_before_the_loop():
    source = generated_loop_source(parse("x**2 + y**2"), OPTIMIZERS["adam"])
    loop_body = source.split("for t in range")[1]
    assert loop_body.count("s_beta1 ** t") == 1  # 1 - β₁ᵗ: once per step, not per coordinate
    before = source.split("for block in")[0]
    assert "1.0 - s_beta1" in before and "1.0 - s_beta1" not in loop_body


# --- finite differences on plain floats ----------------------------------------------

# Functions whose finite differences use only +, -, *, / and sqrt (correctly rounded in
# math and numpy alike), so the generated loop and the numpy path agree to the last bit.
ARITHMETIC = [
    ("(1 - x)**2 + 100*(y - x**2)**2", [-1.5, 2.0], 1e-3),
    ("x**2 + 10*y**2", [-3.0, 4.0], 0.12),            # diverges (value_grew)
    ("(x*y - 1)**2 + x**2/(1 + y**2)", [0.5, -1.5], 0.1),
    ("sqrt(x**2 + y**2 + 1) + 0.1*x", [2.0, -1.0], 0.5),
    ("x[0]**2 + 2*x[1]**2 + 3*x[2]**2 - x[0]*x[2]", [1.0, -1.0, 0.5], 0.05),
]


@pytest.mark.parametrize("h", [None, 1e-4, 0.25])
@pytest.mark.parametrize("method", ["forward", "backward", "central"])
@pytest.mark.parametrize("text, start, lr", ARITHMETIC)
@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
def test_finite_differences_give_the_numpy_paths_run(text, start, lr, method, h, optimizer):
    assert generates(parse(text), method)
    generic, generated = _both(text, start, lr, optimizer, method=method, h=h, steps=120)
    _assert_same_run(generic, generated)


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_finite_differences_with_every_optimizer(optimizer):
    generic, generated = _both("(1 - x)**2 + 100*(y - x**2)**2", [-1.5, 2.0], 1e-3,
                               optimizer, method="central", steps=200)
    _assert_same_run(generic, generated)


@pytest.mark.parametrize("method", ["forward", "backward", "central"])
def test_a_coordinate_where_x_plus_h_rounds_to_x_stalls_as_on_the_numpy_path(method):
    # 1e14 + 1e-3 rounds to 1e14: the stencil sees no change, the gradient is exactly 0
    text, start = "1e-28*x**2 + 1e-28*y**2 + x*1e-20", [1e14, 1e14]
    generic, generated = _both(text, start, 0.5, "gd", method=method, h=1e-3, steps=20)
    _assert_same_run(generic, generated)
    assert generated.grad_norms[0] == 0.0 and generated.path[-1].tolist() == start
    run = descend(parse(text), start, lr=0.5, steps=20, method=method, h=1e-3)
    assert run.stalled_at == 0 and "rounds to x" in run.message


@pytest.mark.parametrize("method", ["forward", "backward", "central"])
def test_the_point_itself_is_evaluated_unshifted(method):
    # exp(1/x) is 0 at x = -0.0 and inf at +0.0: x + 0.0 would turn the one into the other
    generic, generated = _both("exp(1/x) + y**2", [-0.0, 1.0], 0.1, "gd", method=method,
                               h=1e-3, steps=5)
    _assert_same_run(generic, generated)
    assert generated.values[0] == 1.0  # f at (-0.0, 1), not inf
    if method == "backward":  # f(x - h) = exp(-1/h) = 0: a finite run along x = -0.0
        assert generated.status == "completed"
        assert [math.copysign(1.0, x) for x in np.asarray(generated.path)[:, 0]] == [-1.0] * 6
    else:  # f(x + h) = exp(1/h) = inf
        assert generated.reason == "start_not_finite"


def test_richardson_and_many_variables_run_the_generic_loop():
    assert not generates(parse("x**2 + y**2"), "richardson")
    assert not generates(parse("x**2 + y**2"), "dual")
    wide = parse(" + ".join(f"x[{i}]**2" for i in range(80)))
    assert generates(wide, "autodiff") and not generates(wide, "central")


# --- generated once per graph --------------------------------------------------------


def test_the_same_graph_reuses_its_source_and_code_but_gets_its_own_function():
    first, second = parse("(1 - x)**2 + 100*(y - x**2)**2"), parse("(1-x)**2+100*(y-x**2)**2")
    row = OPTIMIZERS["adam"]
    one, two = descent_loop(first, row, "central"), descent_loop(second, row, "central")
    assert one is not two and one.__code__ is two.__code__
    # what the source depends on tells graphs apart: variable order, method, h, optimizer
    swapped = parse("(1 - x)**2 + 100*(y - x**2)**2", variables=["y", "x"])
    others = [descent_loop(swapped, row, "central"), descent_loop(first, row, "forward"),
              descent_loop(first, row, "central", h=1e-3),
              descent_loop(first, OPTIMIZERS["gd"], "central")]
    assert len({loop.__code__ for loop in [one, *others]}) == 5
    start = [-1.5, 2.0]
    settings = vars(resolve_settings(row, {}))
    ran = [loop(start, 1e-3, 50, 0.0, 1e10, None, settings, None) for loop in (one, two)]
    assert ran[0] == ran[1]
    swapped_run = others[0](start[::-1], 1e-3, 50, 0.0, 1e10, None, settings, None)
    assert swapped_run[2] == ran[0][2][::-1]  # the same run with the coordinates swapped


def test_a_shifted_point_recomputes_only_what_depends_on_the_shifted_coordinate():
    source = generated_loop_source(parse("(1 - x)**2 + 100*(y - x**2)**2"), OPTIMIZERS["gd"],
                                   "central", default_h=False)
    step = source.split("for t in range")[1]
    # (1 - x) at the point and at x ± h; the shifts of y reuse the point's (1 - x)**2, x**2
    assert step.count(" = 1.0 - ") == 3
    assert step.count("a0*a0") == 1 and step.count("b0*b0") == 2  # x**2: once per x
