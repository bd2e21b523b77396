"""Work stays bounded: deadlines are honoured and no input makes quadratic Python work.

Found by the hardening tests (tests/security): each was once a 500 or a request that
ran far past its deadline.  No clock is read here: work is counted (calls of f), and
deadlines are fakes that expire after a given number of looks at the clock, so a test
sees exactly when the engine checks and that it stops at the first expired check.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import engine
from engine import numeric


class Expires:
    """A stand-in for a ``time.monotonic()`` deadline that passes after ``checks`` looks.

    The engine asks ``time.monotonic() > deadline``; a float cannot compare itself with
    this object, so Python asks ``deadline < now``, which counts the look.
    """

    def __init__(self, checks: float) -> None:
        self.checks = checks
        self.looks = 0

    def __lt__(self, now: float) -> bool:
        self.looks += 1
        return self.looks > self.checks


@pytest.mark.parametrize("text,start", [("(-8)**(1/3)", [1.0]), ("x**0.5", [-1.0]),
                                        ("pow(x, 0.5)", [-4.0])])
def test_descent_through_a_negative_base_power_diverges_cleanly(text, start):
    # Python's ** on floats goes complex here; the generated code uses math.pow, which
    # raises, and the step is redone on the IEEE (numpy) path: NaN, so "diverged".
    expr = engine.parse(text, variables=["x"])
    run = engine.descend(expr, start, steps=3)
    assert run.status == "diverged"


@pytest.mark.parametrize("method", ["central", "forward", "complex-step", "richardson"])
def test_numerical_gradient_of_500_variables(method):
    names = ["x"] + [f"v{i}" for i in range(499)]
    expr = engine.parse("x", variables=names)
    result = engine.gradient(expr, [0.5] * 500, method)
    assert result.gradient[0] == pytest.approx(1.0) and not result.gradient[1:].any()


@pytest.mark.parametrize("name", sorted(numeric.NUMERICAL))
def test_numerical_methods_evaluate_f_in_a_few_calls_for_any_number_of_variables(name):
    """All the stencil's points go to f at once (in a few bounded chunks at most), never
    one call per variable or per shifted point: 500 variables are 2 * 500 points or more."""
    for count in (2, 500):
        calls = []

        def f(xs, calls=calls):  # type: ignore[no-untyped-def]
            calls.append(np.shape(xs[0]))
            return sum(xs)

        gradient, _, _ = numeric.NUMERICAL[name](f, [np.array(0.5)] * count, None)
        np.testing.assert_allclose(gradient, np.ones(count), rtol=1e-6)
        assert 1 <= len(calls) <= 2, (count, calls)


def _expensive_descent(deadline: Expires) -> engine.DescentResult:
    names = [f"v{i}" for i in range(1, 41)]
    expr = engine.parse("+".join(f"sin({n})" for n in names))
    return engine.descend(expr, [1.0] * len(names), steps=100_000, method="richardson",
                          lr=1e-9, deadline=deadline)


def test_descent_looks_at_the_deadline_every_step():
    deadline = Expires(math.inf)
    names = [f"v{i}" for i in range(1, 41)]
    expr = engine.parse("+".join(f"sin({n})" for n in names))
    run = engine.descend(expr, [1.0] * 40, steps=7, method="richardson", lr=1e-9,
                         deadline=deadline)
    assert run.status == "completed" and deadline.looks == 7


@pytest.mark.parametrize("checks", [0, 3])
def test_descent_stops_at_the_first_expired_look(checks):
    deadline = Expires(checks)
    with pytest.raises(engine.DeadlineExceeded, match=f"after {checks + 1} steps"):
        _expensive_descent(deadline)
    assert deadline.looks == checks + 1  # not one step more


def test_field_looks_at_the_deadline_before_each_block_and_stops_at_the_first_expired():
    text = " + ".join(f"sin({k}*x)*cos({k}*y)" for k in range(1, 6))
    expr = engine.parse(text)
    counting = Expires(math.inf)
    engine.gradient_field(expr, (-3, 3), (-3, 3), nx=20, method="richardson",
                          deadline=counting)
    assert counting.looks >= 3  # richardson's stencil splits even a 20 x 20 grid
    # the largest grid: stopped at the first look after the deadline passed
    deadline = Expires(2)
    with pytest.raises(engine.DeadlineExceeded, match="time limit"):
        engine.gradient_field(expr, (-3, 3), (-3, 3), nx=400, method="richardson",
                              deadline=deadline)
    assert deadline.looks == 3
