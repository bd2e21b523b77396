"""Many descents of one function at once: the learning rate (and momentum) swept.

Every run is a row of one array: one gradient evaluation and one update of the
optimizer table's rule (:mod:`engine.optimizers`, on arrays) advance all runs still
going by one step.  A run stops counting exactly where :func:`engine.descend` would
stop it -- a coordinate, value or gradient that stops being finite, ``|f - f(start)|``
past ``divergence_factor · (1 + |f(start)|)``, or ``tol > 0`` reached -- so a run of a
sweep and a single run at the same rate agree to rounding.

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
) -> BatchResult:
    """Run R descents of ``expr`` together: row r starts at ``starts[r]`` with rate
    ``lr[r]``; a setting may be a number (all runs) or an array of R values.

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
        for step in range(1, steps + 1):
            if run.size == 0:
                break
            if deadline is not None and time.monotonic() > deadline:
                raise DeadlineExceeded(f"the sweep took longer than its time limit after "
                                       f"{step} steps; use fewer steps or rates", field="steps")
            x_next, *state_next = row.step(ARRAYS, run.x, run.grad, step, run.lr, run.settings,
                                           *run.state)
            value_next, grad_next = _gradients(expr, x_next, method, h)
            bad_x = ~np.all(np.isfinite(x_next), axis=1)
            bad_value = ~bad_x & ~np.isfinite(value_next)
            bad_grad = ~bad_x & ~bad_value & ~np.all(np.isfinite(grad_next), axis=1)
            ok = ~(bad_x | bad_value | bad_grad)
            if not ok.all():  # these stop where they were, at step - 1
                for bad, why in ((bad_x, "coordinate_not_finite"),
                                 (bad_value, "value_not_finite"),
                                 (bad_grad, "gradient_not_finite")):
                    reason[run.index[bad]] = why
                run.leave(~ok, step - 1, x, value, taken)
                run.keep(ok)
                x_next, value_next, grad_next = x_next[ok], value_next[ok], grad_next[ok]
                state_next = [slot[ok] for slot in state_next]
            run.x, run.value, run.grad, run.state = x_next, value_next, grad_next, state_next
            grew = np.abs(run.value - run.first) > run.limit
            done = grew
            if tol > 0:
                converged = ~grew & (_norms(run.grad) <= tol)
                if converged.any():
                    converged &= ~stalled_by_rounding(expr, run.x, run.grad, method, h)
                reason[run.index[converged]] = "tol"
                done = grew | converged
            if done.any():  # these stop here, with this step's point
                reason[run.index[grew]] = "value_grew"
                run.leave(done, step, x, value, taken)
                run.keep(~done)
        run.leave(np.ones(run.size, dtype=bool), steps, x, value, taken)
    status = np.array([status_of(r) for r in reason])
    return BatchResult(x, value, taken, reason.astype(str), status)


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
