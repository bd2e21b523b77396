"""Forward mode: one-sided directional derivatives at corners."""

from __future__ import annotations

import numpy as np
import pytest

from engine import parse
from engine.forward import directional_derivatives

DIRECTIONS = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0], [1.0, -0.5],
                       [-0.3, 0.7], [2.0, 2.0], [-1.0, -1.0]])

# f'(0; d) = lim t->0+ f(t d) / t, worked out by hand for each f (all are 0 at the origin)
CASES = [
    ("abs(x - y)", lambda d1, d2: abs(d1 - d2)),
    ("max(x, y)", lambda d1, d2: max(d1, d2)),
    ("min(x, 2*y)", lambda d1, d2: min(d1, 2 * d2)),
    ("relu(x + y) - relu(-x)", lambda d1, d2: max(d1 + d2, 0.0) - max(-d1, 0.0)),
    ("abs(x) + abs(y) - abs(x + y)", lambda d1, d2: abs(d1) + abs(d2) - abs(d1 + d2)),
    ("abs(sin(x))*3 + y", lambda d1, d2: 3 * abs(d1) + d2),
    ("relu(x)*relu(y) + abs(x)**2", lambda d1, d2: 0.0),
    ("max(abs(x), abs(y))", lambda d1, d2: max(abs(d1), abs(d2))),
]


@pytest.mark.parametrize(("text", "exact"), CASES)
def test_one_sided_directional_derivatives_at_a_corner(text, exact):
    expr = parse(text, variables=["x", "y"])
    value, slopes, corners = directional_derivatives(expr.graph, expr.variables, [0.0, 0.0],
                                                     DIRECTIONS)
    assert value == 0.0 and corners
    np.testing.assert_array_equal(slopes, [exact(*d) for d in DIRECTIONS])


def test_away_from_corners_it_is_the_gradient_along_d():
    expr = parse("abs(x - y) + x*y", variables=["x", "y"])
    _, slopes, corners = directional_derivatives(expr.graph, expr.variables, [2.0, 0.5],
                                                 DIRECTIONS)
    assert corners == []
    gradient = np.array([1.0 + 0.5, -1.0 + 2.0])
    np.testing.assert_allclose(slopes, DIRECTIONS @ gradient, rtol=1e-15)
