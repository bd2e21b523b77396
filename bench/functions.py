"""The benchmark functions, written once for any array module (numpy or jax.numpy).

Each :class:`BenchFunction` has the text our engine parses, a hand-written vectorized
``f`` (the unit ``d``), a hand-written analytic gradient (the practical floor for
numpy), and a ``make(module, c)`` that builds ``f(x, y) + c*x`` on that module, so
jax gets the very same formula and the "fresh expression" runs get a new constant.

>>> import numpy as np
>>> fn = FUNCTIONS["rosenbrock"]
>>> float(fn.make(np)(1.0, 1.0)), [abs(float(g)) for g in fn.gradient(1.0, 1.0)]
(0.0, [0.0, 0.0])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["BenchFunction", "FUNCTIONS", "RANGE"]

RANGE = (-2.0, 2.0)
"""Both axes of every benchmark grid."""


@dataclass(frozen=True)
class BenchFunction:
    name: str
    label: str
    text: str
    make: Callable[..., Callable[[Any, Any], Any]]
    """``make(module, c=0.0)`` -> ``f(x, y)`` (plus ``c*x``) using ``module.sin``..."""
    gradient: Callable[[Any, Any], tuple[Any, Any]]
    """Hand-written analytic gradient on numpy arrays."""

    def with_constant(self, c: float) -> str:
        """The engine text of ``f + c*x`` (a freshly typed expression)."""
        return f"{self.text} + {c!r}*x"


def _sphere(m: Any, c: float = 0.0) -> Callable[[Any, Any], Any]:
    if c == 0.0:
        return lambda x, y: x**2 + y**2
    return lambda x, y: x**2 + y**2 + c * x


def _sphere_gradient(x: Any, y: Any) -> tuple[Any, Any]:
    return 2 * x, 2 * y


def _rosenbrock(m: Any, c: float = 0.0) -> Callable[[Any, Any], Any]:
    if c == 0.0:
        return lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2
    return lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2 + c * x


def _rosenbrock_gradient(x: Any, y: Any) -> tuple[Any, Any]:
    a = 1 - x
    b = y - x * x
    return -2 * a - 400 * x * b, 200 * b


def _mix(m: Any, c: float = 0.0) -> Callable[[Any, Any], Any]:
    def f(x: Any, y: Any) -> Any:
        value = m.sin(x) * m.cos(y) + m.exp(-(x**2 + y**2) / 4) + m.log(1 + x**2 * y**2)
        return value + c * x if c != 0.0 else value

    return f


def _mix_gradient(x: Any, y: Any) -> tuple[Any, Any]:
    e = np.exp(-(x * x + y * y) / 4)
    q = 1 + x * x * y * y
    sx, cx, sy, cy = np.sin(x), np.cos(x), np.sin(y), np.cos(y)
    return (cx * cy - 0.5 * x * e + 2 * x * y * y / q,
            -sx * sy - 0.5 * y * e + 2 * x * x * y / q)


FUNCTIONS: dict[str, BenchFunction] = {
    f.name: f
    for f in (
        BenchFunction("sphere", "x²+y²", "x**2 + y**2", _sphere, _sphere_gradient),
        BenchFunction("rosenbrock", "Rosenbrock", "(1 - x)**2 + 100*(y - x**2)**2",
                      _rosenbrock, _rosenbrock_gradient),
        BenchFunction("mix", "transcendental mix",
                      "sin(x)*cos(y) + exp(-(x**2 + y**2)/4) + log(1 + x**2*y**2)",
                      _mix, _mix_gradient),
    )
}
