"""Parser: expression text to an immutable :class:`~engine.graph.Graph`.

A recursive-descent parser with exact columns and limits enforced before any work.
Grammar, loosest binding first (as in Python, ``^`` is a synonym of ``**``)::

    sum     := product (("+" | "-") product)*
    product := unary (("*" | "/") unary)*
    unary   := ("+" | "-") unary | power
    power   := atom ("**" unary)?            # right-associative: 2**3**2 == 2**9
    atom    := number | constant | variable | name "[" index "]"
             | function "(" sum ("," sum)* ")" | "(" sum ")"

A power whose exponent is a constant integer becomes the ``powi`` primitive, so
``x**2`` differentiates cleanly at negative x.  Numbers are float64 from the start:
``9**9**9`` is just ``inf``.

>>> expr = parse("3*x**2 - 4*x")
>>> expr.variables
('x',)
>>> str(expr)
'3*x**2-4*x'
>>> parse("2x")
Traceback (most recent call last):
...
engine.errors.ExpressionError: implicit multiplication is not supported: write 2*x at column 1
"""

from __future__ import annotations

import difflib
import keyword
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np

from .errors import ExpressionError
from .expression import Expression
from .graph import GraphBuilder, is_variable_name
from .lexer import Token, excerpt, iter_tokens
from .limits import DEFAULT_LIMITS, Limits
from .ops import CONSTANTS, FUNCTIONS, PRIMITIVES

__all__ = ["parse", "RESERVED", "SUGGESTIONS"]

RESERVED: frozenset[str] = frozenset(keyword.kwlist) | frozenset(FUNCTIONS) | frozenset(CONSTANTS)
"""Names that can never be variables (``nan``, ``inf`` and ``infinity`` in any case too)."""

_NON_FINITE_NAMES = {"nan", "inf", "infinity"}

SUGGESTIONS: dict[str, str] = {
    # other tools' names for our functions: "did you mean log?"
    "ln": "log", "lg": "log10", "lb": "log2",  # ISO 80000-2
    "arcsin": "asin", "arccos": "acos", "arctan": "atan", "arctan2": "atan2",
    "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh",
    "arsinh": "asinh", "arcosh": "acosh", "artanh": "atanh",
    "tg": "tan", "arctg": "atan", "fabs": "abs", "absolute": "abs", "power": "pow",
    "fmax": "max", "fmin": "min", "maximum": "max", "minimum": "min",
    "logistic": "sigmoid", "expit": "sigmoid",
    # functions we lack, written with those we have
    "sec": "write 1/cos(x) for sec(x)", "csc": "write 1/sin(x) for csc(x)",
    "cosec": "write 1/sin(x) for cosec(x)", "cot": "write cos(x)/sin(x) for cot(x)",
    "ctg": "write cos(x)/sin(x) for ctg(x)", "sech": "write 1/cosh(x) for sech(x)",
    "csch": "write 1/sinh(x) for csch(x)", "coth": "write cosh(x)/sinh(x) for coth(x)",
    "exp2": "write 2**x for exp2(x)", "exp10": "write 10**x for exp10(x)",
    "square": "write x**2 for square(x)", "cube": "write x**3 for cube(x)",
    "sqr": "write x**2 for a square, or sqrt(x) for a square root",
    "sign": "write x/abs(x) for the sign of a nonzero x",
    "sgn": "write x/abs(x) for the sign of a nonzero x",
    "logit": "write log(x/(1 - x)) for logit(x)",
}
"""Names users bring from other tools (lower case), with a suggestion: a function of the
language ("did you mean log?") or how to write it with those there are."""
_MAX_INDEX_DIGITS = 6
_MAX_POWI_EXPONENT = 2.0**53


