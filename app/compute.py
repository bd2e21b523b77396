"""The compute limiter: a fixed number of slots per process for CPU-bound work.

A request first waits (at most ``settings.slot_wait`` seconds) for one of
``settings.compute_slots`` slots, then runs its work in one of as many compute threads;
the event loop only awaits.  A request that gets no slot in time is refused with
:class:`ComputeBusy` (→ 503 with ``Retry-After``).  ``/healthz`` never comes here.

The hand-off is kept short, because a gradient at one point is over in about 0.1 ms and
everything around it counts: a free slot is taken without a timer (the timer is set
only when the request has to wait), and the work goes to a plain ``ThreadPoolExecutor``
of ``compute_slots`` threads (about half the cost of ``anyio.to_thread``'s hand-off).  A
cancelled request still waits for its thread to finish before it gives its slot back.
Work known to be that small -- a gradient at one point, by an exact method, of an
expression parsed already whose nodes and variables are at most :data:`INLINE_SIZE`
(:meth:`Compute.is_small`; 0.1-0.3 ms) -- runs on the event loop itself, still holding a
slot: the hand-off to a thread and back (two wake-ups) costs about as much as the work,
several times more on a busy machine.  Anything bigger goes to a thread: the cost of a
gradient grows with the variables too (a one-node expression with 500 variables takes
tens of milliseconds).

Expressions are parsed once per app and text (:mod:`app.parsed`), so a page that asks
about the same function again -- a field, a descent, a gradient at each point the
pointer visits -- is not parsed again.

Long computations get a ``deadline`` (``time.monotonic()`` + ``settings.deadline``,
counted from when the slot is granted) that the engine checks as it goes.

Abandoned requests stop computing.  The :class:`Compute` a handler receives is bound to
its request (:func:`get_compute`); while the work runs (from :data:`LISTEN_AFTER`
seconds on), :meth:`Compute.run` listens on the request's ASGI ``receive`` for
``http.disconnect`` (the client hung up), and then sets the request's *abandoned* flag.
The deadline the work was given is a :class:`Deadline`: a ``float`` (the
``time.monotonic()`` value) that also counts as passed once that flag is set, so the
engine -- which only ever asks ``time.monotonic() > deadline`` -- stops at its next look
at the clock, with no change to any engine signature.  The thread still finishes (now at
once) before the slot is given back, so the slot count is always honest.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import copy
import threading
import time
import weakref
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio
from fastapi import Request

import engine

from .limits import check_budget, path_points
from .parsed import ParsedExpressions
from .settings import Settings

T = TypeVar("T")

#: Seconds of work after which a request starts listening for its client's hang-up
#: (listening costs a task per request; shorter work is over before it would matter).
LISTEN_AFTER = 0.05
#: Graph nodes plus variables up to which a gradient at one point by an exact method (no
#: Hessian), of an expression parsed already, is computed on the event loop (0.1-0.3 ms:
#: x**2 + y**2 is 5 + 2, Rosenbrock 11 + 2, Himmelblau 13 + 2).
INLINE_SIZE = 16


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


class Deadline(float):
    """A ``time.monotonic()`` value by which work must stop, which has also passed once
    ``abandoned`` is set (the client went away).

    The engine compares ``time.monotonic() > deadline``; ``Deadline`` is a subclass of
    float, so Python asks ``deadline.__lt__(now)`` first, and that answers True once
    the request is abandoned.  Arithmetic gives plain floats.

    >>> gone = threading.Event()
    >>> deadline = Deadline(time.monotonic() + 600, gone)
    >>> time.monotonic() > deadline, time.monotonic() < deadline
    (False, True)
    >>> gone.set()
    >>> time.monotonic() > deadline, time.monotonic() < deadline
    (True, False)
    """

    __slots__ = ("abandoned",)
    abandoned: threading.Event

    def __new__(cls, at: float, abandoned: threading.Event) -> Deadline:
        deadline = super().__new__(cls, at)
        deadline.abandoned = abandoned
        return deadline

    def __lt__(self, now: Any) -> bool:  # deadline < now, now > deadline: passed
        return self.abandoned.is_set() or float(self) < now

    def __le__(self, now: Any) -> bool:  # deadline <= now, now >= deadline
        return self.abandoned.is_set() or float(self) <= now

    def __gt__(self, now: Any) -> bool:  # deadline > now, now < deadline: not yet
        return not self.abandoned.is_set() and float(self) > now

    def __ge__(self, now: Any) -> bool:
        return not self.abandoned.is_set() and float(self) >= now

    __hash__ = float.__hash__


@dataclass
class _Pool:
    slots: anyio.CapacityLimiter
    threads: ThreadPoolExecutor


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
        # the request this view serves (see bind): its ASGI receive and abandoned flag
        self._receive: Callable[[], Any] | None = None
        self.abandoned = threading.Event()
        # shared by every bound view (bind copies the reference)
        self.parsed = ParsedExpressions(self.limits)

    def bind(self, request: Request) -> Compute:
        """This app's compute, for one request: same slots, threads and limits, with the
        request's own abandoned flag and a way to hear that its client has gone."""
        bound = copy.copy(self)  # shares the pools
        bound._receive = request.receive
        bound.abandoned = threading.Event()
        return bound

    def _pool(self) -> _Pool:
        loop = asyncio.get_running_loop()
        pool = self._pools.get(loop)
        if pool is None:
            slots = self.settings.compute_slots
            threads = ThreadPoolExecutor(slots, thread_name_prefix="slopescope-compute")
            pool = _Pool(anyio.CapacityLimiter(slots), threads)
            self._pools[loop] = pool
            weakref.finalize(loop, threads.shutdown, wait=False)
        return pool

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one compute slot; :class:`ComputeBusy` if none frees up in time."""
        slots = self._pool().slots
        try:
            slots.acquire_nowait()  # a free slot (no one waiting before us): no timer
        except anyio.WouldBlock:
            try:
                with anyio.fail_after(self.settings.slot_wait):
                    await slots.acquire()
            except TimeoutError:
                raise ComputeBusy(self.settings) from None
        try:
            yield
        finally:
            slots.release()

    async def run(self, work: Callable[[], T], inline: bool = False) -> T:
        """Run ``work()`` in a worker thread once a compute slot is free; if the client
        goes away meanwhile, the request is marked abandoned (its deadline passes).
        ``inline`` work (see :meth:`is_small`) runs on the event loop, in the slot."""
        async with self.slot():
            if inline:
                return work()
            receive = self._receive
            watch: list[asyncio.Task[None]] = []
            timer = None
            if receive is not None:  # most work is over before listening would pay
                loop = asyncio.get_running_loop()
                timer = loop.call_later(
                    LISTEN_AFTER, lambda: watch.append(loop.create_task(self._watch(receive))))
            try:
                return await self._in_thread(work)
            finally:
                if timer is not None:
                    timer.cancel()
                for task in watch:
                    task.cancel()

    async def _in_thread(self, work: Callable[[], T]) -> T:
        """``work()`` in one of this loop's compute threads.  If the awaiting request is
        cancelled, it still waits for the thread to finish (then re-raises), so the slot
        it holds is never given back while its work runs."""
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._pool().threads, contextvars.copy_context().run,
                                      work)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            while not future.done():  # cancelled again meanwhile: wait on
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.wait([future])
            if not future.cancelled():
                future.exception()  # its error, if any, is not the news: the cancel is
            raise

    async def _watch(self, receive: Callable[[], Any]) -> None:
        """Wait for ``http.disconnect`` (the body has been read already: the next message
        a server sends is that one), then mark the request abandoned."""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self.abandoned.set()
                return
            if not message.get("more_body", False) and not message.get("body"):
                return  # an empty last body message again: nothing more will come

    # --- helpers the work functions call (in the worker thread) --------------------

    def is_small(self, text: str, variables: Sequence[str] | None, method: str,
                 hessian: bool = False) -> bool:
        """Whether a gradient at one point is small enough to compute on the event loop:
        by an exact method, without the Hessian, of an expression this app has parsed
        already (no parsing here) with at most :data:`INLINE_SIZE` nodes and variables."""
        if hessian or method in engine.NUMERICAL_METHODS:
            return False
        expr = self.parsed.peek(text, variables)
        return expr is not None and expr.node_count + len(expr.variables) <= INLINE_SIZE

    def parse(self, text: str, variables: Sequence[str] | None = None) -> engine.Expression:
        """``text`` parsed under this app's expression limits (from what parsing it gave
        before, when that is kept: see :mod:`app.parsed`)."""
        return self.parsed.get(text, variables)

    def deadline(self) -> Deadline:
        """The ``time.monotonic()`` value a computation starting now must finish by (a
        :class:`Deadline`: it passes at once when the request is abandoned)."""
        return Deadline(time.monotonic() + self.settings.deadline, self.abandoned)

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
    """FastAPI dependency: the app's :class:`Compute`, bound to this request (async: no
    thread handoff)."""
    compute: Compute = request.app.state.compute
    return compute.bind(request)
