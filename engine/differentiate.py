"""Gradients by any method, at one point or at every point of a set of columns.

>>> from engine import parse
>>> result = gradient(parse("x**2 + y**2"), [3, 4], method="central", h=1e-4)
>>> result.gradient.tolist(), result.exact.tolist()
([6.00000000000378, 7.999999999999119], [6.0, 8.0])
>>> gradient(parse("x**2 + y**2"), [3, 4]).gradient.tolist()
[6.0, 8.0]
>>> hessian(parse("x**2*y"), [1, 2]).tolist()
[[4.0, 2.0], [2.0, 0.0]]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .codegen import array_gradient_function
from .errors import ExpressionError
from .evaluate import BLOCK, forward_values
from .expression import Expression
from .forward import jvp_gradient
from .methods import GRADIENT_METHODS
from .numeric import NUMERICAL, Step, as_columns, evaluations_per_point
from .ops import PRIMITIVES
from .points import resolve_point
from .reverse import hessian_columns, vjp_gradient
from .types import Array, PointLike

__all__ = [
    "METHODS",
    "NUMERICAL_METHODS",
    "GradientResult",
    "Derivatives",
    "gradient",
    "gradient_columns",
    "hessian",
    "check_method",
    "check_step",
]

METHODS: tuple[str, ...] = tuple(GRADIENT_METHODS)
"""Every gradient method, in the order of the table (:mod:`engine.methods`)."""
NUMERICAL_METHODS: tuple[str, ...] = tuple(m.name for m in GRADIENT_METHODS.values()
                                           if m.numerical)
if set(NUMERICAL_METHODS) != set(NUMERICAL):  # the table names exactly what numeric.py does
    raise ImportError("engine.methods and engine.numeric.NUMERICAL disagree")

_COMPILE_FROM = 256
"""Points from which generating code for the reverse sweep pays for itself; below it
(a single point, a short sweep) the graph interpreter is cheaper than compiling."""


@dataclass(frozen=True)
class Derivatives:
    """Value and gradient at every point of some columns (gradient axis 0 = variable);
    for the numerical methods the step ``h`` used per variable and point, and
    Richardson's error ``estimate``."""

    value: Array
    gradient: Array
    h: Array | None
    estimate: Array | None


@dataclass(frozen=True)
class GradientResult:
    """The gradient at one point, with the exact gradient beside a numerical one."""

    variables: tuple[str, ...]
    point: Array
    value: float
    gradient: Array
    method: str
    h: Array | None
    exact: Array | None
    error: Array | None
    error_estimate: Array | None


def check_method(expr: Expression, method: str, field: str = "method") -> None:
    """Refuse an unknown method, or the complex step on a non-analytic function."""
    if method not in METHODS:
        raise ExpressionError(
            f"unknown method {method!r}; choose one of {', '.join(METHODS)}",
            code="unknown_method", field=field)
    if GRADIENT_METHODS[method].needs_analytic:
        refused = sorted(name for name in expr.graph.primitives if not PRIMITIVES[name].analytic)
        if refused:
            name = min(refused, key=lambda n: expr.columns.get(n, 0))
            raise ExpressionError(
                f"the complex step needs a complex-analytic function, but {name} is not; "
                f"use central or richardson", column=expr.columns.get(name),
                code="not_analytic", field=field)


def check_step(h: float | None, field: str = "h") -> None:
    """A step must be a finite number > 0."""
    if h is not None and (isinstance(h, bool) or not math.isfinite(h) or h <= 0):
        raise ExpressionError(f"the step {field} must be a finite number > 0",
                              code="bad_step", field=field)


def _function(expr: Expression) -> Any:
    """``f`` as a function of a list of coordinate arrays (real or complex)."""
    graph, names = expr.graph, expr.variables

    def f(columns: list[Array]) -> Array:
        shape = np.shape(columns[0]) if columns else ()
        value = forward_values(graph, dict(zip(names, columns, strict=True)))[graph.output]
        return np.broadcast_to(value, shape)

    return f


def _stencil(method: str, count: int) -> int:
    """Evaluations of f per point that ``method`` makes at once (its work per point)."""
    if method in ("autodiff", "dual"):
        return 1
    return max(1, evaluations_per_point(method, count))  # f alone when it has no variables


