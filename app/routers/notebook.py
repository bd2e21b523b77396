"""``POST /notebook`` and ``POST /network/notebook``: the view on the page as a Jupyter
notebook that reproduces it with the engine library (:mod:`app.notebook`).

The request is validated as every other (schema, settings-bound limits, the
expression parsed under the app's limits, each point resolved against the variables,
each run's steps within ``max_steps`` and ``step_budget``, a network within
``network_budget``); the notebook is then written from those validated values.  Nothing
is computed: the notebook does the computing when it runs.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter
from starlette.responses import Response

import engine
from engine.differentiate import check_method
from engine.network import DATASETS

from ..compute import Compute
from ..dependencies import ERRORS, ComputeDep, checked
from ..limits import LimitExceeded, check_budget
from ..notebook import (
    FunctionView,
    NetworkView,
    Run,
    Secants,
    function_notebook,
    network_notebook,
)
from ..schemas.network import NetworkTrainRequest
from ..schemas.notebook import NOTEBOOK_TYPE, NotebookRequest
from ..schemas.optimizers import settings_of
from .network import check_training

router = APIRouter(tags=["export"])

#: The plotted range when a request gives none (the page's default box).
DEFAULT_RANGE = (-3.0, 3.0)
VIEW_NAMES = {"1d": "1-D view", "contour": "contour view", "surface": "surface view"}

_NOTEBOOK_SCHEMA = {
    "type": "object", "required": ["cells", "metadata", "nbformat", "nbformat_minor"],
    "properties": {"cells": {"type": "array", "items": {"type": "object"}},
                   "metadata": {"type": "object"},
                   "nbformat": {"type": "integer", "const": 4},
                   "nbformat_minor": {"type": "integer"}}}
#: A notebook is a JSON document, sent as Jupyter's own type.
_NOTEBOOK_DOC: dict[int | str, dict[str, Any]] = {
    200: {"description": "A Jupyter notebook (nbformat 4.5), sent as an attachment with "
          f"the type `{NOTEBOOK_TYPE}`; its cells have not run.",
          "content": {NOTEBOOK_TYPE: {"schema": _NOTEBOOK_SCHEMA},
                      "application/json": {"schema": _NOTEBOOK_SCHEMA}}},
}


class NotebookResponse(Response):
    media_type = NOTEBOOK_TYPE


def _notebook(document: dict[str, Any], name: str) -> NotebookResponse:
    body = json.dumps(document, ensure_ascii=True, indent=1, allow_nan=False) + "\n"
    return NotebookResponse(body, headers={
        "Content-Disposition": f'attachment; filename="{name}.ipynb"'})


def _used_settings(optimizer: str, given: dict[str, float | None]) -> dict[str, float]:
    """The settings ``optimizer`` uses that the request gave (the rest: the defaults)."""
    names = [s.name for s in engine.OPTIMIZERS[optimizer].settings]
    return {name: value for name in names if (value := given.get(name)) is not None}


def _label(number: int, optimizer: str, lr: float) -> str:
    """The page's label of a run: ``#2 Adam, lr 0.05``."""
    return f"#{number} {engine.OPTIMIZERS[optimizer].short}, lr {lr:.3g}"


def _runs(body: Any, expr: engine.Expression, compute: Compute) -> tuple[Run, ...]:
    """Each run checked as ``/descent`` would check it, as :func:`engine.descend`'s
    keyword arguments."""
    settings = compute.settings
    runs = []
    for k, run in enumerate(body.runs):
        if run.steps > settings.max_steps:
            raise LimitExceeded("runs", "max_steps", settings.max_steps, run.steps,
                                f"runs[{k}].steps: the value")
        check_budget(run.steps, expr.node_count, len(expr.variables), settings)
        start = engine.resolve_point(expr, run.start, field=f"runs.{k}.start")
        arguments: dict[str, Any] = {"start": start.tolist(), "lr": run.lr,
                                     "steps": run.steps, "optimizer": run.optimizer,
                                     "method": run.method}
        check_method(expr, run.method, field=f"runs.{k}.method")
        if run.h is not None:
            arguments["h"] = run.h
        if run.tol != 0:
            arguments["tol"] = run.tol
        if run.divergence_factor != engine.DIVERGENCE_FACTOR:
            arguments["divergence_factor"] = run.divergence_factor
        arguments.update(_used_settings(run.optimizer, settings_of(run)))
        runs.append(Run(_label(run.n or k + 1, run.optimizer, run.lr), arguments))
    return tuple(runs)


