"""Generated straight-line code agrees with the graph interpreter."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine import descend, gradient, gradient_columns, parse
from engine.codegen import (
    UndefinedGradient,
    array_gradient_function,
    generate_source,
    value_and_gradient_function,
)
from engine.ops import FUNCTIONS, PRIMITIVES

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


# --- IEEE arithmetic in generated code (issue 14) ------------------------------------

SPECIAL = [0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -2.0, 800.0, -800.0, 1e200, -1e200,
           1e308, -1e308, 5e-324, math.inf, -math.inf, math.nan]


def _same(a: float, b: float) -> bool:
    """Equal as IEEE results: both NaN, or equal up to a few roundings (inf to inf)."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b) or a == b:
        return a == b
    return abs(a - b) <= 1e-14 * max(abs(a), abs(b))


def _special_arguments(arity: int) -> list[tuple[float, ...]]:
    if arity == 1:
        return [(x,) for x in SPECIAL]
    return [(a, b) for a in SPECIAL for b in SPECIAL]


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
def test_scalar_forms_follow_ieee_and_never_raise(name):
    """Every plain-float form gives numpy's IEEE answer (inf, NaN, signed zeros' infs)
    where math would raise: log(-1) is NaN, exp(1000) inf, 1/0 inf, sin(inf) NaN."""
    primitive = PRIMITIVES[name]
    extra = (3.0,) if primitive.has_param else ()
    for args in _special_arguments(primitive.arity):
        with np.errstate(all="ignore"):
            expected = float(primitive.evaluate(*[np.float64(a) for a in args], *extra))
        found = primitive.scalar(*args, *extra)
        assert _same(found, expected), (name, args, found, expected)


@pytest.mark.parametrize("powi", [-3.0, -2.0, -1.0, 0.0, 3.0, 4.0])
def test_integer_powers_follow_ieee(powi):
    for x in SPECIAL:
        with np.errstate(all="ignore"):
            expected = float(np.power(np.float64(x), powi))
        assert _same(PRIMITIVES["powi"].scalar(x, powi), expected), (x, powi)


IEEE_CASES = [
    ("max(1, 0*(x*1e308*10))", [0.5]),  # inf * 0 is NaN: max keeps the NaN
    ("min(1, 0*(x*1e308*10))", [0.5]),
    ("max(log(x), 1)", [-1.0]),  # NaN first
    ("min(log(x), 1)", [-1.0]),
    ("x**2 + y**2 + 1/(1/0)", [1.0, 2.0]),  # finite everywhere
    ("1/x", [0.0]),
    ("1/x", [-0.0]),
    ("x/y", [0.0, 0.0]),
    ("log(x)", [-1.0]),
    ("log(x)", [0.0]),
    ("sqrt(x)", [-4.0]),
    ("exp(x)", [1000.0]),
    ("cosh(x) + sinh(x)", [-1000.0]),
    ("x**3", [1e200]),
    ("x**-1", [0.0]),
    ("x**-2 + y", [0.0, 1.0]),
    ("pow(x, 0.5)", [-8.0]),
    ("pow(x, y)", [0.0, -1.0]),
    ("sin(x*1e308*10)", [1.0]),
    ("tanh(x)", [1e300]),
    ("acosh(x) + atanh(y)", [0.5, 1.0]),
    ("log1p(x) + expm1(y)", [-1.0, 1000.0]),
]


@pytest.mark.parametrize(("text", "point"), IEEE_CASES)
def test_generated_code_follows_ieee_like_the_interpreter(text, point):
    """Generated code never raises an arithmetic error: it returns the interpreter's
    value and gradient, or hands a point with a NaN back (UndefinedGradient) exactly
    where the interpreter's answer has one too."""
    expr = parse(text)
    with np.errstate(all="ignore"):
        reference = gradient(expr, point)
    expected = [float(reference.value), *map(float, reference.gradient)]
    try:
        value, grad = value_and_gradient_function(expr)(*point)
    except UndefinedGradient:
        assert any(math.isnan(v) for v in expected), (text, point, expected)
        return
    found = [value, *grad]
    assert all(_same(a, b) for a, b in zip(found, expected, strict=True)), (found, expected)


def test_a_constant_division_by_zero_costs_nothing_at_run_time():
    """``1/(1/0)`` is 0: the generated function answers at every point (no exception, so
    no slower path), as the same function without the term does."""
    fn = value_and_gradient_function(parse("x**2 + y**2 + 1/(1/0)"))
    for point in [(1.0, 2.0), (-1.5, 2.0), (0.0, 0.0), (1e150, -1e150)]:
        value, grad = fn(*point)
        assert value == point[0] ** 2 + point[1] ** 2
        assert grad == [2 * point[0], 2 * point[1]]
    columns = [np.linspace(-1, 1, 300), np.linspace(1, 2, 300)]
    found = gradient_columns(parse("x**2 + y**2 + 1/(1/0)"), columns)
    np.testing.assert_array_equal(found.value, columns[0] ** 2 + columns[1] ** 2)


EDGES = [*SPECIAL, 709.0, 709.5, 709.78, 710.0, 710.5, -709.0, -710.0, -710.5, 0.999999,
         1.000001, -0.999999, -1.000001, 1e-300, -1e-300, 1.5, -1.5]


@pytest.mark.parametrize("name", sorted(n for n, p in PRIMITIVES.items() if p.domain))
def test_math_is_called_directly_only_where_it_cannot_raise(name):
    """Generated code calls ``math``'s function itself inside the row's ``domain`` and
    the IEEE form outside it: at every edge it answers what the scalar form does, and
    raises nothing but UndefinedGradient (a NaN handed back, as everywhere)."""
    fn = value_and_gradient_function(parse(f"{name}(x)"))
    assert f"_{name}_math(a0) if " in generate_source(parse(f"{name}(x)"), "reverse")
    for x in EDGES:
        expected = PRIMITIVES[name].scalar(x)
        try:
            value, _ = fn(x)
        except UndefinedGradient:
            continue  # f or f' is NaN there: the caller redoes the point
        assert _same(value, expected), (name, x, value, expected)


def test_plain_float_code_is_ieee_with_or_without_the_nan_guard():
    """Generated loops (engine.loopgen) use the sweep without its NaN guard: it must
    still be the plain-float, IEEE form; only array code divides with a bare ``/``."""
    expr = parse("x**2 + y**2 + 1/(1/0) + y/x + x**3")
    for guard in (True, False):
        source = generate_source(expr, "reverse", guard=guard)
        assert "_div(1.0, 0.0)" in source and "1.0/0.0" not in source
        assert "if a0 else _div(" in source and "_powi(a0, 3.0)" in source
    arrays = generate_source(expr, "reverse", guard=False, arrays=True)
    assert "_div(1.0, 0.0)" in arrays and " if " not in arrays and "a0**3.0" in arrays


def test_min_and_max_keep_nan_in_a_descent():
    """max(1, NaN) is NaN on every path: the descent diverges at once, it does not
    report f = 1 and 'converged'."""
    run = descend(parse("max(1, 0*(x*1e308*10))"), [0.5], lr=0.1, steps=10, tol=1e-8)
    assert run.status == "diverged", (run.status, run.message)
    assert math.isnan(gradient(parse("max(1, 0*(x*1e308*10))"), [0.5]).value)


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
