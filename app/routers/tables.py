"""``GET /functions``, ``GET /optimizers``, ``GET /methods``: the tables behind the menus.

Each is served from the one place that defines it (the presets, the engine's optimizer
table, the engine's methods); the page builds its menus from these answers.
"""

from __future__ import annotations

from fastapi import APIRouter

import engine

from ..presets import FUNCTIONS
from ..schemas import FunctionPreset, MethodInfo, OptimizerInfo

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
