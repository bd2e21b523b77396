"""How large a learning rate may be: the curvature at a point and the bounds it gives.

Near a point, f looks like the quadratic of its Hessian H.  On a quadratic, gradient
descent multiplies the error along each eigenvector of H by ``1 - lr λ`` per step, so it
converges exactly when ``lr < 2/λmax``, and the rate ``2/(λmin + λmax)`` balances the
slowest and the fastest direction (the best fixed step).  Momentum methods have bounds
of their own, declared with each optimizer in :mod:`engine.optimizers`; the adaptive
optimizers rescale their steps as they go and have none.

>>> from engine import parse
>>> s = stability(parse("x**2 + 10*y**2"), [-3, 4])
>>> s.eigenvalues.tolist(), s.lr_bound, s.bound_formula
([2.0, 20.0], 0.1, '2/λmax')
>>> round(s.lr_optimal, 12), s.condition_number
(0.090909090909, 10.0)
>>> stability(parse("x**2 - y**2"), [1, 1]).lr_optimal is None      # a saddle
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .differentiate import hessian
from .evaluate import evaluate
from .expression import Expression
from .optimizers import check_optimizer, resolve_settings
from .types import Array, PointLike

__all__ = ["Stability", "stability"]


@dataclass(frozen=True)
class Stability:
    """The curvature at a point and the learning rates it allows.

    Every number that does not exist is None, never a made-up value: ``eigenvalues``
    when the Hessian is not finite; ``lr_bound`` when λmax ≤ 0 (no curvature to overshoot)
    or the optimizer is adaptive; ``lr_optimal`` and ``condition_number`` unless H is
    positive definite.
    """

    hessian: Array
    eigenvalues: Array | None
    lr_bound: float | None
    lr_optimal: float | None
    condition_number: float | None
    bound_formula: str | None
    """How ``lr_bound`` is computed, e.g. ``"2/λmax"`` (None when there is no bound)."""


def stability(expr: Expression, point: PointLike, optimizer: str = "gd",
              settings: Mapping[str, float | None] | None = None) -> Stability:
    """The exact Hessian of ``expr`` at ``point``, its eigenvalues (ascending) and the
    learning-rate bounds they give for ``optimizer`` with ``settings``.

    >>> from engine import parse
    >>> found = stability(parse("x**2 + 10*y**2"), [1.0, 1.0])
    >>> found.eigenvalues.tolist(), found.bound_formula, found.lr_bound, found.condition_number
    ([2.0, 20.0], '2/λmax', 0.1, 10.0)
    >>> stability(parse("x**2 + 10*y**2"), [1.0, 1.0], "momentum", {"momentum": 0.5}).lr_bound
    0.15
    """
    row = check_optimizer(optimizer)
    values = resolve_settings(row, settings or {})
    matrix = hessian(expr, point)
    if matrix.size == 0 or not (np.all(np.isfinite(matrix)) and np.isfinite(evaluate(expr, point))):
        # where f is undefined (log at x < 0) it has no curvature, whatever 1/x**2 says
        return Stability(np.full_like(matrix, np.nan), None, None, None, None, None)
    # eigvalsh reads one triangle; symmetrise so rounding in H cannot pick a side
    eigenvalues = np.linalg.eigvalsh((matrix + matrix.T) / 2.0).astype(np.float64)
    low, high = float(eigenvalues[0]), float(eigenvalues[-1])
    bound = formula = None
    if row.lr_bound is not None and high > 0:
        bound, formula = row.lr_bound(high, values), row.bound_formula
    optimal = condition = None
    if low > 0:
        optimal, condition = 2.0 / (low + high), high / low
    return Stability(matrix, eigenvalues, bound, optimal, condition, formula)
