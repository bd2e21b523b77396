"""``POST /sweep``: many descents at once, one per learning rate (and momentum)."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from pydantic import Field, ValidationInfo, create_model, field_validator

import engine

from ..limits import limit
from ..responses import as_array, as_list
from .base import (
    DIVERGENCE_DOC,
    H_DOC,
    METHOD_DOC,
    DescentReason,
    DescentStatus,
    Encoding,
    Method,
    NonNegativeNumber,
    Optimizer,
    OutNumber,
    Point,
    PositiveNumber,
    Reply,
    Request,
    TypedArray,
    VariableName,
    encoding_field,
    examples_config,
    expr_field,
    point_field,
    variables_field,
)
from .descent import StabilityReply
from .optimizers import setting_fields

Momentum = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0, lt=1)]


class _SweepFields(Request):
    """Descents at learning rates log-spaced from ``lr_min`` to ``lr_max``."""

    EXAMPLES = {
        "bowl": {"summary": "gd on an elongated bowl: the bound 2/λmax = 0.1 splits the rates",
                 "value": {"expr": "x**2 + 10*y**2", "start": [-3, 4], "optimizer": "gd",
                           "lr_min": 1e-4, "lr_max": 1, "n": 60, "steps": 200, "tol": 1e-8}},
        "phase": {"summary": "Momentum: learning rate x momentum (a phase diagram)",
                  "value": {"expr": "x**2 + 10*y**2", "start": [-3, 4],
                            "optimizer": "momentum", "lr_min": 1e-3, "lr_max": 1, "n": 40,
                            "steps": 300, "momentums": [0, 0.5, 0.8, 0.9, 0.95]}},
        "rosenbrock": {"summary": "Rosenbrock: too small crawls, too large diverges",
                       "value": {"expr": "(1 - x)**2 + 100*(y - x**2)**2", "start": [-1.5, 2],
                                 "lr_min": 1e-5, "lr_max": 1e-2, "n": 30, "steps": 1000}},
    }
    model_config = examples_config(EXAMPLES)

    expr: str = expr_field("x**2 + 10*y**2")
    start: Point = point_field([-3, 4], "The start point of every run.")
    optimizer: Optimizer = Field("gd", description="The update rule, as in `/descent`.")
    lr_min: PositiveNumber = Field(1e-4, description="Smallest learning rate.")
    lr_max: PositiveNumber = Field(1.0, description="Largest learning rate (>= lr_min).")
    n: int = Field(60, strict=True, ge=1, description="Number of rates, log-spaced, both ends "
                   "included.", json_schema_extra=limit("max_rates"))
    steps: int = Field(100, strict=True, ge=0, description="Steps of every run.",
                       json_schema_extra=limit("max_steps"))
    momentums: list[Momentum] | None = Field(
        None, min_length=1,
        description="For `momentum` and `nesterov`: one row of runs per momentum "
        "(a phase diagram over learning rate x momentum).",
        json_schema_extra=limit("max_momentums", "items"))
    method: Method = Field("autodiff", description=f"How each gradient is computed: {METHOD_DOC}")
    h: PositiveNumber | None = Field(None, description=H_DOC)
    tol: NonNegativeNumber = Field(
        0.0, description="A run stops (`converged`) when tol > 0 and its gradient norm reaches it.")
    divergence_factor: PositiveNumber | None = Field(engine.DIVERGENCE_FACTOR,
                                                     description=DIVERGENCE_DOC)
    encoding: Encoding = encoding_field()
    variables: list[VariableName] | None = variables_field()

    @field_validator("lr_max")
    @classmethod
    def _ordered(cls, lr_max: float, info: ValidationInfo) -> float:
        lr_min = info.data.get("lr_min")
        if lr_min is not None and lr_min > lr_max:
            raise ValueError("lr_max must not be smaller than lr_min")
        return lr_max

    @property
    def runs(self) -> int:
        """How many descents the sweep makes."""
        return self.n * (1 if self.momentums is None else len(self.momentums))


SweepRequest = create_model(  # the optimizer settings come from the engine's table
    "SweepRequest", __base__=_SweepFields, __doc__=_SweepFields.__doc__,
    **setting_fields(),  # type: ignore[call-overload]
)

PerRate = list[OutNumber] | list[list[OutNumber]] | TypedArray


class SweepResponse(Reply):
    """Per learning rate (or, with momentums, per momentum and learning rate)."""

    variables: list[str]
    lr: list[float] | TypedArray = Field(
        description="The rates, log-spaced from lr_min to lr_max.")
    momentum: list[float] | None = Field(None, description="The momentums (rows), if given.")
    final_value: PerRate = Field(description="f where each run ended.")
    final: list[list[OutNumber]] | list[list[list[OutNumber]]] | TypedArray = Field(
        description="Where each run ended (its last finite point).")
    status: list[DescentStatus] | list[list[DescentStatus]] = Field(
        description="`completed`, `converged` or `diverged`, as `/descent` decides.")
    reason: list[DescentReason] | list[list[DescentReason]] = Field(
        description="Why each run ended, as in `/descent`.")
    steps_taken: list[int] | list[list[int]] | TypedArray
    best_lr: OutNumber = Field(
        description="The rate with the lowest final value among runs that did not diverge "
        "(ties: the fewest steps, then the smallest rate); null if all diverged.")
    best_momentum: OutNumber = Field(None, description="Its momentum (with momentums).")
    lr_bounds: list[OutNumber] | None = Field(
        None, description="The stability bound for each momentum (with momentums).")
    stability: StabilityReply

    @classmethod
    def of(cls, result: engine.SweepRuns) -> SweepResponse:
        reply = {
            "variables": list(result.variables),
            "lr": as_array(result.lr),
            "final_value": as_array(result.final_value),
            "final": as_array(result.final),
            "status": result.status.tolist(),
            "reason": result.reason.tolist(),
            "steps_taken": as_array(result.steps, np.int64),
            "best_lr": result.best_lr,
            "stability": StabilityReply.of(result.stability),
        }
        if result.momentum is not None:
            reply["momentum"] = as_list(result.momentum)
            reply["best_momentum"] = result.best_momentum
            reply["lr_bounds"] = None if result.lr_bounds is None else as_list(result.lr_bounds)
        return cls.model_construct(**reply)
