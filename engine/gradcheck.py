"""Gradient checking: compare a derivative with central differences, coordinate by
coordinate, as one checks a backpropagation (or a derivative worked out by hand).

The checked derivative is either one expression per variable (``claimed``) or the exact
reverse-mode gradient.  Each coordinate gets the relative error
``|c - n| / max(|c|, |n|)`` (0 when both are 0) and a verdict: ``pass`` when it is
at most 1e-7, or when ``|c - n|`` is within the numerical method's own error bound
(which a derivative near 0 needs: there the relative error of any finite difference is
large); ``warn`` up to 1e-4; ``fail`` beyond.  A stencil ``x ± h`` that straddles the
corner of ``abs``, ``relu``, ``min`` or ``max`` is flagged, which explains a failure.

>>> from engine import parse
>>> f = parse("x**2 * exp(y)")
>>> check = gradcheck(f, [1, 2], claimed=["2*x*exp(y)", "x**2*exp(y)"])
>>> check.verdict, check.points[0].verdicts
('pass', ['pass', 'pass'])
>>> wrong = gradcheck(f, [1, 2], claimed=["2*x", "x**2*exp(y)"])   # exp(y) forgotten
>>> wrong.verdict, wrong.points[0].verdicts
('fail', ['fail', 'pass'])
>>> wrong.message
'∂f/∂x is off at (1, 2): claimed 2, numerical 14.7781 (relative error 0.86)'
>>> gradcheck(parse("abs(x)"), 0.000001).points[0].kinks     # x ± 1e-5 straddles 0
[True]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .differentiate import NUMERICAL_METHODS, check_method, check_step, gradient_columns
from .errors import ExpressionError, deadline_check
from .evaluate import evaluate_many, forward_values
from .expression import Expression
from .limits import DEFAULT_LIMITS, Limits
from .numeric import EPS, evaluations_per_point
from .ops import PRIMITIVES
from .parser import parse
from .points import resolve_point
from .printer import format_number
from .types import Array, PointLike

__all__ = ["PASS", "WARN", "PointCheck", "GradientCheck", "gradcheck", "verdict_of"]

PASS = 1e-7
"""Largest relative error that passes."""
WARN = 1e-4
"""Largest relative error that only warns."""
_ORDER = {"pass": 0, "warn": 1, "fail": 2}


@dataclass(frozen=True)
class PointCheck:
    """One point: the checked, exact and numerical gradients and how they compare."""

    point: Array
    value: float
    checked: Array
    exact: Array
    numerical: Array
    abs_error: Array
    rel_error: Array
    bound: Array
    """The numerical method's own error bound per coordinate."""
    verdicts: list[str]
    kinks: list[bool]


@dataclass(frozen=True)
class GradientCheck:
    variables: tuple[str, ...]
    method: str
    h: float
    claimed: bool
    """Whether a claimed derivative was checked (else the exact gradient)."""
    points: list[PointCheck]
    verdict: str
    message: str
    evaluations: int
    """Evaluations of f the numerical gradients took."""


def verdict_of(rel_error: float, abs_error: float, bound: float) -> str:
    """``pass``, ``warn`` or ``fail`` for one coordinate.

    >>> verdict_of(3e-9, 1e-8, 0.0), verdict_of(1e-5, 1e-5, 0.0), verdict_of(1.0, 1e-12, 1e-10)
    ('pass', 'warn', 'pass')
    """
    if not (np.isfinite(rel_error) and np.isfinite(abs_error)):
        return "fail"
    if rel_error <= PASS or abs_error <= bound:
        return "pass"
    return "warn" if rel_error <= WARN else "fail"


def _claimed(expr: Expression, claimed: Sequence[str | Expression], limits: Limits
             ) -> list[Expression]:
    """The claimed partials, one per variable, parsed in f's variable order."""
    names = expr.variables
    if len(claimed) != len(names):
        raise ExpressionError(
            f"claimed has {len(claimed)} expression{'s' if len(claimed) != 1 else ''} but f "
            f"has {len(names)} variable{'s' if len(names) != 1 else ''} ({', '.join(names)}): "
            "give one partial derivative per variable, in that order", code="bad_claimed",
            field="claimed")
    parsed = []
    for i, item in enumerate(claimed):
        if isinstance(item, Expression):
            parsed.append(item)
            continue
        try:
            parsed.append(parse(item, variables=names, limits=limits))
        except ExpressionError as err:
            unknown = err.field == "variables"
            message = (f"claimed[{i}] (∂f/∂{names[i]}) uses a variable f does not have; f's "
                       f"variables are {', '.join(names)}") if unknown else err.reason
            raise ExpressionError(message, column=None if unknown else err.column,
                                  code=err.code, field=f"claimed.{i}") from None
    return parsed


