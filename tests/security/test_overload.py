"""Overload against a real server: answers, never a hang; /healthz keeps answering.

Servers are ``python -m app`` subprocesses on 127.0.0.1 with two compute slots; clients
are threads with bounded timeouts.  A heavy request here is a 400x400 /field of a
316-node expression (a 9 MB answer) or a /descent at the steps x (nodes + variables)
budget (each most of a second on one core).

No clock is asserted on: what is checked is what each request was answered and in
which order things happened.  Latencies under load are what ``python -m bench.load``
reports.
"""

from __future__ import annotations

import threading

import httpx
import pytest

pytestmark = pytest.mark.server

CLIENT_TIMEOUT = 40.0
BIG = " + ".join(f"sin({k}*x)*cos({k}*y)" for k in range(1, 46))  # 316 nodes
HEAVY = [
    ("/field", {"expr": BIG, "x_range": [-3, 3], "y_range": [-3, 3], "n": 400}),
    ("/descent", {"expr": BIG, "start": [1, 1], "steps": 5_000_000 // (316 + 2),
                  "max_points": 2}),
]


class HealthProbe:
    """Asks GET /healthz about every 50 ms in a thread until stopped; records each answer
    in ``events`` (shared with the heavy requests, so the order shows)."""

    def __init__(self, url: str, events: list[str], lock: threading.Lock) -> None:
        self.url = url
        self.events = events
        self.lock = lock
        self.answers = 0
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(timeout=10) as client:
            while not self._stop.is_set():
                try:
                    response = client.get(self.url + "/healthz")
                    if response.status_code == 200:
                        self.answers += 1
                        with self.lock:
                            self.events.append("healthz")
                    else:
                        self.failures.append(str(response.status_code))
                except httpx.HTTPError as exc:
                    self.failures.append(type(exc).__name__)
                self._stop.wait(0.05)

    def __enter__(self) -> HealthProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(15)


def _fire(url: str, requests: list[tuple[str, dict]], events: list[str],
          lock: threading.Lock) -> list[tuple[str, int, dict]]:
    """Send every request at once from its own thread; (path, status, json)."""
    results: list[tuple[str, int, dict]] = []
    barrier = threading.Barrier(len(requests))

    def one(path: str, body: dict) -> None:
        barrier.wait(10)
        try:
            response = httpx.post(url + path, json=body, timeout=CLIENT_TIMEOUT)
            outcome = (path, response.status_code,
                       {"json": response.json(), "headers": dict(response.headers)})
        except httpx.HTTPError as exc:
            outcome = (path, -1, {"error": repr(exc)})
        with lock:
            results.append(outcome)
            events.append(f"{path} {outcome[1]}")

    threads = [threading.Thread(target=one, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(CLIENT_TIMEOUT + 15)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    return results


def test_20_heavy_requests_get_answers_and_healthz_keeps_answering(start_server):
    server = start_server(compute_slots=2, slot_wait=2.0, retry_after=2)
    requests = [HEAVY[i % 2] for i in range(20)]
    events: list[str] = []
    lock = threading.Lock()
    with HealthProbe(server.url, events, lock) as probe:
        results = _fire(server.url, requests, events, lock)
    assert len(results) == 20
    statuses = sorted(status for _, status, _ in results)
    for path, status, answer in results:
        assert status in (200, 503, 422), (path, status, answer)
        if status == 503:  # gave up waiting for a slot, and says so
            assert answer["headers"]["retry-after"] == "2"
            assert "compute_slots" in answer["json"]["detail"]
        if status == 422:  # only the time limit may refuse a schema-valid heavy request
            assert answer["json"]["detail"][0]["type"] == "deadline_exceeded", answer
    assert statuses.count(200) >= 2, statuses  # the slots did work
    assert not probe.failures, probe.failures
    # /healthz was answered while the heavy requests were still being answered
    answered = [k for k, e in enumerate(events) if e != "healthz"]
    assert "healthz" in events[answered[0]:answered[-1]], events
    assert server.healthy()
    assert server.stop()[0] == 0


ORDINARY = [
    ("/gradient", {"expr": "x**2 + y**2", "point": [3, 4], "method": "central", "h": 1e-4}),
    ("/gradient", {"expr": "sin(x)*exp(y)", "point": {"x": 1, "y": 0}}),
    ("/tangent", {"expr": "3*x**2 - 4*x", "point": 1}),
    ("/graph", {"expr": "(2*x**2 + 2*y) / 4", "point": [1, 2]}),
    ("/field", {"expr": "x**2 + y**2", "x_range": [-2, 2], "y_range": [-2, 2], "n": 50}),
    ("/descent", {"expr": "(1 - x)**2 + 100*(y - x**2)**2", "start": [-1.5, 2], "lr": 0.001,
                  "steps": 500, "optimizer": "adam"}),
    ("/steps", {"expr": "exp(x)", "point": 1}),
]


def test_ordinary_load_never_sees_a_503(real_server):
    statuses: list[int] = []
    lock = threading.Lock()

    def client_loop(offset: int) -> None:
        with httpx.Client(base_url=real_server.url, timeout=CLIENT_TIMEOUT) as http:
            for i in range(20):
                path, body = ORDINARY[(offset + i) % len(ORDINARY)]
                status = http.post(path, json=body).status_code
                with lock:
                    statuses.append(status)

    threads = [threading.Thread(target=client_loop, args=(k,)) for k in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(CLIENT_TIMEOUT * 2)
    assert statuses == [200] * 120, sorted(set(statuses))


def test_the_deadline_bounds_a_long_computation(start_server):
    """The deadline setting reaches the server and stops a descent that would take many
    seconds; the answer names the setting and its value.  (When the engine looks at the
    deadline is tested with counted fakes in tests/engine/test_work_bounds.py.)"""
    server = start_server(deadline=0.3)
    body = {"expr": "sin(x)*cos(y) + x**2", "start": [1, 1], "steps": 100_000,
            "method": "richardson", "lr": 1e-9, "max_points": 2}
    response = httpx.post(server.url + "/descent", json=body, timeout=CLIENT_TIMEOUT)
    assert response.status_code == 422, response.text[:300]
    item = response.json()["detail"][0]
    assert item["type"] == "deadline_exceeded" and "deadline" in item["msg"]
    assert item["ctx"] == {"limit": "deadline", "seconds": 0.3}
    assert server.stop()[0] == 0
