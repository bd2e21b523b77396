"""Descent: :func:`descend`, which runs one, and the generic loop that drives an optimizer.

The update rules live in the optimizer table, :mod:`engine.optimizers` (PyTorch's rules
and defaults); a run applies them coordinate by coordinate on plain floats -- a run of a
few variables is far faster on floats than on tiny numpy arrays.  For ``autodiff`` and
for ``forward``, ``backward`` and ``central`` differences, :func:`descend` runs the loop
:mod:`engine.loopgen` generates once per (expression, optimizer, method) from our own
validated graph: the gradient, the table's rule, the checks and the recording of path,
values and gradient norms written out as straight-line Python, with no call per step.
The other methods (``dual``, ``richardson``, ``complex-step``), and finite differences
of very long expressions, run :func:`run_optimizer`, the generic loop, which calls an
update closure (:func:`make_update`) and a gradient function per step.  Both give the
same floats and end a run the same way (:func:`ending`); this module decides how each
run ends and says why.  The curvature at the start (:mod:`engine.stability`) comes with
every run, and a diverged run's message compares ``lr`` with its stability bound -- or,
where f falls along a direction of negative curvature, says that no ``lr`` is to blame.

>>> from engine import parse
>>> run = descend(parse("x**2 + y**2"), [-3, 4], lr=0.1, steps=100)
>>> run.status, len(run.path), [f"{c:.2g}" for c in run.final]
('completed', 101, ['-6.1e-10', '8.1e-10'])
>>> run = descend(parse("x**2 + 10*y**2"), [-3, 4], lr=0.5, steps=100)
>>> run.status, run.stop_step
('diverged', 6)
>>> print(*run.message.split("; "), sep="\\n")
diverged at step 6: |f - f(start)| = 4.5e+13 exceeded divergence_factor·(1 + |f(start)|) = 1.7e+12
lr 0.5 is above the stability bound 2/λmax = 0.1 at the start: try lr < 0.1
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .codegen import value_and_gradient_function
from .differentiate import check_method, check_step, gradient_columns
from .errors import DeadlineExceeded, ExpressionError
from .expression import Expression
from .loopgen import descent_loop, generates
from .lost_step import SHIFTS, convergence_test, lost_coordinates, stalled_by_rounding
from .numeric import as_columns
from .optimizers import FLOATS, check_lr, check_optimizer, resolve_settings
from .outcomes import DIVERGENCE_FACTOR, OUTCOMES, status_of
from .points import resolve_point
from .stability import Stability, stability
from .types import Array, PointLike

__all__ = ["DescentResult", "Trajectory", "descend", "make_update", "run_optimizer",
           "value_and_gradient_on_floats"]

Vector = list[float]
Update = Callable[[Vector, Vector, int], Vector]
"""``update(x, g, t) -> new x``: one optimizer step (t counts from 1)."""
ValueAndGradient = Callable[[Vector], tuple[float, Vector]]


def make_update(optimizer: str, lr: float, **settings: float | None) -> Update:
    """The update rule of ``optimizer`` on lists of floats, with fresh state.

    Settings not given take the table's defaults; settings of other optimizers are
    ignored.  Each coordinate is updated by the table's rule on plain floats.

    >>> update = make_update("momentum", 0.1, momentum=0.9)
    >>> update([1.0], [2.0], 1), update([0.8], [1.6], 2)
    ([0.8], [0.45999999999999996])
    """
    row = check_optimizer(optimizer)
    s = resolve_settings(row, settings)
    check_lr(lr)
    step = row.step
    slots = len(row.state)
    state: list[tuple[float, ...]] = []

    def update(x: Vector, g: Vector, t: int) -> Vector:
        if not state:
            state.extend([(0.0,) * slots] * len(x))
        moved = []
        for i, (xi, gi) in enumerate(zip(x, g, strict=True)):
            xi, *rest = step(FLOATS, xi, gi, t, lr, s, *state[i])
            state[i] = tuple(rest)
            moved.append(xi)
        return moved

    return update


@dataclass(frozen=True)
class DescentResult:
    """A trajectory, thinned to at most ``max_points`` entries (first and last kept).

    ``status`` says how the run ended and ``reason`` why, as a code a program can branch
    on: ``all_steps`` (completed), ``tol`` (converged), ``start_not_finite``,
    ``coordinate_not_finite``, ``value_not_finite``, ``gradient_not_finite`` or
    ``value_grew`` (diverged).  ``stop_step`` is the step at which an early stop was
    decided (None when all steps ran); ``stalled_at`` the first step at which the
    gradient was exactly 0, so that the point stopped moving (None if never).
    ``message`` says all of it in words.
    """

    variables: tuple[str, ...]
    path: Array
    values: Array
    grad_norms: Array
    iterations: Array
    final: Array
    final_value: float
    steps: int
    status: str
    reason: str
    stop_step: int | None
    stalled_at: int | None
    message: str
    stability: Stability


def value_and_gradient_on_floats(expr: Expression, method: str, h: float | None
                                 ) -> ValueAndGradient:
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

    def fast(x: Vector) -> tuple[float, Vector]:
        try:  # generated on first use (the generated loop calls this only to redo a point)
            return value_and_gradient_function(expr)(*x)  # type: ignore[no-any-return]
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
    """Every iterate of a run, unthinned, with how it ended (see :class:`DescentResult`)."""

    path: Sequence[Sequence[float]] | Array
    """Every point, start first (lists of floats, or the rows of an array)."""
    values: list[float]
    grad_norms: list[float]
    steps: int
    status: str
    reason: str
    stop_step: int | None
    message: str


def run_optimizer(
    value_and_gradient: ValueAndGradient,
    start: Vector,
    update: Update,
    steps: int,
    tol: float = 0.0,
    divergence_factor: float | None = DIVERGENCE_FACTOR,
    deadline: float | None = None,
    converges: Callable[[Vector, Vector], bool] | None = None,
) -> Trajectory:
    """Drive ``update`` with ``value_and_gradient`` from ``start``: the descent loop.

    It knows nothing of expressions: any callable ``x -> (f(x), gradient)`` on lists of
    floats will do (the benchmarks drive it with a hand-written gradient).  A run stops
    early only when ``tol > 0`` and the gradient norm reaches it (``converged``), or when
    it diverges; ``tol = 0`` never stops a run early, even where the gradient is 0.
    ``converges(x, gradient)``, when given, must also agree before a run is called
    converged (:func:`engine.lost_step.convergence_test`: not where a numerical gradient
    is 0 only because its step was lost in rounding).

    >>> run = run_optimizer(lambda x: (x[0] ** 2, [2 * x[0]]), [1.0], make_update("gd", 0.25), 3)
    >>> run.path, run.status
    ([[1.0], [0.5], [0.25], [0.125]], 'completed')
    """
    x = list(start)
    value, grad = value_and_gradient(x)
    norm = math.hypot(*grad)
    path, values, norms = [x], [value], [norm]
    reason, step = "all_steps", 0
    if not (math.isfinite(value) and _finite(grad)):
        reason = "start_not_finite"
    elif tol > 0 and norm <= tol and (converges is None or converges(x, grad)):
        reason = "tol"
    limit = math.inf if divergence_factor is None else divergence_factor * (1.0 + abs(value))
    first_value = value
    while reason == "all_steps" and step < steps:
        step += 1
        if deadline is not None and time.monotonic() > deadline:  # ~50 ns a step
            raise DeadlineExceeded(f"descent took longer than its time limit after {step} "
                                   "steps; use fewer steps", field="steps")
        x_next = update(x, grad, step)
        if not _finite(x_next):
            reason = "coordinate_not_finite"
            break
        value_next, grad_next = value_and_gradient(x_next)
        if not math.isfinite(value_next):
            reason = "value_not_finite"
            break
        if not _finite(grad_next):
            reason = "gradient_not_finite"
            break
        x, value, grad = x_next, value_next, grad_next
        norm = math.hypot(*grad)
        path.append(x)
        values.append(value)
        norms.append(norm)
        if abs(value - first_value) > limit:
            reason = "value_grew"
        elif tol > 0 and norm <= tol and (converges is None or converges(x, grad)):
            reason = "tol"
    return ending(path, values, norms, reason, step, steps, tol, divergence_factor)


def ending(path: Sequence[Sequence[float]] | Array, values: list[float], norms: list[float],
           reason: str, step: int, steps: int, tol: float, divergence_factor: float | None
           ) -> Trajectory:
    """The trajectory of a run that ended for ``reason`` at ``step``, with its status and
    its message in words (shared by the generic loop and the generated one)."""
    status = status_of(reason)
    where = "at the start" if step == 0 else f"at step {step}"
    if reason == "all_steps":
        message = f"ran all {steps} steps"
    elif reason == "start_not_finite":
        message = "f or its gradient is not finite at the start point"
    elif reason == "tol":
        message = f"converged {where}: the gradient norm {norms[-1]:.3g} is <= tol {tol:g}"
    elif reason == "value_grew":
        limit = (divergence_factor or 0.0) * (1.0 + abs(values[0]))
        message = (f"diverged {where}: |f - f(start)| = {abs(values[-1] - values[0]):.2g} "
                   f"exceeded divergence_factor·(1 + |f(start)|) = {limit:.2g}")
    else:
        what = OUTCOMES[reason].what
        message = f"diverged {where}: {what} stopped being finite"
    stop_step = None if reason == "all_steps" else step
    return Trajectory(path, values, norms, len(path) - 1, status, reason, stop_step, message)


def _stall_note(run: Trajectory, grad_norms: Array, method: str, h: float | None,
                expr: Expression) -> tuple[int | None, str]:
    """The first step whose gradient is exactly 0 (the point stops moving), and why.

    With a finite-difference method and a fixed ``h``, a coordinate so large that
    ``x + h`` rounds to ``x`` makes the stencil see no change: the numerical gradient is
    exactly 0 although f need not be stationary -- the textbook's lr = 10 run stands
    still so.  Whether f is stationary there is asked of its exact gradient (autodiff),
    as :mod:`engine.lost_step` asks it before a run may converge there.
    """
    zeros = np.flatnonzero(grad_norms == 0.0)
    if zeros.size == 0:
        return None, ""
    stalled = int(zeros[0])
    x = run.path[stalled]
    names = expr.variables
    where = "at the start" if stalled == 0 else f"at step {stalled}"
    rounded = lost_coordinates(x, method, h)
    if rounded and h is not None:
        i, name = rounded[0], names[rounded[0]]
        point = np.array([x], dtype=np.float64)
        moving = stalled_by_rounding(expr, point, np.zeros_like(point), method, h)[0]
        why = ("so the point stands still although f is not stationary (its exact "
               "gradient is not 0 there)" if moving else
               "and f's exact gradient is 0 there as well")
        sign = "-" if SHIFTS[method] == (-1.0,) else "+"
        return stalled, (
            f"the numerical gradient became exactly 0 {where} because {name} {sign} h "
            f"rounds to {name} there ({name} = {x[i]:.3g}, h = {h:g}): the "
            f"stencil sees no change, {why}")
    if stalled == len(run.path) - 1 and run.status != "completed":
        return stalled, ""
    return stalled, f"the gradient is exactly 0 {where}, so the point stops moving there"


def _bound_note(lr: float, curvature: Stability, values: Sequence[float]) -> str:
    """Why a diverged run went, as far as the curvature at the start tells.

    Where f has a direction of negative curvature there (λmin < 0) and the run went down
    (f below f(start)), f decreases without bound along it: no learning rate is to blame,
    a smaller one only slows the fall.  Otherwise: how ``lr`` compares with the
    stability bound at the start.

    >>> from engine import parse
    >>> from engine.stability import stability
    >>> _bound_note(0.1, stability(parse("x**2 - y**2"), [1, 1]), [0.0, -3e10])[:57]
    'f decreases without bound along a direction of negative c'
    >>> _bound_note(2.0, stability(parse("x**2"), [1]), [1.0, 9e10])
    'lr 2 is above the stability bound 2/λmax = 1 at the start: try lr < 1'
    """
    eigenvalues = curvature.eigenvalues
    if eigenvalues is not None and eigenvalues.size and eigenvalues[0] < 0 and \
            values[-1] < values[0]:
        return (f"f decreases without bound along a direction of negative curvature "
                f"(λmin = {float(eigenvalues[0]):.3g} < 0 at the start): the run follows it "
                "down, and no learning rate stops that -- a smaller lr only slows the fall")
    bound, formula = curvature.lr_bound, curvature.bound_formula
    if bound is None or formula is None:
        return ""
    if lr > bound:
        return (f"lr {lr:g} is above the stability bound {formula} = {bound:.3g} at the "
                f"start: try lr < {bound:.3g}")
    return (f"lr {lr:g} is below the stability bound {formula} = {bound:.3g} at the start, "
            "so the curvature must have grown along the path")


def descend(
    expr: Expression,
    start: PointLike,
    lr: float = 0.1,
    steps: int = 100,
    optimizer: str = "gd",
    method: str = "autodiff",
    h: float | None = None,
    tol: float = 0.0,
    divergence_factor: float | None = DIVERGENCE_FACTOR,
    max_points: int = 10001,
    deadline: float | None = None,
    **settings: float | None,
) -> DescentResult:
    """Run ``optimizer`` on ``expr`` from ``start`` for up to ``steps`` steps.

    ``settings`` are the optimizer's own (``momentum=0.9``, ``beta1``, ``eps``...; see
    :data:`engine.optimizers.OPTIMIZERS`): missing ones take PyTorch's defaults, those of
    other optimizers are ignored.  Stops early with status ``converged`` when ``tol > 0``
    and the gradient norm is <= ``tol``, or ``diverged`` when a coordinate, value or
    gradient stops being finite (the path ends at the last finite point) or
    ``|f(x_k) - f(x_0)| > divergence_factor * (1 + |f(x_0)|)``.  Otherwise the status is
    ``completed``.  ``deadline`` (a ``time.monotonic()`` value) bounds the wall time:
    past it, :class:`DeadlineExceeded` is raised.
    """
    check_method(expr, method)
    check_step(h)
    if steps < 0:
        raise ExpressionError("steps must be >= 0", code="bad_steps", field="steps")
    if not (isinstance(tol, int | float) and math.isfinite(tol) and tol >= 0):
        raise ExpressionError("tol must be a finite number >= 0", code="bad_tol", field="tol")
    if max_points < 2:
        raise ExpressionError("max_points must be at least 2", code="bad_steps",
                              field="max_points")
    update = make_update(optimizer, lr, **settings)  # checks lr and the settings
    start_point = [float(v) for v in resolve_point(expr, start, field="start")]
    curvature = stability(expr, start_point, optimizer, settings)
    value_and_gradient = value_and_gradient_on_floats(expr, method, h)
    converges = convergence_test(expr, method, h) if tol > 0 else None
    if generates(expr, method):  # the whole loop as generated code
        row = check_optimizer(optimizer)
        loop = descent_loop(expr, row, method, h)
        reason, step, columns, values, norms = loop(
            start_point, lr, steps, tol, divergence_factor, deadline,
            vars(resolve_settings(row, settings)), value_and_gradient, h=h,
            converges=converges)
        path = np.empty((len(values), len(columns)))
        for k, column in enumerate(columns):
            path[:, k] = np.fromiter(column, np.float64, len(values))
        run = ending(path, values, norms, reason, step, steps, tol, divergence_factor)
    else:
        run = run_optimizer(value_and_gradient, start_point, update, steps, tol,
                            divergence_factor, deadline, converges)
        path = np.asarray(run.path, dtype=np.float64).reshape(len(run.path), len(start_point))
    count = len(run.values)
    grad_norms = np.fromiter(run.grad_norms, np.float64, count)
    stalled_at, stall = _stall_note(run, grad_norms, method, h, expr)
    notes = [run.message, stall,
             _bound_note(lr, curvature, run.values) if run.status == "diverged" else ""]
    keep = _thin(count, max_points)
    values_array = np.fromiter(run.values, np.float64, count)
    if keep.size < count:
        path, values_array, grad_norms = path[keep], values_array[keep], grad_norms[keep]
    return DescentResult(
        variables=expr.variables,
        path=path,
        values=values_array,
        grad_norms=grad_norms,
        iterations=keep,
        final=path[-1].copy(),
        final_value=float(run.values[-1]),
        steps=run.steps,
        status=run.status,
        reason=run.reason,
        stop_step=run.stop_step,
        stalled_at=stalled_at,
        message="; ".join(note for note in notes if note),
        stability=curvature,
    )
