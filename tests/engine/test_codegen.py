"""Generated straight-line code agrees with the graph interpreter."""

from __future__ import annotations

import numpy as np
import pytest

from engine import gradient, gradient_columns, parse
from engine.codegen import (
    UndefinedGradient,
    array_gradient_function,
    generate_source,
    value_and_gradient_function,
)
from engine.ops import FUNCTIONS

CASES = [
    ("100*(y - x**2)**2 + (1 - x)**2", [-1.5, 2.0]),
    ("sin(x)*cos(y) + exp(-(x**2+y**2)/4) + log(1 + x**2*y**2)", [0.3, -0.8]),
    ("x/y - y**-2 + x**y + 2**x", [0.7, 1.9]),
    ("atan2(y, x) + hypot(x, y) + min(x, y) + max(x, y) + abs(x - y)", [0.4, -0.2]),
] + [(f"{name}(x)", [0.3]) if p.arity == 1 else (f"{name}(x, y)", [0.3, 0.6])
     for name, p in FUNCTIONS.items() if name not in ("acosh",)] + [("acosh(x + 1.5)", [0.3])]


@pytest.mark.parametrize(("text", "point"), CASES)
def test_generated_matches_reverse_mode(text, point):
    expr = parse(text)
    value, grad = value_and_gradient_function(expr)(*point)
    reference = gradient(expr, point)
    assert value == pytest.approx(reference.value, rel=1e-14)
    np.testing.assert_allclose(grad, reference.gradient, rtol=1e-13, atol=1e-300)


def test_source_names_only_nodes_and_table_functions():
    source = generate_source(parse("theta*w1 + sin(theta)"), "reverse")
    assert "theta" not in source and "w1" not in source
    assert "_sin(" in source


def test_domain_errors_raise_for_the_caller_to_handle():
    fn = value_and_gradient_function(parse("log(x)"))
    with pytest.raises(ValueError):
        fn(-1.0)


def test_nan_results_are_handed_back_to_the_interpreter():
    # the generated sweep multiplies plainly; on floats a NaN in f or the gradient raises
    scalar = value_and_gradient_function(parse("x*y + sin(x)"))
    with pytest.raises(UndefinedGradient):
        scalar(float("nan"), 2.0)
    # on arrays it returns the plain sweep (0 * log(-2) is NaN here, where the
    # interpreter says 0), and gradient_columns redoes just such points
    expr = parse("pow(x, relu(y))")
    columns = [np.array([-2.0, 2.0, -2.0]), np.full(3, -1.0)]
    with np.errstate(invalid="ignore"):
        _, grad = array_gradient_function(expr)(*columns)
    assert np.isnan(grad[1][0]) and np.isnan(grad[1][2]) and grad[1][1] == 0.0
    big = [np.repeat(c, 100) for c in columns]  # enough points for the generated code
    np.testing.assert_array_equal(gradient_columns(expr, big).gradient[1], 0.0)


def test_generated_reverse_sweep_is_the_shared_one():
    # backward() over source pieces writes these lines: no copies, + and * 1 folded
    assert generate_source(parse("(1 - x)**2 + 100*(y - x**2)**2"), "reverse") == (
        "def generated(a0, a1):\n"
        "    v2 = 1.0 - a0\n    v3 = v2*v2\n    v6 = a0*a0\n    v7 = a1 - v6\n"
        "    v8 = v7*v7\n    v9 = 100.0*v8\n    v10 = v3 + v9\n"
        "    c7 = 100.0*(2.0*v7)\n    c6 = -c7\n    c1 = c6*(2.0*a0)\n    c2 = 2.0*v2\n"
        "    c1 = c1 - c2\n"
        "    if v10 != v10 or c1 != c1 or c7 != c7:\n        raise _Undefined\n"
        "    return v10, [c1, c7]")
