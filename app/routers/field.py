"""``POST /field``: f and its partial derivatives on a grid."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

import engine

from ..dependencies import ERRORS, ComputeDep, checked
from ..responses import ModelResponse
from ..schemas import FieldRequest, FieldResponse

router = APIRouter(tags=["calculus"])


@router.post("/field", response_model=FieldResponse, responses=ERRORS,
             summary="f and its partial derivatives on a grid")
async def field(body: Annotated[FieldRequest, checked(FieldRequest)],
                compute: ComputeDep) -> ModelResponse:
    """Two variables: `z[j][i] = f(x[i], y[j])`, `u` = df/dx and `v` = df/dy on the same
    layout. One variable: `x`, `z` (f) and `u` (f'). Undefined points are `null`."""

    def work() -> ModelResponse:
        expr = compute.parse(body.expr, body.variables)
        nx, ny = body.grid
        result = engine.gradient_field(expr, body.x_range, body.y_range, nx=nx, ny=ny,
                                       method=body.method, h=body.h,
                                       deadline=compute.deadline())
        return ModelResponse(FieldResponse.of(result), typed=body.encoding == "typed")

    return await compute.run(work)
