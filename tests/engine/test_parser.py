"""The parser: grammar, precedence, variables, messages with columns, limits."""

from __future__ import annotations

import math

import mpmath
import pytest

from engine import ExpressionError, Limits, evaluate, parse
from engine.ops import FUNCTIONS
from engine.parser import SUGGESTIONS

EPS = 2.0**-52
LIBM = 8 * EPS
"""How far apart two float64 implementations of one function may be: glibc's libm and
numpy's own loops (which on some CPUs are vectorised code documented to within 4 ulps)
are each within 4 ulps of the exact value, and an ulp is at most EPS relative."""


@pytest.mark.parametrize(
    ("text", "point", "expected"),
    [
        ("1 + 2 * 3", [], 7.0),
        ("2 ** 3 ** 2", [], 512.0),  # right-associative
        ("2 ^ 3 ^ 2", [], 512.0),  # ^ is power, not xor
        ("x^2 + 1", [3], 10.0),
        ("-x**2", [3], -9.0),  # power binds tighter than unary minus
        ("(-x)**2", [3], 9.0),
        ("2**-1", [], 0.5),
        ("-2**-2", [], -0.25),
        ("1 - 2 - 3", [], -4.0),  # left-associative
        ("8 / 4 / 2", [], 1.0),
        ("+x", [5], 5.0),
        ("--x", [5], 5.0),
        (".5 + 2.5e1 + (6.02E23 - 6.02e23)", [], 25.5),
        ("pi", [], math.pi),
        ("e", [], math.e),
        ("atan2(1, 1)", [], math.pi / 4),
        ("hypot(3, 4)", [], 5.0),
        ("pow(2, 10)", [], 1024.0),
        ("min(3, 2) + max(3, 2)", [], 5.0),
        ("sigmoid(0) + relu(-1) + softplus(0)", [], 0.5 + math.log(2)),
        ("x[0] * x[1]", [2, 3], 6.0),
    ],
)
def test_values(text, point, expected):
    assert evaluate(parse(text), point) == pytest.approx(expected, rel=LIBM)


def test_float64_from_the_start():
    assert evaluate(parse("9**9**9"), []) == math.inf
    assert math.isnan(evaluate(parse("sqrt(-1)"), []))
    assert evaluate(parse("1/0"), []) == math.inf
    assert math.isnan(evaluate(parse("(-8)**(1/3)"), []))


def test_variable_order_x_y_z_first_then_alphabetical_then_indexed():
    expr = parse("theta + b + z + y + x + w1 + a[1] + a[0]")
    assert expr.variables == ("x", "y", "z", "a[0]", "a[1]", "b", "theta", "w1")


def test_imposed_variable_order_may_add_unused_variables():
    expr = parse("x**2", variables=["t", "x"])
    assert expr.variables == ("t", "x")


def test_imposed_order_must_cover_the_text():
    with pytest.raises(ExpressionError) as err:
        parse("x + y", variables=["x"])
    assert err.value.field == "variables"
    assert "y" in err.value.message


@pytest.mark.parametrize("bad", [["x", "x"], ["sin"], ["1x"], ["nan"], ["lambda"]])
def test_imposed_order_is_validated(bad):
    with pytest.raises(ExpressionError) as err:
        parse("x", variables=bad)
    assert err.value.field == "variables"


@pytest.mark.parametrize(
    ("text", "fragment", "column"),
    [
        ("foo(x)", "unknown function 'foo'", 1),
        ("sine(x)", "did you mean sin?", 1),
        ("2x", "implicit multiplication is not supported: write 2*x", 1),
        ("x + 3y", "write 3*y", 5),
        ("x y", "implicit multiplication", 3),
        ("2(x)", "implicit multiplication", 1),
        ("sin(x + 1", "unbalanced parenthesis", 4),
        ("(x + 1))", "unbalanced parenthesis", 8),
        ("x +", "ended", 4),
        ("", "empty", None),
        ("   ", "empty", None),
        ("sin x", "parentheses", 1),
        ("sin(x, y)", "takes 1 argument but 2", 1),
        ("atan2(x)", "takes 2 arguments but 1", 1),
        ("pi(2)", "constant, not a function", 1),
        ("x[1.5]", "non-negative integer", 3),
        ("x.y", "attribute access", 2),
        ("1e309", "too large", 1),
        ("x\u22121", "U+2212", 2),
        ("nan", "finite", 1),
        ("Infinity", "finite", 1),
        ("import", "reserved", 1),
        ("x // 2", "floor division", 3),
        ("1_000", "separators", 2),
        ("x, y", "','", 2),
    ],
)
def test_messages_say_what_and_where(text, fragment, column):
    with pytest.raises(ExpressionError) as err:
        parse(text)
    assert fragment in err.value.message
    assert err.value.column == column
    if column is not None:
        assert f"at column {column}" in err.value.message


