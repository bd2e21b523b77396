"""Property tests of the engine against an independent oracle.

Random expression *text* is generated from the language's grammar, parsed by the engine,
and checked against sympy's symbolic derivatives evaluated by mpmath at 50 digits.
sympy is only the test oracle: it never sees user text.  We translate the engine's own
graph (``expr.graph.nodes``) node by node into sympy objects (:func:`oracle`), so the
oracle and the engine share the parse but nothing of the arithmetic.

Piecewise functions (``abs``, ``relu``, ``min``, ``max`` and the sign of ``cbrt``) are
*localized*: at the drawn point each is replaced by the smooth branch that is active
there (``abs(a)`` by ``a`` or ``-a``), after checking the point is at least ``MARGIN``
away from the kink.  Points closer than ``MARGIN`` to a kink, a pole or a branch point,
or where some intermediate value is larger than ``BOUND``, are rejected with ``assume``
(several candidate points are drawn per expression so few examples are wasted).
"""

from __future__ import annotations

import functools
import math
import string

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, example, given, note, settings
from hypothesis import strategies as st

import engine
from engine import ExpressionError, Limits, parse
from engine.ops import FUNCTIONS

MP_DPS = 50
MARGIN = 1e-3
"""Minimum distance from a kink, pole or branch point (absolute, or relative for min/max)."""
BOUND = 1e6
"""Largest magnitude allowed for any intermediate value of a random expression."""
EPS = float(np.finfo(np.float64).eps)

X, Y = sp.symbols("x y")
SYMBOLS = {"x": X, "y": Y}
UNARY = sorted(name for name, p in FUNCTIONS.items() if p.arity == 1)
BINARY = sorted(name for name, p in FUNCTIONS.items() if p.arity == 2)

