"""The routers, one per endpoint or small family; :data:`ROUTERS` is what the app includes."""

from __future__ import annotations

from fastapi import APIRouter

from . import api, health, pages

#: Every router of the application, in the order they are included.
ROUTERS: tuple[APIRouter, ...] = (health.router, api.router, pages.router)
