"""``POST /sweep``: the learning rate swept, every run advanced together."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

import engine

from ..dependencies import ERRORS, ComputeDep, checked
from ..responses import ModelResponse
from ..schemas.optimizers import settings_of
from ..schemas.sweep import SweepRequest, SweepResponse

router = APIRouter(tags=["descent"])


@router.post("/sweep", response_model=SweepResponse, responses=ERRORS,
             summary="Many descents at once, one per learning rate")
async def sweep(body: Annotated[SweepRequest, checked(SweepRequest)],
                compute: ComputeDep) -> ModelResponse:
    """One descent per learning rate (log-spaced from `lr_min` to `lr_max`), and with
    `momentums` one row per momentum: where each converges, crawls or diverges, beside
    the curvature's stability bound. Every run ends exactly as `/descent` would end it."""

    def work() -> ModelResponse:
        expr = compute.parse(body.expr, body.variables)
        compute.check_sweep(expr, body.runs, body.steps)
        result = engine.sweep_learning_rate(
            expr, body.start, lr_min=body.lr_min, lr_max=body.lr_max, n=body.n,
            steps=body.steps, optimizer=body.optimizer, momentums=body.momentums,
            method=body.method, h=body.h, tol=body.tol,
            divergence_factor=body.divergence_factor, deadline=compute.deadline(),
            **settings_of(body),
        )
        return ModelResponse(SweepResponse.of(result), typed=body.encoding == "typed")

    return await compute.run(work)