FAST = settings(deadline=None, max_examples=60,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


# --------------------------------------------------------------------------------------
# The oracle: engine graph -> (mpmath value, localized sympy expression) per node
# --------------------------------------------------------------------------------------


class OutsideDomain(Exception):
    """The point is too close to a kink, pole or branch point, or values are too large."""


def _reject(condition: bool) -> None:
    if condition:
        raise OutsideDomain


def _branch(active: bool, if_true, if_false):  # type: ignore[no-untyped-def]
    return if_true if active else if_false


def _mp_cbrt(a):  # type: ignore[no-untyped-def]
    return mpmath.cbrt(a) if a >= 0 else -mpmath.cbrt(-a)


# op -> (domain check on mp args, mp value, sympy expression).  Each takes (v, s, n):
# mp values of the inputs, sympy expressions of the inputs, powi's exponent.
def _rules():  # type: ignore[no-untyped-def]
    mp = mpmath
    return {
        "add": (None, lambda v, n: v[0] + v[1], lambda v, s, n: s[0] + s[1]),
        "sub": (None, lambda v, n: v[0] - v[1], lambda v, s, n: s[0] - s[1]),
        "mul": (None, lambda v, n: v[0] * v[1], lambda v, s, n: s[0] * s[1]),
        "div": (lambda v, n: abs(v[1]) < MARGIN, lambda v, n: v[0] / v[1],
                lambda v, s, n: s[0] / s[1]),
        "neg": (None, lambda v, n: -v[0], lambda v, s, n: -s[0]),
        # Only a negative power has a pole at 0 (x**0 and x**1 are exact there: see
        # test_powi_zero_exponent_at_zero and test_hessian_of_first_power_at_zero).
        "powi": (lambda v, n: n < 0 and abs(v[0]) < MARGIN,
                 lambda v, n: v[0] ** int(n), lambda v, s, n: s[0] ** sp.Integer(int(n))),
        "pow": (lambda v, n: v[0] < MARGIN, lambda v, n: v[0] ** v[1],
                lambda v, s, n: s[0] ** s[1]),
        "sin": (None, lambda v, n: mp.sin(v[0]), lambda v, s, n: sp.sin(s[0])),
        "cos": (None, lambda v, n: mp.cos(v[0]), lambda v, s, n: sp.cos(s[0])),
        "tan": (lambda v, n: abs(mp.cos(v[0])) < MARGIN, lambda v, n: mp.tan(v[0]),
                lambda v, s, n: sp.tan(s[0])),
        "asin": (lambda v, n: abs(v[0]) > 1 - MARGIN, lambda v, n: mp.asin(v[0]),
                 lambda v, s, n: sp.asin(s[0])),
        "acos": (lambda v, n: abs(v[0]) > 1 - MARGIN, lambda v, n: mp.acos(v[0]),
                 lambda v, s, n: sp.acos(s[0])),
        "atan": (None, lambda v, n: mp.atan(v[0]), lambda v, s, n: sp.atan(s[0])),
        "sinh": (None, lambda v, n: mp.sinh(v[0]), lambda v, s, n: sp.sinh(s[0])),
        "cosh": (None, lambda v, n: mp.cosh(v[0]), lambda v, s, n: sp.cosh(s[0])),
        "tanh": (None, lambda v, n: mp.tanh(v[0]), lambda v, s, n: sp.tanh(s[0])),
        "asinh": (None, lambda v, n: mp.asinh(v[0]), lambda v, s, n: sp.asinh(s[0])),
        "acosh": (lambda v, n: v[0] < 1 + MARGIN, lambda v, n: mp.acosh(v[0]),
                  lambda v, s, n: sp.acosh(s[0])),
        "atanh": (lambda v, n: abs(v[0]) > 1 - MARGIN, lambda v, n: mp.atanh(v[0]),
                  lambda v, s, n: sp.atanh(s[0])),
        "exp": (None, lambda v, n: mp.exp(v[0]), lambda v, s, n: sp.exp(s[0])),
        "expm1": (None, lambda v, n: mp.expm1(v[0]), lambda v, s, n: sp.exp(s[0]) - 1),
        "log": (lambda v, n: v[0] < MARGIN, lambda v, n: mp.log(v[0]),
                lambda v, s, n: sp.log(s[0])),
        "log1p": (lambda v, n: v[0] < -1 + MARGIN, lambda v, n: mp.log1p(v[0]),
                  lambda v, s, n: sp.log(1 + s[0])),
        "log2": (lambda v, n: v[0] < MARGIN, lambda v, n: mp.log(v[0], 2),
                 lambda v, s, n: sp.log(s[0]) / sp.log(2)),
        "log10": (lambda v, n: v[0] < MARGIN, lambda v, n: mp.log10(v[0]),
                  lambda v, s, n: sp.log(s[0]) / sp.log(10)),
        "sqrt": (lambda v, n: v[0] < MARGIN, lambda v, n: mp.sqrt(v[0]),
                 lambda v, s, n: sp.sqrt(s[0])),
        "cbrt": (lambda v, n: abs(v[0]) < MARGIN, lambda v, n: _mp_cbrt(v[0]),
                 lambda v, s, n: _branch(v[0] > 0, s[0] ** sp.Rational(1, 3),
                                         -((-s[0]) ** sp.Rational(1, 3)))),
        "abs": (lambda v, n: abs(v[0]) < MARGIN, lambda v, n: abs(v[0]),
                lambda v, s, n: _branch(v[0] > 0, s[0], -s[0])),
        "sigmoid": (None, lambda v, n: 1 / (1 + mp.exp(-v[0])),
                    lambda v, s, n: 1 / (1 + sp.exp(-s[0]))),
        "relu": (lambda v, n: abs(v[0]) < MARGIN, lambda v, n: max(v[0], mp.mpf(0)),
                 lambda v, s, n: _branch(v[0] > 0, s[0], sp.Integer(0))),
        "softplus": (None, lambda v, n: mp.log1p(mp.exp(v[0])),
                     lambda v, s, n: sp.log(1 + sp.exp(s[0]))),
        "atan2": (lambda v, n: mp.hypot(v[0], v[1]) < MARGIN
                  or (v[1] < 0 and abs(v[0]) < MARGIN),
                  lambda v, n: mp.atan2(v[0], v[1]), lambda v, s, n: sp.atan2(s[0], s[1])),
        "hypot": (lambda v, n: mp.hypot(v[0], v[1]) < MARGIN,
                  lambda v, n: mp.hypot(v[0], v[1]),
                  lambda v, s, n: sp.sqrt(s[0] ** 2 + s[1] ** 2)),
        "min": (lambda v, n: abs(v[0] - v[1]) < MARGIN * max(1, abs(v[0]), abs(v[1])),
                lambda v, n: min(v[0], v[1]),
                lambda v, s, n: _branch(v[0] < v[1], s[0], s[1])),
        "max": (lambda v, n: abs(v[0] - v[1]) < MARGIN * max(1, abs(v[0]), abs(v[1])),
                lambda v, n: max(v[0], v[1]),
                lambda v, s, n: _branch(v[0] > v[1], s[0], s[1])),
    }


RULES = _rules()


def test_the_oracle_covers_every_primitive():
    assert set(RULES) == set(engine.ops.PRIMITIVES)


class Oracle:
    """The localized sympy expression of a graph at a point, and its values there."""

    def __init__(self, graph, point, bound: float = BOUND) -> None:  # type: ignore[no-untyped-def]
        self.point = [float(c) for c in point]
        values: list = []
        exprs: list = []
        with mpmath.workdps(MP_DPS):
            env = {"x": mpmath.mpf(self.point[0]), "y": mpmath.mpf(self.point[1])}
            for node in graph.nodes:
                if node.op == "const":
                    value = mpmath.mpf(node.value)
                    expr = sp.Rational(*float(node.value).as_integer_ratio())
                elif node.op == "var":
                    value, expr = env[node.name], SYMBOLS[node.name]
                else:
                    check, mp_rule, sympy_rule = RULES[node.op]
                    args = [values[i] for i in node.inputs]
                    if check is not None:
                        _reject(bool(check(args, node.value)))
                    value = mp_rule(args, node.value)
                    expr = sympy_rule(args, [exprs[i] for i in node.inputs], node.value)
                _reject(not mpmath.isfinite(value) or abs(value) > bound)
                values.append(value)
                exprs.append(expr)
        self.values = values
        self.expr = exprs[graph.output]
        self.largest = max(float(abs(v)) for v in values)

    def evaluate(self, exprs):  # type: ignore[no-untyped-def]
        """sympy expressions in x, y evaluated at the point with 50-digit mpmath."""
        function = sp.lambdify((X, Y), exprs, modules="mpmath")
        with mpmath.workdps(MP_DPS):
            found = function(mpmath.mpf(self.point[0]), mpmath.mpf(self.point[1]))
            return [mpmath.mpf(v) for v in found]

    def gradient(self) -> list:
        return self.evaluate([sp.diff(self.expr, v) for v in (X, Y)])

    def hessian(self) -> list[list]:
        first = [sp.diff(self.expr, v) for v in (X, Y)]
        flat = self.evaluate([sp.diff(d, v) for d in first for v in (X, Y)])
        return [flat[0:2], flat[2:4]]

    def third(self) -> list:
        """Pure third derivatives d3f/dx3, d3f/dy3 (central differences' truncation)."""
        return self.evaluate([sp.diff(self.expr, v, 3) for v in (X, Y)])


def find_point(graph, candidates, bound: float = BOUND) -> Oracle:  # type: ignore[no-untyped-def]
    """The oracle at the first candidate point that is inside every domain."""
    for point in candidates:
        try:
            return Oracle(graph, point, bound)
        except OutsideDomain:
            continue
    assume(False)
    raise AssertionError("unreachable")


def close(got: float, want, rel: float) -> bool:  # type: ignore[no-untyped-def]
    return abs(got - float(want)) <= rel * max(1.0, abs(float(want)))


# --------------------------------------------------------------------------------------
# Strategies: random expression text from the grammar
# --------------------------------------------------------------------------------------

NUMBERS = st.sampled_from(["0", "1", "2", "3", "0.5", "1.5", "2.5", "0.1", "10", "7", ".25",
                           "4.0", "1e-1", "2E0", "pi", "e"])
VARIABLES = st.sampled_from(["x", "y"])
INT_EXPONENTS = st.sampled_from(["2", "3", "-1", "-2", "0", "1", "4", "(1+1)", "-(3)"])
REAL_EXPONENTS = st.sampled_from(["0.5", "1.5", "-0.5", "(1/3)", "2.5", "pi"])


def _extend(children):  # type: ignore[no-untyped-def]
    power = st.sampled_from(["**", "^"])
    return st.one_of(
        st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children)
        .map(lambda t: f"({t[0]}) {t[1]} ({t[2]})"),
        st.tuples(children, power, INT_EXPONENTS).map(lambda t: f"({t[0]}){t[1]}{t[2]}"),
        st.tuples(children, power, REAL_EXPONENTS).map(lambda t: f"({t[0]}){t[1]}{t[2]}"),
        st.tuples(children, power, children).map(lambda t: f"({t[0]}){t[1]}({t[2]})"),
        children.map(lambda a: f"-({a})"),
        children.map(lambda a: f"+({a})"),
        st.tuples(st.sampled_from(UNARY), children).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(st.sampled_from(BINARY), children, children)
        .map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
    )


