"""``POST /notebook``: the page's state, to be written out as a Jupyter notebook.

The request is what the page shows: the function, the view, the point, the plotted
ranges, the gradient method, and the descent runs with their optimizer settings (the
bodies of the ``/descent`` requests that drew them, less the function).  The network
view's notebook (``POST /network/notebook``) takes a ``/network/train`` request as it is.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import Field, create_model, model_validator

import engine

from ..limits import limit
from .base import (
    DIVERGENCE_DOC,
    H_DOC,
    METHOD_DOC,
    Method,
    NonNegativeNumber,
    Optimizer,
    Point,
    PositiveNumber,
    Range,
    Request,
    VariableName,
    examples_config,
    expr_field,
    point_field,
    variables_field,
)
from .optimizers import setting_fields

View = Literal["1d", "contour", "surface"]

#: The media type of a notebook (Jupyter's own).
NOTEBOOK_TYPE = "application/x-ipynb+json"


class _RunFields(Request):
    """One descent run of the page: a ``/descent`` request without the function."""

    n: int | None = Field(None, strict=True, ge=1, le=1_000_000,
                          description="The run's number on the page (`#3`); default: its "
                          "place in `runs`, from 1.")
    start: Point = point_field([-3, 4], "The start point; the same forms as `point`.")
    lr: PositiveNumber = Field(0.1, description="Learning rate.")
    steps: int = Field(100, strict=True, ge=0, description="Number of steps (at most "
                       "max_steps, and within step_budget as for `/descent`).")
    optimizer: Optimizer = Field("gd", description="As in `/descent`.")
    method: Method = Field("autodiff", description="How each gradient is computed, as in "
                           "`/descent`.")
    h: PositiveNumber | None = Field(None, description=H_DOC)
    tol: NonNegativeNumber = Field(0.0, description="As in `/descent`.")
    divergence_factor: PositiveNumber | None = Field(engine.DIVERGENCE_FACTOR,
                                                     description=DIVERGENCE_DOC)


NotebookRun = create_model(  # the optimizer settings come from the engine's table
    "NotebookRun", __base__=_RunFields, __doc__=_RunFields.__doc__,
    **setting_fields(),  # type: ignore[call-overload]
)


def _check_range(name: str, bounds: list[float] | None) -> None:
    if bounds is None:
        return
    if not bounds[0] < bounds[1]:
        raise ValueError(f"{name} must be [min, max] with min < max")
    if not math.isfinite(bounds[1] - bounds[0]):
        raise ValueError(f"{name} is too wide: max - min is not a finite number")


class NotebookRequest(Request):
    """The page's view of a function, to be reproduced by a notebook."""

    EXAMPLES = {
        "contour": {"summary": "The contour view with two runs (gd and Adam)",
                    "value": {"expr": "x**2 + 10*y**2", "view": "contour", "point": [-3, 4],
                              "x_range": [-4, 4], "y_range": [-4, 5],
                              "runs": [{"start": [-3, 4], "lr": 0.05, "steps": 60,
                                        "optimizer": "gd"},
                                       {"start": [-3, 4], "lr": 0.3, "steps": 60,
                                        "optimizer": "adam", "beta1": 0.9,
                                        "beta2": 0.999}]}},
        "1d": {"summary": "The 1-D view: tangent, secants, error against h",
               "value": {"expr": "3*x**2 - 4*x", "point": 1, "x_range": [-1, 3],
                         "method": "central", "secants": [0.1, 0.01, 0.001],
                         "h_min": 1e-16, "h_max": 0.5, "n": 61}},
        "surface": {"summary": "Rosenbrock's surface with a momentum run",
                    "value": {"expr": "(1 - x)**2 + 100*(y - x**2)**2", "view": "surface",
                              "point": [-1.5, 2], "x_range": [-2, 2], "y_range": [-1, 3],
                              "runs": [{"start": [-1.5, 2], "lr": 0.001, "steps": 500,
                                        "optimizer": "momentum", "momentum": 0.9}]}},
    }
    model_config = examples_config(EXAMPLES)

    expr: str = expr_field("x**2 + y**2")
    variables: list[VariableName] | None = variables_field()
    view: View | None = Field(
        None, description="`1d` (one variable), `contour` or `surface` (two variables); "
        "default: `1d` or `contour` by the number of variables.")
    point: Point = point_field([-3, 4], "x0 of the 1-D view, or the start point of a 2-D "
                               "view; the same forms as `/gradient`'s `point`.")
    x_range: Range | None = Field(None, description="[min, max] of the first variable "
                                  "(default [-3, 3]).", examples=[[-3, 3]])
    y_range: Range | None = Field(None, description="[min, max] of the second variable "
                                  "(default [-3, 3]).")
    method: Method = Field("autodiff", description=f"The gradient method shown: {METHOD_DOC}")
    h: PositiveNumber | None = Field(None, description=H_DOC)
    runs: list[NotebookRun] = Field(  # type: ignore[valid-type]
        [], description="The 2-D view's descent runs, oldest first.",
        json_schema_extra=limit("max_notebook_runs", "items"))
    secants: list[PositiveNumber] = Field(
        [0.1, 0.01, 0.001], min_length=1, description="The 1-D view's secant steps, as in "
        "`/tangent`.", json_schema_extra=limit("max_secants", "items"))
    h_min: PositiveNumber = Field(1e-16, description="The 1-D view's error-versus-h sweep, "
                                  "as in `/steps`: its smallest step.")
    h_max: PositiveNumber = Field(0.1, description="Its largest step (> h_min).")
    n: int = Field(31, strict=True, ge=2, description="Its number of log-spaced steps.",
                   json_schema_extra=limit("max_sweep"))

    @model_validator(mode="after")
    def _ordered(self) -> Any:
        _check_range("x_range", self.x_range)
        _check_range("y_range", self.y_range)
        if not self.h_min < self.h_max:
            raise ValueError("h_min must be smaller than h_max")
        return self
