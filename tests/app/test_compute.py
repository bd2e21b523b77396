"""The compute limiter: 503 with Retry-After when slots stay busy; /healthz never waits."""

from __future__ import annotations

import threading
import time

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


def test_busy_slots_give_503_with_retry_after(make_api):
    api = make_api(compute_slots=1, slot_wait=0.2, retry_after=3)
    release = threading.Event()
    holder = _hold_slot(api, release)
    try:
        start = time.perf_counter()
        response = api.raw("/gradient", '{"expr": "x", "point": 1}')
        assert response.status_code == 503
        assert response.headers["retry-after"] == "3"
        assert "compute_slots" in response.json()["detail"]
        assert time.perf_counter() - start < 2
        # /healthz does not wait for a slot
        start = time.perf_counter()
        assert api.client.get("/healthz").json() == {"status": "ok"}
        assert time.perf_counter() - start < 0.5
    finally:
        release.set()
        holder.result(5)
    assert api.raw("/gradient", '{"expr": "x", "point": 1}').status_code == 200


def test_requests_wait_for_a_slot_within_slot_wait(make_api):
    api = make_api(compute_slots=1, slot_wait=5)
    release = threading.Event()
    holder = _hold_slot(api, release)
    timer = threading.Timer(0.3, release.set)
    timer.start()
    try:
        response = api.raw("/gradient", '{"expr": "x", "point": 1}')
        assert response.status_code == 200
    finally:
        release.set()
        holder.result(5)
        timer.cancel()


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
