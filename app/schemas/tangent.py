"""``POST /tangent``: the tangent line or plane, and the secant table."""

from __future__ import annotations

from typing import Any

from pydantic import Field

import engine

from ..limits import limit
from ..responses import as_list, join_notes, null_note
from .base import (
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


class TangentRequest(Request):
    """Tangent line (one variable) or tangent plane (several) at ``point``."""

    EXAMPLES = {
        "line": {"summary": "Tangent line and the secant table",
                 "value": {"expr": "3*x**2 - 4*x", "point": 1, "secants": [0.1, 0.01, 0.001]}},
        "plane": {"summary": "Tangent plane of a two-variable function",
                  "value": {"expr": "x**2 + y**2", "point": [3, 4]}},
        "corner": {"summary": "A corner: no tangent line",
                   "value": {"expr": "abs(x)", "point": 0}},
    }
    model_config = examples_config(EXAMPLES)

    expr: str = expr_field("3*x**2 - 4*x")
    point: Point = point_field(1)
    secants: list[PositiveNumber] = Field(
        [0.1, 0.01, 0.001],
        description="Steps h of the forward-difference secants (one variable only).",
        json_schema_extra=limit("max_secants", "items"),
    )
    variables: list[VariableName] | None = variables_field()


class Secant(Reply):
    h: float
    slope: OutNumber


class TangentResponse(Reply):
    variables: list[str]
    point: list[float]
    value: OutNumber
    gradient: list[OutNumber]
    slope: OutNumber = Field(None, description="f'(point) (one variable only).")
    intercept: OutNumber = Field(None, description="Where the tangent line meets x = 0.")
    equation: str = Field(description="`y = 2x - 3` or `z = 6x + 8y - 25`.")
    secants: list[Secant] = Field([], description="Secant slopes (one variable only).")
    differentiable: bool = Field(
        description="False where f has a corner at the point (`abs(x)` at 0) or is "
        "undefined there: then `slope` is null and no tangent is drawn.")
    left_slope: OutNumber = Field(
        None, description="The slope from the left (one variable, at a corner).")
    right_slope: OutNumber = Field(
        None, description="The slope from the right (one variable, at a corner).")
    message: str = Field(description="The tangent in words, or why there is none.")

    @classmethod
    def of(cls, result: engine.TangentResult) -> TangentResponse:
        reply: dict[str, Any] = {
            "variables": list(result.variables),
            "point": as_list(result.point),
            "value": result.value,
            "gradient": as_list(result.gradient),
            "equation": result.equation,
            "differentiable": result.differentiable,
            "message": join_notes(result.message, null_note("f", result.value),
                                  null_note("the gradient", result.gradient)),
        }
        if len(result.variables) == 1:
            reply["slope"] = result.slope
            reply["intercept"] = result.intercept
            reply["secants"] = [Secant(h=h, slope=slope) for h, slope in result.secants]
            reply["left_slope"] = result.left_slope
            reply["right_slope"] = result.right_slope
        return cls(**reply)
