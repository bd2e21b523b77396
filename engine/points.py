"""Reading a point as users give it.

>>> from engine import parse
>>> expr = parse("x**2 + y**2")
>>> resolve_point(expr, [3, 4]), resolve_point(expr, {"y": 4, "x": 3})
(array([3., 4.]), array([3., 4.]))
>>> resolve_point(parse("3*x**2"), 1)
array([1.])
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from .errors import ExpressionError
from .types import Array, PointLike

if TYPE_CHECKING:
    from .expression import Expression

__all__ = ["resolve_point"]


def _number(value: object, what: str, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise ExpressionError(f"{what} must be a number", code="bad_point", field=field)
    number = float(value)
    if not math.isfinite(number):
        raise ExpressionError(f"{what} must be finite", code="bad_point", field=field)
    return number


def resolve_point(expr: Expression, point: PointLike, field: str = "point") -> Array:
    """The coordinates of ``point`` in the order of ``expr.variables``.

    Accepts a list in variable order, a mapping by name (every variable named, no
    others), or a bare number for a function of one variable.
    """
    names = expr.variables
    if isinstance(point, Mapping):
        unknown = [str(k) for k in point if k not in names]
        if unknown:
            raise ExpressionError(
                f"{field} names {unknown[0]!r}, which is not a variable; the variables are "
                f"{', '.join(names) or 'none'}", code="bad_point", field=field)
        missing = [name for name in names if name not in point]
        if missing:
            raise ExpressionError(f"{field} lacks a value for {', '.join(missing)}",
                                  code="bad_point", field=field)
        values = [_number(point[name], f"{field}[{name!r}]", field) for name in names]
    elif isinstance(point, Sequence) and not isinstance(point, str):
        if len(point) != len(names):
            raise ExpressionError(
                f"{field} has {len(point)} coordinate{'s' if len(point) != 1 else ''} but the "
                f"function has {len(names)} variable{'s' if len(names) != 1 else ''} "
                f"({', '.join(names) or 'none'})", code="bad_point", field=field)
        values = [_number(v, f"{field}[{i}]", field) for i, v in enumerate(point)]
    else:
        if len(names) != 1:
            raise ExpressionError(
                f"a bare number is a point only for a function of one variable; this one has "
                f"{len(names)} ({', '.join(names) or 'none'}): give a list",
                code="bad_point", field=field)
        values = [_number(point, field, field)]
    return np.array(values, dtype=np.float64)
