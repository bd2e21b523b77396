"""Break-out attempts and malformed input: each refused with a clear ExpressionError.

Every case names a keyword its message must contain (case-insensitive) and, where it is
meaningful, the 1-based column.  The first problem from the left is the one reported.
That a limit stops the work early is shown by what is reported, not by a clock: a text
whose end holds another error is refused for the limit, at the column where the limit
was passed, so the rest was never read.  The timeout below is only a hang guard.
Nothing here may run code: a payload that would create ``CANARY`` is among the inputs,
and the file must not exist afterwards.
"""

from __future__ import annotations

import os

import pytest

import engine
from engine import DEFAULT_LIMITS, ExpressionError, Limits, evaluate, parse

pytestmark = pytest.mark.timeout(120)  # a hang guard, not a benchmark

CANARY = "/tmp/slopescope-canary"
ROOMY = Limits(max_length=10**7, max_nodes=10**7, max_depth=10**7)
"""Limits raised far past the defaults, to reach the checks behind the length limit."""

# (text, keyword in the message, column or None, limits or None)
HOSTILE: list[tuple[str, str, int | None, Limits | None]] = [
    # attribute access and dunder names
    ("x.__class__", "attribute access", 2, None),
    ("().__class__.__bases__[0].__subclasses__()", "before ')'", 2, None),
    ("x.real", "attribute access", 2, None),
    ("os.system('ls')", "attribute access", 3, None),
    ("__class__", "must start with a letter", 1, None),
    ("__builtins__", "must start with a letter", 1, None),
    ("__import__('os').system('touch " + CANARY + "')", "must start with a letter", 1, None),
    ("_x", "must start with a letter", 1, None),
    # code execution and builtins
    ('eval("1")', "unknown function 'eval'", 1, None),
    ("eval(x)", "unknown function 'eval'", 1, None),
    ("exec('import os')", "unknown function 'exec'", 1, None),
    ("exec(x)", "unknown function 'exec'", 1, None),
    ("open('/etc/passwd')", "unknown function 'open'", 1, None),
    ("open(x)", "unknown function 'open'", 1, None),
    ("globals()", "unknown function 'globals'", 1, None),
    ("getattr(x, y)", "unknown function 'getattr'", 1, None),
    ("print(x)", "unknown function 'print'", 1, None),
    ("type(x)", "unknown function 'type'", 1, None),
    ("lambda x: x", "reserved", 1, None),
    ("lambda: 0", "':' is not supported", 7, None),
    ("def f(x): x", "reserved", 1, None),
    ("x:=1", "':' is not supported", 2, None),
    ("[x for x in y]", "lists are not supported", 1, None),
    ('f"{x}"', "strings are not supported", 2, None),
    ("'{0.__class__}'.format(x)", "strings are not supported", 1, None),
    ('"x"', "strings are not supported", 1, None),
    ("'x'", "strings are not supported", 1, None),
    ("{x}", "braces", 1, None),
    # keywords and non-finite names
    ("import", "reserved word", 1, None),
    ("import os", "reserved word", 1, None),
    ("lambda", "reserved word", 1, None),
    ("True", "reserved word", 1, None),
    ("False", "reserved word", 1, None),
    ("None", "reserved word", 1, None),
    ("not x", "reserved word", 1, None),
    ("yield x", "reserved word", 1, None),
    ("class", "reserved word", 1, None),
    ("x if y else z", "if", 3, None),
    ("x and y", "and", 3, None),
    ("nan", "must be finite", 1, None),
    ("NaN", "must be finite", 1, None),
    ("inf", "must be finite", 1, None),
    ("-inf", "must be finite", 2, None),
    ("INF", "must be finite", 1, None),
    ("Infinity", "must be finite", 1, None),
    # huge numbers
    ("1e309", "too large for float64", 1, None),
    ("1e999999", "too large for float64", 1, None),
    ("x**1e309", "too large for float64", 4, None),
    ("1" * 100_000, "the limit is 1000", None, None),
    ("1" * 100_000, "too large for float64", 1, ROOMY),
    ("x[" + "9" * 5000 + "]", "too large for float64", 3, ROOMY),
    ("x[9999999]", "below 10**6", 3, None),
    # size and nesting
    ("(" * 10_000 + "x" + ")" * 10_000, "the limit is 1000", None, None),
    ("(" * 10_000 + "x" + ")" * 10_000, "nested more than 50", 51, Limits(max_length=10**6)),
    ("(" * 10_000 + "x" + ")" * 10_000, "nested too deeply", None, ROOMY),
    ("sin(" * 5_000 + "x" + ")" * 5_000, "nested too deeply", None, ROOMY),
    ("x**" * 5_000 + "x", "nested too deeply", None, ROOMY),
    ("x" * 1_000_000, "1000000 characters long; the limit is 1000", None, None),
    ("x+" * 500_000 + "x", "1000001 characters long", None, None),
    ("-" * 1000 + "x", "1001 characters long; the limit is 1000", None, None),
    ("-" * 999 + "x", "nested more than 50", 51, None),
    # unicode look-alikes and invisible characters (refused, never normalised)
    ("\uff58", "U+FF58", 1, None),
    ("x+\uff58", "U+FF58", 3, None),
    ("\U0001d431", "U+1D431", 1, None),
    ("x\u22121", "minus sign", 2, None),
    ("2\u00d7x", "multiplication sign", 2, None),
    ("x\u00b2", "superscript two", 2, None),
    ("\u03c0", "Greek pi", 1, None),
    ("x\u00a0+ 1", "no-break space", 2, None),
    ("x\u200b", "zero-width space", 2, None),
    ("\u202ex", "U+202E", 1, None),
    ("x\u3000", "U+3000", 2, None),
    ("\ud800", "lone surrogate", 1, None),
    ("x\udfff", "lone surrogate", 2, None),
    # control characters
    ("x\x00", "U+0000", 2, None),
    ("x\n+1", "newline", 2, None),
    ("x\t+1", "tab", 2, None),
    ("x\r", "carriage return", 2, None),
    ("\x1b[31mx", "control character", 1, None),
    ("\x7f", "control character", 1, None),
    # empty and lone operators
    ("", "empty", None, None),
    ("   ", "empty", None, None),
    ("+", "ended", 2, None),
    ("-", "ended", 2, None),
    ("*", "found '*'", 1, None),
    ("**", "found '**'", 1, None),
    ("/", "found '/'", 1, None),
    ("^", "found '^'", 1, None),  # quoted as typed, not as **
    ("x +", "ended", 4, None),
    ("x**", "ended", 4, None),
    ("* x", "found '*'", 1, None),
    ("x+*y", "found '*'", 3, None),
    ("x**/2", "found '/'", 4, None),
    # implicit multiplication and calls
    ("2x", "write 2*x", 1, None),
    ("x y", "write x*y", 3, None),
    ("2(x)", "implicit multiplication", 1, None),
    ("sin x", "needs its argument in parentheses", 1, None),
    ("sin", "needs its argument in parentheses", 1, None),
    ("sin()", "needs 1 argument", 4, None),
    ("sin(x, y)", "takes 1 argument but 2", 1, None),
    ("atan2(x)", "takes 2 arguments but 1", 1, None),
    ("pow(x,1,2)", "takes 2 arguments but 3", 1, None),
    ("sin(x,)", "before ')'", 7, None),
    ("sine(x)", "did you mean sin?", 1, None),
    ("foo(x)", "unknown function 'foo'", 1, None),
    ("x(2)", "for a product write x*(...)", 1, None),
    ("pi(x)", "constant, not a function", 1, None),
    # indexing, brackets
    ("x[-1]", "non-negative integer", 3, None),
    ("x[1.5]", "non-negative integer", 3, None),
    ("x[y]", "non-negative integer", 3, None),
    ("x[]", "non-negative integer", 3, None),
    ("x[0", "expected ']'", 4, None),
    ("x[0][1]", "only a variable can be indexed", 5, None),
    ("[x]", "lists are not supported", 1, None),
    ("(x", "never closed", 1, None),
    ("((x)", "never closed", 1, None),
    ("x)", "no matching '('", 2, None),
    ("sin(x))", "no matching '('", 7, None),
    ("()", "before ')'", 2, None),
    ("x,y", "outside a function call", 2, None),
    # number syntax
    ("1_000", "digit separators", 2, None),
    ("0x1F", "only decimal", 1, None),
    ("0b101", "only decimal", 1, None),
    ("0o17", "only decimal", 1, None),
    ("1j", "complex literals", 1, None),
    ("1e5j", "complex literals", 1, None),
    ("1.2.3", "malformed number", 1, None),
    ("1e", "malformed exponent", 1, None),
    ("1e+", "malformed exponent", 1, None),
    # other Python operators and punctuation
    ("x = 1", "'='", 3, None),
    ("x; y", "';'", 2, None),
    ("x // y", "floor division", 3, None),
    ("x % y", "modulo", 3, None),
    ("x @ y", "'@'", 3, None),
    ("~x", "'~'", 1, None),
    ("a < b", "comparisons", 3, None),
    ("a >= b", "comparisons", 3, None),
    ("x \\ y", "backslash", 3, None),
    ("#comment", "comments", 1, None),
    ("x # comment", "comments", 3, None),
    ("x|y", "abs(x)", 2, None),
    ("x & y", "'&'", 3, None),
    ("x!", "'!'", 2, None),
    ("$x", "'$'", 1, None),
    ("x?", "'?'", 2, None),
    ("x`", "backquote", 2, None),
]


