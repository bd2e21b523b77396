"""The compute limiter: 503 with Retry-After when slots stay busy; /healthz never waits.

No clock is asserted on: a slot is held by a task that waits on an event, so what the
tests see follows from the order of events alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

import anyio
import pytest

import engine
from app.compute import INLINE_SIZE, Compute
from app.settings import Settings

HANG_GUARD = 60.0  # seconds; a bound on a wait, not a timing target


def _hold_slot(api, release: threading.Event):
    """Occupy one compute slot of the client's app until ``release`` is set."""
    compute = api.client.app.state.compute
    held = threading.Event()

    async def hold() -> None:
        async with compute.slot():
            held.set()
            await anyio.to_thread.run_sync(release.wait)

    future = api.client.portal.start_task_soon(hold)
    assert held.wait(5)
    return future


def _waiting(api) -> int:  # type: ignore[no-untyped-def]
    """Requests of the client's app waiting for a compute slot now."""
    compute = api.client.app.state.compute
    return sum(pool.slots.statistics().tasks_waiting for pool in compute._pools.values())


def test_busy_slots_give_503_with_retry_after(make_api):
    api = make_api(compute_slots=1, slot_wait=0.2, retry_after=3)
    release = threading.Event()
    holder = _hold_slot(api, release)
    try:
        # the only slot is held until `release`: the 503 can only come from giving up
        response = api.raw("/gradient", '{"expr": "x", "point": 1}')
        assert response.status_code == 503
        assert response.headers["retry-after"] == "3"
        assert "compute_slots" in response.json()["detail"]
        assert _waiting(api) == 0  # it stopped waiting
        # /healthz does not wait for a slot (if it did, it would be a 503 too)
        assert api.client.get("/healthz").json() == {"status": "ok"}
    finally:
        release.set()
        holder.result(5)
    assert api.raw("/gradient", '{"expr": "x", "point": 1}').status_code == 200


def test_requests_wait_for_a_slot_within_slot_wait(make_api):
    api = make_api(compute_slots=1, slot_wait=60)
    release = threading.Event()
    holder = _hold_slot(api, release)
    events: list[str] = []
    answers: list[int] = []

    def request() -> None:
        answers.append(api.raw("/gradient", '{"expr": "x", "point": 1}').status_code)
        events.append("answered")

    thread = threading.Thread(target=request)
    try:
        thread.start()
        waited = threading.Event()
        while not _waiting(api):  # bounded by the test's timeout; no time is asserted
            assert thread.is_alive(), answers
            waited.wait(0.01)
        events.append("released")
        release.set()
        thread.join(60)
        assert answers == [200]
        assert events == ["released", "answered"]  # it waited for the slot, then ran
    finally:
        release.set()
        holder.result(5)
        thread.join(60)


def test_concurrent_ordinary_requests_see_no_503(api):
    statuses = []

    def client_loop():
        for _ in range(5):
            statuses.append(api.raw("/field", '{"expr": "sin(x)*y", "x_range": [0, 1], '
                                              '"y_range": [0, 1], "n": 100}').status_code)

    threads = [threading.Thread(target=client_loop) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert statuses == [200] * 30


# --- the hand-off: small work on the event loop, the rest in a compute thread ----------

def test_small_gradients_are_those_of_expressions_parsed_already(api):
    compute = api.client.app.state.compute
    text = "x**2 + 3*y"
    assert not compute.is_small(text, None, "autodiff")  # never parsed here: no parsing
    api.post("/gradient", {"expr": text, "point": [1, 2]})
    assert compute.is_small(text, None, "autodiff")
    assert compute.is_small(text, None, "dual")
    assert not compute.is_small(text, ["y", "x"], "autodiff")  # another variable order
    assert not compute.is_small(text, None, "autodiff", hessian=True)
    for method in engine.NUMERICAL_METHODS:
        assert not compute.is_small(text, None, method)


def test_big_expressions_are_never_small(api):
    compute = api.client.app.state.compute
    text = " + ".join(f"sin({k}*x)" for k in range(1, 5))
    assert engine.parse(text).node_count + 1 > INLINE_SIZE
    api.post("/gradient", {"expr": text, "point": [1]})
    assert compute.parsed.peek(text) is not None
    assert not compute.is_small(text, None, "autodiff")


def test_many_variables_are_never_small(api):
    """The work grows with the variables too: one node and many variables goes to a
    thread (with 500 variables it is tens of milliseconds)."""
    compute = api.client.app.state.compute
    names = [f"v{k}" for k in range(INLINE_SIZE)]
    api.post("/gradient", {"expr": "v0", "point": [1] * len(names), "variables": names})
    assert compute.parsed.peek("v0", names) is not None
    assert not compute.is_small("v0", names, "autodiff")
    api.post("/gradient", {"expr": "v0", "point": [1, 2], "variables": names[:2]})
    assert compute.is_small("v0", names[:2], "autodiff")


def _thread_of(inline: bool) -> str:
    compute = Compute(Settings(compute_slots=1))

    async def go() -> str:
        return await compute.run(lambda: threading.current_thread().name, inline=inline)

    return asyncio.run(go())


def test_inline_work_runs_on_the_event_loop_and_other_work_in_a_compute_thread():
    assert _thread_of(inline=True) == threading.current_thread().name
    assert _thread_of(inline=False).startswith("slopescope-compute")


def test_small_work_still_needs_a_compute_slot(make_api):
    api = make_api(compute_slots=1, slot_wait=0.2)
    body = '{"expr": "x**2 + y**2", "point": [3, 4]}'
    assert api.raw("/gradient", body).status_code == 200  # parsed and kept: now small
    assert api.client.app.state.compute.is_small("x**2 + y**2", None, "autodiff")
    release = threading.Event()
    holder = _hold_slot(api, release)
    try:
        assert api.raw("/gradient", body).status_code == 503
    finally:
        release.set()
        holder.result(5)
    answer = api.raw("/gradient", body)
    assert answer.status_code == 200 and answer.json()["gradient"] == [6.0, 8.0]


def test_a_cancelled_request_keeps_its_slot_until_its_thread_is_done():
    compute = Compute(Settings(compute_slots=1))
    started, release = threading.Event(), threading.Event()

    def work() -> str:
        started.set()
        release.wait(HANG_GUARD)
        return "done"

    async def go() -> tuple[int, int, bool]:
        task = asyncio.create_task(compute.run(work))
        while not started.is_set():  # bounded by the test's timeout; no time is asserted
            await asyncio.sleep(0.001)
        task.cancel()
        for _ in range(20):
            await asyncio.sleep(0)
        held_while_running = compute._pool().slots.borrowed_tokens
        finished_early = task.done()
        release.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, HANG_GUARD)
        return held_while_running, compute._pool().slots.borrowed_tokens, finished_early

    held, after, finished_early = asyncio.run(go())
    assert (held, after, finished_early) == (1, 0, False)


def test_an_error_of_the_work_reaches_the_request():
    compute = Compute(Settings(compute_slots=1))

    def work() -> None:
        raise engine.ExpressionError("no", code="test")

    for inline in (False, True):
        with pytest.raises(engine.ExpressionError):
            asyncio.run(compute.run(work, inline=inline))
