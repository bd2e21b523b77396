"""``POST /gradcheck``: check a derivative against the numerical one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

import engine

from ..dependencies import ERRORS, ComputeDep, checked
from ..responses import ModelResponse
from ..schemas.gradcheck import GradcheckRequest, GradcheckResponse

router = APIRouter(tags=["calculus"])


@router.post("/gradcheck", response_model=GradcheckResponse, responses=ERRORS,
             summary="Check a derivative (gradient checking)")
async def gradcheck(body: Annotated[GradcheckRequest, checked(GradcheckRequest)],
                    compute: ComputeDep) -> ModelResponse:
    """Compare `claimed` (one expression per variable) or the exact gradient with central
    differences at `point` and `random_points` more: per coordinate the relative error, a
    verdict (`pass`/`warn`/`fail`) and whether the stencil crosses a kink."""

    def work() -> ModelResponse:
        expr = compute.parse(body.expr, body.variables)
        result = engine.gradcheck(expr, body.point, claimed=body.claimed, method=body.method,
                                  h=body.h, random_points=body.random_points, box=body.box,
                                  seed=body.seed, limits=compute.limits,
                                  deadline=compute.deadline())
        return ModelResponse(GradcheckResponse.of(result))

    return await compute.run(work)
