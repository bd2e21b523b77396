"""Many descents of one function at once: the learning rate (and momentum) swept.

Every run is a row of one array: one gradient evaluation and one update of the
optimizer table's rule (:mod:`engine.optimizers`, on arrays) advance all runs still
going by one step -- with ``autodiff``, in the loop :mod:`engine.sweepgen` generates
(every operation of a step one ufunc into a buffer), which hands back each step at
which a run may stop, to be decided here.  A run stops counting exactly where
:func:`engine.descend` would stop it -- a coordinate, value or gradient that stops
being finite, ``|f - f(start)|`` past ``divergence_factor · (1 + |f(start)|)``, or
``tol > 0`` reached -- so a run of a sweep and a single run at the same rate agree to
rounding (to the last bit where f needs only + - * / and squares).

>>> from engine import parse
>>> sweep = sweep_learning_rate(parse("x**2 + 10*y**2"), [-3, 4], lr_min=0.01, lr_max=1,
...                             n=5, steps=200)
>>> sweep.lr.round(4).tolist(), sweep.status.tolist()
([0.01, 0.0316, 0.1, 0.3162, 1.0], ['completed', 'completed', 'completed', 'diverged', 'diverged'])
>>> sweep.stability.lr_bound, round(sweep.best_lr, 4)    # lr 0.1 sits on the bound: y oscillates
(0.1, 0.0316)
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from .differentiate import check_method, check_step, gradient_columns
from .errors import DeadlineExceeded, ExpressionError
from .expression import Expression
from .lost_step import stalled_by_rounding
from .optimizers import ARRAYS, check_optimizer, resolve_settings
from .outcomes import DIVERGENCE_FACTOR, status_of
from .points import resolve_point
from .stability import Stability, stability
from .sweepgen import Lanes, batch_loop
from .types import Array, PointLike

__all__ = ["BatchResult", "SweepRuns", "descend_batch", "sweep_learning_rate"]


@dataclass(frozen=True)
class BatchResult:
    """How each of R runs ended: arrays with a leading axis of one entry per run."""

    final: Array
    """(R, variables): the last finite point of each run."""
    final_value: Array
    steps: np.ndarray
    """Steps each run took (int)."""
    reason: np.ndarray
    """Why each run ended, a code of :data:`engine.outcomes.REASONS` (str)."""
    status: np.ndarray
    """``completed``, ``converged`` or ``diverged`` (str)."""


def _gradients(expr: Expression, x: Array, method: str, h: float | None) -> tuple[Array, Array]:
    """f and the gradient at every row of ``x``: shapes (R,) and (R, variables)."""
    # a sweep calls this once a step: generated code pays for itself at once
    found = gradient_columns(expr, [x[:, i] for i in range(x.shape[1])], method, h,
                             compiled=True)
    return found.value, found.gradient.T


def _norms(grad: Array) -> Array:
    """‖g‖ of each row, without overflow for |g| > 1e154 (as math.hypot in a single run)."""
    return np.hypot.reduce(grad, axis=1) if grad.shape[1] else np.zeros(len(grad))


def _rows(value: object, rows: np.ndarray) -> object:
    """A setting or rate for the runs ``rows``, as a column that broadcasts over the
    coordinates: arrays are indexed, numbers kept."""
    return value[rows, None] if isinstance(value, np.ndarray) else value


class _Pack:
    """The runs still going, packed: row k of every array is run ``index[k]``."""

    def __init__(self, index: np.ndarray, x: Array, value: Array, grad: Array, rates: Array,
                 settings: dict[str, object], limit: Array, slots: int) -> None:
        self.index = index
        self.x, self.value, self.grad = x[index], value[index], grad[index]
        self.first, self.limit = value[index], limit[index]
        self.lr = rates[index, None]
        self.all_settings = settings
        self.settings = SimpleNamespace(**{k: _rows(v, index) for k, v in settings.items()})
        self.state = [np.zeros_like(self.x) for _ in range(slots)]

    @property
    def size(self) -> int:
        return int(self.index.size)

    def leave(self, mask: np.ndarray, step: int, x: Array, value: Array, taken: np.ndarray
              ) -> None:
        """Write the runs of ``mask`` back to the full arrays: they stopped at ``step``."""
        rows = self.index[mask]
        x[rows], value[rows], taken[rows] = self.x[mask], self.value[mask], step

    def keep(self, mask: np.ndarray) -> None:
        """Go on with the runs of ``mask`` only."""
        self.index = self.index[mask]
        self.x, self.value, self.grad = self.x[mask], self.value[mask], self.grad[mask]
        self.first, self.limit, self.lr = self.first[mask], self.limit[mask], self.lr[mask]
        self.state = [slot[mask] for slot in self.state]
        self.settings = SimpleNamespace(**{k: _rows(v, self.index)
                                           for k, v in self.all_settings.items()})


def descend_batch(
    expr: Expression,
    starts: Array,
    lr: Array,
    steps: int,
    optimizer: str = "gd",
    method: str = "autodiff",
    h: float | None = None,
    tol: float = 0.0,
    divergence_factor: float | None = DIVERGENCE_FACTOR,
    settings: Mapping[str, float | Array | None] | None = None,
    deadline: float | None = None,
    generated: bool = True,
) -> BatchResult:
    """Run R descents of ``expr`` together: row r starts at ``starts[r]`` with rate
    ``lr[r]``; a setting may be a number (all runs) or an array of R values.

    With ``autodiff`` the steps run in the loop :mod:`engine.sweepgen` generates, which
    hands a step back whenever a run may stop there; that step, and every step of the
    other methods (or of all with ``generated=False``), is decided here run by run
    (:meth:`_Ends.settle`), and both ways give the same runs.

    >>> from engine import parse
    >>> batch = descend_batch(parse("x**2"), np.array([[1.0], [1.0]]), np.array([0.25, 2.0]),
    ...                       steps=3, divergence_factor=10)
    >>> batch.final[:, 0].tolist(), batch.steps.tolist(), batch.status.tolist()
    ([0.125, 9.0], [3, 2], ['completed', 'diverged'])
    """
    row = check_optimizer(optimizer)
    check_method(expr, method)
    check_step(h)
    runs = starts.shape[0]
    scalars = {k: v for k, v in (settings or {}).items() if not isinstance(v, np.ndarray)}
    values = vars(resolve_settings(row, scalars))
    for name, array in (settings or {}).items():
        if isinstance(array, np.ndarray) and name in values:
            setting = next(s for s in row.settings if s.name == name)
            for item in array.ravel():
                setting.check(float(item))
            values[name] = np.broadcast_to(array, (runs,)).astype(np.float64)
    x = np.array(starts, dtype=np.float64)
    rates = np.broadcast_to(np.asarray(lr, dtype=np.float64), (runs,))
    with np.errstate(all="ignore"):
        value, grad = _gradients(expr, x, method, h)
        finite = np.isfinite(value) & np.all(np.isfinite(grad), axis=1)
        reason = np.where(finite, "all_steps", "start_not_finite").astype(object)
        if tol > 0:  # not where a numerical gradient is 0 only by a lost step
            reason[finite & (_norms(grad) <= tol)
                   & ~stalled_by_rounding(expr, x, grad, method, h)] = "tol"
        limit = (np.full(runs, np.inf) if divergence_factor is None
                 else divergence_factor * (1.0 + np.abs(value)))
        taken = np.zeros(runs, dtype=np.int64)
        # The runs still going, packed together so a step is whole-array work with no
        # gathering; a run that stops leaves the pack (its last finite point is kept).
        run = _Pack(np.flatnonzero(reason == "all_steps"), x, value, grad, rates, values,
                    limit, len(row.state))
        ends = _Ends(expr, method, h, tol, reason, x, value, taken)
        loop = None
        if generated and method == "autodiff":
            loop = batch_loop(expr, row, [k for k, v in values.items()
                                          if isinstance(v, np.ndarray)])
        chunk = max(1, min(_MOST_CHUNK, _CHUNK_WORK // max(1, runs * (expr.node_count
                                                                     + x.shape[1]))))
        lanes: Lanes | None = None
        step = 1
        while step <= steps and run.size:
            if deadline is not None and time.monotonic() > deadline:
                raise DeadlineExceeded(f"the sweep took longer than its time limit after "
                                       f"{step} steps; use fewer steps or rates", field="steps")
            if loop is None:  # the generic path: one step
                x_next, *state_next = row.step(ARRAYS, run.x, run.grad, step, run.lr,
                                               run.settings, *run.state)
                value_next, grad_next = _gradients(expr, x_next, method, h)
                ends.settle(run, step, x_next, value_next, grad_next, state_next)
                step += 1
                continue
            if lanes is None:
                lanes = loop.lanes(run.x, run.grad, run.value, run.state, run.lr[:, 0],
                                   {k: v[run.index] if isinstance(v, np.ndarray) else v
                                    for k, v in values.items()}, run.first, run.limit, tol)
            stop = min(steps + 1, step + chunk)
            reached, raised = lanes.advance(step, stop)
            if reached == stop:
                step = stop
                continue
            stopped = lanes  # a run may stop at step `reached`
            lanes, step = None, reached
            if raised:  # an operation raised (a float error): the generic path goes on
                run.x, run.grad, run.value, run.state = stopped.current()
                loop = None
                continue
            ends.settle_generated(run, step, stopped)
            step += 1
        if lanes is not None:
            run.x, run.grad, run.value, run.state = lanes.current()
        run.leave(np.ones(run.size, dtype=bool), steps, x, value, taken)
    status = np.array([status_of(r) for r in reason])
    return BatchResult(x, value, taken, reason.astype(str), status)


_CHUNK_WORK = 1 << 22
"""Work (runs × (nodes + variables) × steps) between two looks at the clock (the
deadline) in the generated loop: a few milliseconds."""
_MOST_CHUNK = 1024


@dataclass(frozen=True)
class _Ends:
    """Where each run's ending is written: its reason, last point, value and steps."""

    expr: Expression
    method: str
    h: float | None
    tol: float
    reason: np.ndarray
    x: Array
    value: Array
    taken: np.ndarray

    def settle_generated(self, run: _Pack, step: int, lanes: Lanes) -> None:
        """Decide the step at which the generated loop stopped: the pack takes the step
        before it, and this one is decided run by run.  The generated gradient is the
        generic path's wherever f and it are finite; elsewhere it is redone there (its
        rules: NaN where f is undefined, 0 times NaN is 0 in the chain rule)."""
        run.x, run.grad, run.value, run.state = lanes.current()
        x_next, grad_next, value_next, state_next = lanes.candidate()
        redo = np.flatnonzero(~(np.isfinite(value_next)
                                & np.all(np.isfinite(grad_next), axis=1)))
        if redo.size:
            value_next[redo], grad_next[redo] = _gradients(self.expr, x_next[redo],
                                                           self.method, self.h)
        self.settle(run, step, x_next, value_next, grad_next, state_next)

    def settle(self, run: _Pack, step: int, x_next: Array, value_next: Array,
               grad_next: Array, state_next: list[Array]) -> None:
        """Decide ``step`` for every run of the pack, as a single descent decides it:
        a run whose new coordinates, value or gradient are not finite stops at the point
        before; one whose |f - f(start)| passed its limit, or (``tol > 0``) whose
        gradient norm reached ``tol``, stops at the new point; the others go on."""
        reason = self.reason
        bad_x = ~np.all(np.isfinite(x_next), axis=1)
        bad_value = ~bad_x & ~np.isfinite(value_next)
        bad_grad = ~bad_x & ~bad_value & ~np.all(np.isfinite(grad_next), axis=1)
        ok = ~(bad_x | bad_value | bad_grad)
        if not ok.all():  # these stop where they were, at step - 1
            for bad, why in ((bad_x, "coordinate_not_finite"),
                             (bad_value, "value_not_finite"),
                             (bad_grad, "gradient_not_finite")):
                reason[run.index[bad]] = why
            run.leave(~ok, step - 1, self.x, self.value, self.taken)
            run.keep(ok)
            x_next, value_next, grad_next = x_next[ok], value_next[ok], grad_next[ok]
            state_next = [slot[ok] for slot in state_next]
        run.x, run.value, run.grad, run.state = x_next, value_next, grad_next, state_next
        grew = np.abs(run.value - run.first) > run.limit
        done = grew
        if self.tol > 0:
            converged = ~grew & (_norms(run.grad) <= self.tol)
            if converged.any():
                converged &= ~stalled_by_rounding(self.expr, run.x, run.grad, self.method,
                                                  self.h)
            reason[run.index[converged]] = "tol"
            done = grew | converged
        if done.any():  # these stop here, with this step's point
            reason[run.index[grew]] = "value_grew"
            run.leave(done, step, self.x, self.value, self.taken)
            run.keep(~done)


