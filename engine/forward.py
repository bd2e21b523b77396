"""Forward mode: dual numbers carried through the graph.

A :class:`Dual` holds a primal value and its tangent ``x_dot``.  Every primitive acts
on duals through the table's ``partials`` rule: ``out_dot = sum(partial * arg_dot)``,
each product taken by :func:`engine.ops.chain` (a zero tangent contributes 0 even
against a NaN partial; nothing flows through an undefined value).
Tangents may carry a leading axis, one slot per seed direction, so one pass gives the
whole gradient (seeding with the identity) -- and, carried through the reverse pass,
the Hessian (see :mod:`engine.reverse`).

>>> x = Dual(np.float64(2.0), np.float64(1.0))
>>> y = x * x + DUAL.sin(x)
>>> round(float(y.primal), 12), round(float(y.tangent), 12)  # 4 + sin 2, 2*2 + cos 2
(4.909297426826, 3.583853163453)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .evaluate import forward_values
from .graph import Graph
from .ops import _NUMPY_HELPERS, NUMPY, PRIMITIVES, Primitive, chain, make_namespace, mul_no_nan
from .types import Array

__all__ = ["Dual", "DUAL", "apply_dual", "jvp_gradient", "directional_derivatives"]


class Dual:
    """A primal value with its tangent (``None`` means a zero tangent)."""

    __slots__ = ("primal", "tangent")
    __array_ufunc__ = None  # so ndarray (op) Dual defers to Dual's reflected operator

    def __init__(self, primal: Any, tangent: Any) -> None:
        self.primal = primal
        self.tangent = tangent

    def __repr__(self) -> str:
        return f"Dual({self.primal!r}, {self.tangent!r})"

    # Python operators route to the table, like every other namespace.
    def __add__(self, other: Any) -> Dual:
        return apply_dual(PRIMITIVES["add"], self, other)

    def __radd__(self, other: Any) -> Dual:
        return apply_dual(PRIMITIVES["add"], other, self)

    def __sub__(self, other: Any) -> Dual:
        return apply_dual(PRIMITIVES["sub"], self, other)

    def __rsub__(self, other: Any) -> Dual:
        return apply_dual(PRIMITIVES["sub"], other, self)

    def __mul__(self, other: Any) -> Dual:
        return apply_dual(PRIMITIVES["mul"], self, other)

    def __rmul__(self, other: Any) -> Dual:
        return apply_dual(PRIMITIVES["mul"], other, self)

    def __truediv__(self, other: Any) -> Dual:
        return apply_dual(PRIMITIVES["div"], self, other)

    def __rtruediv__(self, other: Any) -> Dual:
        return apply_dual(PRIMITIVES["div"], other, self)

    def __neg__(self) -> Dual:
        return apply_dual(PRIMITIVES["neg"], self)

    def __pow__(self, other: Any) -> Dual:
        if not isinstance(other, Dual) and float(other).is_integer():
            return apply_dual(PRIMITIVES["powi"], self, param=float(other))
        return apply_dual(PRIMITIVES["pow"], self, other)

    def __rpow__(self, other: Any) -> Dual:
        return apply_dual(PRIMITIVES["pow"], other, self)


def _primal(value: Any) -> Any:
    return value.primal if isinstance(value, Dual) else value


def apply_dual(primitive: Primitive, *args: Any, param: float | None = None,
               one_sided: bool = False) -> Any:
    """Apply ``primitive`` to duals (or plain values): primal and tangent.

    With ``one_sided``, a function with a corner that sits exactly at it takes its
    partials from the side each tangent moves towards (see :func:`directional_derivatives`).
    """
    primals = [_primal(a) for a in args]
    extra = () if param is None else (param,)
    out = primitive.evaluate(*primals, *extra)
    tangent = None
    partials = None
    for k, arg in enumerate(args):
        if isinstance(arg, Dual) and arg.tangent is not None:
            if partials is None:
                partials = primitive.partials(NUMPY, out, *primals, *extra)
                if one_sided and primitive.kink is not None:
                    partials = _one_sided(primitive, partials, out, primals, args)
            term = chain(arg.tangent, partials[k], out)
            tangent = term if tangent is None else tangent + term
    return Dual(out, tangent) if tangent is not None else out


def _one_sided(primitive: Primitive, partials: Any, out: Any, primals: list[Any],
               args: tuple[Any, ...]) -> tuple[Any, ...]:
    """Where the corner's switch quantity is exactly 0, the partials on the side the
    tangents point to: the rule evaluated at the tangents (engine.ops, ``kink``)."""
    assert primitive.kink is not None
    at_corner = primitive.kink(*primals) == 0
    if not np.any(at_corner):
        return tuple(partials)
    tangents = [arg.tangent if isinstance(arg, Dual) and arg.tangent is not None else 0.0
                for arg in args]
    sided = primitive.partials(NUMPY, out, *tangents)
    return tuple(np.where(at_corner, side, partial)
                 for side, partial in zip(sided, partials, strict=True))


def _dual_function(primitive: Primitive, one_sided: bool = False) -> Any:
    if primitive.has_param:
        return lambda x, n: apply_dual(primitive, x, param=n, one_sided=one_sided)
    return lambda *args: apply_dual(primitive, *args, one_sided=one_sided)


def _piecewise_constant(helper: Any) -> Any:
    """Helpers such as ``sign`` have zero derivative: apply them to the primal only."""
    return lambda *args: helper(*(_primal(a) for a in args))


_MUL_NO_NAN = Primitive("mul_no_nan", 2, mul_no_nan, lambda F, out, a, b: (b, a), False,
                        lambda a, b: a * b)
""":func:`engine.ops.mul_no_nan` as a primitive, so that it acts on duals (product rule)."""


def _undefined_where(undefined: Any, value: Any) -> Any:
    """``value`` (a dual or not) made NaN where ``undefined``, tangent included."""
    if not isinstance(value, Dual):
        return np.where(undefined, np.nan, value)
    tangent = None if value.tangent is None else np.where(undefined, np.nan, value.tangent)
    return Dual(np.where(undefined, np.nan, value.primal), tangent)


def _dual_chain(ct: Any, partial: Any, out: Any) -> Any:
    """:func:`engine.ops.chain` on duals (reverse mode over dual numbers, for Hessians)."""
    undefined = np.isnan(_primal(out))
    if np.any(undefined):
        partial = _undefined_where(undefined, partial)
    elif type(partial) is float and partial in (1.0, -1.0):
        return ct if partial == 1.0 else -ct
    return apply_dual(_MUL_NO_NAN, ct, partial)


DUAL = make_namespace(
    {name: _dual_function(p) for name, p in PRIMITIVES.items()}
    | {name: _piecewise_constant(h) for name, h in _NUMPY_HELPERS.items()}
    | {"chain": _dual_chain}
)
"""The namespace that evaluates rules on dual numbers."""

_ONE_SIDED = make_namespace(
    {name: _dual_function(p, one_sided=True) for name, p in PRIMITIVES.items()}
    | {name: _piecewise_constant(h) for name, h in _NUMPY_HELPERS.items()}
    | {"chain": _dual_chain}
)
"""Dual numbers whose corners take the side their tangent moves towards."""


def seed(values: Sequence[Array]) -> list[Dual]:
    """Duals for the inputs seeded with the identity: tangent axis 0 is the direction."""
    count = len(values)
    duals = []
    for i, value in enumerate(values):
        tangent = np.zeros((count,) + np.shape(value))
        tangent[i] = 1.0
        duals.append(Dual(value, tangent))
    return duals


def jvp_gradient(graph: Any, names: Sequence[str], columns: Sequence[Array]) -> tuple[Array, Array]:
    """Value and gradient by forward mode, all directions in one pass.

    Returns ``value`` (shape of the inputs) and ``gradient`` (one leading axis per variable).
    """
    duals = seed(columns)
    shape = np.shape(columns[0]) if columns else ()
    values = forward_values(graph, dict(zip(names, duals, strict=True)), DUAL)
    out = values[graph.output]
    if isinstance(out, Dual) and out.tangent is not None:
        value = np.broadcast_to(out.primal, shape)
        gradient = np.broadcast_to(out.tangent, (len(names),) + shape)
    else:  # the output does not depend on any variable
        value = np.broadcast_to(_primal(out), shape)
        gradient = np.zeros((len(names),) + shape)
    return np.asarray(value, dtype=np.float64), np.asarray(gradient, dtype=np.float64)


def directional_derivatives(graph: Graph, names: Sequence[str], point: Array | Sequence[float],
                            directions: Array) -> tuple[float, Array, list[int]]:
    """f at ``point`` and its one-sided directional derivatives along each row d of
    ``directions``: ``f'(x; d) = lim_{t -> 0+} (f(x + t d) - f(x)) / t``.

    Forward mode, exact to rounding for every function the language can write: they
    are piecewise smooth, and at a corner that sits exactly at the point (``abs(u)`` at
    u = 0, ``max(a, b)`` at a = b) the derivative along d is the partial on the side
    that d moves the corner's argument to, times the argument's tangent (``|u'|`` for
    ``abs``), which is the rule evaluated at the tangent.  So the slope from the right
    is ``f'(x; e)`` and from the left ``-f'(x; -e)``.  Also returns the nodes whose
    corner the point sits on.

    >>> from engine import parse
    >>> expr = parse("abs(x) + relu(x)")
    >>> value, slopes, corners = directional_derivatives(expr.graph, expr.variables, [0.0],
    ...                                                  np.array([[1.0], [-1.0]]))
    >>> value, slopes.tolist(), corners     # right slope 2, left slope -(1) = -1
    (0.0, [2.0, 1.0], [1, 2])
    """
    directions = np.asarray(directions, dtype=np.float64)
    duals = [Dual(np.float64(x), directions[:, i]) for i, x in enumerate(point)]
    values = forward_values(graph, dict(zip(names, duals, strict=True)), _ONE_SIDED)
    out = values[graph.output]
    if isinstance(out, Dual) and out.tangent is not None:
        slopes = np.broadcast_to(out.tangent, (len(directions),)).astype(np.float64)
    else:  # f does not depend on the variables
        slopes = np.zeros(len(directions))
    corners = []
    for i, node in enumerate(graph.nodes):
        kink = PRIMITIVES[node.op].kink if node.op in PRIMITIVES else None
        if kink is not None and kink(*(_primal(values[j]) for j in node.inputs)) == 0:
            corners.append(i)
    return float(_primal(out)), slopes, corners