def parse(
    text: str,
    variables: Sequence[str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Expression:
    """Parse ``text`` into an :class:`Expression`.

    Parameters
    ----------
    text : str
        The user's expression, e.g. ``"x**2 + y**2"``.
    variables : sequence of str, optional
        An order to impose on the variables; it must name every variable the text uses
        and may name others (their partial derivatives are 0).
    limits : Limits
        Text length, node count and nesting depth allowed.

    Raises
    ------
    ExpressionError
        For anything outside the language, with the 1-based column.

    Examples
    --------
    >>> parse("x**2 + y**2").variables
    ('x', 'y')
    >>> parse("x**2", variables=["y", "x"]).variables
    ('y', 'x')
    """
    if not isinstance(text, str):
        raise ExpressionError("the expression must be text", code="not_text")
    if len(text) > limits.max_length:
        raise ExpressionError(
            f"expression is {len(text)} characters long; the limit is {limits.max_length}",
            code="too_long",
        )
    if not text.strip(" "):
        raise ExpressionError("the expression is empty", code="empty")
    try:
        builder, output, columns = _Parser(_Tokens(text), limits).parse()
    except RecursionError:  # only if limits were raised far past the defaults
        raise ExpressionError("expression is nested too deeply", code="too_deep") from None
    graph = builder.build(output)
    order = graph.variables if variables is None else _check_order(graph.variables, variables)
    return Expression(text=text, graph=graph, variables=order, columns=columns)


def _check_order(used: tuple[str, ...], given: Sequence[str]) -> tuple[str, ...]:
    order = tuple(given)
    for name in order:
        if not isinstance(name, str) or not is_variable_name(name) or _is_reserved(name):
            raise ExpressionError(
                f"'{excerpt(str(name))}' is not a valid variable name", code="bad_variables",
                field="variables",
            )
    if len(set(order)) != len(order):
        raise ExpressionError("variables are listed twice", code="bad_variables",
                              field="variables")
    missing = [name for name in used if name not in order]
    if missing:
        raise ExpressionError(
            f"the expression uses {', '.join(missing)}, which the variables list lacks",
            code="bad_variables",
            field="variables",
        )
    return order


def _is_reserved(name: str) -> bool:
    base = name.split("[", 1)[0]
    return base in RESERVED or base.lower() in _NON_FINITE_NAMES


class _Tokens:
    """Tokens read from the text only as far as the parser asks (it may stop at a limit)."""

    def __init__(self, text: str) -> None:
        self._source = iter_tokens(text)
        self._read: list[Token] = []

    def __getitem__(self, index: int) -> Token:
        while len(self._read) <= index:
            if self._read and self._read[-1].kind == "end":
                return self._read[-1]
            self._read.append(next(self._source))
        return self._read[index]


class _Parser:
    def __init__(self, tokens: _Tokens, limits: Limits) -> None:
        self.tokens = tokens
        self.position = 0
        self.limits = limits
        self.builder = GraphBuilder()
        self.constants: dict[int, float] = {}  # value of every variable-free node
        self.columns: dict[str, int] = {}  # first column of each primitive used
        self.count = 0
        self.depth = 0

    # --- helpers --------------------------------------------------------------------

    @property
    def token(self) -> Token:
        return self.tokens[self.position]

    def advance(self) -> Token:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def at(self, text: str) -> bool:
        return self.token.kind == "op" and self.token.text == text

    def counted(self, token: Token) -> None:
        self.count += 1
        if self.count > self.limits.max_nodes:
            raise ExpressionError(
                f"expression has more than {self.limits.max_nodes} nodes "
                f"(the limit is {self.limits.max_nodes})",
                column=token.column,
                code="too_many_nodes",
            )

    @contextmanager
    def nested(self, token: Token) -> Iterator[None]:
        self.depth += 1
        if self.depth > self.limits.max_depth:
            raise ExpressionError(
                f"expression is nested more than {self.limits.max_depth} deep "
                f"(the limit is {self.limits.max_depth})",
                column=token.column,
                code="too_deep",
            )
        try:
            yield
        finally:
            self.depth -= 1

    def apply(self, op: str, inputs: tuple[int, ...], token: Token,
              param: float | None = None) -> int:
        self.columns.setdefault(op, token.column)
        index = self.builder.apply(op, inputs, param)
        if all(i in self.constants for i in inputs) and index not in self.constants:
            args = [np.float64(self.constants[i]) for i in inputs]
            if param is not None:
                args.append(np.float64(param))
            with np.errstate(all="ignore"):
                self.constants[index] = float(PRIMITIVES[op].evaluate(*args))
        return index

    def fail(self, message: str, token: Token, code: str = "syntax", hint: str | None = None
             ) -> ExpressionError:
        return ExpressionError(message, column=token.column, code=code, hint=hint)

    def describe(self, token: Token) -> str:
        return "the end of the expression" if token.kind == "end" else f"'{excerpt(token.shown)}'"

    # --- grammar --------------------------------------------------------------------

    def parse(self) -> tuple[GraphBuilder, int, dict[str, int]]:
        output = self.sum()
        token = self.token
        if token.kind != "end":
            raise self.unexpected_after_expression(token)
        return self.builder, output, self.columns

    def unexpected_after_expression(self, token: Token) -> ExpressionError:
        if self.at(")"):
            return self.fail("unbalanced parenthesis: ')' has no matching '('", token,
                             "unbalanced_parenthesis")
        if self.at(","):
            return self.fail("unexpected ',' outside a function call", token)
        if self.at("]") or self.at("["):
            return self.fail(f"unexpected '{token.shown}': only a variable can be indexed, "
                             "as in x[0]", token)
        previous = self.tokens[self.position - 1]
        if token.kind == "name" and (token.text in RESERVED
                                     or token.text.lower() in _NON_FINITE_NAMES):
            return self.fail(f"'{excerpt(token.text)}' is a reserved word; the expression "
                             "language has only arithmetic and functions", token,
                             "reserved_name")
        if token.kind in ("name", "number") or self.at("("):
            if previous.kind in ("name", "number"):
                shown = token.text if token.kind != "op" else "(...)"
                advice = f"write {excerpt(previous.text)}*{excerpt(shown)}"
            else:
                advice = "write '*' between the factors"
            return self.fail(f"implicit multiplication is not supported: {advice}", token,
                             "implicit_multiplication")
        return self.fail(f"unexpected {self.describe(token)}", token)

    def sum(self) -> int:
        left = self.product()
        while self.at("+") or self.at("-"):
            operator = self.advance()
            self.counted(operator)
            right = self.product()
            left = self.apply("add" if operator.text == "+" else "sub", (left, right), operator)
        return left

    def product(self) -> int:
        left = self.unary()
        while self.at("*") or self.at("/"):
            operator = self.advance()
            self.counted(operator)
            right = self.unary()
            left = self.apply("mul" if operator.text == "*" else "div", (left, right), operator)
        return left

    def unary(self) -> int:
        if self.at("+") or self.at("-"):
            operator = self.advance()
            self.counted(operator)
            with self.nested(operator):
                operand = self.unary()
            return operand if operator.text == "+" else self.apply("neg", (operand,), operator)
        return self.power()

    def power(self) -> int:
        base = self.atom()
        if not self.at("**"):
            return base
        operator = self.advance()
        self.counted(operator)
        with self.nested(operator):
            exponent = self.unary()
        return self.raise_to(base, exponent, operator)

    def raise_to(self, base: int, exponent: int, token: Token) -> int:
        """``base ** exponent``: ``powi`` for a constant integer exponent, else ``pow``."""
        value = self.constants.get(exponent)
        if value is not None and value.is_integer() and abs(value) <= _MAX_POWI_EXPONENT:
            return self.apply("powi", (base,), token, param=value)
        return self.apply("pow", (base, exponent), token)

    def atom(self) -> int:
        token = self.token
        if token.kind == "number":
            self.advance()
            self.counted(token)
            index = self.builder.constant(token.value)
            self.constants[index] = token.value
            return index
        if token.kind == "name":
            return self.name()
        if self.at("("):
            self.advance()  # parentheses group; they add no node
            with self.nested(token):
                inner = self.sum()
            self.expect_closing(token)
            return inner
        if token.kind == "end":
            previous = self.tokens[self.position - 1] if self.position else token
            if self.position == 0:
                raise self.fail("the expression is empty", token, "empty")
            raise self.fail(f"expected a number, name or '(' after '{previous.shown}', "
                            "but the expression ended", token, "incomplete")
        if self.at(")"):
            raise self.fail("expected a number, name or '(' before ')'", token)
        if self.at("["):
            raise self.fail("lists are not supported", token)
        raise self.fail(f"expected a number, name or '(' but found {self.describe(token)}", token)

    def expect_closing(self, opening: Token) -> None:
        if self.at(")"):
            self.advance()
            return
        if self.token.kind == "end":
            raise self.fail("unbalanced parenthesis: '(' is never closed", opening,
                            "unbalanced_parenthesis")
        raise self.unexpected_after_expression(self.token)

    def name(self) -> int:
        token = self.advance()
        self.counted(token)
        name = token.text
        if self.at("("):
            return self.call(token)
        if name in FUNCTIONS:
            arguments = "y, x" if name == "atan2" else ("a, b" if FUNCTIONS[name].arity == 2
                                                        else "x")
            raise self.fail(f"function '{name}' needs its argument in parentheses, "
                            f"e.g. {name}({arguments})", token, "missing_call")
        if name in CONSTANTS:
            index = self.builder.constant(CONSTANTS[name], name=name)
            self.constants[index] = CONSTANTS[name]
            return index
        if name.lower() in _NON_FINITE_NAMES:
            raise self.fail(f"'{name}' is not allowed: numbers must be finite", token,
                            "reserved_name")
        if name in RESERVED:
            raise self.fail(f"'{name}' is a reserved word, not a variable name", token,
                            "reserved_name")
        if self.at("["):
            name = self.index(name)
        return self.builder.variable(name)

    def index(self, name: str) -> str:
        opening = self.advance()
        token = self.token
        digits = token.text
        if token.kind != "number" or not digits.isdigit() or len(digits) > _MAX_INDEX_DIGITS:
            raise self.fail(
                f"an index must be a non-negative integer below 10**{_MAX_INDEX_DIGITS}, "
                f"as in {name}[0]", token if token.kind != "end" else opening, "bad_index")
        self.advance()
        if not self.at("]"):
            raise self.fail("expected ']' to close the index", self.token, "bad_index")
        self.advance()
        return f"{name}[{int(digits)}]"

    def call(self, token: Token) -> int:
        name = token.text
        primitive = FUNCTIONS.get(name)
        if primitive is None:
            raise self.unknown_function(token)
        opening = self.advance()
        arguments: list[int] = []
        with self.nested(opening):
            if self.at(")"):
                raise self.fail(f"{name} needs {primitive.arity} argument"
                                f"{'s' if primitive.arity > 1 else ''}", opening, "arity")
            arguments.append(self.sum())
            while self.at(","):
                self.advance()
                arguments.append(self.sum())
        self.expect_closing(opening)
        if len(arguments) != primitive.arity:
            raise self.fail(
                f"{name} takes {primitive.arity} argument{'s' if primitive.arity > 1 else ''} "
                f"but {len(arguments)} were given", token, "arity")
        if name == "pow":
            return self.raise_to(arguments[0], arguments[1], token)
        return self.apply(name, tuple(arguments), token)

    def unknown_function(self, token: Token) -> ExpressionError:
        name = token.text
        if name in CONSTANTS:
            return self.fail(f"'{name}' is a constant, not a function", token, "not_a_function")
        suggestion = SUGGESTIONS.get(name.lower())
        if suggestion is not None:
            hint = f"did you mean {suggestion}?" if suggestion in FUNCTIONS else suggestion
            return self.fail(f"unknown function '{excerpt(name)}'", token, "unknown_function",
                             hint=hint)
        close = difflib.get_close_matches(name.lower(), list(FUNCTIONS), n=1, cutoff=0.6)
        if name.lower() in FUNCTIONS:
            close = [name.lower()]
        if close:
            return self.fail(f"unknown function '{excerpt(name)}'", token, "unknown_function",
                             hint=f"did you mean {close[0]}?")
        if name in RESERVED or name.lower() in _NON_FINITE_NAMES:
            return self.fail(f"unknown function '{excerpt(name)}'", token, "unknown_function")
        if len(name) <= 2:
            return self.fail(f"unknown function '{excerpt(name)}'", token, "unknown_function",
                             hint=f"for a product write {name}*(...)")
        return self.fail(f"unknown function '{excerpt(name)}'", token, "unknown_function")