def _case_id(case: tuple[str, str, int | None, Limits | None]) -> str:
    text, _, _, limits = case
    shown = ascii(text)
    if len(shown) > 40:
        shown = f"{ascii(text[:16])}...{len(text)}chars"
    return shown + ("-roomy" if limits is ROOMY else "-limits" if limits else "")


@pytest.fixture(scope="module", autouse=True)
def canary():
    """No input may run code: the canary file must not appear."""
    if os.path.exists(CANARY):
        os.remove(CANARY)
    yield CANARY
    assert not os.path.exists(CANARY), "an input ran code: the canary file exists"


def test_enough_hostile_inputs():
    assert len(HOSTILE) >= 60
    assert len({(text, limits) for text, _, _, limits in HOSTILE}) == len(HOSTILE)


@pytest.mark.parametrize("case", HOSTILE, ids=[_case_id(c) for c in HOSTILE])
def test_hostile_input_is_refused_clearly(case):
    text, keyword, column, limits = case
    with pytest.raises(ExpressionError) as info:
        parse(text, limits=limits or DEFAULT_LIMITS)
    err = info.value
    assert type(err) is ExpressionError
    assert keyword.lower() in err.message.lower(), err.message
    assert err.column == column, err.message
    if column is not None:
        assert f"at column {column}" in err.message
    assert err.field == "expr"
    assert err.code and err.code.isidentifier()
    # the message is safe to show anywhere: printable ASCII, short, no raw user text dump
    assert all(32 <= ord(c) < 127 for c in err.message), ascii(err.message)
    assert len(err.message) < 300
    assert not os.path.exists(CANARY)


