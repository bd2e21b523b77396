"""``GET /functions``, ``GET /optimizers``, ``GET /methods``, ``GET /limits``: the tables
behind the menus and the form fields.

Each is served from the one place that defines it (the presets, the engine's optimizer
table, the engine's methods, this server's settings); the page builds its menus and
bounds its fields from these answers.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

import engine

from ..limits import declared_limits
from ..presets import FUNCTIONS
from ..schemas import FunctionPreset, MethodInfo, OptimizerInfo
from ..schemas.base import Request as RequestModel

router = APIRouter(tags=["tables"])

_OPTIMIZERS = [OptimizerInfo.of(row) for row in engine.OPTIMIZERS.values()]
_METHODS = [MethodInfo(name=row.name, label=row.label, numerical=row.numerical,
                       needs_analytic=row.needs_analytic, description=row.description)
            for row in engine.GRADIENT_METHODS.values()]


@router.get("/functions", response_model=list[FunctionPreset], summary="Preset functions")
async def functions() -> list[FunctionPreset]:
    """Classic test functions with a plot range, a start point and a learning rate that
    make gradient descent show something."""
    return list(FUNCTIONS)


@router.get("/optimizers", response_model=list[OptimizerInfo], summary="The optimizers")
async def optimizers() -> list[OptimizerInfo]:
    """Every optimizer `/descent` accepts, with its settings and PyTorch's defaults, its
    update rule and its stability bound."""
    return _OPTIMIZERS


@router.get("/methods", response_model=list[MethodInfo], summary="The gradient methods")
async def methods() -> list[MethodInfo]:
    """Every gradient method the endpoints accept as `method`: `numerical` ones take a
    step `h`; `needs_analytic` ones are refused for functions with kinks."""
    return _METHODS


def _request_models(base: type[RequestModel] = RequestModel) -> list[type[RequestModel]]:
    """Every request schema (the subclasses of the base request, at any depth)."""
    found = []
    for model in base.__subclasses__():
        found += [model, *_request_models(model)]
    return found


@router.get("/limits", response_model=dict[str, int], summary="This server's size limits")
async def limits(request: Request) -> dict[str, int]:
    """The settings that bound request fields on this server (`max_steps`, `max_grid`,
    `max_hidden`, ...), by name: what `/openapi.json` states as each field's `maximum`
    with its `x-limit`, in one small answer, so that a page or a notebook bounds its
    inputs by the server's own settings (they are changed by `SLOPESCOPE_*` variables)."""
    settings = request.app.state.settings
    return {name: int(getattr(settings, name)) for name in declared_limits(_request_models())}
