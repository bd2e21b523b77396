"""SIGTERM while requests are in flight and then queue for the only compute slot.

tests/app/test_server.py holds the canonical test (one in-flight request completes and
the process exits 0); this one holds three requests in flight on a server with one
compute slot when SIGTERM arrives, then lets their bodies go: they queue for the slot
during the shutdown, and all three are answered before the process exits 0.

"In flight" is an event, not a delay: each request asks for ``100 Continue``, which
uvicorn sends once the app reads its body (:class:`tests.held_request.HeldRequest`).
"""

from __future__ import annotations

import signal

import httpx
import pytest

from tests.held_request import HeldRequest

pytestmark = pytest.mark.server

BODY = {"expr": " + ".join(f"sin({k}*x)*cos({k}*y)" for k in range(1, 46)),
        "start": [1, 1], "steps": 5_000_000 // (316 + 2), "max_points": 2}  # ~0.8 s of work


def test_sigterm_lets_queued_requests_finish(start_server):
    server = start_server(compute_slots=1, slot_wait=20)
    held = [HeldRequest(server.host, server.port, "/descent", BODY).open() for _ in range(3)]
    try:
        server.process.send_signal(signal.SIGTERM)
        for request in held:  # one computes, the other two wait for the slot
            request.send_body()
        answers = [request.response() for request in held]
    finally:
        for request in held:
            request.close()
    assert [status for status, _ in answers] == [200, 200, 200], answers
    assert all(answer["steps"] == BODY["steps"] for _, answer in answers)
    assert server.process.wait(60) == 0
    code, output = server.stop()
    assert code == 0, output
    with pytest.raises(httpx.ConnectError):  # and it is gone
        httpx.get(server.url + "/healthz", timeout=2)