@dataclass(frozen=True)
class SweepRuns:
    """A learning-rate sweep (optionally × momentum): how each run ended.

    ``final_value``, ``status`` and ``steps`` have shape ``(n,)`` over ``lr``, or
    ``(m, n)`` with one row per entry of ``momentum``.
    """

    variables: tuple[str, ...]
    lr: Array
    momentum: Array | None
    final: Array
    final_value: Array
    status: np.ndarray
    reason: np.ndarray
    steps: np.ndarray
    best_lr: float | None
    """The rate with the lowest final value among runs that did not diverge (ties: the
    fewest steps, then the smallest rate); None when every run diverged."""
    best_momentum: float | None
    stability: Stability
    lr_bounds: Array | None
    """The stability bound for each momentum (None without a momentum axis)."""


def sweep_learning_rate(
    expr: Expression,
    start: PointLike,
    lr_min: float = 1e-4,
    lr_max: float = 1.0,
    n: int = 60,
    steps: int = 100,
    optimizer: str = "gd",
    momentums: Sequence[float] | None = None,
    method: str = "autodiff",
    h: float | None = None,
    tol: float = 0.0,
    divergence_factor: float | None = DIVERGENCE_FACTOR,
    deadline: float | None = None,
    **settings: float | None,
) -> SweepRuns:
    """``n`` descents from ``start`` at rates log-spaced from ``lr_min`` to ``lr_max``
    (both included), times each of ``momentums`` for ``momentum``/``nesterov``: all of
    them advanced together (:func:`descend_batch`)."""
    row = check_optimizer(optimizer)
    for name, value in (("lr_min", lr_min), ("lr_max", lr_max)):
        if isinstance(value, bool) or not math.isfinite(value) or value <= 0:
            raise ExpressionError(f"{name} must be a finite number > 0", code="bad_lr",
                                  field=name)
    if not lr_min <= lr_max:
        raise ExpressionError("lr_min must not exceed lr_max", code="bad_lr", field="lr_min")
    if n < 1 or (n < 2 and lr_min != lr_max):
        raise ExpressionError("n must be at least 2 (or 1 with lr_min = lr_max)",
                              code="bad_grid", field="n")
    if momentums is not None and not any(s.name == "momentum" for s in row.settings):
        raise ExpressionError(f"momentums need an optimizer with momentum; {optimizer} has none",
                              code="bad_setting", field="momentums")
    x0 = resolve_point(expr, start, field="start")
    if not expr.variables:
        raise ExpressionError("f has no variables, so no learning rate moves it: there is "
                              "nothing to sweep", code="no_variables", field="expr")
    rates = np.geomspace(lr_min, lr_max, n)
    rates[0], rates[-1] = lr_min, lr_max  # exactly as given
    betas = None if momentums is None else np.asarray(list(momentums), dtype=np.float64)
    grid = (1,) if betas is None else (betas.size,)
    lr_grid = np.broadcast_to(rates, grid + (n,)).ravel()
    batch_settings: dict[str, float | Array | None] = dict(settings)
    if betas is not None:
        batch_settings["momentum"] = np.repeat(betas, n)
    starts = np.broadcast_to(x0, (lr_grid.size, x0.size))
    batch = descend_batch(expr, starts, lr_grid, steps, optimizer, method, h, tol,
                          divergence_factor, batch_settings, deadline)
    shape = (n,) if betas is None else (betas.size, n)
    best = _best(batch, lr_grid, None if betas is None else np.repeat(betas, n))
    curvature = stability(expr, x0.tolist(), optimizer, settings)
    bounds = None
    if betas is not None and curvature.eigenvalues is not None and row.lr_bound is not None:
        top = float(curvature.eigenvalues[-1])
        base = vars(resolve_settings(row, settings))
        bounds = np.array([row.lr_bound(top, SimpleNamespace(**{**base, "momentum": float(b)}))
                           if top > 0 else np.nan for b in betas])
    return SweepRuns(
        variables=expr.variables, lr=rates, momentum=betas,
        final=batch.final.reshape(shape + (x0.size,)),
        final_value=batch.final_value.reshape(shape), status=batch.status.reshape(shape),
        reason=batch.reason.reshape(shape), steps=batch.steps.reshape(shape),
        best_lr=best[0], best_momentum=best[1], stability=curvature, lr_bounds=bounds,
    )


def _best(batch: BatchResult, lr: Array, momentum: Array | None
          ) -> tuple[float | None, float | None]:
    """The run with the lowest final value among those that did not diverge; ties go to
    the fewest steps, then to the earliest run (the smallest rate)."""
    usable = np.flatnonzero((batch.status != "diverged") & np.isfinite(batch.final_value))
    if usable.size == 0:
        return None, None
    order = np.lexsort((usable, batch.steps[usable], batch.final_value[usable]))
    k = int(usable[order[0]])
    return float(lr[k]), None if momentum is None else float(momentum[k])