def _kinks(expr: Expression, x: Array, h: float) -> Array:
    """(points, variables): whether the stencil x ± h e_i crosses a corner of abs, relu,
    min or max -- a switch quantity whose sign differs between x - h and x + h."""
    points, count = x.shape
    crossed = np.zeros((points, count), dtype=bool)
    corners = [(node, PRIMITIVES[node.op].kink) for node in expr.graph.nodes
               if node.op in PRIMITIVES and PRIMITIVES[node.op].kink is not None]
    if not corners or count == 0:
        return crossed
    shifted = np.concatenate([x - h * np.eye(count)[:, None, :], x + h * np.eye(count)[:, None, :]])
    columns = [shifted[..., j] for j in range(count)]  # each (2 * count, points)
    with np.errstate(all="ignore"):
        values = forward_values(expr.graph, dict(zip(expr.variables, columns, strict=True)))
        for node, kink in corners:
            switch = kink(*(values[j] for j in node.inputs))  # type: ignore[misc]
            side = np.sign(np.broadcast_to(switch, (2 * count, points)))
            crossed |= (side[:count] != side[count:]).T
    return crossed


def _sample(expr: Expression, point: PointLike, random_points: int,
            box: Sequence[Sequence[float]] | None, seed: int) -> Array:
    """The given point, then ``random_points`` drawn uniformly from ``box``."""
    x0 = resolve_point(expr, point)
    count = len(x0)
    if random_points < 0:
        raise ExpressionError("random_points must be >= 0", code="bad_points",
                              field="random_points")
    bounds = np.array([[-2.0, 2.0]] * count if box is None else box, dtype=np.float64)
    if bounds.size == 0:
        bounds = bounds.reshape(0, 2)  # no variables: nothing to draw but the point
    if bounds.shape != (count, 2) or not np.all(np.isfinite(bounds)) \
            or not np.all(bounds[:, 0] < bounds[:, 1]):
        raise ExpressionError(f"box must be one [low, high] per variable ({count}) with "
                              "low < high", code="bad_range", field="box")
    rng = np.random.default_rng(seed)
    drawn = rng.uniform(bounds[:, 0], bounds[:, 1], size=(random_points, count))
    return np.vstack([x0[None, :], drawn])


def _bound(expr: Expression, columns: list[Array], method: str, h: float,
           numerical: Array, values: Array, estimate: Array | None,
           check: Callable[[], None] | None) -> Array:
    """The numerical method's own error bound, per coordinate and point: the truncation
    error estimated from the same difference at step 2h, plus the rounding error
    eps·|f|/h (Richardson's own estimate; 4 eps |n| for the complex step)."""
    if method == "richardson" and estimate is not None:
        return estimate
    if method == "complex-step":
        return 4.0 * EPS * np.abs(numerical)
    wide = gradient_columns(expr, columns, method, 2.0 * h, check=check).gradient
    rounding = 4.0 * EPS * np.abs(values) / h
    return np.abs(wide - numerical) + rounding