def test_limits_are_checked_first_and_named():
    with pytest.raises(ExpressionError) as err:
        parse("x" * 1001)
    assert err.value.code == "too_long" and "1000" in err.value.message
    with pytest.raises(ExpressionError) as err:
        parse("+".join(["x"] * 300))
    assert err.value.code == "too_many_nodes" and "500" in err.value.message
    with pytest.raises(ExpressionError) as err:
        parse("(" * 51 + "x" + ")" * 51)
    assert err.value.code == "too_deep" and "50" in err.value.message


def test_limits_at_the_limit_are_accepted():
    limits = Limits(max_length=20, max_nodes=5, max_depth=3)
    parse("x" * 20, limits=limits)
    parse("x+y+z", limits=limits)  # 5 nodes
    parse("(((x)))", limits=limits)  # depth 3
    for text in ("x" * 21, "x+y+z+w", "((((x))))"):
        with pytest.raises(ExpressionError):
            parse(text, limits=limits)


def test_deep_nesting_never_escapes_as_recursion_error():
    with pytest.raises(ExpressionError):
        parse("(" * 10000 + "x" + ")" * 10000, limits=Limits(max_length=10**6, max_nodes=10**6,
                                                           max_depth=10**6))


def test_identical_subexpressions_are_one_node():
    expr = parse("sin(x)*sin(x)")
    assert [n.op for n in expr.graph.nodes] == ["var", "sin", "mul"]
    assert expr.graph.nodes[2].inputs == (1, 1)


def test_constant_integer_exponents_are_powi():
    assert parse("x**2").graph.nodes[-1].op == "powi"
    assert parse("x**(1+1)").graph.nodes[-1].op == "powi"
    assert parse("pow(x, 3)").graph.nodes[-1].op == "powi"
    assert parse("x**0.5").graph.nodes[-1].op == "pow"
    assert parse("x**y").graph.nodes[-1].op == "pow"


def test_messages_quote_the_operator_as_typed():
    with pytest.raises(ExpressionError) as err:
        parse("x^^2")
    assert str(err.value) == "expected a number, name or '(' but found '^' at column 3"
    with pytest.raises(ExpressionError) as err:
        parse("2^")
    assert "after '^'" in str(err.value) and "**" not in str(err.value)
    assert evaluate(parse("2^3^2"), []) == 512.0  # still a synonym of **


def test_names_from_other_tools_get_a_suggestion():
    with pytest.raises(ExpressionError) as err:
        parse("ln(x)")
    assert str(err.value) == "unknown function 'ln' at column 1 (did you mean log?)"
    assert err.value.code == "unknown_function"
    with pytest.raises(ExpressionError) as err:
        parse("1 + Arctan(x)")
    assert str(err.value) == "unknown function 'Arctan' at column 5 (did you mean atan?)"
    with pytest.raises(ExpressionError) as err:
        parse("cot(x)")  # not "did you mean cos?"
    assert str(err.value).endswith("(write cos(x)/sin(x) for cot(x))")


ALIASES = sorted(name for name, hint in SUGGESTIONS.items() if hint in FUNCTIONS)
REWRITES = {  # the functions the rewrites stand for, by mpmath (x = 0.3)
    "sec": mpmath.sec, "csc": mpmath.csc, "cosec": mpmath.csc, "cot": mpmath.cot,
    "ctg": mpmath.cot, "sech": mpmath.sech, "csch": mpmath.csch, "coth": mpmath.coth,
    "exp2": lambda x: 2**x, "exp10": lambda x: 10**x, "square": lambda x: x**2,
    "cube": lambda x: x**3, "sqr": lambda x: x**2, "sign": mpmath.sign, "sgn": mpmath.sign,
    "logit": lambda x: mpmath.log(x / (1 - x)),
}


@pytest.mark.parametrize("name", ALIASES)
def test_aliases_name_a_function_that_is_not_one_themselves(name):
    assert name not in FUNCTIONS
    with pytest.raises(ExpressionError) as err:
        parse(f"{name}(x)")
    assert f"(did you mean {SUGGESTIONS[name]}?)" in str(err.value)


@pytest.mark.parametrize("name", sorted(REWRITES))
def test_rewrites_compute_the_function_they_replace(name):
    hint = SUGGESTIONS[name]
    assert hint.startswith("write ")
    rewrite = hint.removeprefix("write ").split(" for ")[0]
    with mpmath.workdps(30):
        exact = float(REWRITES[name](mpmath.mpf(0.3)))
    assert evaluate(parse(rewrite), [0.3]) == pytest.approx(exact, rel=2 * LIBM)
    with pytest.raises(ExpressionError) as err:
        parse(f"{name}(x)")
    assert str(err.value).endswith(f"({hint})")


def test_every_suggestion_is_listed_once_in_lower_case():
    assert set(REWRITES) | set(ALIASES) == set(SUGGESTIONS)
    assert all(name == name.lower() for name in SUGGESTIONS)
