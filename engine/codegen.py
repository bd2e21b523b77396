"""Generated straight-line code for fast scalar evaluation (used by descent).

Walking the graph node by node costs far more than the arithmetic for one point, and
numpy calls on 2-element arrays are slower still.  So, once per expression, we
generate a plain Python function from the *validated graph* -- never from user text:
its names are node numbers, its operations come from the primitive table, and its
literals are ``repr`` of finite floats.  The derivative lines come from the same
reverse sweep (:func:`engine.reverse.backward`) and ``partials`` rules as every other
mode, run over :class:`Source`, a namespace whose values are pieces of Python source.

Generated code follows IEEE arithmetic itself, as numpy does: on plain floats a
function is ``math``'s own where it cannot raise and the table's ``scalar`` form (IEEE's
answer where ``math`` would raise) elsewhere -- ``(_log_math(v) if v > 0.0 else
_log(v))``, the condition being the row's ``domain`` -- and a division by a divisor
that may be 0 is written ``(a / b if b else _div(a, b))``, so ``1/0`` is inf and
``log(-1)`` NaN, never an exception; integer powers other than squares go through
``_powi`` for the same reason (Python's ``**`` raises on overflow).

The generated sweep multiplies plainly, with no per-product care for NaN, so where
the interpreter's :func:`engine.ops.chain` would give something else (0 times NaN is
0; nothing flows through an undefined value) the plain result has a NaN: a NaN
cotangent always reaches some variable's entry, NaN times anything being NaN.  So
results without a NaN are exact, and the others are redone by the interpreter: the
scalar function raises :class:`UndefinedGradient` instead of returning them (its caller
redoes the point), and :func:`array_gradient_function`'s caller redoes just the points
where f is defined but a partial is NaN (where f is NaN every partial is NaN anyway).

>>> from engine import parse
>>> fn = value_and_gradient_function(parse("x*y + sin(x)"))
>>> fn(0.0, 2.0)
(0.0, [3.0, 0.0])
>>> print(generate_source(parse("x*y + sin(x)"), "reverse"))
def generated(a0, a1):
    v2 = a0*a1
    v3 = (_sin_math(a0) if a0 - a0 == 0.0 else _sin(a0))
    v4 = v2 + v3
    c0 = (_cos_math(a0) if a0 - a0 == 0.0 else _cos(a0)) + a1
    if v4 != v4 or c0 != c0 or a0 != a0:
        raise _Undefined
    return v4, [c0, a0]
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from types import CodeType
from typing import Any

from .expression import Expression
from .ops import NUMPY, PRIMITIVES, SCALAR_HELPERS, make_namespace
from .precedence import ATOM, PRODUCT, UNARY, wrap, write
from .reverse import backward

__all__ = [
    "Source",
    "UndefinedGradient",
    "generate_source",
    "value_and_gradient_function",
    "value_lines",
    "array_gradient_function",
    "compiled",
]


CODE_CACHE = 256
"""Compiled generated functions kept across requests (each a few kB to a few 100 kB)."""


class UndefinedGradient(ArithmeticError):
    """Raised by generated code whose f or gradient has a NaN: redo the point with the
    interpreter (callers already redo points where Python floats raise)."""

class Source:
    """A piece of Python source with its binding level; operators build bigger pieces."""

    __slots__ = ("text", "level", "negates")

    __array_ufunc__ = None  # so numpy scalars (op) Source defer to Source's operators

    def __init__(self, text: str, level: int = ATOM, negates: Source | None = None) -> None:
        self.text = text
        self.level = level  # binding level (engine.precedence)
        self.negates = negates  # for -a: a, so that b + -a can be written b - a

    def wrap(self, minimum: int) -> str:
        return wrap(self.text, self.level, minimum)

    def __repr__(self) -> str:
        return f"Source({self.text!r})"

    # Python operators in the table's rules build source through the functions below.
    def __add__(self, other: Any) -> Any:
        return _add(self, other)

    def __radd__(self, other: Any) -> Any:
        return _add(other, self)

    def __sub__(self, other: Any) -> Any:
        return _sub(self, other)

    def __rsub__(self, other: Any) -> Any:
        return _sub(other, self)

    def __mul__(self, other: Any) -> Any:
        return _mul(self, other)

    def __rmul__(self, other: Any) -> Any:
        return _mul(other, self)

    def __truediv__(self, other: Any) -> Any:
        return _div(self, other)

    def __rtruediv__(self, other: Any) -> Any:
        return _div(other, self)

    def __neg__(self) -> Any:
        return _neg(self)

    def __pow__(self, other: Any) -> Any:
        return _pow(self, other)

    def __rpow__(self, other: Any) -> Any:
        return _pow(other, self)


def _source(value: Any) -> Source:
    if isinstance(value, Source):
        return value
    number = float(value)
    if not math.isfinite(number):  # never produced by our graphs; refuse to emit it
        raise ValueError("non-finite literal")
    return Source(repr(number), ATOM if number >= 0 else UNARY)


def _is(value: Any, number: float) -> bool:
    return not isinstance(value, Source) and float(value) == number


def _folded(operation: Callable[[float, float], float], a: Any, b: Any) -> float | None:
    """Both operands numbers: the number itself (constant folding), if finite."""
    if isinstance(a, Source) or isinstance(b, Source):
        return None
    try:
        result = operation(float(a), float(b))
    except (ArithmeticError, ValueError):
        return None
    return result if math.isfinite(result) else None


def _written(op: str, *operands: Source) -> Source:
    """``op`` applied to source pieces, parenthesized as the shared precedence table says."""
    return Source(*write(op, [(o.text, o.level) for o in operands], spaced=True))


def _add(a: Any, b: Any) -> Any:
    if (folded := _folded(float.__add__, a, b)) is not None:
        return folded
    if _is(a, 0.0):
        return _source(b)
    if _is(b, 0.0):
        return _source(a)
    a, b = _source(a), _source(b)
    if b.negates is not None:
        return _sub(a, b.negates)
    return _written("add", a, b)


def _sub(a: Any, b: Any) -> Any:
    if (folded := _folded(float.__sub__, a, b)) is not None:
        return folded
    if _is(b, 0.0):
        return _source(a)
    return _written("sub", _source(a), _source(b))


def _mul(a: Any, b: Any) -> Any:
    if (folded := _folded(float.__mul__, a, b)) is not None:
        return folded
    if _is(a, 1.0):
        return _source(b)
    if _is(b, 1.0):
        return _source(a)
    if _is(a, -1.0):
        return _neg(b)
    if _is(b, -1.0):
        return _neg(a)
    return _written("mul", _source(a), _source(b))


#: True while source for plain floats is written (the division and integer powers that
#: Python floats would raise on are then guarded); per thread and task, so concurrent
#: requests generating code never see each other's mode.
_PLAIN_FLOATS: ContextVar[bool] = ContextVar("plain_floats", default=False)


@contextmanager
def _writing_for_floats(plain: bool) -> Iterator[None]:
    token = _PLAIN_FLOATS.set(plain)
    try:
        yield
    finally:
        _PLAIN_FLOATS.reset(token)


def _div(a: Any, b: Any) -> Any:
    if (folded := _folded(float.__truediv__, a, b)) is not None:
        return folded
    if _is(b, 1.0):
        return _source(a)
    a, b = _source(a), _source(b)
    divisor = _number(b)
    if divisor is not None:  # a number: infix unless it is 0 (then IEEE's inf or NaN)
        return _written("div", a, b) if divisor != 0.0 else _call("div")(a, b)
    if not _PLAIN_FLOATS.get():  # numpy arrays divide by 0 as IEEE says
        return _written("div", a, b)
    if b.text.isidentifier():  # Python floats raise on 0: only then call _div
        return Source(f"({_written('div', a, b).text} if {b.text} else _div({a.text}, "
                      f"{b.text}))")
    return _call("div")(a, b)


def _neg(a: Any) -> Any:
    if not isinstance(a, Source):
        return -float(a)
    if a.negates is not None:
        return a.negates
    text, level = write("neg", [(a.text, a.level)])
    return Source(text, level, negates=a)


def _powi(a: Any, n: Any) -> Source:
    exponent = float(n)
    a = _source(a)
    if exponent == 1.0:
        return a
    if exponent == 2.0 and a.level == ATOM:
        return Source(f"{a.text}*{a.text}", PRODUCT)
    if _PLAIN_FLOATS.get() and exponent != 0.0:  # Python's ** raises on overflow and 0**-n
        return _call("powi")(a, exponent)
    return _written("powi", a, _source(exponent))


def _pow(a: Any, b: Any) -> Source:
    if not isinstance(b, Source) and float(b).is_integer():
        return _powi(a, b)
    # a call, not Python's **: for a < 0 and fractional b, ** gives a complex number
    return Source(f"_pow({_source(a).text}, {_source(b).text})")


_INFIX: dict[str, Callable[..., Any]] = {
    "add": _add, "sub": _sub, "mul": _mul, "div": _div, "neg": _neg, "powi": _powi, "pow": _pow,
}


def _call(name: str) -> Callable[..., Source]:
    primitive = PRIMITIVES.get(name)
    domain = primitive.domain if primitive is not None else None

    def call(*args: Any) -> Source:
        texts = [_source(a).text for a in args]
        if domain is not None and _PLAIN_FLOATS.get() and len(texts) == 1 and (
                texts[0].isidentifier() or _number(Source(texts[0])) is not None):
            # math's own function where it cannot raise, the IEEE form elsewhere
            x = texts[0]
            return Source(f"(_{name}_math({x}) if {domain.format(x=x)} else _{name}({x}))")
        return Source(f"_{name}({', '.join(texts)})")

    return call


def _chain(ct: Any, partial: Any, out: Any) -> Any:
    """The plain product: the generated code's NaN guard stands in for ops.chain."""
    return _mul(ct, partial)


