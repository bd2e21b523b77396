"""The preset functions served by ``GET /functions``: data, not code.

Each two-variable preset's start point and learning rate were chosen by running plain
gradient descent (``gd``) with the engine for ``steps`` steps;
``tests/app/test_api_functions.py`` re-runs every preset and checks the descent behaves as
the description says.  A one-variable preset opens the 1-D view, which has no descent:
its ``start`` is the point x₀ the tangent is drawn at, and it has no learning rate.
"""

from __future__ import annotations

from .schemas import FunctionPreset

FUNCTIONS: tuple[FunctionPreset, ...] = (
    FunctionPreset(
        name="Sphere", expr="x**2 + y**2",
        x_range=[-5, 5], y_range=[-5, 5], start=[-3, 4], lr=0.1, steps=100,
        description="The round bowl: gd walks straight to the minimum at (0, 0).",
    ),
    FunctionPreset(
        name="Elongated bowl", expr="x**2 + 25*y**2",
        x_range=[-5, 5], y_range=[-2, 2], start=[-4.5, 1], lr=0.035, steps=200,
        description="Ill-conditioned: gd zig-zags across the valley; try momentum or adam.",
    ),
    FunctionPreset(
        name="Rosenbrock", expr="(1 - x)**2 + 100*(y - x**2)**2",
        x_range=[-2, 2], y_range=[-1, 3], start=[-1.5, 2], lr=0.001, steps=5000,
        description="A curved narrow valley: gd reaches it fast, then crawls to (1, 1).",
    ),
    FunctionPreset(
        name="Himmelblau", expr="(x**2 + y - 11)**2 + (x + y**2 - 7)**2",
        x_range=[-5, 5], y_range=[-5, 5], start=[0, 0], lr=0.01, steps=200,
        description="Four minima of value 0; the start decides which one gd finds.",
    ),
    FunctionPreset(
        name="Booth", expr="(x + 2*y - 7)**2 + (2*x + y - 5)**2",
        x_range=[-10, 10], y_range=[-10, 10], start=[-6, 8], lr=0.05, steps=200,
        description="A tilted quadratic bowl with its minimum at (1, 3).",
    ),
    FunctionPreset(
        name="Beale",
        expr="(1.5 - x + x*y)**2 + (2.25 - x + x*y**2)**2 + (2.625 - x + x*y**3)**2",
        x_range=[-4.5, 4.5], y_range=[-4.5, 4.5], start=[1, 1.5], lr=0.01, steps=2000,
        description="Flat plateaus and steep walls; the minimum is at (3, 0.5).",
    ),
    FunctionPreset(
        name="Saddle", expr="x**2 - y**2",
        x_range=[-2, 2], y_range=[-2, 2], start=[-1.5, 0.01], lr=0.1, steps=30,
        description="No minimum: gd slides towards the saddle point, then escapes along y.",
    ),
    FunctionPreset(
        name="Parabola", expr="3*x**2 - 4*x",
        x_range=[-1, 3], y_range=None, start=[1], lr=None, steps=None,
        description="One variable: the tangent at x = 1 is y = 2x - 3; minimum at x = 2/3.",
    ),
    FunctionPreset(
        name="Rastrigin", expr="20 + x**2 - 10*cos(2*pi*x) + y**2 - 10*cos(2*pi*y)",
        x_range=[-5.12, 5.12], y_range=[-5.12, 5.12], start=[2.2, -1.7], lr=0.002,
        steps=300,
        description="Many local minima: gd stops in the nearest one, not at (0, 0).",
    ),
    FunctionPreset(
        name="Egg crate", expr="sin(x)*cos(y)",
        x_range=[-3.2, 3.2], y_range=[-3.2, 3.2], start=[0.5, 0.5], lr=0.1, steps=200,
        description="Periodic hills and valleys; gd settles at a minimum of value -1.",
    ),
    FunctionPreset(
        name="x - log(x)", expr="x - log(x)",
        x_range=[-1, 4], y_range=None, start=[3], lr=None, steps=None,
        description="One variable, undefined for x <= 0 (null in the field); minimum at x = 1.",
    ),
)
