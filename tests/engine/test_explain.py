"""One step written out: the table's own rule, the same numbers as the run."""

from __future__ import annotations

import pytest

from engine import OPTIMIZERS, ExpressionError, descend, parse
from engine.explain import Worked, explain_step

BOWL = parse("x**2 + 10*y**2")


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize("step", [1, 2, 7])
def test_the_written_step_lands_where_the_run_does(optimizer, step):
    run = descend(BOWL, [-3, 4], lr=0.03, steps=step, optimizer=optimizer)
    told = explain_step(BOWL, [-3, 4], step, lr=0.03, optimizer=optimizer)
    assert told.before == run.path[step - 1].tolist()
    assert told.after == run.path[step].tolist()  # exactly: the same operations on floats
    for coordinate, (name, value) in zip(told.lines, zip(BOWL.variables, told.after,
                                                         strict=True), strict=True):
        line = next(line for line in coordinate if line.name == name)
        assert line.value == value


def test_the_textbook_first_step():
    told = explain_step(parse("x**2 + y**2"), [-3, 4], 1, lr=0.1)
    (x_line,), (y_line,) = told.lines
    assert (x_line.formula, x_line.numbers) == ("x − lr·∂f/∂x", "−3 − 0.1·(−6)")
    assert (y_line.formula, y_line.numbers) == ("y − lr·∂f/∂y", "4 − 0.1·8")
    assert told.gradient == [-6.0, 8.0] and told.value_before == 25.0


def test_state_is_named_in_the_update_and_adam_shows_bias_corrections():
    told = explain_step(parse("x**2"), [1.0], 2, lr=0.1, optimizer="momentum")
    assert [(line.name, line.formula) for line in told.lines[0]] == [
        ("v", "β·v + ∂f/∂x"), ("x", "x − lr·v")]
    adam = explain_step(parse("x**2"), [1.0], 3, lr=0.1, optimizer="adam")
    names = [line.name for line in adam.lines[0]]
    assert names == ["m", "v", "x", "m̂", "v̂"]
    m, v, _, m_hat, v_hat = adam.lines[0]
    assert m_hat.value == pytest.approx(m.value / (1 - 0.9**3), rel=1e-15)
    assert v_hat.value == pytest.approx(v.value / (1 - 0.999**3), rel=1e-15)
    assert m_hat.formula == "m/(1 − β₁^t)"


def test_worked_terms_parenthesize_as_precedence_requires():
    a, b, c = Worked(2, "a"), Worked(-3, "b"), Worked(4, "c")
    term = (a - (b - c)) * -a / (b + c) ** 2
    assert term.formula() == "(a − (b − c))·−a/(b + c)^2"
    assert term.numbers() == "(2 − (−3 − 4))·−2/(−3 + 4)^2"  # a leading − needs no ()
    assert term.value == (2 - (-3 - 4)) * -2 / (-3 + 4) ** 2


def test_steps_past_the_end_of_a_finite_run_are_refused():
    with pytest.raises(ExpressionError) as err:
        explain_step(parse("x**2"), [1.0], 2000, lr=10)
    assert err.value.field == "step"
    with pytest.raises(ExpressionError):
        explain_step(parse("x**2"), [1.0], 0)


def test_the_replay_is_checked_and_bounded_as_a_descent_is():
    with pytest.raises(ExpressionError) as err:
        explain_step(parse("abs(x) + x**2"), [1.0], 2, method="complex-step")
    assert err.value.code == "not_analytic"
    with pytest.raises(ExpressionError) as err:
        explain_step(parse("x**2"), [1.0], 2, lr=-1.0)
    assert (err.value.code, err.value.field) == ("bad_lr", "lr")
    with pytest.raises(ExpressionError) as err:
        explain_step(parse("x**2"), [1.0], 2, method="central", h=0.0)
    assert err.value.field == "h"
    with pytest.raises(ExpressionError) as err:
        explain_step(parse("x**2"), [1.0], 3, deadline=0.0)  # long passed
    assert (err.value.code, err.value.field) == ("deadline", "step")
    assert explain_step(parse("x**2"), [1.0], 1, deadline=0.0).after == [0.8]  # no replay
