"""Jupyter notebooks that reproduce a view of the page with the engine library.

A notebook is built from values the server has validated -- never from text a client
sent.  Every value in a code cell is written by :func:`literal`, which accepts only
finite floats, integers, booleans, ``None``, strings and lists / dicts of them and
writes each with ``repr`` (for a string: a quoted Python literal, so nothing in it can
end the string).  The one string that came from a user is the function, and it enters
only as the *re-printed* text of its parsed graph (``str(engine.parse(text))``:
identifiers, numbers, operators and parentheses, no quotes), passed to ``parse(...)``
as a string literal.  Labels, names and settings come from the engine's tables.

This module only writes text: it imports neither the engine nor the web framework.
The documents follow nbformat 4.5 (cell ids, ``outputs`` empty: they have not run).

>>> view = FunctionView(expr="x**2+y**2", variables=("x", "y"), view="contour",
...                     point=(-3.0, 4.0), x_range=(-3.0, 3.0), y_range=(-3.0, 3.0),
...                     method="autodiff", h=None,
...                     runs=(Run("#1 GD, lr 0.1", {"start": [-3.0, 4.0], "lr": 0.1,
...                                                 "steps": 50, "optimizer": "gd"}),))
>>> document = function_notebook(view)
>>> document["nbformat"], document["nbformat_minor"]
(4, 5)
>>> code = "".join(c["source"] for c in document["cells"] if c["cell_type"] == "code")
>>> "f = parse('x**2+y**2', variables=['x', 'y'])" in code
True
>>> "('#1 GD, lr 0.1', dict(start=[-3.0, 4.0], lr=0.1, steps=50, optimizer='gd'))" in code
True
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from string import Template
from typing import Any

__all__ = ["FunctionView", "NetworkView", "Run", "function_notebook", "literal",
           "network_notebook"]

#: A keyword argument's name: a Python identifier (our tables' names all are).
_KEYWORD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: What the page's first cell says about installing.
_NEEDS = ("It runs with the `slopescope` package (which provides the `engine` library) and "
          "matplotlib: `pip install \".[notebook]\"` in a checkout of Slopescope.")


def literal(value: Any) -> str:
    """Python source for a validated value: it reads back as exactly ``value``.

    >>> literal([1.0, -0.5, 1e-05, None, True, "gd"])
    "[1.0, -0.5, 1e-05, None, True, 'gd']"
    >>> literal({"momentum": 0.9})
    "{'momentum': 0.9}"
    >>> literal("it's")  # repr picks the quotes; nothing can end the literal early
    '"it\\'s"'
    >>> literal(float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: nan has no literal: only finite numbers are written
    """
    if value is None or isinstance(value, bool | int | str):
        return repr(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} has no literal: only finite numbers are written")
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(item) for item in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{literal(str(k))}: {literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no literal for a {type(value).__name__}")


def _arguments(values: Mapping[str, Any]) -> str:
    """``name=literal, ...`` for keyword arguments whose names are identifiers."""
    for name in values:
        if not _KEYWORD.match(name):
            raise ValueError(f"{name!r} is not a keyword argument's name")
    return ", ".join(f"{name}={literal(value)}" for name, value in values.items())


def _fill(template: str, **values: Any) -> str:
    """``template`` with each ``$name`` replaced by the literal of ``values[name]``."""
    return Template(template).substitute({k: literal(v) for k, v in values.items()})


@dataclass(frozen=True)
class Run:
    """A descent run: its label (built by the server) and :func:`engine.descend`'s
    keyword arguments (validated values, the optimizer's settings included)."""

    label: str
    arguments: Mapping[str, Any]


@dataclass(frozen=True)
class Secants:
    """The 1-D view's secant steps and its error-versus-h sweep (``error_methods`` from
    ``h_min`` to ``h_max``, ``n`` log-spaced steps), as validated values: the request's
    own (``/notebook``'s schema holds the defaults)."""

    secants: tuple[float, ...]
    error_methods: tuple[str, ...]
    h_min: float
    h_max: float
    n: int


@dataclass(frozen=True)
class FunctionView:
    """What a view of a function shows, as validated values.

    ``expr`` is the re-printed text of the parsed function; ``view`` is ``1d``,
    ``contour`` or ``surface``; ``point`` is x₀ (1-D) or the start (2-D); ``method``
    and ``h`` compute the gradients shown; ``runs`` are the 2-D views' descents;
    ``one_d`` the 1-D view's secants and error sweep (None for a 2-D view).
    """

    expr: str
    variables: tuple[str, ...]
    view: str
    point: tuple[float, ...]
    x_range: tuple[float, float]
    y_range: tuple[float, float] | None
    method: str
    h: float | None
    runs: tuple[Run, ...] = ()
    one_d: Secants | None = None


@dataclass(frozen=True)
class NetworkView:
    """A network view: :func:`engine.network.load_dataset`'s and
    :func:`engine.network.train`'s keyword arguments (validated), and what is drawn."""

    dataset: Mapping[str, Any]
    training: Mapping[str, Any]
    planar: bool
    title: str
    settings: Mapping[str, float] = field(default_factory=dict)


# --- the document ------------------------------------------------------------------

def _cell(kind: str, source: str, number: int) -> dict[str, Any]:
    cell: dict[str, Any] = {"cell_type": kind, "id": f"cell-{number}", "metadata": {},
                            "source": source.strip("\n")}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def _document(cells: Sequence[tuple[str, str]]) -> dict[str, Any]:
    return {
        "cells": [_cell(kind, source, k) for k, (kind, source) in enumerate(cells, 1)],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python",
                           "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _md(text: str) -> tuple[str, str]:
    return ("markdown", text)


def _code(text: str) -> tuple[str, str]:
    return ("code", text)


def _signature(variables: Sequence[str]) -> str:
    return f"f({', '.join(variables)})"


# --- one or two variables ------------------------------------------------------------

_IMPORTS_1D = """
import matplotlib.pyplot as plt
import numpy as np

from engine import gradient, gradient_field, parse, step_sweep, tangent
"""

_IMPORTS_2D = """
import matplotlib.pyplot as plt
import numpy as np

from engine import descend, gradient, gradient_field, parse

# the runs' colours (matplotlib's, less its blue: the field is drawn in blues)
COLOURS = plt.cm.tab10.colors[1:]
"""

_TANGENT = """
line = tangent(f, x0, secants=$secants)
print(f"f(x0) = {line.value:.10g} at x0 = {x0}")
print(line.equation if line.differentiable else line.message)
print()
print("           h           secant slope   slope - f'(x0)")
for step, slope in line.secants:
    gap = slope - line.slope if line.slope is not None else float("nan")
    print(f"{step:12.0e}  {slope:21.15g}  {gap:15.3g}")
"""

_DERIVATIVE = """
found = gradient(f, [x0], method=method, h=h)
exact = found.gradient[0] if found.exact is None else found.exact[0]
print(f"exact (autodiff): {float(exact)!r}")
print(f"{method}: {float(found.gradient[0])!r}")
if found.error is not None:
    print(f"error: {found.error[0]:.3g}, with h = {found.h[0]:.3g}")
"""

_CURVE = """
curve = gradient_field(f, x_range, nx=400)  # f and f' (exact) on a grid
fig, ax = plt.subplots(figsize=(7, 4.5))
ax.plot(curve.x, curve.z, lw=2, label="f")
ax.plot(curve.x, curve.u, lw=1.5, label="f'")
if line.differentiable:
    ax.plot(curve.x, line.slope * curve.x + line.intercept, "--", label=line.equation)
ax.plot([x0], [line.value], "o", ms=8, label="x0")
shown = curve.z[np.isfinite(curve.z)]
if shown.size:  # keep the curve in view where f blows up
    low, high = np.percentile(shown, [1, 99])
    pad = 0.15 * (high - low) or 1.0
    ax.set_ylim(low - pad, high + pad)
ax.axhline(0, color="0.6", lw=0.8)
ax.set(xlim=x_range, xlabel=$name, title="f and f' with the tangent at x0")
ax.legend()
plt.show()
"""

_ERRORS = """
# the error of each numerical method against the exact derivative as h shrinks
sweep = step_sweep(f, x0, methods=$methods, h_min=$h_min, h_max=$h_max, n=$n)
fig, ax = plt.subplots(figsize=(7, 4.5))
for name, errors in sweep.errors.items():
    shown = np.where(errors > 0, errors, np.nan)  # an error of 0 has no place on a log axis
    (drawn,) = ax.loglog(sweep.h, shown, ".-", ms=3, label=name)
    best = sweep.best_h[name]
    if best is not None:
        k = int(np.argmin(np.abs(sweep.h - best)))
        ax.loglog([best], [errors[k]], "*", ms=13, color=drawn.get_color())
ax.set(xlabel="step h", ylabel="error of the derivative",
       title="Error of the numerical derivative versus h (stars: the best h)")
ax.legend()
plt.show()
"""

_RUNS = """
results = [(label, descend(f, **arguments)) for label, arguments in runs]
colours = [COLOURS[k % len(COLOURS)] for k in range(len(results))]
for label, result in results:
    print(f"{label}: {result.status} after {result.steps} steps; "
          f"final f = {result.final_value:.6g} at {result.final}")
    print(f"    {result.message}")
"""

_FIELD = """
field = gradient_field(f, x_range, y_range, nx=81, method=method, h=h)
# colour by f, or by log10(f - min f + d) where f is so skewed that linear levels would
# crowd around the peaks (as the page does)
finite = field.z[np.isfinite(field.z)]
low, span = (finite.min(), np.ptp(finite)) if finite.size else (0.0, 0.0)
skewed = bool(span > 0 and (np.median(finite) - low) / span <= 0.12)
shade = np.log10(field.z - low + 1e-4 * span) if skewed else field.z
"""

_CONTOUR = """
arrows = gradient_field(f, x_range, y_range, nx=21, method=method, h=h)
fig, ax = plt.subplots(figsize=(7.5, 6))
filled = ax.contourf(field.x, field.y, shade, levels=26, cmap="Blues_r")
ax.contour(field.x, field.y, shade, levels=26, colors="white", linewidths=0.4, alpha=0.6)
fig.colorbar(filled, ax=ax, label="log10(f - min f + d)" if skewed else "f")
# -grad f as arrows of equal length: they show the direction only
length = np.hypot(arrows.u, arrows.v)
length[length == 0] = 1
ax.quiver(arrows.x, arrows.y, np.ma.masked_invalid(-arrows.u / length),
          np.ma.masked_invalid(-arrows.v / length), angles="xy", pivot="mid",
          color="0.15", alpha=0.45, width=0.003)
for (label, result), colour in zip(results, colours):
    ax.plot(result.path[:, 0], result.path[:, 1], ".-", lw=1.5, ms=4, color=colour,
            label=label)
ax.plot(*start, "*", ms=15, color="orange", markeredgecolor="black", label="start")
ax.set(xlim=x_range, ylim=y_range, xlabel=$xname, ylabel=$yname,
       title="Contour of f with -grad f")
ax.legend(fontsize=8, loc="upper right")
plt.show()
"""

_SURFACE = """
X, Y = np.meshgrid(field.x, field.y)
fig = plt.figure(figsize=(8, 6.5))
ax = fig.add_subplot(projection="3d", computed_zorder=False)  # the paths stay in front
ax.plot_surface(X, Y, field.z, cmap="Blues_r", alpha=0.75, linewidth=0, zorder=1)
for (label, result), colour in zip(results, colours):
    inside = ((result.path[:, 0] >= x_range[0]) & (result.path[:, 0] <= x_range[1])
              & (result.path[:, 1] >= y_range[0]) & (result.path[:, 1] <= y_range[1]))
    ax.plot(result.path[inside, 0], result.path[inside, 1], result.values[inside], ".-",
            lw=2, ms=3, color=colour, label=label, zorder=2)
ax.set(xlim=x_range, ylim=y_range, xlabel=$xname, ylabel=$yname, zlabel="f",
       title="Surface of f with the descent paths")
if results:
    ax.legend(fontsize=8)
plt.show()
"""

_LOSS = """
fig, ax = plt.subplots(figsize=(7, 4))
reached = np.concatenate([result.values for _, result in results])
reached = reached[np.isfinite(reached)]
gap = bool(reached.size and reached.min() <= 0)  # a log axis cannot show f <= 0
best = reached.min() if gap else 0.0
for (label, result), colour in zip(results, colours):
    y = result.values - best
    style = ".-" if len(y) <= 150 else "-"
    ax.semilogy(result.iterations, np.where(y > 0, y, np.nan), style, ms=3, color=colour,
                label=label)
ax.set(xlabel="iteration k", ylabel="f(x_k) - min f" if gap else "f(x_k)",
       title="Loss per iteration (log scale)")
ax.legend(fontsize=8)
plt.show()
"""


def _function_cell(view: FunctionView) -> str:
    lines = [f"f = parse({literal(view.expr)}, variables={literal(list(view.variables))})"]
    if view.view == "1d":
        lines.append(f"x0 = {literal(view.point[0])}")
        lines.append(f"x_range = {literal(list(view.x_range))}")
    else:
        lines.append(f"start = {literal(list(view.point))}")
        lines.append(f"x_range = {literal(list(view.x_range))}")
        lines.append(f"y_range = {literal(list(view.y_range or view.x_range))}")
    lines.append(f"method, h = {literal(view.method)}, {literal(view.h)}"
                 "  # how gradients are computed; h None: the method's own step")
    if view.view != "1d":
        lines += ["", "at_start = gradient(f, start, method=method, h=h)",
                  'print(f"f = {f}")',
                  'print(f"at the start {start}: f = {at_start.value:.6g}, '
                  'gradient = {at_start.gradient}")']
    else:
        lines.append('print(f"f = {f}")')
    return "\n".join(lines)


def _runs_cell(runs: Sequence[Run]) -> str:
    rows = [f"    ({literal(run.label)}, dict({_arguments(run.arguments)}))," for run in runs]
    return "\n".join(["# each run as the page ran it: descend's arguments, the optimizer's "
                      "settings included", "runs = [", *rows, "]"]) + _RUNS


def function_notebook(view: FunctionView) -> dict[str, Any]:
    """The notebook of a 1-D, contour or surface view."""
    names = list(view.variables)
    title = f"# Slopescope: {_signature(names)} = `{view.expr}`"
    if view.view == "1d":
        if view.one_d is None:
            raise ValueError("a 1-D view needs its secants and error sweep (one_d)")
        sweep = view.one_d
        return _document([
            _md(f"{title}\n\nThe page's 1-D view, reproduced with Slopescope's own engine "
                "library: the function, its tangent at x0 with the secants that approach "
                "it, the derivative by the chosen method against the exact one, and the "
                "error of each numerical method as the step h shrinks.\n\n" + _NEEDS),
            _code(_IMPORTS_1D),
            _md("## The function and the point"),
            _code(_function_cell(view)),
            _md("## Secants approach the tangent"),
            _code(_fill(_TANGENT, secants=list(sweep.secants))),
            _md("## The derivative by the chosen method"),
            _code(_DERIVATIVE),
            _md("## f, f' and the tangent"),
            _code(_fill(_CURVE, name=names[0])),
            _md("## Truncation against rounding error"),
            _code(_fill(_ERRORS, methods=list(sweep.error_methods), h_min=sweep.h_min,
                        h_max=sweep.h_max, n=sweep.n)),
        ])
    count = len(view.runs)
    runs_said = ("no descent runs" if count == 0 else "the descent run with its optimizer "
                 "settings" if count == 1 else f"{count} descent runs with their optimizer "
                 "settings")
    figure = "surface" if view.view == "surface" else "contour with the gradient field"
    cells = [
        _md(f"{title}\n\nThe page's 2-D view, reproduced with Slopescope's own engine "
            f"library: the function, the start point, {runs_said}, the {figure}"
            f"{' and the loss per iteration' if count else ''}. The numbers are the ones "
            "the page showed.\n\n" + _NEEDS),
        _code(_IMPORTS_2D),
        _md("## The function and the start point"),
        _code(_function_cell(view)),
    ]
    if count:
        cells += [_md("## The descent runs"), _code(_runs_cell(view.runs))]
    else:
        cells += [_code("results, colours = [], []  # the page had no descent runs")]
    axes = {"xname": names[0], "yname": names[1]}
    if view.view == "surface":
        cells += [_md("## The surface"), _code(_FIELD + _fill(_SURFACE, **axes))]
    else:
        cells += [_md("## Contour, gradient arrows and paths"),
                  _code(_FIELD + _fill(_CONTOUR, **axes))]
    if count:
        cells += [_md("## Loss per iteration"), _code(_LOSS)]
    return _document(cells)


# --- a network -------------------------------------------------------------------------

_NETWORK_IMPORTS = """
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LinearSegmentedColormap

from engine.network import load_dataset, train
"""

_NETWORK_RESULT = """
print(f"{result.status}: {result.message}")
print(f"test accuracy {result.test_accuracy[-1]:.1%}, train accuracy "
      f"{result.train_accuracy[-1]:.1%}, training loss {result.train_loss[-1]:.4g} "
      f"after epoch {result.epochs[-1]}")
"""

_CURVES = """
per_epoch = -(-len(data.y_train) // batch_size)  # mini-batches per epoch
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
left.plot(result.iterations, result.loss, lw=1, color="#8db8d8", label="mini-batch loss")
left.plot(result.epochs * per_epoch, result.train_loss, ".-", color="#e8590c",
          label="training loss (whole set, per epoch)")
left.set(xlabel="iteration", ylabel="cross-entropy loss", title="Loss per iteration")
left.legend()
right.plot(result.epochs, result.train_accuracy, ".:", label="train")
right.plot(result.epochs, result.test_accuracy, ".-", label="test")
right.set(xlabel="epoch", ylabel="accuracy", ylim=(0, 1.02), title="Accuracy per epoch")
right.legend()
plt.show()
"""

_BOUNDARY = """
boundary = result.snapshot.boundary  # p(class 1) on a grid over the data
fig, ax = plt.subplots(figsize=(6.5, 5.5))
# the page's scale: orange (class 0) through white to blue (class 1)
scale = LinearSegmentedColormap.from_list("p", ["#f4a06b", "#f8f9fa", "#6aa8e4"])
shade = ax.contourf(boundary.x, boundary.y, boundary.p, levels=np.linspace(0, 1, 21),
                    cmap=scale)
ax.contour(boundary.x, boundary.y, boundary.p, levels=[0.5], colors="black", linewidths=2)
fig.colorbar(shade, ax=ax, label="p(class 1)")
for X, y, marker, edge, part in [(data.X_train, data.y_train, "o", "white", "train"),
                                 (data.X_test, data.y_test, "D", "black", "test")]:
    for cls, colour in [(0, "#e8590c"), (1, "#1c7ed6")]:
        ax.scatter(X[y == cls, 0], X[y == cls, 1], marker=marker, s=22, c=colour,
                   edgecolors=edge, linewidths=0.7, label=f"{part}, class {cls}")
ax.set(xlabel="x1", ylabel="x2", title="Decision boundary (line: p = 0.5)")
ax.set_aspect("equal")
ax.legend(fontsize=8, loc="upper right")
plt.show()
"""

_CONFUSION = """
confusion = result.snapshot.confusion  # rows: the true digit, columns: the predicted one
fig, ax = plt.subplots(figsize=(6, 5.5))
ax.imshow(confusion, cmap="Blues")
for (true, predicted), count in np.ndenumerate(confusion):
    if count:
        ax.text(predicted, true, str(count), ha="center", va="center",
                color="white" if count > confusion.max() / 2 else "black", fontsize=8)
ticks = range(data.classes)
ax.set(xticks=ticks, yticks=ticks, xlabel="predicted", ylabel="true",
       title="Confusion matrix of the test set")
plt.show()
"""


def network_notebook(view: NetworkView) -> dict[str, Any]:
    """The notebook of the network view: the data, the training, its curves, and the
    decision boundary (planar sets) or the confusion matrix (digits)."""
    training = dict(view.training)
    batch = training.get("batch_size", 100)
    train_call = f"result = train(data, {_arguments(training)}"
    if view.settings:
        train_call += f",\n               settings={literal(dict(view.settings))}"
    train_call += ")"
    return _document([
        _md(f"# Slopescope: {view.title}\n\nThe page's neural-network view, reproduced "
            "with Slopescope's own engine library: the dataset, a two-layer network "
            "(affine, activation, affine, softmax with cross-entropy) trained by mini-batch "
            "descent with the page's settings and seed, its loss and accuracy curves, and "
            + ("the decision boundary." if view.planar else "the confusion matrix.")
            + " The same seed gives the same numbers.\n\n" + _NEEDS),
        _code(_NETWORK_IMPORTS),
        _md("## The data"),
        _code(f"data = load_dataset({_arguments(view.dataset)})\n"
              'print(f"{len(data.y_train)} training and {len(data.y_test)} test samples, '
              '{data.classes} classes")'),
        _md("## Training"),
        _code(f"batch_size = {literal(batch)}\n{train_call}\n" + _NETWORK_RESULT),
        _md("## Loss and accuracy"),
        _code(_CURVES),
        _md("## Decision boundary" if view.planar else "## Confusion matrix"),
        _code(_BOUNDARY if view.planar else _CONFUSION),
    ])