def _reverse_mode(expr: Expression, columns: list[Array], compiled: bool | None = None
                  ) -> tuple[Any, Sequence[Any]]:
    """Reverse mode: the generated straight-line sweep (codegen), or for a few points,
    where compiling would not pay, the graph interpreter (``compiled`` None decides by
    size; True asks for generated code, as many calls on one expression do).  Returns f
    and one gradient entry per variable (arrays, or numbers where they do not depend on
    the point)."""
    many = bool(columns) and columns[0].size >= _COMPILE_FROM
    if columns and (compiled or (compiled is None and many)):
        try:
            value, grads = array_gradient_function(expr)(*columns)
        except (ArithmeticError, ValueError):
            pass  # Python-float arithmetic on constants raised (1.0/0.0): interpret below
        else:
            return value, _redo_suspects(expr, columns, value, grads)
    value, gradient = vjp_gradient(expr.graph, expr.variables, columns)  # IEEE throughout
    return value, list(gradient)


def _redo_suspects(expr: Expression, columns: list[Array], value: Any, grads: list[Any]
                   ) -> list[Any]:
    """The generated sweep's gradient, with the points where f is defined but a partial
    is NaN redone by the interpreter (its chain rule takes 0 times NaN as 0; see
    engine.codegen).  Where f is NaN every partial is NaN anyway: those are left."""
    suspect = None
    for g in grads:
        # g @ g (in cache, just written) is NaN exactly when an entry is: the common case
        # of none costs one fast pass; squares cannot cancel to NaN as a sum could
        if type(g) is np.ndarray and np.isnan(g @ g):
            suspect = np.isnan(g) if suspect is None else suspect | np.isnan(g)
    if suspect is None:
        return grads
    points = np.flatnonzero(suspect & ~np.isnan(value))
    if points.size == 0:
        return grads
    _, redone = vjp_gradient(expr.graph, expr.variables, [c[points] for c in columns])
    patched = [np.array(np.broadcast_to(g, np.shape(columns[0]))) for g in grads]
    for g, new in zip(patched, redone, strict=True):
        g[points] = new
    return patched


def _fill_block(expr: Expression, columns: list[Array], method: str, h: Step,
                out: tuple[Array, Array, Array | None, Array | None],
                compiled: bool | None = None) -> None:
    """Value, gradient (and step h, estimate) of one block of 1-D columns, written into
    ``out`` -- slices of the result arrays, so nothing is copied twice."""
    value_out, grad_out, h_out, estimate_out = out
    grads: Any  # a list of per-variable entries, or an array with one row each
    if method == "autodiff":
        value, grads = _reverse_mode(expr, columns, compiled)
    elif method == "dual":
        value, grads = jvp_gradient(expr.graph, expr.variables, columns)
    else:
        f = _function(expr)
        # a function of no variables has no partials to take: only its value
        grads, h_used, estimate = NUMERICAL[method](f, columns, h) if columns else \
            ([], None, None)
        value = f(columns)
        if h_out is not None:
            h_out[...] = h_used
        if estimate_out is not None and estimate is not None:
            estimate_out[...] = estimate
    value_out[...] = value
    for i, g in enumerate(grads):
        grad_out[i] = g


def _one_block(expr: Expression, arrays: list[Array], compiled: bool | None) -> Derivatives:
    """Reverse mode on equal 1-D columns of at most one block: the many small calls of a
    sweep, where setting up blocks would cost more than the arithmetic."""
    size = arrays[0].size
    with np.errstate(all="ignore"):
        value, grads = _reverse_mode(expr, arrays, compiled)
        value = np.array(np.broadcast_to(value, (size,)), dtype=np.float64)
        grad = np.empty((len(arrays), size))
        for i, g in enumerate(grads):
            grad[i] = g
        undefined = np.isnan(value)
        if undefined.any():  # no derivative where f is undefined (see below)
            grad[:, undefined] = np.nan
    return Derivatives(value, grad, None, None)


