"""Generated straight-line code agrees with the graph interpreter."""

from __future__ import annotations

import numpy as np
import pytest

from engine import gradient, parse
from engine.codegen import generate_source, value_and_gradient_function
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