EXPRESSIONS = st.recursive(st.one_of(NUMBERS, VARIABLES), _extend, max_leaves=7)
"""Valid expression text in x and y, every function of the table, bounded size."""

COORDINATE = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False, allow_infinity=False)
CANDIDATES = st.lists(st.tuples(COORDINATE, COORDINATE), min_size=6, max_size=6)
"""Several points per expression; the first inside every domain is used."""


@st.composite
def loose_text(draw, max_leaves: int = 10):  # type: ignore[no-untyped-def]
    """Valid text with minimal parentheses, random spacing, indexed and long names.

    Operands are parenthesized at random, not by precedence: any mix is still valid
    text (``x + y * 2``), which exercises precedence and associativity when printing.
    """
    leaves = st.one_of(
        st.sampled_from(["x", "y", "z", "theta", "w1", "x[0]", "x[12]", "a_b", "pi", "e"]),
        st.sampled_from(["0", "1", "2", "0.5", ".5", "1e-5", "6.02E23", "1e300", "5e-324",
                         "123456789012345678", "1.", "0.1", "3.0e+2", "007"]),
        st.floats(min_value=0, allow_nan=False, allow_infinity=False).map(repr),
    )

    def extend(children):  # type: ignore[no-untyped-def]
        def maybe(t):  # type: ignore[no-untyped-def]
            return st.tuples(t, st.booleans()).map(lambda p: f"({p[0]})" if p[1] else p[0])

        c = maybe(children)
        return st.one_of(
            st.tuples(c, st.sampled_from([" + ", "-", " - ", "*", " / ", "**", "^", "**-", "*-",
                                          " - -", "*+"]), c)
            .map(lambda t: f"{t[0]}{t[1]}{t[2]}"),
            st.tuples(st.sampled_from(["-", "+", "- ", "--"]), c).map("".join),
            st.tuples(st.sampled_from(UNARY), children).map(lambda t: f"{t[0]}( {t[1]} )"),
            st.tuples(st.sampled_from(BINARY), children, children)
            .map(lambda t: f"{t[0]}({t[1]},{t[2]})"),
        )

    return draw(st.recursive(leaves, extend, max_leaves=max_leaves))


