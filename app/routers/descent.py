"""``POST /descent``: run an optimizer and return its path, outcome and curvature."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

import engine

from ..dependencies import ERRORS, ComputeDep, checked
from ..responses import ModelResponse
from ..schemas import DescentRequest, DescentResponse
from ..schemas.descent import StepRequest, StepResponse
from ..schemas.optimizers import settings_of

router = APIRouter(tags=["descent"])


@router.post("/descent", response_model=DescentResponse, responses=ERRORS,
             summary="Run an optimizer and return its path")
async def descent(body: Annotated[DescentRequest, checked(DescentRequest)],
                  compute: ComputeDep) -> ModelResponse:
    """Gradient descent or any optimizer of `GET /optimizers` from `start`. `status` is
    `completed`, `converged` (tol > 0 and the gradient norm reached it) or `diverged`;
    `reason` says why as a code, `message` in words; `stability` gives the curvature at
    the start and the largest stable learning rate."""

    def work() -> ModelResponse:
        expr = compute.parse(body.expr, body.variables)
        points = compute.descent_points(expr, body.steps, body.max_points)
        result = engine.descend(
            expr, body.start, lr=body.lr, steps=body.steps, optimizer=body.optimizer,
            method=body.method, h=body.h, tol=body.tol,
            divergence_factor=body.divergence_factor, max_points=points,
            deadline=compute.deadline(), **settings_of(body),
        )
        return ModelResponse(DescentResponse.of(result), typed=body.encoding == "typed")

    return await compute.run(work)


@router.post("/descent/step", response_model=StepResponse, responses=ERRORS,
             summary="One step of a run, written out with the numbers filled in")
async def descent_step(body: Annotated[StepRequest, checked(StepRequest)],
                       compute: ComputeDep) -> ModelResponse:
    """The run of `/descent` is replayed up to `step`, which is then written out per
    coordinate by the optimizer table's own rule: `x = x − lr·∂f/∂x = −3 − 0.1·(−6)`, the
    optimizer's state before it (`v`, Adam's `m` and `v`) and, for Adam, `m̂` and `v̂`."""

    def work() -> ModelResponse:
        expr = compute.parse(body.expr, body.variables)
        compute.descent_points(expr, body.step, None)  # the replay is bounded like a run
        result = engine.explain_step(expr, body.start, body.step, lr=body.lr,
                                     optimizer=body.optimizer, method=body.method, h=body.h,
                                     deadline=compute.deadline(), **settings_of(body))
        return ModelResponse(StepResponse.of(result))

    return await compute.run(work)
