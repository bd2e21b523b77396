"""The compute limiter: 503 with Retry-After when slots stay busy; /healthz never waits.

No clock is asserted on: a slot is held by a task that waits on an event, so what the
tests see follows from the order of events alone.
"""

from __future__ import annotations

import threading

import anyio


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
