"""The accuracy corpus: (function, point) cases with tags saying why each is there.

Every function of the expression language appears at ordinary points, at the edges of
its domain (log, sqrt, asin... near where they stop), near poles (1/x near 0, tan near
pi/2), at large arguments (exp at 500, sin at 1000) and where its derivative is tiny;
then each through a chain rule and a square, then two-variable cases.  Truth comes from
sympy + mpmath at 50 digits (:mod:`bench.accuracy`), so a case whose derivative is not
finite there is dropped and counted.

>>> cases = build_corpus()
>>> len(cases) >= 250
True
>>> all(len(c.point) in (1, 2) for c in cases)
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["AccuracyCase", "build_corpus", "UNARY_POINTS"]

HALF_PI = math.pi / 2


@dataclass(frozen=True)
class AccuracyCase:
    text: str
    point: tuple[float, ...]
    tags: tuple[str, ...] = ()


# function -> [(point, tags)]: the first point is an ordinary one, reused for chains.
UNARY_POINTS: dict[str, list[tuple[float, tuple[str, ...]]]] = {
    "sin": [(0.5, ()), (-1.3, ()), (3.0, ()), (1000.0, ("large",)), (1e5, ("large",)),
            (1e-8, ())],
    "cos": [(0.5, ()), (-2.0, ()), (1e-9, ("tiny",)), (1000.0, ("large",)),
            (3.14159, ("tiny",))],
    "tan": [(0.3, ()), (-1.0, ()), (1.5707963, ("pole",)), (1.57, ("pole",)),
            (-1.5707, ("pole",)), (HALF_PI, ("pole",))],
    "asin": [(0.3, ()), (-0.7, ()), (0.999999, ("edge",)), (1 - 1e-10, ("edge",)),
             (-1 + 1e-12, ("edge",))],
    "acos": [(0.3, ()), (-0.7, ()), (0.999999, ("edge",)), (1 - 1e-10, ("edge",)),
             (-1 + 1e-12, ("edge",))],
    "atan": [(0.5, ()), (-3.0, ()), (1e8, ("tiny", "large")), (1e-10, ())],
    "sinh": [(0.5, ()), (-2.0, ()), (700.0, ("large",)), (1e-8, ())],
    "cosh": [(0.5, ()), (-3.0, ()), (700.0, ("large",)), (1e-8, ("tiny",))],
    "tanh": [(0.5, ()), (-2.0, ()), (10.0, ("tiny", "jax-tanh")), (20.0, ("tiny",)),
             (1e-6, ()), (-15.0, ("tiny",))],
    "asinh": [(0.5, ()), (-3.0, ()), (1e10, ("large", "tiny")), (1e-8, ())],
    "acosh": [(1.5, ()), (10.0, ()), (1 + 1e-10, ("edge",)), (1e10, ("large", "tiny"))],
    "atanh": [(0.5, ()), (-0.9, ()), (0.999999, ("edge",)), (1 - 1e-10, ("edge",))],
    "exp": [(0.5, ()), (-3.0, ()), (500.0, ("large",)), (700.0, ("large",)),
            (-700.0, ("tiny",)), (1e-10, ())],
    "expm1": [(1e-10, ()), (0.5, ()), (-3.0, ()), (500.0, ("large",)), (-50.0, ("tiny",))],
    "log": [(0.5, ()), (3.0, ()), (1e-8, ("edge",)), (1e-300, ("edge",)),
            (1e300, ("large", "tiny")), (1 + 1e-12, ())],
    "log1p": [(0.5, ()), (1e-10, ()), (-0.999999, ("edge",)), (-1 + 1e-12, ("edge",)),
              (1e10, ("large", "tiny"))],
    "log2": [(0.5, ()), (8.0, ()), (1e-8, ("edge",)), (1e300, ("large", "tiny"))],
    "log10": [(0.5, ()), (1000.0, ()), (1e-10, ("edge",))],
    "sqrt": [(0.5, ()), (4.0, ()), (1e-10, ("edge",)), (1e-300, ("edge",)),
             (1e300, ("large", "tiny"))],
    "cbrt": [(0.5, ()), (-8.0, ()), (1e-9, ("edge",)), (-1e-12, ("edge",)),
             (1e300, ("large", "tiny"))],
    "abs": [(0.5, ()), (-3.0, ()), (-1e-300, ("edge",))],
    "sigmoid": [(0.5, ()), (-3.0, ()), (30.0, ("tiny",)), (-30.0, ("tiny",)),
                (700.0, ("large", "tiny")), (-700.0, ("large", "tiny"))],
    "relu": [(0.5, ()), (3.0, ()), (-2.0, ("zero",))],
    "softplus": [(0.5, ()), (-3.0, ()), (40.0, ("large",)), (-40.0, ("tiny",)),
                 (700.0, ("large",)), (-700.0, ("tiny",))],
}

# (text, point, tags): compositions with a story each
COMPOSITES: list[tuple[str, tuple[float, ...], tuple[str, ...]]] = [
    ("1/x", (1e-3,), ("pole",)), ("1/x", (1e-8,), ("pole",)), ("1/x", (-1e-10,), ("pole",)),
    ("1/x", (3.0,), ()), ("1/(x - 1)", (1 + 1e-9,), ("pole",)), ("1/(x - 1)", (0.999,), ("pole",)),
    ("1/x**2", (1e-5,), ("pole",)), ("x**(-2)", (0.1,), ()),
    ("x**3", (1e-6,), ("tiny",)), ("x**3", (-2.0,), ()), ("x**5 - 3*x", (1.2,), ()),
    ("x**0.5", (1e-10,), ("edge",)), ("x**2.5", (3.0,), ()), ("x**x", (2.0,), ()),
    ("pow(x, 3)", (-1.5,), ()), ("pow(2, x)", (3.0,), ()), ("pow(x, 0.3)", (1e-8,), ("edge",)),
    ("exp(-x**2)", (6.0,), ("tiny",)), ("exp(-x**2)", (0.5,), ()),
    ("exp(sin(x))", (2.0,), ()), ("sin(exp(x))", (5.0,), ("large",)),
    ("log(1 + x**2)", (1e-8,), ("tiny",)), ("log(1 + x**2)", (3.0,), ()),
    ("sqrt(1 + x**2)", (1e-8,), ("tiny",)), ("sqrt(1 + x**2)", (1e8,), ("large",)),
    ("x*sin(1/x)", (0.01,), ()), ("sin(x)/x", (1e-4,), ()), ("sin(x)/x", (0.5,), ()),
    ("log(x)/x", (1e-5,), ("edge",)), ("log(x)/x", (2.718281828459045,), ("tiny",)),
    ("exp(x)/(1 + exp(x))", (40.0,), ("tiny",)), ("tanh(x)**2", (10.0,), ("tiny",)),
    ("sin(x)**2 + cos(x)**2", (3.0,), ("zero",)), ("log(sin(x))", (1e-8,), ("edge",)),
    ("log(sin(x))", (3.14159,), ("pole",)), ("sqrt(sin(x))", (1e-10,), ("edge",)),
    ("tan(x)**2", (1.5707963,), ("pole",)), ("1/cos(x)", (1.5707963,), ("pole",)),
    ("log(log(x))", (1 + 1e-8,), ("edge", "pole")), ("atan(1/x)", (1e-6,), ("tiny",)),
    ("cos(x) - 1", (1e-5,), ("tiny",)), ("exp(x) - 1 - x", (1e-5,), ("tiny",)),
    ("3*x**2 - 4*x", (1.0,), ()), ("e**x", (2.0,), ()), ("pi*x**2", (0.5,), ()),
    ("sigmoid(x)*(1 - sigmoid(x))", (3.0,), ()), ("softplus(x) - relu(x)", (5.0,), ()),
    ("sqrt(x**2 + 1e-20)", (1e-12,), ("edge",)), ("abs(sin(x))", (3.0,), ()),
    ("exp(x)*sin(x)", (600.0,), ("large",)), ("x**10", (100.0,), ("large",)),
    ("log(exp(x))", (500.0,), ("large",)), ("exp(log(x))", (1e-300,), ("edge",)),
]

TWO_VARIABLE: list[tuple[str, tuple[float, ...], tuple[str, ...]]] = [
    ("(1 - x)**2 + 100*(y - x**2)**2", (-1.5, 2.0), ()),
    ("(1 - x)**2 + 100*(y - x**2)**2", (0.5, 0.5), ()),
    ("(1 - x)**2 + 100*(y - x**2)**2", (2.0, -1.0), ()),
    ("(1 - x)**2 + 100*(y - x**2)**2", (1.1, 1.3), ()),
    ("sin(x)*cos(y) + exp(-(x**2 + y**2)/4) + log(1 + x**2*y**2)", (0.5, -1.0), ()),
    ("sin(x)*cos(y) + exp(-(x**2 + y**2)/4) + log(1 + x**2*y**2)", (1.5, 1.2), ()),
    ("sin(x)*cos(y) + exp(-(x**2 + y**2)/4) + log(1 + x**2*y**2)", (-2.0, 0.3), ()),
    ("sin(x)*cos(y) + exp(-(x**2 + y**2)/4) + log(1 + x**2*y**2)", (1e-4, 2.0), ()),
    ("x**2 + y**2", (3.0, 4.0), ()), ("x**2 + y**2", (-1e-8, 2.0), ("tiny",)),
    ("atan2(y, x)", (1.0, 1.0), ()), ("atan2(y, x)", (1e-10, -1.0), ("pole",)),
    ("atan2(y, x)", (1e-8, 1e-8), ("pole",)), ("atan2(y, x)", (-3.0, 2.0), ()),
    ("hypot(x, y)", (3.0, 4.0), ()), ("hypot(x, y)", (1e-10, 2e-10), ("edge",)),
    ("hypot(x, y)", (1e200, 1e200), ("large",)),
    ("pow(x, y)", (2.0, 3.0), ()), ("pow(x, y)", (0.5, 0.5), ()),
    ("pow(x, y)", (1e-3, 2.5), ("edge",)), ("x**y", (10.0, 300.0), ("large",)),
    ("min(x, y)", (1.0, 2.0), ("zero",)), ("min(x, y)", (3.0, -1.0), ("zero",)),
    ("max(x, y)", (1.0, 2.0), ("zero",)), ("max(x, y)", (-1.0, -3.0), ("zero",)),
    ("x*y", (2.0, 3.0), ()), ("x/y", (1.0, 1e-8), ("pole",)), ("x/y", (3.0, -7.0), ()),
    ("exp(x*y)", (10.0, 20.0), ("large",)), ("sin(x*y)", (30.0, 40.0), ("large",)),
    ("log(x*y)", (1e-5, 1e-5), ("edge",)), ("x*exp(-x**2 - y**2)", (1.0, 1.0), ()),
    ("x*exp(-x**2 - y**2)", (5.0, 5.0), ("tiny",)), ("sigmoid(x - y)", (20.0, -15.0), ("tiny",)),
    ("softplus(x*y)", (10.0, 10.0), ("large",)), ("sqrt(x**2 + y**2)", (1e-5, 2e-5), ("edge",)),
    ("atanh(x*y)", (0.9999, 0.9999999), ("edge",)), ("tanh(x + y)", (5.0, 5.0), ("tiny",)),
    ("x**2*y - y**3/3", (1.0, 2.0), ()), ("cos(x)*sinh(y)", (1.0, 700.0), ("large",)),
    ("log(1 + exp(x - y))", (300.0, 1.0), ("large",)), ("abs(x - y)", (1.0, 3.0), ()),
    ("relu(x*y)", (2.0, 3.0), ()), ("cbrt(x*y)", (-2.0, 1e-9), ("edge",)),
]


def build_corpus() -> list[AccuracyCase]:
    cases: list[AccuracyCase] = []
    for name, points in UNARY_POINTS.items():
        cases += [AccuracyCase(f"{name}(x)", (p,), ("function",) + tags) for p, tags in points]
    for name, points in UNARY_POINTS.items():
        p = points[0][0]
        cases.append(AccuracyCase(f"{name}(0.5*x + 0.1)", (2 * p - 0.2,), ("chain",)))
        q = points[1][0]
        cases.append(AccuracyCase(f"{name}(x)**2", (q,), ("square",)))
        cases.append(AccuracyCase(f"x*{name}(x)", (p,), ("product",)))
    cases += [AccuracyCase(t, p, ("composite",) + tags) for t, p, tags in COMPOSITES]
    cases += [AccuracyCase(t, p, ("two-variable",) + tags) for t, p, tags in TWO_VARIABLE]
    return cases
