"""The compute limiter: a fixed number of slots per process for CPU-bound work.

A request first waits (at most ``settings.slot_wait`` seconds) for one of
``settings.compute_slots`` slots, then runs its work in a dedicated worker thread; the
event loop only awaits.  A request that gets no slot in time is refused with
:class:`ComputeBusy` (→ 503 with ``Retry-After``).  ``/healthz`` never comes here.

Long computations get a ``deadline`` (``time.monotonic()`` + ``settings.deadline``,
counted from when the slot is granted) that the engine checks as it goes.

A cancelled request (client gone) still lets its thread finish, bounded by that
deadline, and only then gives the slot back, so the slot count is always honest.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TypeVar

import anyio
import anyio.to_thread
from fastapi import Request

import engine

from .limits import check_budget, path_points
from .settings import Settings

T = TypeVar("T")


class ComputeBusy(Exception):
    """No compute slot became free within the wait (→ 503)."""

    def __init__(self, settings: Settings) -> None:
        self.retry_after = settings.retry_after
        self.message = (
            f"the server is busy: all {settings.compute_slots} compute slots "
            f"(setting compute_slots) stayed taken for {settings.slot_wait:g} s "
            f"(setting slot_wait); retry in {settings.retry_after} s"
        )
        super().__init__(self.message)


@dataclass
class _Pool:
    slots: anyio.CapacityLimiter
    threads: anyio.CapacityLimiter


class Compute:
    """Per-app access to the engine: limits, slots, worker threads and deadlines."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.limits = engine.Limits(
            max_length=settings.max_length,
            max_nodes=settings.max_nodes,
            max_depth=settings.max_depth,
        )
        # anyio limiters belong to one event loop; uvicorn has exactly one per process,
        # test clients may start several, so keep one pool per running loop.
        self._pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Pool] = (
            weakref.WeakKeyDictionary()
        )

    def _pool(self) -> _Pool:
        loop = asyncio.get_running_loop()
        pool = self._pools.get(loop)
        if pool is None:
            slots = self.settings.compute_slots
            pool = _Pool(anyio.CapacityLimiter(slots), anyio.CapacityLimiter(slots))
            self._pools[loop] = pool
        return pool

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one compute slot; :class:`ComputeBusy` if none frees up in time."""
        slots = self._pool().slots
        try:
            with anyio.fail_after(self.settings.slot_wait):
                await slots.acquire()
        except TimeoutError:
            raise ComputeBusy(self.settings) from None
        try:
            yield
        finally:
            slots.release()

    async def run(self, work: Callable[[], T]) -> T:
        """Run ``work()`` in a worker thread once a compute slot is free."""
        async with self.slot():
            return await anyio.to_thread.run_sync(work, limiter=self._pool().threads)

    # --- helpers the work functions call (in the worker thread) --------------------

    def parse(self, text: str, variables: Sequence[str] | None = None) -> engine.Expression:
        """Parse ``text`` under this app's expression limits."""
        return engine.parse(text, variables=variables, limits=self.limits)

    def deadline(self) -> float:
        """The ``time.monotonic()`` value a computation starting now must finish by."""
        return time.monotonic() + self.settings.deadline

    def descent_points(self, expr: engine.Expression, steps: int,
                       max_points: int | None) -> int:
        """Check a descent's work against ``step_budget`` (before any of it is done) and
        return how many path entries it may answer with (``max_path_values``)."""
        check_budget(steps, expr.node_count, len(expr.variables), self.settings)
        return path_points(max_points, len(expr.variables), self.settings)

    def check_sweep(self, expr: engine.Expression, runs: int, steps: int) -> None:
        """Refuse a sweep whose ``runs × steps × (nodes + variables)`` is over
        ``sweep_budget``, before any of the work is done."""
        check_budget(steps, expr.node_count, len(expr.variables), self.settings, runs)


async def get_compute(request: Request) -> Compute:
    """FastAPI dependency: the app's :class:`Compute` (async: no thread handoff)."""
    compute: Compute = request.app.state.compute
    return compute
