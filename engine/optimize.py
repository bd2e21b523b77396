"""Gradient descent and its relatives, as plain functions over a gradient callable.

Update rules (``g`` the gradient at the current point, ``t`` the step number from 1),
as in PyTorch's optimizers without weight decay:

=========  ==============================================================================
gd         ``x -= lr * g``
momentum   ``v = momentum * v + g;  x -= lr * v``  (heavy ball, PyTorch's SGD momentum)
nesterov   ``v = momentum * v + g;  x -= lr * (g + momentum * v)``  (PyTorch's form)
adagrad    ``G += g**2;  x -= lr * g / (sqrt(G) + eps)``
rmsprop    ``s = rho * s + (1 - rho) * g**2;  x -= lr * g / (sqrt(s) + eps)``
adam       ``m = beta1 m + (1 - beta1) g;  s = beta2 s + (1 - beta2) g**2;``
           ``x -= lr * (m / (1 - beta1**t)) / (sqrt(s / (1 - beta2**t)) + eps)``
=========  ==============================================================================

>>> from engine import parse
>>> run = descend(parse("x**2 + y**2"), [-3, 4], lr=0.1, steps=100)
>>> run.status, len(run.path), [f"{c:.2g}" for c in run.final]
('completed', 101, ['-6.1e-10', '8.1e-10'])
>>> descend(parse("x**2 + y**2"), [-3, 4], lr=10, steps=100).status
'diverged'
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .codegen import value_and_gradient_function
from .differentiate import check_method, check_step, gradient_columns
from .errors import DeadlineExceeded, ExpressionError
from .expression import Expression
from .numeric import as_columns
from .points import resolve_point
from .types import Array, PointLike

__all__ = ["OPTIMIZERS", "DescentResult", "Trajectory", "descend", "make_update", "run_optimizer"]

Vector = list[float]
Update = Callable[[Vector, Vector, int], Vector]
"""``update(x, g, t) -> new x``: one optimizer step (t counts from 1)."""
ValueAndGradient = Callable[[Vector], tuple[float, Vector]]


def _gd(lr: float) -> Update:
    def update(x: Vector, g: Vector, t: int) -> Vector:
        return [xi - lr * gi for xi, gi in zip(x, g, strict=True)]

    return update


def _momentum(lr: float, momentum: float, nesterov: bool) -> Update:
    velocity: Vector = []

    def update(x: Vector, g: Vector, t: int) -> Vector:
        nonlocal velocity
        v0 = velocity or [0.0] * len(g)
        velocity = [momentum * vi + gi for vi, gi in zip(v0, g, strict=True)]
        if nesterov:
            return [xi - lr * (gi + momentum * vi)
                    for xi, gi, vi in zip(x, g, velocity, strict=True)]
        return [xi - lr * vi for xi, vi in zip(x, velocity, strict=True)]

    return update


def _adagrad(lr: float, eps: float) -> Update:
    total: Vector = []

    def update(x: Vector, g: Vector, t: int) -> Vector:
        nonlocal total
        s0 = total or [0.0] * len(g)
        total = [si + gi * gi for si, gi in zip(s0, g, strict=True)]
        return [xi - lr * gi / (math.sqrt(si) + eps)
                for xi, gi, si in zip(x, g, total, strict=True)]

    return update


def _rmsprop(lr: float, rho: float, eps: float) -> Update:
    average: Vector = []

    def update(x: Vector, g: Vector, t: int) -> Vector:
        nonlocal average
        s0 = average or [0.0] * len(g)
        average = [rho * si + (1 - rho) * gi * gi for si, gi in zip(s0, g, strict=True)]
        return [xi - lr * gi / (math.sqrt(si) + eps)
                for xi, gi, si in zip(x, g, average, strict=True)]

    return update


def _adam(lr: float, beta1: float, beta2: float, eps: float) -> Update:
    first: Vector = []
    second: Vector = []

    def update(x: Vector, g: Vector, t: int) -> Vector:
        nonlocal first, second
        m0 = first or [0.0] * len(g)
        s0 = second or [0.0] * len(g)
        first = [beta1 * mi + (1 - beta1) * gi for mi, gi in zip(m0, g, strict=True)]
        second = [beta2 * si + (1 - beta2) * gi * gi for si, gi in zip(s0, g, strict=True)]
        bias1 = 1 - beta1**t
        bias2 = 1 - beta2**t
        return [xi - lr * (mi / bias1) / (math.sqrt(si / bias2) + eps)
                for xi, mi, si in zip(x, first, second, strict=True)]

    return update


OPTIMIZERS: tuple[str, ...] = ("gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")


def make_update(optimizer: str, lr: float, momentum: float = 0.9, beta1: float = 0.9,
                beta2: float = 0.999, rho: float = 0.9, eps: float = 1e-8) -> Update:
    """The update rule of ``optimizer`` with its settings (fresh state)."""
    rules: dict[str, Callable[[], Update]] = {
        "gd": lambda: _gd(lr),
        "momentum": lambda: _momentum(lr, momentum, nesterov=False),
        "nesterov": lambda: _momentum(lr, momentum, nesterov=True),
        "adagrad": lambda: _adagrad(lr, eps),
        "rmsprop": lambda: _rmsprop(lr, rho, eps),
        "adam": lambda: _adam(lr, beta1, beta2, eps),
    }
    if optimizer not in rules:
        raise ExpressionError(f"unknown optimizer {optimizer!r}; choose one of "
                              f"{', '.join(OPTIMIZERS)}", code="unknown_optimizer",
                              field="optimizer")
    return rules[optimizer]()


@dataclass(frozen=True)
class DescentResult:
    """A trajectory, thinned to at most ``max_points`` entries (first and last kept)."""

    variables: tuple[str, ...]
    path: Array
    values: Array
    grad_norms: Array
    iterations: Array
    final: Array
    final_value: float
    steps: int
    status: str
    message: str


def _value_and_gradient(expr: Expression, method: str, h: float | None) -> ValueAndGradient:
    """``x -> (f(x), gradient)`` on plain floats, by ``method``.

    ``autodiff`` runs generated straight-line code; where Python floats raise
    (``math.log(-1.0)``, overflow) that point is redone on the numpy path, which
    follows IEEE rules (NaN, inf) like every other method.
    """

    def numpy_path(x: Vector) -> tuple[float, Vector]:
        found = gradient_columns(expr, as_columns(x), method, h)
        return float(found.value), [float(g) for g in found.gradient]

    if method != "autodiff":
        return numpy_path
    generated = value_and_gradient_function(expr)

    def fast(x: Vector) -> tuple[float, Vector]:
        try:
            return generated(*x)  # type: ignore[no-any-return]
        except (ArithmeticError, ValueError):
            return numpy_path(x)

    return fast


def _finite(values: Vector) -> bool:
    return all(math.isfinite(v) for v in values)


def _thin(count: int, max_points: int) -> np.ndarray:
    if count <= max_points:
        return np.arange(count)
    return np.unique(np.linspace(0, count - 1, max_points).round().astype(np.int64))


@dataclass(frozen=True)
class Trajectory:
    """Every iterate of a run, unthinned, with how it ended."""

    path: list[Vector]
    values: list[float]
    grad_norms: list[float]
    steps: int
    status: str
    message: str


def run_optimizer(
    value_and_gradient: ValueAndGradient,
    start: Vector,
    update: Update,
    steps: int,
    tol: float = 0.0,
    divergence_factor: float | None = 1e10,
    deadline: float | None = None,
) -> Trajectory:
    """Drive ``update`` with ``value_and_gradient`` from ``start``: the descent loop.

    It knows nothing of expressions: any callable ``x -> (f(x), gradient)`` on lists of
    floats will do (the benchmarks drive it with a hand-written gradient).

    >>> run = run_optimizer(lambda x: (x[0] ** 2, [2 * x[0]]), [1.0], make_update("gd", 0.25), 3)
    >>> run.path, run.status
    ([[1.0], [0.5], [0.25], [0.125]], 'completed')
    """
    x = list(start)
    value, grad = value_and_gradient(x)
    norm = math.sqrt(sum(g * g for g in grad))
    path, values, norms = [x], [value], [norm]
    status, message, taken = "completed", "", 0
    if not (math.isfinite(value) and _finite(grad)):
        status, message = "diverged", "f or its gradient is not finite at the start point"
    elif norm <= tol:
        status = "converged"
        message = f"the gradient norm {norm:.3g} is <= tol at the start point"
    limit = None if divergence_factor is None else divergence_factor * (1.0 + abs(value))
    first_value = value
    step = 0
    while status == "completed" and step < steps:
        step += 1
        if deadline is not None and time.monotonic() > deadline:  # ~50 ns a step
            raise DeadlineExceeded(f"descent took longer than its time limit after {step} "
                                   "steps; use fewer steps", field="steps")
        x_next = update(x, grad, step)
        if not _finite(x_next):
            status, message = "diverged", f"step {step}: a coordinate stopped being finite"
            break
        value_next, grad_next = value_and_gradient(x_next)
        if not math.isfinite(value_next):
            status, message = "diverged", f"step {step}: f stopped being finite"
            break
        if not _finite(grad_next):
            status, message = "diverged", f"step {step}: the gradient stopped being finite"
            break
        x, value, grad = x_next, value_next, grad_next
        norm = math.sqrt(sum(g * g for g in grad))
        path.append(x)
        values.append(value)
        norms.append(norm)
        taken = step
        if limit is not None and abs(value - first_value) > limit:
            status = "diverged"
            message = (f"step {step}: |f - f(start)| = {abs(value - first_value):.3g} exceeded "
                       f"divergence_factor * (1 + |f(start)|) = {limit:.3g}")
        elif norm <= tol:
            status = "converged"
            message = f"converged at step {step}: the gradient norm {norm:.3g} is <= tol {tol:g}"
    if status == "completed":
        message = f"ran all {steps} steps"
    return Trajectory(path, values, norms, taken, status, message)


def descend(
    expr: Expression,
    start: PointLike,
    lr: float = 0.1,
    steps: int = 100,
    optimizer: str = "gd",
    method: str = "autodiff",
    h: float | None = None,
    tol: float = 0.0,
    divergence_factor: float | None = 1e10,
    momentum: float = 0.9,
    beta1: float = 0.9,
    beta2: float = 0.999,
    rho: float = 0.9,
    eps: float = 1e-8,
    max_points: int = 10001,
    deadline: float | None = None,
) -> DescentResult:
    """Run ``optimizer`` on ``expr`` from ``start`` for up to ``steps`` steps.

    Stops early with status ``converged`` when the gradient norm is <= ``tol``, or
    ``diverged`` when a coordinate, value or gradient stops being finite (the path ends
    at the last finite point) or ``|f(x_k) - f(x_0)| > divergence_factor * (1 + |f(x_0)|)``.
    Otherwise the status is ``completed``.  ``deadline`` (a ``time.monotonic()`` value)
    bounds the wall time: past it, :class:`DeadlineExceeded` is raised.
    """
    check_method(expr, method)
    check_step(h)
    if steps < 0:
        raise ExpressionError("steps must be >= 0", code="bad_steps", field="steps")
    if max_points < 2:
        raise ExpressionError("max_points must be at least 2", code="bad_steps",
                              field="max_points")
    update = make_update(optimizer, lr, momentum, beta1, beta2, rho, eps)
    start_point = [float(v) for v in resolve_point(expr, start, field="start")]
    run = run_optimizer(_value_and_gradient(expr, method, h), start_point, update, steps,
                        tol, divergence_factor, deadline)
    keep = _thin(len(run.path), max_points)
    path = np.asarray(run.path, dtype=np.float64).reshape(len(run.path), len(start_point))
    return DescentResult(
        variables=expr.variables,
        path=path[keep],
        values=np.asarray(run.values)[keep],
        grad_norms=np.asarray(run.grad_norms)[keep],
        iterations=keep,
        final=path[-1],
        final_value=float(run.values[-1]),
        steps=run.steps,
        status=run.status,
        message=run.message,
    )
