"""``GET /healthz``: answers at once, never waits for a compute slot."""

from __future__ import annotations

from fastapi import APIRouter

from ..schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="Liveness check")
async def healthz() -> Health:
    """`{"status": "ok"}` while the process serves requests (runs on the event loop)."""
    return Health()
