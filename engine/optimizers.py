"""The table of optimizers: one row per optimizer with everything it has.

Each :class:`Optimizer` declares, in one place, its name and label, a one-line
description, its update rule as a formula (for the docs and the page), its settings
with their defaults and bounds, the names of its state slots, the update rule itself
and, where one exists, its stability bound on a quadratic.  Everything else -- the
descent loop, the HTTP schemas, ``GET /optimizers``, the page's menu and settings
fields -- is built from this table, so adding an optimizer is adding a row.

Update rules follow PyTorch's ``torch.optim`` (``SGD`` with and without ``momentum`` and
``nesterov``, ``Adagrad``, ``RMSprop``, ``Adam``, ``AdamW``), with PyTorch's defaults and
its order of floating-point operations, so our paths match PyTorch's to rounding.

A rule is ``step(F, x, g, t, lr, s, *state) -> (x_new, *state_new)``: ``x`` and ``g``
are one coordinate and its partial derivative (plain floats) *or* whole arrays, ``t``
counts steps from 1, ``s`` holds the settings by name, ``state`` starts at zeros, and
``F`` is the operation namespace (:data:`FLOATS` for floats, :data:`ARRAYS` for numpy
arrays).  Because the rules use only Python operators and ``F``, one rule serves a
single run on floats, a batch of runs on arrays (learning rates as a batch axis: ``lr``
and the settings may be arrays that broadcast), and the parameters of a network.

>>> adam = OPTIMIZERS["adam"]
>>> [(s.name, s.default) for s in adam.settings]
[('beta1', 0.9), ('beta2', 0.999), ('eps', 1e-08)]
>>> x, m, v = adam.step(FLOATS, 1.0, 2.0, 1, 0.1, adam.defaults(), 0.0, 0.0)
>>> round(x, 6)               # Adam's first step moves by lr, whatever the gradient's size
0.9
>>> import numpy as np
>>> (xs,) = OPTIMIZERS["gd"].step(ARRAYS, np.array([1.0, 1.0]), np.array([2.0, 2.0]), 1,
...                             np.array([0.1, 0.25]), OPTIMIZERS["gd"].defaults())
>>> xs.tolist()               # two learning rates in one array operation
[0.8, 0.5]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np

from .errors import ExpressionError

__all__ = [
    "ARRAYS",
    "FLOATS",
    "OPTIMIZERS",
    "Optimizer",
    "Setting",
    "check_optimizer",
    "resolve_settings",
]


@dataclass(frozen=True)
class Setting:
    """One hyperparameter of an optimizer: its default and the interval it must lie in."""

    name: str
    default: float
    label: str
    description: str
    minimum: float
    """Smallest allowed value (inclusive unless ``open_below``)."""
    maximum: float | None = None
    """Largest allowed value (exclusive), or None for no upper bound."""
    open_below: bool = False
    """True when ``minimum`` itself is not allowed (``eps > 0``)."""
    symbol: str = ""
    """How formulas write it: ``β``, ``ε`` (the name when empty)."""

    def check(self, value: float) -> float:
        """``value`` as a float, or an :class:`ExpressionError` naming the setting."""
        if isinstance(value, bool) or not isinstance(value, int | float | np.floating):
            raise ExpressionError(f"{self.name} must be a number", code="bad_setting",
                                  field=self.name)
        number = float(value)
        below = number <= self.minimum if self.open_below else number < self.minimum
        above = self.maximum is not None and number >= self.maximum
        if not math.isfinite(number) or below or above:
            raise ExpressionError(f"{self.name} must be {self.interval}, got {number:g}",
                                  code="bad_setting", field=self.name)
        return number

    @property
    def interval(self) -> str:
        """The allowed values in words: ``"in [0, 1)"`` or ``"> 0"``."""
        if self.maximum is None:
            return f"{'>' if self.open_below else '>='} {self.minimum:g}"
        return f"in {'(' if self.open_below else '['}{self.minimum:g}, {self.maximum:g})"


Step = Callable[..., tuple[Any, ...]]
"""``step(F, x, g, t, lr, s, *state) -> (x_new, *state_new)``."""
Derived = Callable[..., Any]
"""``derive(F, t, s, *state) -> a quantity the rule uses without naming it``."""
Bound = Callable[[float, SimpleNamespace], float]
"""``bound(lambda_max, s) -> the largest stable learning rate on a quadratic``."""


@dataclass(frozen=True)
class Optimizer:
    """One optimizer and all of its rules."""

    name: str
    label: str
    short: str
    """A short label for legends: ``GD``, ``Adam``."""
    description: str
    rule: str
    """The update, as a formula a reader can check against a textbook."""
    settings: tuple[Setting, ...]
    state: tuple[str, ...]
    """Symbols of the per-coordinate state slots (``v``, ``m``), each starting at 0."""
    step: Step
    lr_bound: Bound | None = None
    """Stability bound on a quadratic with largest Hessian eigenvalue ``lambda_max > 0``;
    None for the adaptive optimizers, whose effective step changes as they go."""
    bound_formula: str | None = None
    """``lr_bound`` as a formula, for messages: ``"2/λmax"``."""
    derived: tuple[tuple[str, Derived], ...] = ()
    """Quantities a textbook writes out that the rule folds in (Adam's bias-corrected m̂
    and v̂): ``(symbol, derive(F, t, s, *state))``, shown when a step is explained."""

    def defaults(self) -> SimpleNamespace:
        """The settings at their defaults, as the ``s`` a rule takes."""
        return SimpleNamespace(**{s.name: s.default for s in self.settings})


def _lerp(start: Any, end: Any, weight: Any) -> Any:
    """``start + weight (end - start)``, computed as ``torch.lerp`` does (plain floats)."""
    if weight < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1 - weight)


def _lerp_arrays(start: Any, end: Any, weight: Any) -> Any:
    """``torch.lerp`` on arrays: each element takes the branch its weight selects."""
    return np.where(np.less(weight, 0.5), start + weight * (end - start),
                    end - (end - start) * (1 - weight))


FLOATS = SimpleNamespace(sqrt=math.sqrt, lerp=_lerp)
"""The operations a rule needs, on plain floats."""
ARRAYS = SimpleNamespace(sqrt=np.sqrt, lerp=_lerp_arrays)
"""The operations a rule needs, on numpy arrays (of any shape that broadcasts)."""


# --- the update rules, in PyTorch's order of operations ---------------------------------


def _gd(F: Any, x: Any, g: Any, t: int, lr: Any, s: Any) -> tuple[Any, ...]:
    return (x - lr * g,)


def _momentum(F: Any, x: Any, g: Any, t: int, lr: Any, s: Any, v: Any) -> tuple[Any, ...]:
    v = s.momentum * v + g
    return x - lr * v, v


def _nesterov(F: Any, x: Any, g: Any, t: int, lr: Any, s: Any, v: Any) -> tuple[Any, ...]:
    v = s.momentum * v + g
    return x - lr * (g + s.momentum * v), v


def _adagrad(F: Any, x: Any, g: Any, t: int, lr: Any, s: Any, total: Any) -> tuple[Any, ...]:
    total = total + g * g
    return x - lr * g / (F.sqrt(total) + s.eps), total


def _rmsprop(F: Any, x: Any, g: Any, t: int, lr: Any, s: Any, avg: Any) -> tuple[Any, ...]:
    avg = avg * s.rho + (1 - s.rho) * g * g
    return x - lr * g / (F.sqrt(avg) + s.eps), avg


def _adam_update(F: Any, x: Any, g: Any, t: int, lr: Any, s: Any, m: Any, v: Any
                 ) -> tuple[Any, ...]:
    m = F.lerp(m, g, 1 - s.beta1)
    v = v * s.beta2 + (1 - s.beta2) * g * g
    step_size = lr / (1 - s.beta1**t)
    denominator = F.sqrt(v) / (1 - s.beta2**t) ** 0.5 + s.eps  # torch: bias_correction2**0.5
    return x - step_size * m / denominator, m, v


def _adamw(F: Any, x: Any, g: Any, t: int, lr: Any, s: Any, m: Any, v: Any) -> tuple[Any, ...]:
    return _adam_update(F, x * (1 - lr * s.weight_decay), g, t, lr, s, m, v)


# --- the settings -----------------------------------------------------------------------

_MOMENTUM = Setting("momentum", 0.9, "Momentum", "Momentum coefficient β: the fraction of "
                    "the velocity kept from one step to the next.", 0.0, 1.0, symbol="β")
_BETA1 = Setting("beta1", 0.9, "β₁", "Decay of the running mean of gradients "
                 "(first moment).", 0.0, 1.0, symbol="β₁")
_BETA2 = Setting("beta2", 0.999, "β₂", "Decay of the running mean of squared gradients "
                 "(second moment).", 0.0, 1.0, symbol="β₂")
_RHO = Setting("rho", 0.99, "ρ", "Decay of the running mean of squared gradients "
               "(PyTorch's alpha).", 0.0, 1.0, symbol="ρ")
_WEIGHT_DECAY = Setting("weight_decay", 0.01, "Weight decay", "Decoupled weight decay λ: "
                        "each step first shrinks x by the factor 1 − lr·λ.", 0.0, symbol="λ")


def _eps(default: float) -> Setting:
    return Setting("eps", default, "ε", "Added to the denominator so it is never 0.", 0.0,
                   open_below=True, symbol="ε")


_BIAS_CORRECTED = (
    ("m̂", lambda F, t, s, m, v: m / (1 - s.beta1**t)),
    ("v̂", lambda F, t, s, m, v: v / (1 - s.beta2**t)),
)

_TABLE = (
    Optimizer(
        "gd", "Gradient descent", "GD",
        "Steps against the gradient, scaled by the learning rate.",
        "x ← x − lr·g",
        (), (), _gd,
        lambda lam, s: 2.0 / lam, "2/λmax",
    ),
    Optimizer(
        "momentum", "Momentum", "Momentum",
        "Heavy ball: a velocity accumulates past gradients, so steps build up along "
        "consistent directions and oscillations cancel.",
        "v ← β·v + g;  x ← x − lr·v",
        (_MOMENTUM,), ("v",), _momentum,
        lambda lam, s: (2.0 + 2.0 * s.momentum) / lam, "(2 + 2β)/λmax",
    ),
    Optimizer(
        "nesterov", "Nesterov momentum", "Nesterov",
        "Momentum that looks ahead: the step uses the gradient plus the velocity it is "
        "about to have.",
        "v ← β·v + g;  x ← x − lr·(g + β·v)",
        (_MOMENTUM,), ("v",), _nesterov,
        # On lambda/2 x**2 the iteration's characteristic polynomial is
        # z**2 - (1 + b)(1 - a) z + b (1 - a), a = lr lambda: stable iff a < (2 + 2b)/(1 + 2b).
        lambda lam, s: (2.0 + 2.0 * s.momentum) / ((1.0 + 2.0 * s.momentum) * lam),
        "(2 + 2β)/((1 + 2β)·λmax)",
    ),
    Optimizer(
        "adagrad", "AdaGrad", "AdaGrad",
        "Divides each coordinate's step by the root of its summed squared gradients: "
        "steep coordinates slow down, and every step shrinks over time.",
        "G ← G + g²;  x ← x − lr·g/(√G + ε)",
        (_eps(1e-10),), ("G",), _adagrad,
    ),
    Optimizer(
        "rmsprop", "RMSProp", "RMSProp",
        "Like AdaGrad with a running mean of squared gradients instead of a sum, so "
        "steps do not shrink for ever.",
        "s ← ρ·s + (1 − ρ)·g²;  x ← x − lr·g/(√s + ε)",
        (_RHO, _eps(1e-8)), ("s",), _rmsprop,
    ),
    Optimizer(
        "adam", "Adam", "Adam",
        "Momentum on the gradient (first moment) divided by the root of a running mean "
        "of squared gradients (second moment), both bias-corrected.",
        "m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²;  "
        "x ← x − lr·(m/(1 − β₁ᵗ))/(√(v/(1 − β₂ᵗ)) + ε)",
        (_BETA1, _BETA2, _eps(1e-8)), ("m", "v"), _adam_update, derived=_BIAS_CORRECTED,
    ),
    Optimizer(
        "adamw", "AdamW", "AdamW",
        "Adam with decoupled weight decay: x shrinks towards 0 by lr·λ each step, "
        "apart from the gradient.",
        "x ← x·(1 − lr·λ);  then Adam's step",
        (_BETA1, _BETA2, _eps(1e-8), _WEIGHT_DECAY), ("m", "v"), _adamw,
        derived=_BIAS_CORRECTED,
    ),
)

OPTIMIZERS: dict[str, Optimizer] = {row.name: row for row in _TABLE}
"""Every optimizer by name, in menu order."""


def check_optimizer(name: str) -> Optimizer:
    """The row of ``name``, or an :class:`ExpressionError` listing the choices.

    >>> check_optimizer("adamw").settings[-1].name
    'weight_decay'
    >>> try:
    ...     check_optimizer("lbfgs")
    ... except ExpressionError as error:
    ...     print(error.field, error.code)
    optimizer unknown_optimizer
    """
    row = OPTIMIZERS.get(name)
    if row is None:
        raise ExpressionError(f"unknown optimizer {name!r}; choose one of "
                              f"{', '.join(OPTIMIZERS)}", code="unknown_optimizer",
                              field="optimizer")
    return row


def check_lr(lr: float) -> float:
    """``lr`` itself when it is a finite number > 0, else an :class:`ExpressionError`.

    >>> check_lr(0.1)
    0.1
    """
    if isinstance(lr, bool) or not isinstance(lr, int | float) or not math.isfinite(lr) \
            or lr <= 0:
        raise ExpressionError("lr must be a finite number > 0", code="bad_lr", field="lr")
    return lr


def resolve_settings(optimizer: Optimizer, given: Mapping[str, float | None]) -> SimpleNamespace:
    """The optimizer's settings: given values checked against their bounds, defaults for
    the rest.  A setting of another optimizer is ignored (so one request shape serves
    all); a name that no optimizer has is refused.

    >>> vars(resolve_settings(OPTIMIZERS["rmsprop"], {"rho": 0.9, "momentum": 0.5}))
    {'rho': 0.9, 'eps': 1e-08}
    """
    known = {s.name for row in _TABLE for s in row.settings}
    for name in given:
        if name not in known:
            raise ExpressionError(f"unknown optimizer setting {name!r}; the settings are "
                                  f"{', '.join(sorted(known))}", code="bad_setting", field=name)
    values = {}
    for setting in optimizer.settings:
        value = given.get(setting.name)
        values[setting.name] = setting.default if value is None else setting.check(value)
    return SimpleNamespace(**values)
