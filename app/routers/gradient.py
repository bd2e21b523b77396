"""``POST /gradient``: the gradient at a point, by any method."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

import engine

from ..dependencies import ERRORS, ComputeDep, checked
from ..responses import ModelResponse
from ..schemas import GradientRequest, GradientResponse

router = APIRouter(tags=["calculus"])


@router.post("/gradient", response_model=GradientResponse, responses=ERRORS,
             summary="Gradient at a point, by any method")
async def gradient(body: Annotated[GradientRequest, checked(GradientRequest)],
                   compute: ComputeDep) -> ModelResponse:
    """The value and gradient of `expr` at `point`. Numerical methods also return the
    exact (autodiff) gradient and their `error`; `richardson` adds `error_estimate`;
    `"hessian": true` adds the exact Hessian and its eigenvalues."""

    def work() -> ModelResponse:
        expr = compute.parse(body.expr, body.variables)
        result = engine.gradient(expr, body.point, body.method, body.h)
        curvature = engine.stability(expr, body.point) if body.hessian else None
        return ModelResponse(GradientResponse.of(body.expr, result, curvature))

    small = compute.is_small(body.expr, body.variables, body.method, body.hessian)
    return await compute.run(work, inline=small)
