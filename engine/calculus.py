"""What the page shows: tangents, gradient fields, and error against step size.

>>> from engine import parse
>>> line = tangent(parse("3*x**2 - 4*x"), 1)
>>> line.equation, [round(slope, 6) for _, slope in line.secants]
('y = 2x - 3', [2.3, 2.03, 2.003])
>>> field = gradient_field(parse("x**2 + y**2"), (-2, 2), (-2, 2), nx=5)
>>> field.z.shape, field.u[2].tolist()
((5, 5), [-4.0, -2.0, 0.0, 2.0, 4.0])
>>> sweep = step_sweep(parse("exp(x)"), 1, methods=("forward", "central"), n=16)
>>> sweep.best_h["forward"] < 1e-6 < sweep.best_h["central"] < 1e-4
True
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .differentiate import (
    NUMERICAL_METHODS,
    check_method,
    check_step,
    gradient_columns,
)
from .errors import DeadlineExceeded, ExpressionError
from .evaluate import evaluate_many
from .expression import Expression
from .numeric import as_columns
from .points import resolve_point
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
    """The tangent line (one variable) or tangent plane (several) at a point."""

    variables: tuple[str, ...]
    point: Array
    value: float
    gradient: Array
    slope: float | None
    intercept: float | None
    equation: str
    secants: list[tuple[float, float]]


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
    """
    x0 = resolve_point(expr, point)
    for h in secants:
        check_step(h, field="secants")
    found = gradient_columns(expr, as_columns(x0))
    value = float(found.value)
    grad = np.asarray(found.gradient, dtype=np.float64)
    names = expr.variables
    constant = value - float(np.dot(grad, x0))
    if not (math.isfinite(value) and np.all(np.isfinite(grad)) and math.isfinite(constant)):
        where = ", ".join(f"{n} = {format_number(float(v))}"
                          for n, v in zip(names, x0, strict=True))
        equation = f"no tangent: f or its gradient is not finite at {where}"
    else:
        equation = format_equation(_output_name(names), names, grad.tolist(), constant)
    if len(names) != 1:
        return TangentResult(names, x0, value, grad, None, None, equation, [])
    steps = np.asarray(list(secants), dtype=np.float64)
    with np.errstate(all="ignore"):
        shifted = evaluate_many(expr, [x0[0] + steps])
        slopes = (shifted - value) / steps
    return TangentResult(
        names, x0, value, grad, float(grad[0]), constant, equation,
        [(float(h), float(s)) for h, s in zip(steps, slopes, strict=True)],
    )


def _check_range(bounds: Sequence[float], field: str) -> tuple[float, float]:
    if len(bounds) != 2:
        raise ExpressionError(f"{field} must be [low, high]", code="bad_range", field=field)
    low, high = (float(b) for b in bounds)
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ExpressionError(f"{field} must be two finite numbers with low < high",
                              code="bad_range", field=field)
    return low, high


def _deadline_check(deadline: float | None):  # type: ignore[no-untyped-def]
    if deadline is None:
        return None

    def check() -> None:
        if time.monotonic() > deadline:
            raise DeadlineExceeded("the computation took longer than its time limit; "
                                   "use a smaller grid")

    return check


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
    check = _deadline_check(deadline)
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
) -> SweepResult:
    """The error of each numerical method against the exact derivative as h shrinks.

    Too large an h gives truncation error, too small an h rounding error: plotted on
    log-log axes the error makes a V whose bottom is the best h.  The error at each h
    is the largest absolute error over the coordinates.
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
    steps = np.geomspace(h_max, h_min, n)
    exact = gradient_columns(expr, as_columns(x0)).gradient
    columns = [np.full(n, v) for v in x0]
    errors: dict[str, Array] = {}
    best: dict[str, float | None] = {}
    for method in methods:
        found = gradient_columns(expr, columns, method, steps)
        with np.errstate(invalid="ignore"):
            error = np.abs(found.gradient - exact.reshape(-1, 1))
            worst = np.max(error, axis=0) if len(x0) else np.zeros(n)
        errors[method] = worst
        finite = np.isfinite(worst)
        best[method] = float(steps[finite][np.argmin(worst[finite])]) if finite.any() else None
    return SweepResult(expr.variables, x0, steps, exact, errors, best)
