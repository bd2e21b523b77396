"""Numerical differentiation: finite differences, Richardson extrapolation, complex step.

Each method takes ``f`` -- a function of a list of coordinate arrays (one per variable,
any shape) -- the point as such a list, and an optional absolute step ``h``.  All the
perturbed points of a method are stacked on a new leading axis and evaluated in one
call, so a whole grid costs one pass per stencil, never a Python loop over points.

Default steps (used when ``h`` is None), with ``s = max(1, |x_i|)``:

==============  ========================================================================
method          step
==============  ========================================================================
forward         ``sqrt(eps) * s`` (~1.5e-8 s), rounded so that ``x + h`` is exact
backward        ``sqrt(eps) * s``, likewise
central         ``eps**(1/3) * s`` (~6.1e-6 s), likewise
richardson      central differences at h0, h0/2, h0/4, h0/8 extrapolated to O(h0**8); h0
                is chosen per point among powers of two from ``s`` down to ``s * 4**-23``
                (and ``|x| / 4**k`` near 0), keeping the candidate whose stencil stays
                finite (inside the domain) with the smallest relative error estimate
complex-step    ``1e-20 min(1, |x|)`` (``1e-20`` at 0): no subtraction, no rounding to balance
==============  ========================================================================

>>> f = lambda xs: xs[0] ** 2 + xs[1] ** 2
>>> g, h, _ = central_difference(f, [np.array(3.0), np.array(4.0)], 1e-4)
>>> g.tolist()
[6.00000000000378, 7.999999999999119]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .types import Array

__all__ = [
    "forward_difference",
    "backward_difference",
    "central_difference",
    "richardson",
    "complex_step",
    "NUMERICAL",
]

Function = Callable[[list[Array]], Array]
Step = float | Array | None
"""An absolute step for every coordinate (a scalar, or one per point), or None: default."""
Result = tuple[Array, Array, Array | None]
"""(gradient with a leading axis per variable, the step h per variable, error estimate or
None).  ``h`` is the word for step sizes throughout the engine."""

EPS = float(np.finfo(np.float64).eps)
_LEVELS = 4  # Richardson: central differences at h0, h0/2, h0/4, h0/8
_CANDIDATES = 24  # base steps s, s/4, ..., s/4**23 (down to ~3.6e-15 s)
_NEAR_ZERO = 8  # and |x|/4, ..., |x|/4**8: steps that stay on one side of 0


def _scale(x: Array) -> Array:
    return np.maximum(1.0, np.abs(x))


def _per_coordinate_h(x: list[Array], h: Step, relative: float) -> list[Array]:
    """The step h of each coordinate: the caller's ``h`` exactly, or a default made exact
    in x + h."""
    if h is not None:
        return [np.broadcast_to(np.asarray(h, dtype=np.float64), np.shape(xi)) for xi in x]
    hs = []
    for xi in x:
        hi = relative * _scale(xi)
        hs.append((xi + hi) - xi)  # the step actually taken, so x + h is exact
    return hs


def _stacked(x: list[Any], shifts: list[tuple[int, Any]]) -> list[Any]:
    """Points ``x + shift * e_i`` for every (i, shift), stacked on a new leading axis; a
    shift of None is the point itself, unchanged (x + 0.0 would turn -0.0 into +0.0, the
    other side of atan2's branch cut).

    A coordinate that no shift moves is a broadcast view (no copy); the work is
    O(variables + shifts) numpy calls, so 500 variables cost no more than they must.
    """
    shape = np.shape(x[0])
    stacked_shape = (len(shifts),) + shape
    moved: dict[int, list[tuple[int, Any]]] = {}
    for row, (i, shift) in enumerate(shifts):
        if shift is not None:
            moved.setdefault(i, []).append((row, shift))
    columns = []
    for j, xj in enumerate(x):
        if j not in moved:
            columns.append(np.broadcast_to(xj, stacked_shape))
            continue
        dtype = np.result_type(xj, *(shift for _, shift in moved[j]))
        column = np.empty(stacked_shape, dtype=dtype)
        column[...] = xj
        for row, shift in moved[j]:
            column[row] = xj + shift
        columns.append(column)
    return columns


def forward_difference(f: Function, x: list[Array], h: Step = None) -> Result:
    """``(f(x + h e_i) - f(x)) / h`` for every coordinate i (method ``forward``)."""
    hs = _per_coordinate_h(x, h, np.sqrt(EPS))
    values = f(_stacked(x, [(0, None)] + [(i, hi) for i, hi in enumerate(hs)]))
    return np.stack([(values[i + 1] - values[0]) / hi for i, hi in enumerate(hs)]), \
        np.stack(hs), None


def backward_difference(f: Function, x: list[Array], h: Step = None) -> Result:
    """``(f(x) - f(x - h e_i)) / h`` for every coordinate i (method ``backward``)."""
    hs = _per_coordinate_h(x, h, np.sqrt(EPS))
    values = f(_stacked(x, [(0, None)] + [(i, -hi) for i, hi in enumerate(hs)]))
    return np.stack([(values[0] - values[i + 1]) / hi for i, hi in enumerate(hs)]), \
        np.stack(hs), None


def central_difference(f: Function, x: list[Array], h: Step = None) -> Result:
    """``(f(x + h e_i) - f(x - h e_i)) / 2h`` for every coordinate i (method ``central``)."""
    hs = _per_coordinate_h(x, h, EPS ** (1.0 / 3.0))
    shifts = [(i, sign * hi) for i, hi in enumerate(hs) for sign in (1.0, -1.0)]
    values = f(_stacked(x, shifts))
    gradient = [(values[2 * i] - values[2 * i + 1]) / (2 * hi) for i, hi in enumerate(hs)]
    return np.stack(gradient), np.stack(hs), None


def _candidate_h(xi: Array, h: Step) -> Array:
    """Candidate base steps h0, shape (candidates, *shape): powers of two, so x +- h0 is
    exact.

    From the coordinate's scale ``s = max(1, |x|)`` down by factors of 4, and near 0 also
    from ``|x|`` down, so a function whose domain ends at 0 (log, sqrt) keeps a candidate
    that stays inside it.
    """
    shape = np.shape(xi)
    if h is not None:
        return np.broadcast_to(np.asarray(h, dtype=np.float64), shape)[None]
    expand = (-1,) + (1,) * len(shape)
    top = np.exp2(np.ceil(np.log2(_scale(xi))))
    magnitude = np.abs(xi)
    near = np.exp2(np.floor(np.log2(np.where(magnitude > 0, magnitude, 1.0))))
    absolute = top * (4.0 ** -np.arange(_CANDIDATES)).reshape(expand)
    relative = near * (4.0 ** -np.arange(1, _NEAR_ZERO + 1)).reshape(expand)
    return np.concatenate([absolute, relative])


_POINTS_PER_CALL = 1 << 16
"""At most this many stencil points per call of f in Richardson: many variables are
differentiated a group of coordinates at a time, so memory stays bounded."""


def _richardson_values(f: Function, x: list[Array], shifts: Array) -> Array:
    """f at ``x + shifts[i] e_i`` for every coordinate i, in groups of coordinates.

    ``shifts`` has shape (n, 2, L, C, *shape); so does the result.
    """
    count = len(x)
    per_coordinate = int(np.prod(shifts.shape[1:]))
    group = max(1, _POINTS_PER_CALL // max(per_coordinate, 1))
    parts = []
    for first in range(0, count, group):
        last = min(first + group, count)
        block = shifts[first:last]
        columns = []
        for j, xj in enumerate(x):
            if first <= j < last:
                column = np.empty(block.shape)
                column[...] = xj
                column[j - first] += block[j - first]
                columns.append(column)
            else:
                columns.append(np.broadcast_to(xj, block.shape))
        parts.append(np.broadcast_to(f(columns), block.shape))
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _disagreement(best: Array, finite: Array, split: int) -> Array:
    """``max |best_k - best_neighbour|`` along the candidate axis (axis 1), neighbours
    taken within each run of candidates (``[:split]`` from the scale down, the rest near 0).

    A neighbour whose stencil left the domain (not ``finite``) says nothing about this
    candidate: it is no neighbour.  (Counting it as an infinite disagreement made the
    widest candidate inside the domain look infinitely wrong: with f' = 0, where every
    candidate inside scores the same, that one was kept, and the result was NaN.)
    """
    if best.shape[1] == 1:
        return np.zeros_like(best)
    result = np.zeros_like(best)
    for run in (slice(0, split), slice(split, best.shape[1])):
        part = best[:, run]
        if part.shape[1] < 2:
            continue
        inside = finite[:, run].astype(bool)
        with np.errstate(invalid="ignore"):
            gap = np.abs(np.diff(part, axis=1))
        gap = np.where(inside[:, 1:] & inside[:, :-1],
                       np.where(np.isfinite(gap), gap, np.inf), 0.0)
        mine = result[:, run]
        mine[:, :-1] = np.maximum(mine[:, :-1], gap)
        mine[:, 1:] = np.maximum(mine[:, 1:], gap)
    return result


def richardson(f: Function, x: list[Array], h: Step = None) -> Result:
    """Central differences at four halving steps, extrapolated (Richardson) to O(h**8).

    Every sign, level and candidate base step is evaluated in one call of ``f`` (for
    many variables, one call per group of coordinates).  Per point and coordinate the
    candidate kept is the one whose stencil stayed finite (inside the domain) with the
    smallest relative error estimate: the change made by the last extrapolation, the
    disagreement with the neighbouring candidates, and the rounding level ``eps |f| / h``.
    Returns the gradient, the base step chosen, and that estimate.
    """
    shape = np.shape(x[0])
    ones = (1,) * len(shape)
    bases = np.stack([_candidate_h(np.asarray(xi), h) for xi in x])  # (n, C, *shape)
    halvings = (0.5 ** np.arange(_LEVELS)).reshape((1, _LEVELS, 1) + ones)
    hk = bases[:, None] * halvings  # h0 / 2**k, (n, L, C, *shape)
    shifts = np.stack([hk, -hk], axis=1)  # (n, 2, L, C, *shape)
    values = _richardson_values(f, x, shifts)
    table = (values[:, 0] - values[:, 1]) / (2 * hk)  # D(h0 / 2**k), (n, L, C, *shape)
    for m in range(1, _LEVELS):
        previous = table
        table = previous[:, 1:] + (previous[:, 1:] - previous[:, :-1]) / (4.0**m - 1.0)
    best = table[:, 0]  # (n, C, *shape)
    change = np.maximum(np.abs(best - previous[:, 0]), np.abs(best - previous[:, 1]))
    rounding = EPS * np.max(np.abs(values), axis=(1, 2)) / hk[:, -1]
    estimate = change + rounding
    # Which candidate to keep: the smallest error estimate relative to the derivative,
    # so a stencil straddling a kink or pole (tiny absolute change, wrong value) loses.
    # A stencil leaving the domain (non-finite values) is out.  One whose values are all
    # equal (the step is below what f's float64 values resolve; it says f' = 0) scores 1,
    # a 100% error: it loses to any candidate that resolves f, but beats wide stencils
    # whose own estimate says they are no better than noise.
    finite = np.all(np.isfinite(values), axis=(1, 2)) & np.isfinite(best)
    flat = np.max(values, axis=(1, 2)) == np.min(values, axis=(1, 2))
    # Agreement with the neighbouring candidates (4x larger and smaller h0) catches what
    # the estimate cannot see: rounding inside f (cos(x) - 1 near 0 is quantised at
    # eps, not eps |f|) makes results at small steps disagree with each other.
    estimate = estimate + _disagreement(best, finite, bases.shape[1] - _NEAR_ZERO)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(estimate == 0, 0.0, estimate / np.abs(best))
    score = np.where(flat, 1.0, np.nan_to_num(score, nan=np.inf))
    score = np.where(finite, score, np.inf)
    pick = np.argmin(score, axis=1)[:, None]  # (n, 1, *shape)
    gradient = np.take_along_axis(best, pick, 1)[:, 0]
    error = np.take_along_axis(np.where(finite, estimate, np.inf), pick, 1)[:, 0]
    chosen = np.take_along_axis(np.broadcast_to(bases, best.shape), pick, 1)[:, 0]
    return np.where(np.isfinite(error), gradient, np.nan), chosen, error


def _complex_step_size(xi: Array) -> Array:
    """``1e-20 min(1, |x|)`` (``1e-20`` at 0): far below every length scale of f near x
    (also next to a pole or a domain edge, and for ``log(x)`` at 1e-300), so the O(h**2)
    truncation is below rounding; there is no subtraction, so no rounding to balance."""
    magnitude = np.abs(xi)
    step = np.where(magnitude == 0, 1e-20, 1e-20 * np.minimum(1.0, magnitude))
    return np.where(step > 0, step, np.nextafter(0.0, 1.0))


def complex_step(f: Function, x: list[Array], h: Step = None) -> Result:
    """``Im f(x + i h e_i) / h``: no subtraction, so exact to rounding for tiny h.

    ``f`` must accept complex arrays and be complex-analytic.  Where ``f`` itself is not
    finite (outside its real domain) the result is NaN.
    """
    shape = np.shape(x[0])
    if h is None:
        hs = [_complex_step_size(np.asarray(xi, dtype=np.float64)) for xi in x]
    else:
        hs = [np.broadcast_to(np.asarray(h, dtype=np.float64), shape) for _ in x]
    shifts = [(i, 1j * hs[i]) for i in range(len(x))]
    complex_x = [np.asarray(xi, dtype=np.complex128) for xi in x]
    values = f(_stacked(complex_x, shifts))
    real = f([np.asarray(xi, dtype=np.float64) for xi in x])
    gradient = np.imag(values) / np.stack([np.broadcast_to(hi, shape) for hi in hs])
    gradient = np.where(np.isfinite(real) & np.all(np.isfinite(values), axis=0), gradient,
                        np.nan)
    return gradient, np.stack(hs), None


NUMERICAL: dict[str, Callable[[Function, list[Array], Step], Result]] = {
    "central": central_difference,
    "forward": forward_difference,
    "backward": backward_difference,
    "richardson": richardson,
    "complex-step": complex_step,
}
"""The numerical methods by their contract names."""


def evaluations_per_point(method: str, count: int) -> int:
    """How many points ``method`` evaluates f at in one call, per point differentiated.

    >>> evaluations_per_point("central", 2), evaluations_per_point("richardson", 2)
    (4, 256)
    """
    if method == "richardson":  # both signs, every level and candidate, a group at a time
        return 2 * _LEVELS * (_CANDIDATES + _NEAR_ZERO)
    return 2 * count if method == "central" else count + 1


def as_columns(point: Iterable[float]) -> list[Array]:
    """A point as a list of 0-d arrays, the form the methods take."""
    return [np.asarray(v, dtype=np.float64) for v in point]