def _error_methods(expr: engine.Expression) -> tuple[str, ...]:
    """The numerical methods the 1-D view's error sweep draws: all that apply to f (the
    complex step does not where f has a kink)."""
    usable = []
    for name in engine.NUMERICAL_METHODS:
        try:
            check_method(expr, name)
        except engine.ExpressionError:
            continue
        usable.append(name)
    return tuple(usable)


def function_view(body: Any, compute: Compute) -> FunctionView:
    """The validated view a :class:`NotebookRequest` asks for."""
    expr = compute.parse(body.expr, body.variables)
    names = expr.variables
    view = body.view or ("1d" if len(names) == 1 else "contour")
    wanted = 1 if view == "1d" else 2
    if len(names) != wanted:
        raise engine.ExpressionError(
            f"the {VIEW_NAMES[view]} needs a function of {wanted} "
            f"variable{'s' * (wanted > 1)}; "
            f"this one has {len(names)} ({', '.join(names) or 'none'})",
            code="wrong_view", field="view")
    check_method(expr, body.method)
    point = engine.resolve_point(expr, body.point)
    x_range = tuple(body.x_range or DEFAULT_RANGE)
    y_range = None if view == "1d" else tuple(body.y_range or DEFAULT_RANGE)
    return FunctionView(
        expr=str(expr), variables=names, view=view, point=tuple(point.tolist()),
        x_range=x_range, y_range=y_range,  # type: ignore[arg-type]
        method=body.method, h=body.h,
        runs=_runs(body, expr, compute) if view != "1d" else (),
        one_d=Secants(secants=tuple(body.secants), error_methods=_error_methods(expr),
                      h_min=body.h_min, h_max=body.h_max, n=body.n) if view == "1d" else None)


def network_view(body: Any, compute: Compute) -> NetworkView:
    """The validated network view of a ``/network/train`` request."""
    check_training(body, compute.settings)
    row = DATASETS[body.dataset]
    dataset: dict[str, Any] = {"name": body.dataset}
    if row.planar:
        dataset.update(samples=body.samples, noise=body.noise)
    dataset.update(test_fraction=body.test_fraction, seed=body.seed)
    training: dict[str, Any] = {
        "hidden": body.hidden, "activation": body.activation, "init": body.init}
    if body.init == "std":
        training["init_std"] = body.init_std
    training.update(optimizer=body.optimizer, lr=body.lr, batch_size=body.batch_size,
                    epochs=body.epochs, seed=body.seed, grid=body.grid,
                    divergence_factor=body.divergence_factor)
    if body.max_points is not None:
        training["max_points"] = body.max_points
    return NetworkView(dataset=dataset, training=training, planar=row.planar,
                       title=f"a two-layer network on the {body.dataset} dataset",
                       settings=_used_settings(body.optimizer, settings_of(body)))


@router.post("/notebook",
             responses={**ERRORS, **_NOTEBOOK_DOC},
             summary="The page's view of a function as a Jupyter notebook")
async def notebook(body: Annotated[NotebookRequest, checked(NotebookRequest)],
                   compute: ComputeDep) -> NotebookResponse:
    """A notebook that reproduces the view with Slopescope's engine library, top to
    bottom: for one variable the tangent at `point` with its secants, the derivative by
    `method` against the exact one, f and f′, and the error of every numerical method
    against h; for two, the gradient at the start, each run of `runs` (with its
    optimizer settings), the contour with −∇f (or the surface) with the paths, and the
    loss per iteration. The function enters the notebook as its re-printed text, a
    string passed to `parse`."""

    def work() -> NotebookResponse:
        view = function_view(body, compute)
        return _notebook(function_notebook(view), f"slopescope-{view.view}")

    return await compute.run(work)


@router.post("/network/notebook",
             responses={**ERRORS, **_NOTEBOOK_DOC},
             summary="The network view as a Jupyter notebook")
async def network_notebook_route(
        body: Annotated[NetworkTrainRequest, checked(NetworkTrainRequest)],
        compute: ComputeDep) -> NotebookResponse:
    """A notebook that trains the network of this `/network/train` request with the
    engine library (same seed, same numbers) and draws its loss and accuracy curves and
    its decision boundary (planar sets) or confusion matrix (digits)."""

    def work() -> NotebookResponse:
        view = network_view(body, compute)
        return _notebook(network_notebook(view), f"slopescope-network-{body.dataset}")

    return await compute.run(work)
