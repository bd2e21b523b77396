"""``POST /steps``: the error of numerical derivatives as the step h shrinks."""

from __future__ import annotations

from pydantic import Field, ValidationInfo, field_validator

import engine

from ..limits import limit
from ..responses import as_list
from .base import (
    NumericalMethod,
    OutNumber,
    Point,
    PositiveNumber,
    Reply,
    Request,
    VariableName,
    examples_config,
    expr_field,
    point_field,
    variables_field,
)


class StepsRequest(Request):
    """Error of numerical methods against the exact derivative as h sweeps down."""

    EXAMPLES = {
        "exp": {"summary": "Truncation vs rounding error for exp at 1",
                "value": {"expr": "exp(x)", "point": 1, "methods": ["forward", "central"],
                          "h_min": 1e-16, "h_max": 0.1, "n": 31}},
        "all": {"summary": "Every numerical method on sin",
                "value": {"expr": "sin(x)", "point": 0.5,
                          "methods": ["forward", "backward", "central", "richardson",
                                      "complex-step"]}},
    }
    model_config = examples_config(EXAMPLES)

    expr: str = expr_field("exp(x)")
    point: Point = point_field(1)
    methods: list[NumericalMethod] = Field(
        ["forward", "central"], min_length=1, max_length=len(engine.NUMERICAL_METHODS),
        description="Numerical methods to compare, each at most once.",
    )
    h_min: PositiveNumber = Field(1e-16, description="Smallest step.")
    h_max: PositiveNumber = Field(0.1, description="Largest step (> h_min).")
    n: int = Field(31, strict=True, ge=2, description="Number of log-spaced steps.",
                   json_schema_extra=limit("max_sweep"))
    variables: list[VariableName] | None = variables_field()

    @field_validator("methods")
    @classmethod
    def _once_each(cls, methods: list[str]) -> list[str]:
        if len(set(methods)) != len(methods):
            raise ValueError("methods must not repeat a method")
        return methods

    @field_validator("h_max")
    @classmethod
    def _ordered(cls, h_max: float, info: ValidationInfo) -> float:
        h_min = info.data.get("h_min")
        if h_min is not None and not h_min < h_max:
            raise ValueError("h_min must be smaller than h_max")
        return h_max


class StepsResponse(Reply):
    variables: list[str]
    point: list[float]
    h: list[float] = Field(description="Steps, from h_max down to h_min.")
    exact: list[OutNumber] = Field(description="The exact (autodiff) gradient.")
    errors: dict[str, list[OutNumber]] = Field(
        description="Per method: max-abs error over coordinates, per h."
    )
    best_h: dict[str, OutNumber] = Field(
        description="Per method: h with the smallest error (among equal errors, the largest h)."
    )

    @classmethod
    def of(cls, result: engine.SweepResult) -> StepsResponse:
        return cls(
            variables=list(result.variables),
            point=as_list(result.point),
            h=as_list(result.h),
            exact=as_list(result.exact),
            errors={name: as_list(errors) for name, errors in result.errors.items()},
            best_h=dict(result.best_h),
        )