def gradient_columns(
    expr: Expression,
    columns: Sequence[Array],
    method: str = "autodiff",
    h: Step = None,
    check: Callable[[], None] | None = None,
    compiled: bool | None = None,
) -> Derivatives:
    """Value and gradient at every point of ``columns`` (one array per variable).

    Large inputs run in blocks of :data:`~engine.evaluate.BLOCK` points (fewer for the
    numerical methods, which evaluate f at a stencil of points each) so that the
    intermediates stay in cache; ``check`` (a deadline, say) runs before each block.
    ``h`` may be a scalar or an array of the columns' shape (one step per point).
    ``compiled=True`` runs reverse mode as generated code whatever the size (for many
    calls on one expression: a descent or a sweep); None decides by size.
    """
    arrays = [np.asarray(c, dtype=np.float64) for c in columns]
    if method == "autodiff" and arrays and arrays[0].ndim == 1 and \
            arrays[0].size <= BLOCK and all(a.shape == arrays[0].shape for a in arrays):
        return _one_block(expr, arrays, compiled)  # no blocks, views or copies to set up
    shape = np.broadcast_shapes(*(a.shape for a in arrays)) if arrays else ()
    size = int(np.prod(shape))
    count = len(arrays)
    # Blocks are whole rows of the leading axis, read from broadcast views: a grid given
    # as x[None, :] and y[:, None] is never materialised, only one block at a time.
    grid = (1,) if shape == () else shape
    views = [np.broadcast_to(a, shape).reshape(grid) for a in arrays]
    step_view = None if h is None or np.ndim(h) == 0 else np.broadcast_to(h, shape).reshape(grid)
    row_size = int(np.prod(grid[1:]))
    points = max(1, BLOCK // _stencil(method, count))  # so each block is bounded work
    rows_per_block = max(1, points // max(row_size, 1))
    value, grad = np.empty(size), np.empty((count, size))
    h_used = np.empty((count, size)) if method in NUMERICAL else None
    estimate = np.empty((count, size)) if method == "richardson" else None
    with np.errstate(all="ignore"):
        for first in range(0, grid[0], rows_per_block):
            if check is not None:
                check()
            last = min(first + rows_per_block, grid[0])
            block = slice(first * row_size, last * row_size)
            block_h = h if step_view is None else step_view[first:last].reshape(-1)
            _fill_block(expr, [v[first:last].reshape(-1) for v in views], method, block_h,
                        (value[block], grad[:, block],
                         None if h_used is None else h_used[:, block],
                         None if estimate is None else estimate[:, block]), compiled)
        # Where f is undefined (NaN: log(x) at x < 0) it has no derivative either, even
        # if the chain rule's arithmetic (1/x) would produce a number.
        undefined = np.isnan(value)
        if undefined.any():
            grad[:, undefined] = np.nan

    def shaped(array: Array | None, leading: tuple[int, ...]) -> Array | None:
        return None if array is None else array.reshape(leading + shape)

    return Derivatives(
        shaped(value, ()),  # type: ignore[arg-type]
        shaped(grad, (count,)),  # type: ignore[arg-type]
        shaped(h_used, (count,)),
        shaped(estimate, (count,)),
    )


def gradient(
    expr: Expression, point: PointLike, method: str = "autodiff", h: float | None = None
) -> GradientResult:
    """The gradient of ``expr`` at ``point`` by ``method``.

    For the numerical methods the exact (reverse-mode) gradient and the error
    ``gradient - exact`` come along; ``richardson`` adds its error estimate.
    """
    check_method(expr, method)
    check_step(h)
    x = resolve_point(expr, point)
    found = gradient_columns(expr, as_columns(x), method, h)
    exact = error = None
    if method in NUMERICAL_METHODS:
        exact = gradient_columns(expr, as_columns(x)).gradient
        error = found.gradient - exact
    return GradientResult(
        variables=expr.variables,
        point=x,
        value=float(found.value),
        gradient=found.gradient,
        method=method,
        h=found.h,
        exact=exact,
        error=error,
        error_estimate=found.estimate,
    )


def hessian(expr: Expression, point: PointLike) -> Array:
    """The exact Hessian at ``point`` (reverse mode over dual numbers); NaN where f is
    undefined, like the gradient."""
    x = resolve_point(expr, point)
    with np.errstate(all="ignore"):
        value, _, matrix = hessian_columns(expr.graph, expr.variables, as_columns(x))
    if np.isnan(value):
        matrix[...] = np.nan
    return matrix
