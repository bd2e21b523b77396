"""The table of gradient methods: what each is called, whether it is numerical (takes a
step ``h``) and whether it needs a complex-analytic function.

The implementations live where their mode lives (:mod:`engine.reverse`,
:mod:`engine.forward`, :mod:`engine.numeric`); this table is what menus, schemas and
``GET /methods`` are built from.

>>> [m.name for m in GRADIENT_METHODS.values() if m.numerical]
['central', 'forward', 'backward', 'richardson', 'complex-step']
>>> GRADIENT_METHODS["complex-step"].needs_analytic
True
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["GRADIENT_METHODS", "GradientMethod"]


@dataclass(frozen=True)
class GradientMethod:
    name: str
    label: str
    numerical: bool
    """A finite-difference method: it takes a step ``h`` and has an error to show."""
    needs_analytic: bool
    """Refused for functions with kinks (abs, relu, min, max)."""
    description: str


_TABLE = (
    GradientMethod("autodiff", "autodiff (reverse mode)", False, False,
                   "Reverse-mode automatic differentiation over the expression graph: one "
                   "backward pass gives every partial, exact up to rounding."),
    GradientMethod("dual", "dual numbers (forward mode)", False, False,
                   "Forward-mode automatic differentiation: dual numbers carry each "
                   "derivative along with the value, exact up to rounding."),
    GradientMethod("central", "central difference", True, False,
                   "(f(x + h) − f(x − h)) / 2h: error O(h²) from truncation, growing as "
                   "eps/h from rounding."),
    GradientMethod("forward", "forward difference", True, False,
                   "(f(x + h) − f(x)) / h: error O(h) from truncation, growing as eps/h "
                   "from rounding."),
    GradientMethod("backward", "backward difference", True, False,
                   "(f(x) − f(x − h)) / h: the forward difference from the other side."),
    GradientMethod("richardson", "Richardson extrapolation", True, False,
                   "Central differences at four halving steps combined to cancel the "
                   "truncation error, with an error estimate."),
    GradientMethod("complex-step", "complex step", True, True,
                   "Im f(x + ih) / h: no subtraction, so no rounding error, for functions "
                   "that are complex-analytic."),
)

GRADIENT_METHODS: dict[str, GradientMethod] = {row.name: row for row in _TABLE}
"""Every gradient method by its contract name, in menu order."""
