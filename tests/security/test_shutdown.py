"""SIGTERM while requests are queued for a compute slot.

tests/app/test_server.py holds the canonical test (one in-flight request completes and
the process exits 0); this one adds requests that are still *waiting* for the only
compute slot when SIGTERM arrives: they too are answered, and the exit code is 0.
"""

from __future__ import annotations

import threading
import time

import httpx
import pytest

pytestmark = pytest.mark.server

BODY = {"expr": " + ".join(f"sin({k}*x)*cos({k}*y)" for k in range(1, 46)),
        "start": [1, 1], "steps": 5_000_000 // (316 + 2), "max_points": 2}  # ~0.8 s of work


def test_sigterm_lets_queued_requests_finish(start_server):
    server = start_server(compute_slots=1, slot_wait=20)
    results: list[int | str] = []
    lock = threading.Lock()

    def call() -> None:
        try:
            status: int | str = httpx.post(server.url + "/descent", json=BODY,
                                           timeout=60).status_code
        except httpx.HTTPError as exc:
            status = type(exc).__name__
        with lock:
            results.append(status)

    threads = [threading.Thread(target=call) for _ in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(0.4)  # one computing, two waiting for the slot
    start = time.perf_counter()
    code, output = server.stop(timeout=40)
    for thread in threads:
        thread.join(60)
    assert results == [200, 200, 200], (results, output)
    assert code == 0, output
    assert time.perf_counter() - start < 30
    with pytest.raises(httpx.ConnectError):  # and it is gone
        httpx.get(server.url + "/healthz", timeout=2)
