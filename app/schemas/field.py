"""``POST /field``: f and its partial derivatives on a grid."""

from __future__ import annotations

import math
from typing import Any

from pydantic import Field, ValidationInfo, field_validator

import engine

from ..limits import limit
from ..responses import as_array, join_notes, null_note
from .base import (
    H_DOC,
    METHOD_DOC,
    Encoding,
    Method,
    OutNumber,
    PositiveNumber,
    Range,
    Reply,
    Request,
    TypedArray,
    VariableName,
    encoding_field,
    examples_config,
    expr_field,
    variables_field,
)


class FieldRequest(Request):
    """f and its partial derivatives on a grid."""

    EXAMPLES = {
        "bowl": {"summary": "Gradient field of a bowl",
                 "value": {"expr": "x**2 + y**2", "x_range": [-2, 2], "y_range": [-2, 2],
                           "n": 21}},
        "log": {"summary": "One variable, undefined for x <= 0 (null)",
                "value": {"expr": "log(x)", "x_range": [-1, 3], "n": 9}},
    }
    model_config = examples_config(EXAMPLES)

    expr: str = expr_field("x**2 + y**2")
    x_range: Range = Field(description="[min, max] of x, min < max.", examples=[[-2, 2]])
    y_range: Range | None = Field(None, description="[min, max] of y (two variables).")
    n: int = Field(21, strict=True, ge=2, description="Grid points per axis.",
                   json_schema_extra=limit("max_grid"))
    nx: int | None = Field(None, strict=True, ge=2, description="Points along x (default n).",
                           json_schema_extra=limit("max_grid"))
    ny: int | None = Field(None, strict=True, ge=2, description="Points along y (default n).",
                           json_schema_extra=limit("max_grid"))
    method: Method = Field("autodiff", description=METHOD_DOC)
    h: PositiveNumber | None = Field(None, description=H_DOC)
    encoding: Encoding = encoding_field()
    variables: list[VariableName] | None = variables_field()

    @field_validator("x_range", "y_range")
    @classmethod
    def _ordered(cls, bounds: list[float] | None, info: ValidationInfo) -> list[float] | None:
        """A range is [min, max] with min < max and a finite width (loc: the range)."""
        name = info.field_name
        if bounds is not None and not bounds[0] < bounds[1]:
            raise ValueError(f"{name} must be [min, max] with min < max")
        if bounds is not None and not math.isfinite(bounds[1] - bounds[0]):
            # each grid point is min + k (max - min) / (n - 1): the width must be a
            # finite float, or the grid's coordinates are not numbers
            raise ValueError(f"{name} is too wide: max - min is not a finite number, "
                             "so the grid's coordinates would not be either; narrow it "
                             "(max - min at most about 1.8e308)")
        return bounds

    @property
    def grid(self) -> tuple[int, int]:
        """Points along x and y: ``nx`` and ``ny``, each defaulting to ``n``."""
        return self.nx or self.n, self.ny or self.n


Grid = list[list[OutNumber]]


class FieldResponse(Reply):
    """For two variables ``z[j][i] = f(x[i], y[j])``; for one, ``z[i] = f(x[i])``."""

    variables: list[str]
    x: list[float] | TypedArray
    y: list[float] | TypedArray | None = Field(None, description="Absent for one variable.")
    z: Grid | list[OutNumber] | TypedArray = Field(description="f; null where undefined.")
    u: Grid | list[OutNumber] | TypedArray = Field(description="df/dx (f' for one variable).")
    v: Grid | TypedArray | None = Field(None, description="df/dy; absent for one variable.")
    message: str

    @classmethod
    def of(cls, result: engine.FieldResult) -> FieldResponse:
        # model_construct with numpy arrays: up to 3 x 160,000 floats, written by orjson
        reply: dict[str, Any] = {
            "variables": list(result.variables),
            "x": as_array(result.x),
            "z": as_array(result.z),
            "u": as_array(result.u),
            "message": join_notes(null_note("f", result.z), null_note("df/dx", result.u),
                                  None if result.v is None else null_note("df/dy", result.v)),
        }
        if result.y is not None:
            reply["y"] = as_array(result.y)
        if result.v is not None:
            reply["v"] = as_array(result.v)
        return cls.model_construct(**reply)
