"""What the page shows: tangents, gradient fields, and error against step size.

>>> from engine import parse
>>> line = tangent(parse("3*x**2 - 4*x"), 1)
>>> line.equation, [round(slope, 6) for _, slope in line.secants]
('y = 2x - 3', [2.3, 2.03, 2.003])
>>> field = gradient_field(parse("x**2 + y**2"), (-2, 2), (-2, 2), nx=5)
>>> field.z.shape, field.u[2].tolist()
((5, 5), [-4.0, -2.0, 0.0, 2.0, 4.0])
>>> sweep = step_sweep(parse("exp(x)"), 1, methods=("forward", "central"), n=16)
>>> 1e-10 < sweep.best_h["forward"] < 1e-6, 1e-9 < sweep.best_h["central"] < 1e-3
(True, True)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .differentiate import (
    NUMERICAL_METHODS,
    check_method,
    check_step,
    gradient_columns,
)
from .errors import ExpressionError, deadline_check
from .evaluate import evaluate_many, forward_values
from .expression import Expression
from .forward import directional_derivatives
from .numeric import as_columns
from .points import resolve_point
from .precedence import ATOM, FORMS, UNARY, write
from .printer import format_number
from .types import Array, PointLike

__all__ = [
    "TangentResult",
    "FieldResult",
    "SweepResult",
    "tangent",
    "gradient_field",
    "step_sweep",
    "format_equation",
]


@dataclass(frozen=True)
class TangentResult:
    """The tangent line (one variable) or tangent plane (several) at a point.

    ``differentiable`` is False where f is undefined or infinite, where a slope is not
    finite, or where f has a corner (``abs(x)`` at 0): then ``slope`` and ``intercept``
    are None, the ``gradient`` entries that have no value are NaN, and ``message`` says
    why in words.  For one variable ``left_slope`` and ``right_slope`` are the one-sided
    derivatives (None where f is undefined on that side, or at the point).
    """

    variables: tuple[str, ...]
    point: Array
    value: float
    gradient: Array
    slope: float | None
    intercept: float | None
    equation: str
    secants: list[tuple[float, float]]
    differentiable: bool = True
    left_slope: float | None = None
    right_slope: float | None = None
    message: str = ""


@dataclass(frozen=True)
class FieldResult:
    """Values and partial derivatives on a grid (``z[j, i] = f(x[i], y[j])``)."""

    variables: tuple[str, ...]
    x: Array
    y: Array | None
    z: Array
    u: Array
    v: Array | None


@dataclass(frozen=True)
class SweepResult:
    """Error of each numerical method as the step h sweeps from large to small."""

    variables: tuple[str, ...]
    point: Array
    h: Array
    exact: Array
    errors: dict[str, Array]
    best_h: dict[str, float | None]


def _coefficient(value: float) -> str:
    return f"{value:.6g}"


def format_equation(output: str, names: Sequence[str], coefficients: Sequence[float],
                    constant: float) -> str:
    """``output = c1 name1 + c2 name2 + ... + constant``, written as a person would.

    >>> format_equation("y", ["x"], [2.0], -3.0)
    'y = 2x - 3'
    >>> format_equation("z", ["x", "y"], [1.0, -0.5], 0.0)
    'z = x - 0.5y'
    >>> format_equation("y", ["theta"], [0.0], 4.0)
    'y = 4'
    """
    terms: list[tuple[str, str]] = []  # (sign, magnitude text)
    for name, c in zip(names, coefficients, strict=True):
        if c == 0:
            continue
        magnitude = _coefficient(abs(c))
        joint = "" if len(name) == 1 else "*"
        text = name if magnitude == "1" else f"{magnitude}{joint}{name}"
        terms.append(("-" if c < 0 else "+", text))
    if constant != 0 or not terms:
        terms.append(("-" if constant < 0 else "+", _coefficient(abs(constant))))
    first_sign, first = terms[0]
    text = ("-" if first_sign == "-" else "") + first
    for sign, term in terms[1:]:
        text += f" {sign} {term}"
    return f"{output} = {text}"


def _output_name(names: Sequence[str]) -> str:
    preferred = "y" if len(names) <= 1 else ("z" if len(names) == 2 else "f")
    return preferred if preferred not in names else "f"


def tangent(expr: Expression, point: PointLike,
            secants: Sequence[float] = (0.1, 0.01, 0.001)) -> TangentResult:
    """The tangent line ``y = slope x + intercept`` (one variable) or tangent plane.

    For one variable, ``secants`` lists steps h whose forward-difference slopes
    ``(f(x0 + h) - f(x0)) / h`` converge to the slope as h -> 0.

    The one-sided partials come from forward mode along +e_i and -e_i
    (:func:`engine.forward.directional_derivatives`, exact at corners); f is
    differentiable at the point when they agree and are finite (checked coordinate by
    coordinate).  Where a corner is at its switch but the sides agree (``abs(x)**2`` at
    0, ``relu(x) - relu(-x)`` at 0) the slope is their common value.

    >>> from engine import parse
    >>> corner = tangent(parse("abs(x)"), 0)
    >>> corner.differentiable, corner.left_slope, corner.right_slope, corner.slope
    (False, -1.0, 1.0, None)
    >>> print(corner.message)  # doctest: +NORMALIZE_WHITESPACE
    f has a corner at x = 0: the slope is -1 from the left and 1 from the right,
    so there is no tangent line
    """
    x0 = resolve_point(expr, point)
    for step in secants:
        check_step(step, field="secants")
    names = expr.variables
    found = gradient_columns(expr, as_columns(x0))
    value = float(found.value)
    grad = np.array(found.gradient, dtype=np.float64)
    count = len(names)
    shape = "line" if count == 1 else "plane"
    where = _where(names, x0)
    left = right = np.full(count, np.nan)
    defined = (True, True)  # f next to x0 on the left and on the right (one variable)
    problem = None
    if not math.isfinite(value):
        problem = (f"f is undefined at {where}" + _culprit(expr, x0) if math.isnan(value)
                   else f"f is infinite at {where}")
    elif count:
        directions = np.concatenate([np.eye(count), -np.eye(count)])
        with np.errstate(all="ignore"):
            _, along, corners = directional_derivatives(expr.graph, names, x0, directions)
        right, left = along[:count], -along[count:]
        if count == 1:  # no slope from a side where f is undefined
            defined = _defined_beside(expr, x0)
            left, right = (np.where(ok, slope, np.nan)
                           for ok, slope in zip(defined, (left, right), strict=True))
        if corners:  # the one-sided partials are exact where autodiff takes one side
            grad = np.where(left == right, right, np.nan)
        problem = _problem(names, where, left, right, grad, defined)
    constant = value - math.fsum(float(g) * float(x) for g, x in zip(grad, x0, strict=True))
    if problem is None and not math.isfinite(constant):
        problem = f"the tangent {shape} at {where} does not cross the axis at a finite height"
    if problem is None:
        equation = format_equation(_output_name(names), names, grad.tolist(), constant)
        message = f"the tangent {shape} at {where} is {equation}" if count else \
            f"f is constant: {equation}"
        if not all(defined):  # at the end of f's domain: a one-sided tangent
            side = "right" if defined[1] else "left"
            message += f" (f is defined only to the {side} of {where})"
    else:
        equation = f"no tangent {shape} at {where}"
        message = f"{problem}, so there is no tangent {shape}"
    differentiable = problem is None
    if count != 1:
        return TangentResult(names, x0, value, grad, None, None, equation, [],
                             differentiable, None, None, message)
    h = np.asarray(list(secants), dtype=np.float64)
    with np.errstate(all="ignore"):
        shifted = evaluate_many(expr, [x0[0] + h])
        slopes = (shifted - value) / h
    one_sided = math.isfinite(value)
    return TangentResult(
        names, x0, value, grad,
        float(grad[0]) if differentiable else None,
        constant if differentiable else None,
        equation,
        [(float(step), float(slope)) for step, slope in zip(h, slopes, strict=True)],
        differentiable,
        float(left[0]) + 0.0 if one_sided and not math.isnan(left[0]) else None,
        float(right[0]) + 0.0 if one_sided and not math.isnan(right[0]) else None,
        message,
    )


def _where(names: Sequence[str], x0: Array) -> str:
    """``x = 0`` or ``(x, y) = (1, 2)``."""
    numbers = [format_number(float(v)) for v in x0]
    if len(names) == 1:
        return f"{names[0]} = {numbers[0]}"
    return f"({', '.join(names)}) = ({', '.join(numbers)})"


def _defined_beside(expr: Expression, x0: Array) -> tuple[bool, bool]:
    """One variable: whether f is defined right next to x0 on the left and on the right
    (``sqrt(x)`` at 0 is not, on the left: it has no slope from there)."""
    with np.errstate(all="ignore"):
        beside = evaluate_many(expr, [np.nextafter(x0[0], np.array([-np.inf, np.inf]))])
    return not np.isnan(beside[0]), not np.isnan(beside[1])


def _slope_text(slope: float, side: str, defined: bool) -> str:
    if not defined:
        return f"f is undefined to the {side}"
    if math.isnan(slope):
        return f"f has no slope from the {side}"
    if math.isinf(slope):
        return f"the slope from the {side} is infinite"
    return f"the slope is {_number(slope)} from the {side}"


def _number(value: float) -> str:
    return format_number(float(value) + 0.0)  # -0.0 reads as 0


def _problem(names: Sequence[str], where: str, left: Array, right: Array, grad: Array,
             defined: tuple[bool, bool]) -> str | None:
    """Why there is no tangent line or plane, or None."""
    corner = [i for i in range(len(names)) if np.isfinite(left[i]) and np.isfinite(right[i])
              and left[i] != right[i]]
    if corner and len(names) == 1:
        return (f"f has a corner at {where}: the slope is {_number(left[0])} from "
                f"the left and {_number(right[0])} from the right")
    if corner:
        i = corner[0]
        return (f"f has a kink at {where}: \u2202f/\u2202{names[i]} is "
                f"{_number(left[i])} from the left and {_number(right[i])} from the right")
    bad = [i for i in range(len(names)) if not np.isfinite(grad[i])]
    if not bad:
        return None
    i = bad[0]
    if len(names) == 1:
        if np.isinf(grad[0]):
            return f"the slope of f is infinite at {where} (the graph is vertical there)"
        return (f"f has no slope at {where}: {_slope_text(left[0], 'left', defined[0])} and "
                f"{_slope_text(right[0], 'right', defined[1])}")
    kind = "infinite" if np.isinf(grad[i]) else "undefined"
    return f"\u2202f/\u2202{names[i]} is {kind} at {where}"


def _culprit(expr: Expression, x0: Array) -> str:
    """``: log(-1) is undefined`` -- the first operation whose value is NaN although its
    inputs are not, or nothing if the point itself is NaN."""
    with np.errstate(all="ignore"):
        values = forward_values(expr.graph, dict(zip(expr.variables, as_columns(x0),
                                                     strict=True)))
    for node, value in zip(expr.graph.nodes, values, strict=True):
        if node.op in ("const", "var") or not np.isnan(value):
            continue
        args = [float(values[j]) for j in node.inputs]
        if any(math.isnan(a) for a in args):
            continue
        texts = [(format_number(a), ATOM if a >= 0 else UNARY) for a in args]
        if node.value is not None:  # powi's exponent
            texts.append((format_number(node.value), ATOM if node.value >= 0 else UNARY))
        if node.op in FORMS:
            text = write(node.op, texts)[0]
        else:
            text = f"{node.op}({', '.join(t for t, _ in texts)})"
        return f": {text} is undefined"
    return ""


def _check_range(bounds: Sequence[float], field: str) -> tuple[float, float]:
    if len(bounds) != 2:
        raise ExpressionError(f"{field} must be [low, high]", code="bad_range", field=field)
    low, high = (float(b) for b in bounds)
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ExpressionError(f"{field} must be two finite numbers with low < high",
                              code="bad_range", field=field)
    return low, high


def gradient_field(
    expr: Expression,
    x_range: Sequence[float],
    y_range: Sequence[float] | None = None,
    nx: int = 21,
    ny: int | None = None,
    method: str = "autodiff",
    h: float | None = None,
    deadline: float | None = None,
) -> FieldResult:
    """Values and partials of a function of one or two variables on a grid.

    Undefined points (``log(x)`` at x <= 0) are NaN.  The work runs in blocks of
    points over whole arrays; ``deadline`` (a ``time.monotonic()`` value) is checked
    between blocks.
    """
    check_method(expr, method)
    check_step(h)
    names = expr.variables or ("x",)
    if len(names) > 2:
        raise ExpressionError(
            f"a field needs a function of one or two variables; this one has {len(names)} "
            f"({', '.join(names)})", code="too_many_variables")
    ny = nx if ny is None else ny
    for count, label in ((nx, "nx"), (ny, "ny")):
        if count < 2:
            raise ExpressionError(f"{label} must be at least 2", code="bad_grid", field=label)
    x = np.linspace(*_check_range(x_range, "x_range"), nx)
    y = None
    if len(names) == 2:
        if y_range is None:
            raise ExpressionError("y_range is needed for a function of two variables",
                                  code="bad_range", field="y_range")
        y = np.linspace(*_check_range(y_range, "y_range"), ny)
        columns = [x[None, :], y[:, None]]  # broadcast to (ny, nx), never materialised
    else:
        columns = [x]
    check = deadline_check(deadline, "use a smaller grid")
    if expr.variables:
        found = gradient_columns(expr, columns, method, h, check=check)
        parts = [found.value, *found.gradient]
    else:  # a constant: f everywhere, derivative 0
        value = float(evaluate_many(expr, []))
        grid = (len(x),) if y is None else (len(y), len(x))
        parts = [np.full(grid, value), np.zeros(grid)]
    if y is None:
        return FieldResult(names, x, None, parts[0], parts[1], None)
    shape = (ny, nx)
    return FieldResult(names, x, y, parts[0].reshape(shape), parts[1].reshape(shape),
                       parts[2].reshape(shape))


def step_sweep(
    expr: Expression,
    point: PointLike,
    methods: Sequence[str] = ("forward", "central"),
    h_min: float = 1e-16,
    h_max: float = 0.1,
    n: int = 31,
    deadline: float | None = None,
) -> SweepResult:
    """The error of each numerical method against the exact derivative as h shrinks.

    Too large an h gives truncation error, too small an h rounding error: plotted on
    log-log axes the error makes a V whose bottom is the best h.  The error at each h
    is the largest absolute error over the coordinates.  ``best_h`` is the largest h
    whose error is within a relative 1e-12 of the smallest: near its bottom the V often
    has equal errors at several h (exp(x) at 1, central: 5.86e-11 at 1e-5 and at 1e-7),
    and which of two equal floats comes out lower must not depend on the CPU.

    A function of no variables has no derivative to get wrong: every error is 0.
    ``deadline`` (a ``time.monotonic()`` value) is checked before each method and
    between the blocks of its work, as in :func:`gradient_field`.
    """
    for method in methods:
        if method not in NUMERICAL_METHODS:
            raise ExpressionError(
                f"{method!r} is not a numerical method; choose from "
                f"{', '.join(NUMERICAL_METHODS)}", code="unknown_method", field="methods")
        check_method(expr, method, field="methods")
    check_step(h_min, "h_min")
    check_step(h_max, "h_max")
    if not h_min < h_max:
        raise ExpressionError("h_min must be smaller than h_max", code="bad_range",
                              field="h_min")
    if n < 2:
        raise ExpressionError("n must be at least 2", code="bad_grid", field="n")
    x0 = resolve_point(expr, point)
    h = np.geomspace(h_max, h_min, n)
    check = deadline_check(deadline, "use a smaller grid")
    if not len(x0):  # a constant: nothing to differentiate, nothing wrong
        exact = np.zeros(0)
    else:
        exact = gradient_columns(expr, as_columns(x0), check=check).gradient
    columns = [np.full(n, v) for v in x0]
    errors: dict[str, Array] = {}
    best: dict[str, float | None] = {}
    for method in methods:
        if check is not None:
            check()
        if not len(x0):
            errors[method] = worst = np.zeros(n)
            best[method] = _best_h(h, worst)
            continue
        found = gradient_columns(expr, columns, method, h, check=check)
        with np.errstate(invalid="ignore"):
            worst = np.max(np.abs(found.gradient - exact.reshape(-1, 1)), axis=0)
        errors[method] = worst
        best[method] = _best_h(h, worst)
    return SweepResult(expr.variables, x0, h, exact, errors, best)


_TIE = 1e-12
"""Errors within this relative distance of the smallest count as equal in ``best_h``."""


def _best_h(h: Array, errors: Array) -> float | None:
    """The largest h whose (finite) error is within a relative :data:`_TIE` of the
    smallest, or None if no error is finite.

    >>> _best_h(np.array([1e-3, 1e-5, 1e-7]), np.array([1e-6, 5.86e-11, 5.86e-11]))
    1e-05
    """
    finite = np.isfinite(errors)
    if not finite.any():
        return None
    lowest = float(np.min(errors[finite]))
    return float(np.max(h[finite & (errors <= lowest + _TIE * lowest)]))
