"""The routers, one per endpoint or small family; :data:`ROUTERS` is what the app includes."""

from __future__ import annotations

from fastapi import APIRouter

from . import (
    descent,
    field,
    gradcheck,
    gradient,
    graph,
    health,
    network,
    notebook,
    pages,
    steps,
    sweep,
    tables,
    tangent,
)

#: Every router of the application, in the order they are included.
ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    gradient.router,
    descent.router,
    sweep.router,
    tangent.router,
    field.router,
    steps.router,
    graph.router,
    gradcheck.router,
    network.router,
    notebook.router,
    tables.router,
    pages.router,
)
