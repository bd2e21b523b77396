"""``POST /tangent``: the tangent line or plane at a point, with secant slopes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

import engine

from ..dependencies import ERRORS, ComputeDep, checked
from ..responses import ModelResponse
from ..schemas import TangentRequest, TangentResponse

router = APIRouter(tags=["calculus"])


@router.post("/tangent", response_model=TangentResponse, responses=ERRORS,
             summary="Tangent line or plane, with secant slopes")
async def tangent(body: Annotated[TangentRequest, checked(TangentRequest)],
                  compute: ComputeDep) -> ModelResponse:
    """One variable: `slope`, `intercept`, `equation` (`y = 2x - 3`) and forward-difference
    `secants`. Several variables: `gradient` and the tangent plane `equation`."""

    def work() -> ModelResponse:
        expr = compute.parse(body.expr, body.variables)
        return ModelResponse(TangentResponse.of(engine.tangent(expr, body.point, body.secants)))

    return await compute.run(work)