SOURCE = make_namespace(
    {name: _INFIX.get(name, _call(name)) for name in PRIMITIVES}
    | {name: _call(name) for name in SCALAR_HELPERS}
    | {"chain": _chain}
)
"""The namespace whose operations write Python source instead of computing."""

SCALAR_GLOBALS: dict[str, Any] = {f"_{name}": p.scalar for name, p in PRIMITIVES.items()}
SCALAR_GLOBALS.update({f"_{name}": helper for name, helper in SCALAR_HELPERS.items()})
SCALAR_GLOBALS.update({f"_{name}_math": p.scalar.__wrapped__  # type: ignore[attr-defined]
                       for name, p in PRIMITIVES.items() if p.domain is not None})
SCALAR_GLOBALS["_Undefined"] = UndefinedGradient
"""What generated code calls for plain floats: ``math`` and the table's scalar forms."""

ARRAY_GLOBALS: dict[str, Any] = {f"_{name}": getattr(NUMPY, name) for name in PRIMITIVES}
ARRAY_GLOBALS.update({f"_{name}": getattr(NUMPY, name) for name in SCALAR_HELPERS})

"""What generated code calls for arrays: the table's numpy forms."""


def generate_source(expr: Expression, mode: str, guard: bool = True,
                    arrays: bool = False) -> str:
    """Source of ``generated(a0, a1, ...)`` for ``mode`` ``"value"`` or ``"reverse"``.

    ``value`` returns f; ``reverse`` returns ``(f, [df/da0, df/da1, ...])``, and with
    ``guard`` raises ``_Undefined`` instead where f or the gradient is NaN (``v != v``:
    see the module's notes).  The code is for plain floats (divisions and integer powers
    written so that Python floats follow IEEE arithmetic), or with ``arrays`` for numpy
    arrays (plain operators: numpy follows IEEE arithmetic itself).
    """
    with _writing_for_floats(not arrays):
        return _generate(expr, mode, guard)


