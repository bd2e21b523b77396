"""The table of primitives: one row per operation with every rule it has.

Each :class:`Primitive` declares, in one place,

* ``evaluate`` -- the numpy implementation (also used on complex arrays for the
  complex step, and on plain floats through ``scalar`` for generated code);
* ``partials`` -- the local partial derivatives ``d out / d arg`` as a rule
  ``partials(F, out, *args)``, written with Python operators and the functions of an
  *operation namespace* ``F``.  The same rule serves every differentiation mode:
  forward mode multiplies partials by tangents, reverse mode multiplies cotangents by
  them, and because ``F`` may be numpy, dual numbers or source text, the rule also
  yields second derivatives (forward-over-reverse) and generated straight-line code;
* ``analytic`` -- whether the function is complex-analytic (complex step allowed);
* ``scalar`` -- a plain-float implementation for generated code (``math`` module,
  with IEEE answers where ``math`` would raise: it never raises);
* ``kink`` -- for the functions with a corner (abs, relu, min, max), the *switch*
  quantity, linear in the arguments, that is 0 at the corner (``x``, or ``a - b``).
  Their partials depend on the arguments only through its sign, so at the corner the
  partials on the side a tangent moves towards are the partials evaluated at the
  tangent itself -- which is how :mod:`engine.forward` takes one-sided derivatives.

The machinery modules (``evaluate``, ``forward``, ``reverse``, ``codegen``) loop over
this table and never mention a particular function.

>>> [float(p) for p in PRIMITIVES["sin"].partials(NUMPY, np.sin(0.0), 0.0)]
[1.0]
>>> sorted(name for name, p in FUNCTIONS.items() if p.arity == 2)
['atan2', 'hypot', 'max', 'min', 'pow']
>>> sorted(name for name, p in PRIMITIVES.items() if p.kink is not None)
['abs', 'max', 'min', 'relu']
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np

__all__ = [
    "Primitive",
    "PRIMITIVES",
    "FUNCTIONS",
    "CONSTANTS",
    "NUMPY",
    "chain",
    "mul_no_nan",
    "make_namespace",
]

Rule = Callable[..., tuple[Any, ...]]


@dataclass(frozen=True)
class Primitive:
    """One operation of the expression language and all of its rules."""

    name: str
    arity: int
    evaluate: Callable[..., Any]
    partials: Rule
    analytic: bool
    scalar: Callable[..., float]
    has_param: bool = False
    """True for ``powi``: its integer exponent is a parameter of the node, not an input."""
    kink: Callable[..., Any] | None = None
    """The switch quantity of a function with a corner (0 at the corner), else None."""
    domain: str | None = None
    """Where ``scalar``'s ``math`` function (``scalar.__wrapped__``) cannot raise, as a
    Python condition on ``{x}``: generated code calls it directly there (no wrapper)."""
    doc: str = field(default="", compare=False)


# --- numpy implementations that numpy lacks or gets numerically wrong -----------------


def _sigmoid(x: Any) -> Any:
    """Logistic function, stable for large |x| on real and complex input."""
    x = np.asarray(x)
    negative = np.real(x) < 0
    z = np.exp(np.where(negative, x, -x))  # exp(-|x|): never overflows
    return np.where(negative, z / (1 + z), 1 / (1 + z))


def _softplus(x: Any) -> Any:
    """log(1 + exp(x)), stable for large |x| on real and complex input."""
    x = np.asarray(x)
    if not np.iscomplexobj(x):
        return np.logaddexp(0.0, x)
    positive = np.real(x) > 0
    return np.where(positive, x, 0) + np.log1p(np.exp(np.where(positive, -x, x)))


def _cbrt(x: Any) -> Any:
    """Real cube root; on complex input its analytic continuation near the real axis."""
    x = np.asarray(x)
    if not np.iscomplexobj(x):
        return np.cbrt(x)
    negative = np.real(x) < 0
    root = np.where(negative, -x, x) ** (1.0 / 3.0)
    return np.where(negative, -root, root)


def _atan2(y: Any, x: Any) -> Any:
    """The angle of the point (x, y); on complex input its analytic continuation.

    ``np.arctan2`` refuses complex arrays.  Near the real plane the angle is
    ``arctan(y / x)`` (or ``+-pi/2 - arctan(x / y)`` where |y| > |x|, so arctan's argument
    stays within [-1, 1]) plus a constant quadrant correction read from the real parts
    alone: on real input that is exactly the real angle, and its complex extension is
    analytic, so the complex step gives the derivative.  At the origin it is NaN.
    """
    y, x = np.asarray(y), np.asarray(x)
    if not (np.iscomplexobj(y) or np.iscomplexobj(x)):
        return np.arctan2(y, x)
    real_y, real_x = np.real(y), np.real(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        flat = np.arctan(y / x) + np.where(real_x < 0, np.copysign(np.pi, real_y), 0.0)
        steep = np.copysign(np.pi / 2, real_y) - np.arctan(x / y)
    return np.where(np.abs(real_y) > np.abs(real_x), steep, flat)


def _hypot(a: Any, b: Any) -> Any:
    """sqrt(a**2 + b**2) without overflow; on complex input its analytic continuation.

    ``np.hypot`` refuses complex arrays: there it is ``s * sqrt((a/s)**2 + (b/s)**2)``
    with ``s`` the larger real magnitude (so nothing overflows), whose square root stays
    on its principal branch near the real plane.  At the origin it is NaN (hypot has a
    cone there, not a derivative).
    """
    a, b = np.asarray(a), np.asarray(b)
    if not (np.iscomplexobj(a) or np.iscomplexobj(b)):
        return np.hypot(a, b)
    scale = np.maximum(np.abs(np.real(a)), np.abs(np.real(b)))
    with np.errstate(divide="ignore", invalid="ignore"):
        a, b = a / scale, b / scale
        return scale * np.sqrt(a * a + b * b)


def _relu(x: Any) -> Any:
    return np.where(x > 0, x, 0.0 * x)  # 0*x keeps NaN as NaN


def _powi(x: Any, n: float) -> Any:
    return np.power(x, n)


# --- plain-float implementations for generated straight-line code ---------------------
# They follow IEEE arithmetic like the numpy forms and never raise: ``math`` raises
# where IEEE has an answer (math.log(-1.0) is a ValueError, math.exp(1000.0) an
# OverflowError, math.sin(inf) a ValueError), so each such function answers those
# points with its numpy form instead.  The ``try`` costs nothing until something
# raises; functions that never raise (atan, tanh, hypot, ...) are ``math``'s own.


def _ieee(fast: Callable[..., float], exact: Callable[..., Any]) -> Callable[..., float]:
    """``fast`` (a ``math`` function), with the IEEE answer (``exact``, numpy's form)
    where ``fast`` raises.

    >>> log = _ieee(math.log, np.log)
    >>> log(1.0), log(0.0), log(-1.0)
    (0.0, -inf, nan)
    """
    @functools.wraps(fast)
    def unary(x: float) -> float:
        try:
            return fast(x)
        except (ArithmeticError, ValueError):
            with np.errstate(all="ignore"):
                return float(exact(x))

    return unary


def _div_scalar(a: float, b: float) -> float:
    """``a / b`` with IEEE's answers where the divisor is 0 (±inf, or NaN for 0/0)."""
    if b:
        return a / b
    if a != a or a == 0.0:
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


def _powi_scalar(x: float, n: float) -> float:
    """``x**n`` for an integer-valued ``n``, with IEEE's answers on overflow (±inf) and
    for 0 to a negative power (±inf), where Python's ``**`` raises."""
    try:
        return x**n
    except (ArithmeticError, ValueError):
        with np.errstate(all="ignore"):
            return float(np.power(x, n))


def _pow_scalar(a: float, b: float) -> float:
    """``math.pow`` with IEEE's answers where it raises (NaN for (-8)**(1/3), inf for
    0**-1, on overflow), and numpy's for a base of -inf (C gives (-inf)**0.5 = inf,
    numpy NaN: the generated and the interpreted paths must agree)."""
    if a != -math.inf:
        try:
            return math.pow(a, b)
        except (ArithmeticError, ValueError):
            pass
    with np.errstate(all="ignore"):
        return float(np.power(a, b))


def _sigmoid_scalar(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _softplus_scalar(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _relu_scalar(x: float) -> float:
    return x if x > 0.0 else 0.0 * x


def _min_scalar(a: float, b: float) -> float:
    """NaN-propagating like ``np.minimum``: a NaN in either argument is the answer."""
    return a if a <= b else (b if b <= a else a + b)  # both comparisons fail only on NaN


def _max_scalar(a: float, b: float) -> float:
    return a if a >= b else (b if b >= a else a + b)


def _heaviside_scalar(x: float, at_zero: float) -> float:
    return 1.0 if x > 0 else (0.0 if x < 0 else at_zero)


def _sign_scalar(x: float) -> float:
    return math.copysign(1.0, x) if x != 0 else 0.0


def _powi_partial(x: Any, n: float) -> Any:
    """``n * x**(n - 1)``, written so that ``x**0`` and ``x**1`` are clean at x = 0."""
    if n == 0.0:
        return 0.0
    if n == 1.0:
        return 1.0
    return n * x ** (n - 1.0)


def _exponent_partial(F: Any, out: Any, a: Any) -> Any:
    """``d a**b / d b = a**b log(a)``, taken as 0 where ``a == 0`` (there ``a**b`` is 0)."""
    nonzero = F.heaviside(F.abs(a), 0.0)  # piecewise constant: 1 where a != 0
    return F.log(a + (1.0 - nonzero)) * out * nonzero


_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


def _row(
    name: str,
    arity: int,
    evaluate: Callable[..., Any],
    partials: Rule,
    scalar: Callable[..., float],
    *,
    analytic: bool = True,
    has_param: bool = False,
    kink: Callable[..., Any] | None = None,
    domain: str | None = None,
) -> Primitive:
    return Primitive(name, arity, evaluate, partials, analytic, scalar, has_param, kink,
                     domain)


# The table.  ``partials(F, out, *args)``: ``out`` is the primal output, ``args`` the
# primal inputs; each entry of the returned tuple is d out / d arg.
_TABLE = [
    # arithmetic (how operators are written is engine.precedence's business)
    _row("add", 2, np.add, lambda F, out, a, b: (1.0, 1.0), lambda a, b: a + b),
    _row("sub", 2, np.subtract, lambda F, out, a, b: (1.0, -1.0), lambda a, b: a - b),
    _row("mul", 2, np.multiply, lambda F, out, a, b: (b, a), lambda a, b: a * b),
    _row("div", 2, np.divide, lambda F, out, a, b: (1.0 / b, -out / b), _div_scalar),
    _row("neg", 1, np.negative, lambda F, out, a: (-1.0,), lambda a: -a),
    # integer power: its own primitive, so x**2 has a clean derivative at negative x
    _row("powi", 1, _powi, lambda F, out, x, n: (_powi_partial(x, n),), _powi_scalar,
         has_param=True),
    _row("pow", 2, np.power,
         lambda F, out, a, b: (b * a ** (b - 1.0), _exponent_partial(F, out, a)),
         _pow_scalar),  # not **: (-8)**(1/3) would go complex
    # trigonometric
    _row("sin", 1, np.sin, lambda F, out, x: (F.cos(x),), _ieee(math.sin, np.sin),
         domain="{x} - {x} == 0.0"),
    _row("cos", 1, np.cos, lambda F, out, x: (-F.sin(x),), _ieee(math.cos, np.cos),
         domain="{x} - {x} == 0.0"),
    _row("tan", 1, np.tan, lambda F, out, x: (1.0 + out * out,), _ieee(math.tan, np.tan),
         domain="{x} - {x} == 0.0"),
    _row("asin", 1, np.arcsin, lambda F, out, x: (1.0 / F.sqrt((1.0 - x) * (1.0 + x)),),
         _ieee(math.asin, np.arcsin),
         domain="-1.0 <= {x} <= 1.0"),
    _row("acos", 1, np.arccos, lambda F, out, x: (-1.0 / F.sqrt((1.0 - x) * (1.0 + x)),),
         _ieee(math.acos, np.arccos),
         domain="-1.0 <= {x} <= 1.0"),
    _row("atan", 1, np.arctan, lambda F, out, x: (1.0 / (1.0 + x * x),), math.atan),
    # hyperbolic.  tanh' is sech^2 = cosh(x)**-2 (1 - tanh^2 cancels badly for large |x|),
    # with cosh's argument capped at 400: past it sech^2 underflows to 0 anyway, and the
    # cap keeps the rule's own derivative (for Hessians) finite where cosh overflows
    # (|x| > 710: inf * 0).  It is a chain of products, so tanh'' = -2 tanh sech^2 keeps
    # its relative accuracy near 0 too (4 sigmoid(2x) sigmoid(-2x) would lose it there).
    _row("sinh", 1, np.sinh, lambda F, out, x: (F.cosh(x),), _ieee(math.sinh, np.sinh),
         domain="-710.0 < {x} < 710.0"),
    _row("cosh", 1, np.cosh, lambda F, out, x: (F.sinh(x),), _ieee(math.cosh, np.cosh),
         domain="-710.0 < {x} < 710.0"),
    _row("tanh", 1, np.tanh, lambda F, out, x: (F.cosh(F.min(F.abs(x), 400.0)) ** -2.0,),
         math.tanh),
    _row("asinh", 1, np.arcsinh, lambda F, out, x: (1.0 / F.hypot(x, 1.0),), math.asinh),
    _row("acosh", 1, np.arccosh, lambda F, out, x: (1.0 / (F.sqrt(x - 1.0) * F.sqrt(x + 1.0)),),
         _ieee(math.acosh, np.arccosh),
         domain="{x} >= 1.0"),
    _row("atanh", 1, np.arctanh, lambda F, out, x: (1.0 / ((1.0 - x) * (1.0 + x)),),
         _ieee(math.atanh, np.arctanh),
         domain="-1.0 < {x} < 1.0"),
    # exponential and logarithmic
    _row("exp", 1, np.exp, lambda F, out, x: (out,), _ieee(math.exp, np.exp),
         domain="{x} < 709.0"),
    _row("expm1", 1, np.expm1, lambda F, out, x: (F.exp(x),),  # F.exp(x), not out + 1
         _ieee(math.expm1, np.expm1),
         domain="{x} < 709.0"),
    _row("log", 1, np.log, lambda F, out, x: (1.0 / x,), _ieee(math.log, np.log),
         domain="{x} > 0.0"),
    _row("log1p", 1, np.log1p, lambda F, out, x: (1.0 / (1.0 + x),), _ieee(math.log1p, np.log1p),
         domain="{x} > -1.0"),
    _row("log2", 1, np.log2, lambda F, out, x: (1.0 / (x * _LN2),), _ieee(math.log2, np.log2),
         domain="{x} > 0.0"),
    _row("log10", 1, np.log10, lambda F, out, x: (1.0 / (x * _LN10),), _ieee(math.log10, np.log10),
         domain="{x} > 0.0"),
    _row("sqrt", 1, np.sqrt, lambda F, out, x: (0.5 / out,), _ieee(math.sqrt, np.sqrt),
         domain="{x} >= 0.0"),
    _row("cbrt", 1, _cbrt, lambda F, out, x: (1.0 / (3.0 * out * out),), math.cbrt),
    # piecewise and machine-learning functions; a corner is not complex-analytic
    _row("abs", 1, np.abs, lambda F, out, x: (F.sign(x),), abs, analytic=False,
         kink=lambda x: x),
    _row("sigmoid", 1, _sigmoid, lambda F, out, x: (out * F.sigmoid(-x),), _sigmoid_scalar),
    _row("relu", 1, _relu, lambda F, out, x: (F.heaviside(x, 0.0),), _relu_scalar,
         analytic=False, kink=lambda x: x),
    _row("softplus", 1, _softplus, lambda F, out, x: (F.sigmoid(x),), _softplus_scalar),
    # two-argument functions
    _row("atan2", 2, _atan2,
         lambda F, out, y, x: (x / F.hypot(x, y) / F.hypot(x, y),
                               -y / F.hypot(x, y) / F.hypot(x, y)),
         math.atan2),  # smooth but at the origin, so complex-step capable
    _row("hypot", 2, _hypot, lambda F, out, a, b: (a / out, b / out), math.hypot),
    _row("min", 2, np.minimum,
         lambda F, out, a, b: (F.heaviside(b - a, 0.5), F.heaviside(a - b, 0.5)),
         _min_scalar, analytic=False, kink=lambda a, b: a - b),
    _row("max", 2, np.maximum,
         lambda F, out, a, b: (F.heaviside(a - b, 0.5), F.heaviside(b - a, 0.5)),
         _max_scalar, analytic=False, kink=lambda a, b: a - b),
]

PRIMITIVES: dict[str, Primitive] = {p.name: p for p in _TABLE}
"""Every primitive by name."""

_OPERATORS = {"add", "sub", "mul", "div", "neg", "powi", "pow"}

FUNCTIONS: dict[str, Primitive] = {
    name: p for name, p in PRIMITIVES.items() if name not in _OPERATORS or name == "pow"
}
"""The names a user may call, ``sin(x)`` ... ``pow(a, b)``."""

CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}
"""Named constants of the expression language."""

# Helpers that rules may use besides the primitives; they are piecewise constant, so
# every namespace treats them as having zero derivative.
_NUMPY_HELPERS = {"sign": np.sign, "heaviside": np.heaviside}
SCALAR_HELPERS: dict[str, Callable[..., float]] = {
    "sign": _sign_scalar,
    "heaviside": _heaviside_scalar,
}


def mul_no_nan(a: Any, b: Any) -> Any:
    """``a * b``, except that a factor 0 times NaN is 0 (0 times inf stays NaN).

    >>> mul_no_nan(np.array([0.0, 2.0]), np.nan).tolist()
    [0.0, nan]
    """
    product = a * b
    if not np.isnan(product).any():  # the common case: one pass more than a * b
        return product
    zero = ((a == 0) & np.isnan(b)) | ((b == 0) & np.isnan(a))
    return np.where(zero, 0.0, product)


def chain(ct: Any, partial: Any, out: Any) -> Any:
    """One link of the chain rule: a cotangent (or tangent) ``ct`` times a ``partial`` of
    the node whose value is ``out``.  Reverse mode adds it into the input's cotangent,
    forward mode into the output's tangent; it is the only place either multiplies.

    * Nothing flows through an undefined node: where ``out`` is NaN the partial is NaN
      (``x - log(x)`` at x < 0 has no derivative, though ``1 - 1/x`` is a number).
    * A zero factor contributes nothing, even against NaN (:func:`mul_no_nan`): a
      cotangent that is 0 because a later node is flat there (``relu'`` = 0), or a
      tangent that is 0 because this input does not move, times a partial that is NaN
      (``a**b log(a)`` at a < 0) adds 0, as the derivative is.  0 times inf stays NaN.

    >>> float(chain(np.float64(0.0), np.float64(np.nan), np.float64(1.0)))
    0.0
    >>> float(chain(np.float64(2.0), -1.0, np.float64(np.nan)))
    nan
    """
    undefined = np.isnan(out)
    if undefined.any():
        partial = np.where(undefined, np.nan, partial)
    elif type(partial) is float:  # the rules' constant partials: no multiplication
        if partial == 1.0:
            return ct
        if partial == -1.0:
            return -ct
    return mul_no_nan(ct, partial)


def make_namespace(functions: Mapping[str, Callable[..., Any]]) -> SimpleNamespace:
    """An operation namespace ``F``: one attribute per primitive plus the helpers."""
    return SimpleNamespace(**functions)


NUMPY = make_namespace(
    {name: p.evaluate for name, p in PRIMITIVES.items()} | _NUMPY_HELPERS | {"chain": chain}
)
"""The namespace that evaluates rules on numpy arrays (real or complex).

Besides the primitives and helpers, every namespace has ``chain(ct, partial, out)``:
how that mode multiplies a cotangent or tangent by a partial (:func:`chain` here)."""
