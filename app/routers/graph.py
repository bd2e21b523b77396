"""``POST /graph``: the computation graph with every node's value and adjoint."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

import engine

from ..dependencies import ERRORS, ComputeDep, checked
from ..responses import ModelResponse
from ..schemas import GraphRequest, GraphResponse

router = APIRouter(tags=["calculus"])


@router.post("/graph", response_model=GraphResponse, responses=ERRORS,
             summary="The expression graph with values and adjoints")
async def graph(body: Annotated[GraphRequest, checked(GraphRequest)],
                compute: ComputeDep) -> ModelResponse:
    """Every node with its forward `value`, its reverse-mode adjoint `grad` = ∂f/∂node, the
    local derivatives on its edges (`partials`) and its forward-mode `tangent` along
    `direction`: reverse and forward mode side by side on the same graph."""

    def work() -> ModelResponse:
        expr = compute.parse(body.expr, body.variables)
        return ModelResponse(GraphResponse.of(
            engine.computation_graph(expr, body.point, body.direction)))

    return await compute.run(work)