@pytest.mark.parametrize("text, code, column", [
    ("x+" * 500_000 + "x", "too_many_nodes", 501),
    ("(" * 500_000 + "x" + ")" * 500_000, "too_deep", 51),
    ("-" * 500_000 + "x", "too_deep", 51),
])
def test_a_limit_stops_the_work_where_it_is_passed(text, code, column):
    """With max_length raised (a caller's choice), a 1 MB text that passes the node or
    depth limit early is refused there: the lexer reads only as far as the parser asks
    (it once tokenized the whole text first, ~5-8 s).  A bad character at the very end
    proves it: had the lexer got there, that would be the error."""
    with pytest.raises(ExpressionError) as info:
        parse(text + "\x00", limits=Limits(max_length=10**7))
    assert (info.value.code, info.value.column) == (code, column)


def test_payload_runs_nothing(canary):
    payload = f"__import__('os').system('touch {canary}')"
    for text in (payload, payload.replace("'", '"'), "x+" + payload, f"exec({payload})"):
        with pytest.raises(ExpressionError):
            parse(text)
        assert not os.path.exists(canary)


def test_non_text_is_refused():
    for value in (None, 1, 1.5, b"x", ["x"], {"x": 1}):
        with pytest.raises(ExpressionError, match="must be text"):
            parse(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("text, bad", [("x if y else z", "if"), ("x and y", "and"),
                                       ("x or y", "or"), ("x is y", "is")])
def test_keyword_after_an_expression_is_named_as_reserved(text, bad):
    """Today: "implicit multiplication is not supported: write x*if at column 3" -- advice
    that leads to another error.  A keyword should be named as such."""
    with pytest.raises(ExpressionError) as info:
        parse(text)
    assert f"'{bad}'" in info.value.message and "reserved" in info.value.message
    assert info.value.column == 3


@pytest.mark.parametrize("text", ["sin(x)(y)", "(x)(y)", "x[0]x", "sin(x)x"])
def test_implicit_multiplication_advice_quotes_an_operand(text):
    """Today: "write )*(...) at column 7" for sin(x)(y): the advice quotes a bare
    parenthesis instead of the left operand."""
    with pytest.raises(ExpressionError) as info:
        parse(text)
    message = info.value.message
    assert "implicit multiplication" in message
    assert "write )" not in message and "write ]" not in message, message


# --------------------------------------------------------------------------------------
# At the limits: the limit itself accepted, one more refused with a message naming it
# --------------------------------------------------------------------------------------


def test_default_limits_are_the_contract():
    assert (DEFAULT_LIMITS.max_length, DEFAULT_LIMITS.max_nodes, DEFAULT_LIMITS.max_depth) == (
        1000, 500, 50)


def _refused(text: str, limits: Limits = DEFAULT_LIMITS) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        parse(text, limits=limits)
    return info.value


@pytest.mark.parametrize("limit", [1, 7, 1000])
def test_length_at_the_limit(limit):
    limits = Limits(max_length=limit, max_nodes=10**6, max_depth=10**6)
    text = "x" * limit  # one name of exactly the limit
    assert parse(text, limits=limits).variables == (text,)
    err = _refused("x" * (limit + 1), limits)
    assert err.code == "too_long"
    assert f"the limit is {limit}" in err.message and f"{limit + 1} characters" in err.message


def test_length_limit_counts_every_character_including_spaces():
    assert str(parse("x" + " " * 997 + "+x")) == "x+x"  # 1000 characters
    err = _refused("x" + " " * 998 + "+x")
    assert err.code == "too_long" and "the limit is 1000" in err.message


def test_length_is_checked_before_the_characters():
    err = _refused("\x00" * 1001)
    assert err.code == "too_long"


@pytest.mark.parametrize("limit", [1, 5, 50])
def test_depth_at_the_limit_parentheses(limit):
    limits = Limits(max_depth=limit)
    assert parse("(" * limit + "x" + ")" * limit, limits=limits).variables == ("x",)
    err = _refused("(" * (limit + 1) + "x" + ")" * (limit + 1), limits)
    assert err.code == "too_deep"
    assert f"the limit is {limit}" in err.message
    assert err.column == limit + 1


@pytest.mark.parametrize("opening, closing", [("-", ""), ("sin(", ")"), ("2**", "")])
def test_depth_at_the_default_limit_other_nestings(opening, closing):
    depth = DEFAULT_LIMITS.max_depth
    parse(opening * depth + "x" + closing * depth)
    err = _refused(opening * (depth + 1) + "x" + closing * (depth + 1))
    assert err.code == "too_deep" and "the limit is 50" in err.message


@pytest.mark.parametrize("limit", [1, 11, 499])
def test_node_count_at_the_limit(limit):
    """``x+x+...`` with k pluses has 2k + 1 nodes; a leading ``-`` adds one."""
    limits = Limits(max_nodes=limit)
    k = (limit - 1) // 2
    exactly = "x" + "+x" * k
    assert parse(exactly, limits=limits).node_count >= 1
    err = _refused("-" + exactly, limits)
    assert err.code == "too_many_nodes"
    assert f"the limit is {limit}" in err.message


def test_node_count_at_the_default_limit():
    exactly = "-x" + "+x" * 249  # 2 + 2 * 249 = 500 nodes
    parse(exactly)
    err = _refused("-" + exactly)
    assert err.code == "too_many_nodes" and "the limit is 500" in err.message


# --------------------------------------------------------------------------------------
# Numbers: float64 from the start; non-finite results are values, not errors
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, check", [
    ("9**9**9", lambda v: v == float("inf")),
    ("10**10**10", lambda v: v == float("inf")),
    ("2**2**2**2**2**2", lambda v: v == float("inf")),
    ("exp(1000)-exp(1000)", lambda v: v != v),
    ("(-8)**(1/3)", lambda v: v != v),
    ("pow(-8, 1/3)", lambda v: v != v),
    ("1/0", lambda v: v == float("inf")),
    ("-1/0", lambda v: v == float("-inf")),
    ("0/0", lambda v: v != v),
    ("sqrt(-1)", lambda v: v != v),
    ("log(0)", lambda v: v == float("-inf")),
    ("log(-1)", lambda v: v != v),
    ("asin(2)", lambda v: v != v),
    ("exp(710)", lambda v: v == float("inf")),
    ("1e308*10", lambda v: v == float("inf")),
    ("0.1e-400", lambda v: v == 0.0),
    ("0." + "0" * 500 + "1", lambda v: v == 0.0),
])
def test_non_finite_values_parse_and_evaluate(text, check):
    value = evaluate(parse(text), [])
    assert check(value), value


def test_huge_power_of_a_variable_is_a_number_not_an_attack():
    expr = parse("x**10**10")
    assert evaluate(expr, [2.0]) == float("inf")
    assert evaluate(expr, [1.0]) == 1.0
    assert evaluate(expr, [0.5]) == 0.0


def test_the_engine_namespace_exposes_no_eval():
    """The error type is a ValueError, and nothing evaluates text: parse returns data."""
    assert issubclass(ExpressionError, ValueError)
    expr = parse("x**2")
    assert isinstance(expr, engine.Expression)
    assert not callable(expr)