def gradcheck(
    expr: Expression,
    point: PointLike,
    claimed: Sequence[str | Expression] | None = None,
    method: str = "central",
    h: float = 1e-5,
    random_points: int = 0,
    box: Sequence[Sequence[float]] | None = None,
    seed: int = 0,
    limits: Limits = DEFAULT_LIMITS,
    deadline: float | None = None,
) -> GradientCheck:
    """Check ``claimed`` (one expression per variable; default: the exact gradient)
    against the numerical gradient by ``method`` with step ``h`` at ``point`` and at
    ``random_points`` more drawn from ``box`` with ``seed``.  All points are computed
    together, as whole arrays, in blocks; ``deadline`` (a ``time.monotonic()`` value) is
    checked before each block.

    >>> from engine import parse
    >>> found = gradcheck(parse("x**2 + 10*y**2"), [1.0, 2.0], claimed=["2*x", "10*y"])
    >>> found.verdict, found.points[0].verdicts, found.evaluations
    ('fail', ['pass', 'fail'], 8)
    >>> print(found.message)
    ∂f/∂y is off at (1, 2): claimed 20, numerical 40 (relative error 0.5)
    """
    if method not in NUMERICAL_METHODS:
        raise ExpressionError(f"{method!r} is not a numerical method; choose one of "
                              f"{', '.join(NUMERICAL_METHODS)}", code="unknown_method",
                              field="method")
    check_method(expr, method)
    check_step(h)
    if not expr.variables:
        raise ExpressionError("f has no variables, so it has no derivative to check",
                              code="no_variables", field="expr")
    partials = None if claimed is None else _claimed(expr, claimed, limits)
    x = _sample(expr, point, random_points, box, seed)
    columns = [x[:, i] for i in range(x.shape[1])]
    check = deadline_check(deadline, "use fewer random points", field="random_points")
    with np.errstate(all="ignore"):
        found = gradient_columns(expr, columns, method, h, check=check)
        exact = gradient_columns(expr, columns, check=check).gradient
        checked = exact if partials is None else np.array(
            [evaluate_many(p, columns) for p in partials]).reshape(exact.shape)
        bound = _bound(expr, columns, method, h, found.gradient, found.value, found.estimate,
                       check)
        difference = np.abs(checked - found.gradient)
        scale = np.maximum(np.abs(checked), np.abs(found.gradient))
        relative = np.where(difference == 0, 0.0, difference / scale)
    kinks = _kinks(expr, x, h)
    checks = []
    for k in range(x.shape[0]):
        verdicts = [verdict_of(float(relative[i, k]), float(difference[i, k]),
                               float(bound[i, k])) for i in range(x.shape[1])]
        checks.append(PointCheck(x[k], float(found.value[k]), checked[:, k], exact[:, k],
                                 found.gradient[:, k], difference[:, k], relative[:, k],
                                 bound[:, k], verdicts, kinks[k].tolist()))
    worst = max((v for c in checks for v in c.verdicts), key=_ORDER.__getitem__,
                default="pass")
    stencils = 1 if method in ("richardson", "complex-step") else 2  # _bound's step 2h
    per_point = stencils * evaluations_per_point(method, x.shape[1])
    message = _message(expr.variables, checks, worst, partials is not None)
    return GradientCheck(expr.variables, method, h, partials is not None, checks, worst,
                         message, per_point * x.shape[0])


def _point_text(names: tuple[str, ...], point: Array) -> str:
    """``x = 1`` for one variable, ``(1, 2)`` for several."""
    if len(point) == 1:
        return f"{names[0]} = {format_number(float(point[0]))}"
    return "(" + ", ".join(format_number(float(v)) for v in point) + ")"


def _message(names: tuple[str, ...], checks: list[PointCheck], worst: str, claimed: bool
             ) -> str:
    what = "the claimed derivative" if claimed else "the exact gradient"
    count = len(checks)
    where = f"the {count} point{'s' if count != 1 else ''} checked"
    if worst == "pass":
        largest = max((float(e) for c in checks for e in c.rel_error), default=0.0)
        return (f"every partial derivative matches the numerical one at {where} "
                f"(largest relative error {largest:.2g})")
    for c in checks:
        for i, verdict in enumerate(c.verdicts):
            if verdict != worst:
                continue
            said = "is off" if worst == "fail" else "agrees only roughly"
            text = (f"∂f/∂{names[i]} {said} at {_point_text(names, c.point)}: "
                    f"{'claimed' if claimed else 'exact'} {c.checked[i]:.6g}, "
                    f"numerical {c.numerical[i]:.6g} (relative error {c.rel_error[i]:.2g})")
            if c.kinks[i]:
                text += f"; the stencil {names[i]} ± h crosses a corner (abs, relu, min or " \
                        "max), where f has no derivative"
            return text
    return f"{what} was checked at {where}"
