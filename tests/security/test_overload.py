"""Overload against a real server: answers, never a hang; /healthz stays quick.

Servers are ``python -m app`` subprocesses on 127.0.0.1 with two compute slots; clients
are threads with bounded timeouts.  A heavy request here is a 400x400 /field of a
316-node expression (a 9 MB answer) or a /descent at the steps x (nodes + variables)
budget (each most of a second on one core).
"""

from __future__ import annotations

import threading
import time

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


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


class HealthProbe:
    """Samples GET /healthz every 50 ms in a thread until stopped."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(timeout=10) as client:
            while not self._stop.is_set():
                start = time.perf_counter()
                try:
                    response = client.get(self.url + "/healthz")
                    if response.status_code == 200:
                        self.latencies.append(time.perf_counter() - start)
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


def _fire(url: str, requests: list[tuple[str, dict]]) -> list[tuple[str, int, float, dict]]:
    """Send every request at once from its own thread; (path, status, seconds, json)."""
    results: list[tuple[str, int, float, dict]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(requests))

    def one(path: str, body: dict) -> None:
        barrier.wait(10)
        start = time.perf_counter()
        try:
            response = httpx.post(url + path, json=body, timeout=CLIENT_TIMEOUT)
            outcome = (path, response.status_code, time.perf_counter() - start,
                       {"json": response.json(), "headers": dict(response.headers)})
        except httpx.HTTPError as exc:
            outcome = (path, -1, time.perf_counter() - start, {"error": repr(exc)})
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=one, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(CLIENT_TIMEOUT + 15)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    return results


def test_20_heavy_requests_get_answers_and_healthz_stays_quick(start_server):
    slot_wait = 2.0
    server = start_server(compute_slots=2, slot_wait=slot_wait, retry_after=2)
    requests = [HEAVY[i % 2] for i in range(20)]
    started = time.perf_counter()
    with HealthProbe(server.url) as probe:
        results = _fire(server.url, requests)
    elapsed = time.perf_counter() - started
    assert len(results) == 20
    statuses = sorted(status for _, status, _, _ in results)
    for path, status, seconds, answer in results:
        assert status in (200, 503, 422), (path, status, answer)
        if status == 503:
            assert answer["headers"]["retry-after"] == "2"
            assert "compute_slots" in answer["json"]["detail"]
            assert seconds < slot_wait + 3, seconds  # fast: the wait, then the refusal
        if status == 422:  # only the time limit may refuse a schema-valid heavy request
            assert answer["json"]["detail"][0]["type"] == "deadline_exceeded", answer
    assert statuses.count(200) >= 2, statuses  # the slots did work
    assert elapsed < 30, elapsed
    assert not probe.failures, probe.failures
    assert len(probe.latencies) >= 10
    p95 = _percentile(probe.latencies, 95)
    print(f"\n20 heavy: statuses {statuses}, {elapsed:.1f} s; /healthz "
          f"{len(probe.latencies)} samples p50 {_percentile(probe.latencies, 50) * 1000:.0f} ms "
          f"p95 {p95 * 1000:.0f} ms max {max(probe.latencies) * 1000:.0f} ms")
    assert p95 < 1.0, p95
    assert max(probe.latencies) < 2.0
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
    server = start_server(deadline=1.5)
    body = {"expr": "sin(x)*cos(y) + x**2", "start": [1, 1], "steps": 100_000,
            "method": "richardson", "lr": 1e-9, "max_points": 2}
    start = time.perf_counter()
    response = httpx.post(server.url + "/descent", json=body, timeout=CLIENT_TIMEOUT)
    seconds = time.perf_counter() - start
    assert response.status_code == 422, response.text[:300]
    item = response.json()["detail"][0]
    assert item["type"] == "deadline_exceeded" and "deadline" in item["msg"]
    assert 1.4 < seconds < 1.5 + 2.0, seconds
    assert server.stop()[0] == 0