def value_lines(expr: Expression, inputs: Sequence[str], prefix: str = "v",
                reuse: Mapping[int, str] | None = None) -> tuple[list[str], str]:
    """Lines computing f on plain floats from the variables named ``inputs`` (one
    identifier per variable, in ``expr.variables`` order), each intermediate named
    ``{prefix}{node}``; and the expression of f (a name or a number).  For code that
    evaluates f at several points in a row (finite differences in a generated loop).
    ``reuse`` names nodes already computed (by node number): they get no line of their
    own -- the same operations on the same floats would give the same float.

    >>> from engine import parse
    >>> lines, f = value_lines(parse("x*y + 1"), ["p0", "p1"], "u")
    >>> lines, f
    (['u2 = p0*p1', 'u4 = u2 + 1.0'], 'u4')
    >>> value_lines(parse("x*x + y"), ["b0", "a1"], "p", reuse={})[0]
    ['p1 = b0*b0', 'p3 = p1 + a1']
    >>> value_lines(parse("x + y*y"), ["b0", "a1"], "p", reuse={2: "v2"})[0]  # y*y kept
    ['p3 = b0 + v2']
    """
    with _writing_for_floats(True):
        lines: list[str] = []
        values = _forward(expr, list(inputs), prefix, lines, reuse or {})
    return lines, values[expr.graph.output].text


def _forward(expr: Expression, inputs: list[str], prefix: str, lines: list[str],
             reuse: Mapping[int, str] | None = None) -> list[Source]:
    """The forward sweep's lines (appended to ``lines``); the source of every node."""
    position = {name: k for k, name in enumerate(expr.variables)}
    values: list[Source] = []
    for i, node in enumerate(expr.graph.nodes):
        if node.op == "const":
            values.append(_source(node.value))
            continue
        if node.op == "var":  # the argument itself: no copy
            values.append(Source(inputs[position[node.name]]))  # type: ignore[index]
            continue
        if reuse and i in reuse:
            values.append(Source(reuse[i]))
            continue
        args: list[Any] = [values[j] for j in node.inputs]
        if node.value is not None:
            args.append(node.value)
        lines.append(f"{prefix}{i} = {getattr(SOURCE, node.op)(*args).text}")
        values.append(Source(f"{prefix}{i}"))
    return values