# --------------------------------------------------------------------------------------
# Exact derivatives: autodiff and dual against sympy
# --------------------------------------------------------------------------------------

REL = 1e-11
"""Relative agreement of exact modes with the 50-digit oracle.  Both modes are exact up
to rounding: a few ulps per node over at most a few dozen nodes, so 1e-11 leaves margin
for the mild ill-conditioning the domain filter lets through."""


@settings(FAST, max_examples=150)
@given(text=EXPRESSIONS, candidates=CANDIDATES)
@example(text="sin(x)*y + x**2", candidates=[(1.0, 2.0)] * 6)
@example(text="atan2(y, x) + hypot(x, y) + min(x, y) + max(x, y)", candidates=[(1.5, -2.0)] * 6)
@example(text="abs(x) + relu(y) + cbrt(x*y) + pow(x, y)", candidates=[(0.5, -1.5)] * 6)
@example(text="(x)**0 * (y)**1 + (x)**1", candidates=[(0.0, 0.0)] * 6)
def test_autodiff_and_dual_agree_with_sympy(text, candidates):
    expr = parse(text, variables=("x", "y"))
    oracle = find_point(expr.graph, candidates)
    note(f"canonical: {expr}; point {oracle.point}")
    want = oracle.gradient()
    note(f"oracle gradient: {[float(w) for w in want]}")
    assert close(engine.evaluate(expr, oracle.point), oracle.values[expr.graph.output], REL)
    for method in ("autodiff", "dual"):
        result = engine.gradient(expr, oracle.point, method)
        note(f"{method}: {result.gradient.tolist()}")
        assert close(result.value, oracle.values[expr.graph.output], REL)
        for got, exact in zip(result.gradient, want, strict=True):
            assert close(float(got), exact, REL), (method, float(got), float(exact))


