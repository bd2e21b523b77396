"""A numerical gradient that is 0 only because the step ``h`` was lost in rounding.

With a fixed ``h``, a coordinate so large that ``x + h`` rounds to ``x`` makes a finite
difference see no change along it: the partial is exactly 0 whatever f does there (at
``x = 1e14`` the floats are 0.016 apart, so ``h = 1e-3`` is lost).  Such a zero says
nothing about f, so a descent must not call it convergence: where the whole numerical
gradient is 0, a coordinate's step is lost and f's exact gradient (autodiff) is not 0,
the run keeps going (gradient descent then stands still; the stall note says why).
The single run (:func:`engine.optimize.descend`, the generated loop included) and the
sweep (:func:`engine.sweep.descend_batch`) ask the same question here.

>>> import numpy as np
>>> from engine import parse
>>> lost_coordinates([1e14, 1.0], "central", 1e-3), lost_coordinates([1e14], "central", None)
([0], [])
>>> x, zero = np.array([[1e14, 1e14], [3.0, 4.0]]), np.zeros((2, 2))
>>> stalled_by_rounding(parse("x**2 + y**2"), x, zero, "forward", 1e-3).tolist()
[True, False]
>>> stalled_by_rounding(parse("0*x + 0*y"), x, zero, "forward", 1e-3).tolist()  # f is flat
[False, False]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .differentiate import NUMERICAL_METHODS, gradient_columns
from .expression import Expression
from .methods import GRADIENT_METHODS
from .types import Array

__all__ = ["SHIFTS", "lost_coordinates", "stalled_by_rounding", "convergence_test"]

SHIFTS: dict[str, tuple[float, ...]] = {
    method: {"forward": (1.0,), "backward": (-1.0,)}.get(method, (1.0, -1.0))
    for method in NUMERICAL_METHODS
    # complex step moves x along the imaginary axis: no real step to lose
    if not GRADIENT_METHODS[method].needs_analytic
}
"""The real shifts ``x + s·h`` each method's stencil takes (Richardson's smaller steps
round away whenever ``h`` does); the stencil is blind along a coordinate where every
one of them rounds to ``x``."""


def lost_coordinates(x: Sequence[float], method: str, h: float | None) -> list[int]:
    """The coordinates of ``x`` (plain floats) along which ``method``'s fixed step ``h`` is
    lost: every shifted point rounds to ``x``.  None for a default step (it is chosen
    relative to ``|x|``, never lost) or a method without a real step."""
    shifts = SHIFTS.get(method)
    if shifts is None or h is None:
        return []
    return [i for i, xi in enumerate(x) if all(xi + s * h == xi for s in shifts)]


def stalled_by_rounding(expr: Expression, x: Array, grad: Array, method: str,
                        h: float | None) -> np.ndarray:
    """Per row of ``x`` (runs × variables, with the numerical gradients ``grad``): whether
    the gradient is exactly 0 there only because a step was lost -- every partial is 0,
    some coordinate's step is lost, and f's exact gradient is not 0 (not finite counts
    as not 0: it is no evidence of a stationary point)."""
    shifts = SHIFTS.get(method)
    stalled = np.zeros(len(x), dtype=bool)
    if shifts is None or h is None or len(x) == 0 or x.shape[1] == 0:
        return stalled
    lost = np.ones(x.shape, dtype=bool)
    for s in shifts:
        lost &= x + s * h == x
    suspects = np.flatnonzero(np.all(grad == 0.0, axis=1) & np.any(lost, axis=1))
    if suspects.size:
        exact = gradient_columns(expr, [x[suspects, i] for i in range(x.shape[1])]).gradient
        stalled[suspects] = ~np.all(exact == 0.0, axis=0)
    return stalled


def convergence_test(expr: Expression, method: str, h: float | None
                     ) -> Callable[[list[float], list[float]], bool] | None:
    """For a single run: ``converges(x, grad)``, false where a gradient norm <= tol is
    only a lost step (:func:`stalled_by_rounding`); None where that cannot happen (autodiff,
    a default step), so the loop asks nothing.  It remembers its last answer: a run that
    stands still asks about the same point at every step."""
    if SHIFTS.get(method) is None or h is None:
        return None
    last: list[tuple[tuple[str, ...], bool]] = []

    def converges(x: list[float], grad: list[float]) -> bool:
        if any(g != 0.0 for g in grad) or not lost_coordinates(x, method, h):
            return True
        key = tuple(map(float.hex, x))  # -0.0 and 0.0 apart
        if last and last[0][0] == key:
            return last[0][1]
        answer = not bool(stalled_by_rounding(expr, np.array([x]), np.array([grad]),
                                              method, h)[0])
        last[:] = [(key, answer)]
        return answer

    return converges
