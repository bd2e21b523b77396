"""``POST /gradient``: the gradient at a point by any method."""

from __future__ import annotations

from typing import Any

from pydantic import Field

import engine

from ..responses import as_list, join_notes, null_note
from .base import (
    H_DOC,
    METHOD_DOC,
    Method,
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


class GradientRequest(Request):
    """The gradient of ``expr`` at ``point`` by one method."""

    EXAMPLES = {
        "central": {"summary": "Textbook central difference, h = 1e-4",
                    "value": {"expr": "x**2 + y**2", "point": [3, 4], "method": "central",
                              "h": 1e-4}},
        "autodiff": {"summary": "Reverse-mode autodiff, point by name",
                     "value": {"expr": "sin(x)*exp(y)", "point": {"x": 1, "y": 0}}},
        "richardson": {"summary": "Richardson extrapolation with its error estimate",
                       "value": {"expr": "exp(x)", "point": 1, "method": "richardson"}},
    }
    model_config = examples_config(EXAMPLES)

    expr: str = expr_field("x**2 + y**2")
    point: Point = point_field([3, 4])
    method: Method = Field("autodiff", description=METHOD_DOC)
    h: PositiveNumber | None = Field(None, description=H_DOC, examples=[1e-4])
    hessian: bool = Field(False, strict=True,
                          description="Also send the exact Hessian and its eigenvalues.")
    variables: list[VariableName] | None = variables_field()


class GradientResponse(Reply):
    """Value, gradient, and for numerical methods the exact gradient and the error."""

    expr: str = Field(description="The expression as given.")
    variables: list[str] = Field(description="Variable order of every vector below.")
    point: list[float] = Field(description="The point, in variable order.")
    value: OutNumber = Field(description="f(point); null when not finite.")
    gradient: list[OutNumber] = Field(description="The gradient; null where not finite.")
    method: Method
    h: list[float] | None = Field(
        None, description="Step used per coordinate (numerical methods only)."
    )
    exact: list[OutNumber] | None = Field(
        None, description="Autodiff gradient (numerical methods only)."
    )
    error: list[OutNumber] | None = Field(
        None, description="gradient - exact (numerical methods only)."
    )
    error_estimate: list[OutNumber] | None = Field(
        None, description="Richardson's own error estimate (richardson only)."
    )
    hessian: list[list[OutNumber]] | None = Field(
        None, description="The exact Hessian (with `\"hessian\": true`).")
    eigenvalues: list[float] | None = Field(
        None, description="Its eigenvalues, ascending (with `\"hessian\": true`); null "
        "where the Hessian is not finite.")
    message: str = Field(description="Says which numbers are null and why; 'ok' if none.")

    @classmethod
    def of(cls, text: str, result: engine.GradientResult,
           curvature: engine.Stability | None = None) -> GradientResponse:
        reply: dict[str, Any] = {
            "expr": text,
            "variables": list(result.variables),
            "point": as_list(result.point),
            "value": result.value,
            "gradient": as_list(result.gradient),
            "method": result.method,
            "message": join_notes(null_note("f", result.value),
                                  null_note("the gradient", result.gradient)),
        }
        for name in ("h", "exact", "error", "error_estimate"):
            array = getattr(result, name)
            if array is not None:
                reply[name] = as_list(array)
        if curvature is not None:
            reply["hessian"] = as_list(curvature.hessian)
            reply["eigenvalues"] = (None if curvature.eigenvalues is None
                                    else as_list(curvature.eigenvalues))
        return cls.model_construct(**reply)  # the engine's floats: nothing to validate