@settings(FAST, max_examples=80)
@given(text=EXPRESSIONS, candidates=CANDIDATES)
@example(text="x**2*y + sin(x*y)", candidates=[(1.0, 2.0)] * 6)
@example(text="atan2(y, x) * sigmoid(x) + softplus(y)**3", candidates=[(0.7, -1.25)] * 6)
@example(text="(x)**0 * (y)**1 + (x)**1", candidates=[(0.0, 0.0)] * 6)
def test_hessian_agrees_with_sympy(text, candidates):
    expr = parse(text, variables=("x", "y"))
    oracle = find_point(expr.graph, candidates)
    note(f"canonical: {expr}; point {oracle.point}")
    want = oracle.hessian()
    got = engine.hessian(expr, oracle.point)
    note(f"engine: {got.tolist()}; oracle: {[[float(v) for v in row] for row in want]}")
    assert got.shape == (2, 2)
    for i in range(2):
        for j in range(2):
            # Second derivatives go through one more layer of rounding (the partials'
            # own derivatives), hence 1e-10 rather than 1e-11.
            assert close(float(got[i, j]), want[i][j], 1e-10), (i, j)


# --------------------------------------------------------------------------------------
# Central differences within their expected error
# --------------------------------------------------------------------------------------


@settings(FAST, max_examples=80)
@given(text=EXPRESSIONS, candidates=CANDIDATES)
@example(text="x**2 + y**2", candidates=[(3.0, 4.0)] * 6)
@example(text="exp(x)*sin(y)", candidates=[(1.0, 2.0)] * 6)
def test_central_differences_within_expected_error(text, candidates):
    expr = parse(text, variables=("x", "y"))
    oracle = find_point(expr.graph, candidates, bound=1e4)
    result = engine.gradient(expr, oracle.point, "central")
    exact = oracle.gradient()
    third = oracle.third()
    note(f"canonical: {expr}; point {oracle.point}; h {result.h}")
    for i in range(2):
        h = float(result.h[i])
        assert 0 < h <= 1e-5 * max(1.0, abs(oracle.point[i]))
        # Truncation h**2/6 |f'''| (doubled for the variation of f''' over [x-h, x+h]),
        # plus rounding: each of the two evaluations is off by a few ulps of the
        # largest intermediate value, divided by 2h.
        truncation = 2 * h * h / 6 * float(abs(third[i]))
        rounding = 64 * EPS * oracle.largest * len(expr.graph.nodes) / (2 * h)
        expected = truncation + rounding
        error = abs(float(result.gradient[i]) - float(exact[i]))
        note(f"coordinate {i}: error {error:.3g}, expected {expected:.3g}")
        assert error <= expected + 1e-12
        # the exact gradient reported beside it is the autodiff one
        assert close(float(result.exact[i]), exact[i], REL)
        # "relative 1e-6 for smooth cases where the scale is moderate"
        if oracle.largest <= 100 and float(abs(third[i])) <= 100:
            assert close(float(result.gradient[i]), exact[i], 1e-6)


# --------------------------------------------------------------------------------------
# Each function of the table: derivative accurate in the relative sense
# --------------------------------------------------------------------------------------