def _generate(expr: Expression, mode: str, guard: bool) -> str:
    graph = expr.graph
    names = expr.variables
    parameters = ", ".join(f"a{k}" for k in range(len(names)))
    lines: list[str] = []
    values = _forward(expr, [f"a{k}" for k in range(len(names))], "v", lines)
    output = values[graph.output].text
    if mode == "value":
        lines.append(f"return {output}")
    else:
        cts = backward(graph, values, SOURCE, store=_line_writer(lines))
        grads = {node.name: cts[i] for i, node in enumerate(graph.nodes) if node.op == "var"}
        results = [_source(0.0 if grads.get(name) is None else grads[name]) for name in names]
        for k, piece in enumerate(results):
            if not (piece.text.isidentifier() or _is_literal(piece)):  # a call: run it once
                lines.append(f"g{k} = {piece.text}")
                results[k] = Source(f"g{k}")
        checked = [piece.text for piece in [values[graph.output], *results]
                   if not _is_literal(piece)]
        if guard and results and checked:
            lines += [f"if {' or '.join(f'{text} != {text}' for text in checked)}:",
                      "    raise _Undefined"]
        lines.append(f"return {output}, [{', '.join(piece.text for piece in results)}]")
    body = "\n".join(f"    {line}" for line in lines)
    return f"def generated({parameters}):\n{body}"


def _number(piece: Source) -> float | None:
    """The value of a piece that is a number literal, else None."""
    try:
        return float(piece.text)
    except ValueError:
        return None


def _is_literal(piece: Source) -> bool:
    """A number (never NaN: only finite literals are emitted)."""
    return piece.text.lstrip("-")[:1].isdigit()


def _line_writer(lines: list[str]) -> Callable[[int, Any], Any]:
    """The reverse sweep's ``store``: a cotangent that is a single name or number is kept
    as it is (substituted where used, so chains of ``+`` and ``* 1`` cost nothing); a
    bigger one is written as a line ``c{j} = ...`` and kept by its name."""

    def store(j: int, ct: Any) -> Any:
        if isinstance(ct, Source) and ct.level < ATOM:
            lines.append(f"c{j} = {ct.text}")
            return Source(f"c{j}")
        return ct

    return store


@functools.lru_cache(maxsize=CODE_CACHE)
def compiled(source: str, filename: str) -> CodeType:
    """``source`` compiled, kept for the next request that generates the same source
    (compiling a generated loop costs more than generating it).  Only source generated
    here and in :mod:`engine.loopgen` from our own validated graph comes here -- never
    text a user typed.  A code object is immutable: each caller runs it in a namespace
    of its own, so nothing else is shared between requests.

    >>> compiled("x = 1", "<doc>") is compiled("x = 1", "<doc>")
    True
    """
    return compile(source, filename, "exec")  # generated from our own validated graph


def _compile(source: str, functions: dict[str, Any]) -> Callable[..., Any]:
    namespace = dict(functions)
    # Source generated above from our own validated graph (node numbers, table names,
    # repr of finite floats) -- never text a user typed.
    exec(compiled(source, "<slopescope-generated>"), namespace)  # our graph only
    return namespace["generated"]  # type: ignore[no-any-return]


def value_and_gradient_function(expr: Expression) -> Callable[..., tuple[float, list[float]]]:
    """A plain-float function ``(a0, a1, ...) -> (f, gradient)`` by reverse mode.

    It follows IEEE arithmetic (``1/0`` is inf, ``log(-1)`` NaN) and raises only
    :class:`UndefinedGradient`, where f or the gradient is NaN (see the module's notes).
    """
    return expr.memoized(  # type: ignore[no-any-return]
        "scalar-gradient", lambda: _compile(generate_source(expr, "reverse"), SCALAR_GLOBALS))


def array_gradient_function(expr: Expression) -> Callable[..., tuple[Any, list[Any]]]:
    """The same reverse sweep on numpy arrays: ``(a0, a1, ...) -> (f, gradient)``.

    Entries may be Python floats where they do not depend on the point (``x + y`` has
    gradient ``[1.0, 1.0]``); callers broadcast.  Run it under ``np.errstate``.  Callers
    redo the points where f is defined but a partial is NaN (see the module's notes).
    """
    return expr.memoized(  # type: ignore[no-any-return]
        "array-gradient",
        lambda: _compile(generate_source(expr, "reverse", guard=False, arrays=True),
                         ARRAY_GLOBALS))
