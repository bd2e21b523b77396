"""``POST /steps``: the error of numerical derivatives against the step h."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

import engine

from ..dependencies import ERRORS, ComputeDep, checked
from ..responses import ModelResponse
from ..schemas import StepsRequest, StepsResponse

router = APIRouter(tags=["calculus"])


@router.post("/steps", response_model=StepsResponse, responses=ERRORS,
             summary="Error against step size h for numerical methods")
async def steps(body: Annotated[StepsRequest, checked(StepsRequest)],
                compute: ComputeDep) -> ModelResponse:
    """The error of each method against the exact derivative as h sweeps log-spaced from
    `h_max` down to `h_min`: truncation error for large h, rounding error for small h."""

    def work() -> ModelResponse:
        expr = compute.parse(body.expr, body.variables)
        result = engine.step_sweep(expr, body.point, methods=body.methods,
                                   h_min=body.h_min, h_max=body.h_max, n=body.n,
                                   deadline=compute.deadline())
        return ModelResponse(StepsResponse.of(result))

    return await compute.run(work)
