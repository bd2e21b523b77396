"""Work stays bounded: deadlines are honoured and no input makes quadratic Python work.

Found by the hardening tests (tests/security): each was once a 500 or a request that
ran far past its deadline.
"""

from __future__ import annotations

import time

import pytest

import engine


@pytest.mark.parametrize("text,start", [("(-8)**(1/3)", [1.0]), ("x**0.5", [-1.0]),
                                        ("pow(x, 0.5)", [-4.0])])
def test_descent_through_a_negative_base_power_diverges_cleanly(text, start):
    # Python's ** on floats goes complex here; the generated code uses math.pow, which
    # raises, and the step is redone on the IEEE (numpy) path: NaN, so "diverged".
    expr = engine.parse(text, variables=["x"])
    run = engine.descend(expr, start, steps=3)
    assert run.status == "diverged"


@pytest.mark.parametrize("method", ["central", "forward", "complex-step", "richardson"])
def test_numerical_gradient_of_500_variables_is_quick(method):
    names = ["x"] + [f"v{i}" for i in range(499)]
    expr = engine.parse("x", variables=names)
    start = time.perf_counter()
    result = engine.gradient(expr, [0.5] * 500, method)
    assert result.gradient[0] == pytest.approx(1.0) and not result.gradient[1:].any()
    assert time.perf_counter() - start < 3.0  # hang guard: ~0.03-0.3 s here


def test_descent_deadline_is_honoured_with_expensive_steps():
    names = [f"v{i}" for i in range(1, 41)]
    expr = engine.parse("+".join(f"sin({n})" for n in names))
    start = time.perf_counter()
    with pytest.raises(engine.DeadlineExceeded):
        engine.descend(expr, [1.0] * len(names), steps=100_000, method="richardson",
                       lr=1e-9, deadline=time.monotonic() + 0.2)
    assert time.perf_counter() - start < 2.0


def test_field_deadline_is_honoured_with_richardson():
    text = " + ".join(f"sin({k}*x)*cos({k}*y)" for k in range(1, 6))
    expr = engine.parse(text)
    start = time.perf_counter()
    with pytest.raises(engine.DeadlineExceeded):
        engine.gradient_field(expr, (-3, 3), (-3, 3), nx=400, method="richardson",
                              deadline=time.monotonic() + 0.2)
    assert time.perf_counter() - start < 2.0