@functools.cache
def _function_oracle(name: str):  # type: ignore[no-untyped-def]
    arity = FUNCTIONS[name].arity
    text = f"{name}(x)" if arity == 1 else f"{name}(x, y)"
    return parse(text, variables=("x", "y"))


WIDE = st.floats(min_value=-20.0, max_value=20.0, allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@settings(deadline=None, max_examples=40,
          suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(x=WIDE, y=WIDE)
def test_each_function_derivative_is_accurate_relative(name, x, y):
    """A single primitive's derivative should be right to a few ulps *relative*, even
    where it is tiny: the table's rule is the only source of error here.  1e-13 is
    ~450 ulps, generous for one operation."""
    expr = _function_oracle(name)
    try:
        oracle = Oracle(expr.graph, (x, y), bound=1e300)
    except OutsideDomain:
        assume(False)
        return
    want = oracle.gradient()
    for method in ("autodiff", "dual"):
        got = engine.gradient(expr, [x, y], method).gradient
        for g, w in zip(got, want, strict=True):
            w = float(w)
            assert abs(float(g) - w) <= 1e-13 * abs(w) + 1e-300, (method, name, x, y, g, w)


def test_expm1_derivative_is_accurate_for_negative_arguments():
    """expm1's partial is written ``out + 1``: for x = -30, out = -0.9999999999999064 and
    out + 1 keeps only ~3 significant digits of exp(-30) = 9.357622968840175e-14."""
    got = engine.gradient(parse("expm1(x)"), [-30.0]).gradient[0]
    want = math.exp(-30.0)
    assert abs(got - want) <= 1e-13 * want


def test_powi_zero_exponent_at_zero():
    """x**0 is the constant 1 (numpy's 0**0 = 1), so its derivative at 0 is 0, not NaN
    (the rule n * x**(n-1) gives 0 * inf)."""
    expr = parse("x**0 * y", variables=("x", "y"))
    assert engine.evaluate(expr, [0.0, 3.0]) == 3.0
    for method in ("autodiff", "dual"):
        assert engine.gradient(expr, [0.0, 3.0], method).gradient.tolist() == [0.0, 1.0]
    assert engine.hessian(expr, [0.0, 3.0]).tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_hessian_of_first_power_at_zero():
    """d2(x**1)/dx2 = 0 everywhere; forward-over-reverse differentiates the partial
    1 * x**0 with the powi rule again, 0 * x**-1 = 0 * inf = NaN at x = 0."""
    assert engine.hessian(parse("x**1"), [0.0]).tolist() == [[0.0]]
    assert engine.hessian(parse("x**1 + y**2"), [0.0, 1.0]).tolist() == [[0.0, 0.0],
                                                                          [0.0, 2.0]]


def test_pow_at_zero_base_has_zero_partial_in_exponent():
    """0**y is 0 for every y > 0, so d(x**y)/dy at (0, 2) is 0; the rule log(a) * out
    gives -inf * 0 = NaN, which in forward mode also poisons d/dx."""
    expr = parse("x**y")
    for method in ("autodiff", "dual"):
        assert engine.gradient(expr, [0.0, 2.0], method).gradient.tolist() == [0.0, 0.0]


# --------------------------------------------------------------------------------------
# Printing and parsing back
# --------------------------------------------------------------------------------------


@settings(deadline=None, max_examples=200)
@given(text=st.one_of(EXPRESSIONS, loose_text()))
@example(text="(a + b) - (c - d)")
@example(text="-(x*y)**2 + 2**-x")
@example(text="x**-2 + x**-0 + x**(1/3) + 2**3**2 + (2**3)**2 + x**y**z + (x**y)**z")
@example(text="-x**2 - (-x)**2 + --x - -x*y + x/(y*z) + x/y*z + x-(y+z) + x*-y")
@example(text="pow(x + 1, y) + pow(x, -1) + pow(2, pow(3, x))")
@example(text="1e300*1e-300 + 5e-324 + 123456789012345678 + 0.1 + 1e16 + 9007199254740993")
def test_print_parse_round_trip(text):
    expr = parse(text)
    printed = str(expr)
    note(f"printed: {printed}")
    again = parse(printed)
    assert again.graph == expr.graph
    assert again.variables == expr.variables
    assert str(again) == printed


def _parses_back_at_default_limits(text: str) -> None:
    expr = parse(text)
    printed = str(expr)
    assert parse(printed).graph == expr.graph, (len(text), len(printed))


def test_round_trip_near_the_length_limit_spaces():
    """``a+b`` prints as ``a + b``: 749 characters and 499 nodes print to 1247 characters,
    which parse() then refuses (too_long) although str(expr) must parse back."""
    _parses_back_at_default_limits("+".join(["ab"] * 250))


def test_round_trip_near_the_length_limit_constants():
    """``pi`` prints as ``3.141592653589793``: 999 characters print to over 3000."""
    _parses_back_at_default_limits("+".join(["sin(pi)"] * 125))


def test_round_trip_near_the_node_limit_pow_call():
    """``pow(x+1, y)`` (5 nodes) prints as ``(x + 1)**y`` (6 nodes: the parenthesis)."""
    limits = Limits(max_nodes=5)
    expr = parse("pow(x+1,y)", limits=limits)
    assert parse(str(expr), limits=limits).graph == expr.graph


# --------------------------------------------------------------------------------------
# The parser fed arbitrary text: an Expression or an ExpressionError, nothing else
# --------------------------------------------------------------------------------------


def _parse_or_refuse(text: str, limits: Limits = engine.DEFAULT_LIMITS):  # type: ignore[no-untyped-def]
    try:
        expr = parse(text, limits=limits)
    except ExpressionError as err:
        assert isinstance(err.message, str) and err.message
        assert str(err) == err.message
        assert isinstance(err.code, str) and err.code
        assert err.field == "expr"
        if err.column is not None:
            assert 1 <= err.column <= len(text) + 1, (err.column, len(text))
            assert err.message.endswith(f"at column {err.column}") or (
                f"at column {err.column} (" in err.message)
        # the message never echoes raw non-printable or non-ASCII characters
        assert all(32 <= ord(c) < 127 for c in err.message), err.message
        return err
    assert isinstance(expr, engine.Expression)
    assert expr.text == text
    assert expr.node_count >= 1
    return expr


PRINTABLE = st.text(alphabet=string.printable, max_size=60)
LANGUAGE_ALPHABET = st.text(alphabet="xye0123456789.+-*/^()[], sinpqrtloga_", max_size=40)


@settings(deadline=None, max_examples=400)
@given(text=st.one_of(st.text(max_size=80), PRINTABLE, LANGUAGE_ALPHABET))
@example(text="\ud800")
@example(text="x\u2212" + "1")
@example(text="")
@example(text="1" * 1001)
def test_parser_returns_expression_or_expression_error(text):
    _parse_or_refuse(text)


@settings(deadline=None, max_examples=200)
@given(text=LANGUAGE_ALPHABET, nodes=st.integers(1, 12), depth=st.integers(1, 6),
       length=st.integers(1, 40))
def test_parser_with_small_limits_only_raises_expression_error(text, nodes, depth, length):
    result = _parse_or_refuse(text, Limits(max_length=length, max_nodes=nodes, max_depth=depth))
    if isinstance(result, engine.Expression):
        assert len(text) <= length


INSERTED = st.one_of(st.sampled_from(list(string.printable)),
                     st.sampled_from(["\u2212", "\uff58", "\u00a0", "\u200b", "\u202e", "\ud800",
                                      "\x00", "\U0001d431", "**", "(", ")", "[", "]", ",", "."]),
                     st.characters())


@settings(deadline=None, max_examples=200)
@given(text=st.one_of(EXPRESSIONS, loose_text(max_leaves=6)), data=st.data())
def test_random_insertions_into_valid_expressions(text, data):
    count = data.draw(st.integers(1, 3), label="insertions")
    for _ in range(count):
        where = data.draw(st.integers(0, len(text)), label="position")
        what = data.draw(INSERTED, label="inserted")
        text = text[:where] + what + text[where:]
    _parse_or_refuse(text)
