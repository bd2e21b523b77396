"""One optimizer step written out with the numbers filled in.

``x = x − lr·∂f/∂x = −3 − 0.1·(−6) = −2.4``: the optimizer table's own rule
(:mod:`engine.optimizers`) is run over :class:`Worked` terms -- numbers that remember the
expression that made them -- so the text always says exactly what the engine computed:
there is no second copy of any rule.

>>> from engine import parse
>>> step = explain_step(parse("x**2 + y**2"), [-3, 4], 1, lr=0.1)
>>> [f"{line.name} = {line.formula} = {line.numbers} = {line.value:.6g}" for line in step.lines[0]]
['x = x − lr·∂f/∂x = −3 − 0.1·(−6) = -2.4']
>>> momentum = explain_step(parse("x**2"), [1.0], 2, lr=0.1, optimizer="momentum")
>>> [f"{line.name} = {line.formula} = {line.numbers}" for line in momentum.lines[0]]
['v = β·v + ∂f/∂x = 0.9·2 + 1.6', 'x = x − lr·v = 0.8 − 0.1·3.4']
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from .differentiate import check_method, check_step
from .errors import DeadlineExceeded, ExpressionError
from .expression import Expression
from .optimize import value_and_gradient_on_floats
from .optimizers import FLOATS, check_lr, check_optimizer, resolve_settings
from .points import resolve_point
from .precedence import ATOM, POWER, PRODUCT, SUM, UNARY
from .types import PointLike

__all__ = ["Worked", "WORKED", "Line", "StepExplained", "explain_step"]


def _number(value: float) -> str:
    """A number as a formula shows it: 6 significant digits, a true minus sign."""
    return "0" if value == 0 else f"{value:.6g}".replace("-", "−")


class Worked:
    """A number with the expression that made it: a leaf (``x``, ``lr``, a constant) or an
    operation on worked terms.  Python's operators and the functions of :data:`WORKED`
    build new terms, so an update rule written for floats runs on these unchanged, and
    :meth:`formula` / :meth:`numbers` write the expression with symbols / with values.
    """

    __slots__ = ("value", "symbol", "op", "args")

    def __init__(self, value: float, symbol: str | None = None, op: str | None = None,
                 args: tuple[Worked, ...] = ()) -> None:
        self.value = float(value)
        self.symbol = symbol  # leaves only; None for a constant
        self.op = op
        self.args = args

    def __repr__(self) -> str:
        return f"Worked({self.value!r}, {self.formula()!r})"

    def formula(self, named: dict[int, str] | None = None) -> str:
        """The expression in symbols; a term in ``named`` (by id) is written by its name."""
        return _write(self, named or {}, numbers=False)[0]

    def numbers(self, named: dict[int, str] | None = None) -> str:
        """The same expression with each symbol (and each named term) as its value."""
        return _write(self, named or {}, numbers=True)[0]

    # the value is computed as Python computes floats, in the rule's own order
    def __add__(self, other: Any) -> Worked:
        return _apply("+", self, other)

    def __radd__(self, other: Any) -> Worked:
        return _apply("+", other, self)

    def __sub__(self, other: Any) -> Worked:
        return _apply("-", self, other)

    def __rsub__(self, other: Any) -> Worked:
        return _apply("-", other, self)

    def __mul__(self, other: Any) -> Worked:
        return _apply("*", self, other)

    def __rmul__(self, other: Any) -> Worked:
        return _apply("*", other, self)

    def __truediv__(self, other: Any) -> Worked:
        return _apply("/", self, other)

    def __rtruediv__(self, other: Any) -> Worked:
        return _apply("/", other, self)

    def __pow__(self, other: Any) -> Worked:
        return _apply("**", self, other)

    def __neg__(self) -> Worked:
        return _apply("neg", self)

    def __lt__(self, other: Any) -> bool:  # torch's lerp picks its formula by the weight
        return self.value < _term(other).value


_OPERATIONS: dict[str, tuple[Any, str, int, tuple[int, ...]]] = {
    # op: (how to compute it, how to write it, its level, the least level of each operand)
    "+": (lambda a, b: a + b, " + ", SUM, (SUM, PRODUCT)),
    "-": (lambda a, b: a - b, " − ", SUM, (SUM, PRODUCT)),
    "*": (lambda a, b: a * b, "·", PRODUCT, (PRODUCT, UNARY)),
    "/": (lambda a, b: a / b, "/", PRODUCT, (PRODUCT, UNARY)),
    "**": (lambda a, b: a**b, "^", POWER, (ATOM, UNARY)),
    "neg": (lambda a: -a, "−", UNARY, (UNARY,)),
    "sqrt": (math.sqrt, "√", ATOM, (ATOM,)),
}


def _term(value: Any) -> Worked:
    return value if isinstance(value, Worked) else Worked(float(value))


def _apply(op: str, *operands: Any) -> Worked:
    args = tuple(_term(a) for a in operands)
    return Worked(_OPERATIONS[op][0](*(a.value for a in args)), op=op, args=args)


def _wrap(text: str, level: int, minimum: int) -> str:
    return text if level >= minimum else f"({text})"


def _write(term: Worked, named: dict[int, str], numbers: bool) -> tuple[str, int]:
    """``(text, binding level)`` of ``term``."""
    name = named.get(id(term), term.symbol)
    if term.op is None or name is not None:
        if numbers or name is None:  # a negative number is parenthesized: 0.1·(−6)
            return _number(term.value), SUM if term.value < 0 else ATOM
        return name, ATOM
    _, symbol, level, minimums = _OPERATIONS[term.op]
    parts = [_wrap(*_write(a, named, numbers), minimum)
             for a, minimum in zip(term.args, minimums, strict=True)]
    return (symbol + parts[0] if len(parts) == 1 else symbol.join(parts)), level


def _lerp(start: Any, end: Any, weight: Any) -> Worked:
    """``torch.lerp`` exactly as the float rules compute it, written out."""
    result: Worked = FLOATS.lerp(_term(start), _term(end), _term(weight))
    return result


WORKED = SimpleNamespace(sqrt=lambda a: _apply("sqrt", a), lerp=_lerp)
"""The operations an update rule needs, on :class:`Worked` terms."""


@dataclass(frozen=True)
class Line:
    """One quantity of the step: ``name = formula = numbers = value``."""

    name: str
    formula: str
    numbers: str
    value: float


@dataclass(frozen=True)
class StepExplained:
    """Step ``step`` of a run: the point it started from, the gradient there, the point
    it went to, and per coordinate the lines that got it there (the optimizer's state
    first, then the coordinate, then quantities the textbook names, such as Adam's m̂)."""

    variables: tuple[str, ...]
    optimizer: str
    step: int
    before: list[float]
    gradient: list[float]
    after: list[float]
    value_before: float
    lines: list[list[Line]]


def explain_step(
    expr: Expression,
    start: PointLike,
    step: int,
    lr: float = 0.1,
    optimizer: str = "gd",
    method: str = "autodiff",
    h: float | None = None,
    deadline: float | None = None,
    **settings: float | None,
) -> StepExplained:
    """Run ``step - 1`` steps of the descent from ``start`` as :func:`engine.descend`
    does, then write step ``step`` out with the optimizer table's rule, coordinate by
    coordinate.  Each line's formula names the quantities computed before it.  The
    method, h, lr and settings are checked as :func:`engine.descend` checks them;
    ``deadline`` (a ``time.monotonic()`` value) bounds the replay.

    >>> from engine import parse
    >>> worked = explain_step(parse("x**2 + y**2"), [-3, 4], step=1, lr=0.1)
    >>> worked.after, [(line.formula, line.numbers) for line in worked.lines[0]]
    ([-2.4, 3.2], [('x − lr·∂f/∂x', '−3 − 0.1·(−6)')])
    """
    row = check_optimizer(optimizer)
    values = resolve_settings(row, settings)
    check_lr(lr)
    check_method(expr, method)
    check_step(h)
    if isinstance(step, bool) or not isinstance(step, int) or step < 1:
        raise ExpressionError("step must be an integer >= 1", code="bad_steps", field="step")
    value_and_gradient = value_and_gradient_on_floats(expr, method, h)
    x = [float(v) for v in resolve_point(expr, start, field="start")]
    state = [[0.0] * len(row.state) for _ in x]
    value, grad = value_and_gradient(x)
    for t in range(1, step + 1):
        if not (math.isfinite(value) and all(math.isfinite(g) for g in grad)):
            if t == 1:
                raise ExpressionError("f or its gradient is not finite at the start",
                                      code="bad_point", field="start")
            raise ExpressionError(f"the run is not finite at step {t - 1}, before step {step}",
                                  code="bad_steps", field="step")
        if t == step:
            break
        if deadline is not None and time.monotonic() > deadline:
            raise DeadlineExceeded(f"replaying the run took longer than its time limit after "
                                   f"{t - 1} steps; ask for an earlier step", field="step")
        moved = []
        for i, (xi, gi) in enumerate(zip(x, grad, strict=True)):
            xi, *state[i] = row.step(FLOATS, xi, gi, t, lr, values, *state[i])
            moved.append(xi)
        x = moved
        value, grad = value_and_gradient(x)
    symbols = {s.name: s.symbol or s.name for s in row.settings}
    settings_worked = SimpleNamespace(**{name: Worked(v, symbols[name])
                                         for name, v in vars(values).items()})
    counter = Worked(step, "t")
    lines, after = [], []
    for i, name in enumerate(expr.variables):
        old_state = [Worked(v, symbol) for v, symbol in zip(state[i], row.state, strict=True)]
        new, *new_state = row.step(WORKED, Worked(x[i], name), Worked(grad[i], f"∂f/∂{name}"),
                                   counter, Worked(lr, "lr"), settings_worked, *old_state)
        named: dict[int, str] = {}
        coordinate = []
        for symbol, term in zip(row.state, new_state, strict=True):
            coordinate.append(Line(symbol, term.formula(named), term.numbers(named), term.value))
            named[id(term)] = symbol  # later lines refer to the new value by its name
        coordinate.append(Line(name, new.formula(named), new.numbers(named), new.value))
        for symbol, derive in row.derived:
            term = derive(WORKED, counter, settings_worked,
                          *(Worked(s.value, sym) for s, sym in zip(new_state, row.state,
                                                                  strict=True)))
            coordinate.append(Line(symbol, term.formula(), term.numbers(), term.value))
        lines.append(coordinate)
        after.append(new.value)
    return StepExplained(expr.variables, optimizer, step, x, list(grad), after, value, lines)
