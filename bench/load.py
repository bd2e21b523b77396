"""A load generator for a Slopescope server on this machine.

    python -m bench.load --url http://127.0.0.1:8000 --clients 16 --seconds 20
    python -m bench.load --start-server --clients 16 --seconds 20
    python -m bench.load --replicas 2 --clients 16 --seconds 20   # through nginx

Each of ``--clients`` threads holds one keep-alive ``httpx.Client`` and sends, back to
back, a realistic mix of requests (gradient, field n=100, descent 1,000 steps, tangent,
graph) until ``--seconds`` have passed or ``--max-requests`` have been sent in all.
Meanwhile one more thread samples ``GET /healthz`` every ``--health-interval`` seconds.
Every request has a timeout, so a run ends within ``--seconds`` + ``--timeout``.

Traffic goes only to the URL given, and only to a loopback host (``localhost``,
127.0.0.0/8, ``::1``): any other host is refused.  ``--start-server`` starts
``python -m app`` on a free port of 127.0.0.1 for the run and stops it (SIGTERM) after
(:class:`bench.server.LocalServer`).  ``--replicas N`` starts N of them and Debian's
nginx in front (:class:`bench.server.LocalBalancer`, the shipped ``deploy/nginx``
configuration) and sends the load through nginx; the report then says how many
requests each replica answered.

The report gives requests/s, latency percentiles (p50/p95/p99, overall and per kind),
counts by status and the ``/healthz`` latency during the run.  The exit code is 1 when
any answer was a 5xx other than 503 or a request failed without an answer (a timeout,
a reset connection), else 0.

>>> loopback_host("http://127.0.0.1:8000"), loopback_host("http://[::1]:80/")
('127.0.0.1', '::1')
>>> percentile([1.0, 2.0, 3.0, 4.0], 50), percentile([], 99)
(2.0, None)
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import math
import random
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from .server import LocalBalancer, LocalServer


class NotLoopback(ValueError):
    """The URL's host is not this machine."""


def loopback_host(url: str) -> str:
    """The host of ``url`` if it is a loopback address or ``localhost``; else raise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise NotLoopback(f"only http:// or https:// URLs are supported, not {url!r}")
    host = parts.hostname or ""
    if host == "localhost":
        return host
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise NotLoopback(
            f"{host!r} is not a loopback address: this tool only sends load to this "
            "machine (localhost, 127.0.0.0/8, ::1)") from None
    if not address.is_loopback:
        raise NotLoopback(
            f"{host} is not a loopback address: this tool only sends load to this "
            "machine (localhost, 127.0.0.0/8, ::1)")
    return host


# --- the mix ------------------------------------------------------------------------

ROSENBROCK = "(1 - x)**2 + 100*(y - x**2)**2"
HIMMELBLAU = "(x**2 + y - 11)**2 + (x + y**2 - 7)**2"


@dataclass(frozen=True)
class Kind:
    """One kind of request in the mix, chosen with probability ∝ ``weight``."""

    name: str
    path: str
    weight: int
    bodies: tuple[dict[str, Any], ...]


MIX: tuple[Kind, ...] = (
    Kind("gradient", "/gradient", 30, (
        {"expr": "x**2 + y**2", "point": [3, 4], "method": "central", "h": 1e-4},
        {"expr": "sin(x)*exp(y)", "point": {"x": 1, "y": 0}},
        {"expr": ROSENBROCK, "point": [-1.5, 2], "method": "richardson"},
        {"expr": "exp(x)", "point": 1, "method": "complex-step"},
        {"expr": HIMMELBLAU, "point": [1, 1], "method": "dual"},
    )),
    Kind("tangent", "/tangent", 20, (
        {"expr": "3*x**2 - 4*x", "point": 1, "secants": [0.1, 0.01, 0.001]},
        {"expr": "x**2 + y**2", "point": [3, 4]},
    )),
    Kind("graph", "/graph", 15, (
        {"expr": "(2*x**2 + 2*y) / 4", "point": [1, 2]},
        {"expr": ROSENBROCK, "point": [0.5, 0.5]},
    )),
    Kind("field", "/field", 15, (
        {"expr": "x**2 + y**2", "x_range": [-2, 2], "y_range": [-2, 2], "n": 100},
        {"expr": HIMMELBLAU, "x_range": [-5, 5], "y_range": [-5, 5], "n": 100},
        {"expr": "sin(x)*cos(y)", "x_range": [-3, 3], "y_range": [-3, 3], "n": 100},
    )),
    Kind("descent", "/descent", 20, (
        {"expr": ROSENBROCK, "start": [-1.5, 2], "lr": 0.001, "steps": 1000,
         "optimizer": "adam"},
        {"expr": "x**2 + y**2", "start": [-3, 4], "lr": 0.1, "steps": 1000,
         "optimizer": "momentum"},
        {"expr": HIMMELBLAU, "start": [0, 0], "lr": 0.01, "steps": 1000},
    )),
)


# --- measuring ----------------------------------------------------------------------

@dataclass
class Sample:
    kind: str
    status: str  # "200", "503", ... or "error:ReadTimeout"
    seconds: float


@dataclass
class Run:
    samples: list[Sample] = field(default_factory=list)
    health: list[float] = field(default_factory=list)
    health_failures: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile ``q`` (0-100) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def _client_loop(url: str, seed: int, stop_at: float, budget: Iterator[int],
                 lock: threading.Lock, timeout: float, run: Run) -> None:
    rng = random.Random(seed)
    weights = [kind.weight for kind in MIX]
    mine: list[Sample] = []
    with httpx.Client(base_url=url, timeout=timeout) as client:
        while time.monotonic() < stop_at:
            with lock:
                if next(budget, None) is None:
                    break
            kind = rng.choices(MIX, weights)[0]
            body = rng.choice(kind.bodies)
            start = time.perf_counter()
            try:
                response = client.post(kind.path, json=body)
                response.read()
                status = str(response.status_code)
            except httpx.HTTPError as exc:
                status = f"error:{type(exc).__name__}"
            mine.append(Sample(kind.name, status, time.perf_counter() - start))
    with lock:
        run.samples.extend(mine)


def _health_loop(url: str, interval: float, stop: threading.Event, run: Run) -> None:
    with httpx.Client(base_url=url, timeout=10.0) as client:
        while not stop.is_set():
            start = time.perf_counter()
            try:
                response = client.get("/healthz")
                if response.status_code == 200:
                    run.health.append(time.perf_counter() - start)
                else:
                    run.health_failures[str(response.status_code)] += 1
            except httpx.HTTPError as exc:
                run.health_failures[f"error:{type(exc).__name__}"] += 1
            stop.wait(interval)


def run_load(url: str, clients: int = 16, seconds: float = 20.0, max_requests: int = 100_000,
             timeout: float = 30.0, health_interval: float = 0.1, seed: int = 0) -> Run:
    """Send the mix to ``url`` (a loopback URL) and collect every sample."""
    loopback_host(url)
    run = Run()
    lock = threading.Lock()
    budget = iter(range(max_requests))
    stop_health = threading.Event()
    started = time.monotonic()
    stop_at = started + seconds
    workers = [
        threading.Thread(target=_client_loop, name=f"load-{i}",
                         args=(url, seed + i, stop_at, budget, lock, timeout, run), daemon=True)
        for i in range(clients)
    ]
    health = threading.Thread(target=_health_loop, name="load-health",
                              args=(url, health_interval, stop_health, run), daemon=True)
    health.start()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(seconds + timeout + 10)
    run.elapsed = time.monotonic() - started
    stop_health.set()
    health.join(15)
    return run


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) that process ``pid`` and its live children have used."""
    import os
    from pathlib import Path

    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
    return total


def per_core(requests: int, pids: Sequence[int], before: float) -> str:
    """Requests per second of server CPU time since ``before`` (their CPU seconds then):
    what one core serves, however busy the machine was with other work."""
    used = sum(cpu_seconds(pid) for pid in pids) - before
    if used <= 0:
        return "  server CPU    not measured"
    return (f"  server CPU    {used:.1f} s for {requests} requests: "
            f"{requests / used:.0f} requests per CPU-second (one core's capacity)")


@contextmanager
def balanced(replicas: int, env: Mapping[str, str] | None = None
             ) -> Iterator[tuple[list[LocalServer], LocalBalancer]]:
    """``replicas`` servers on 127.0.0.1 (with ``env`` settings) and nginx in front of
    them; everything is stopped on leaving."""
    with ExitStack() as stack:
        servers = [stack.enter_context(LocalServer(env=env)) for _ in range(replicas)]
        balancer = stack.enter_context(
            LocalBalancer([f"{server.host}:{server.port}" for server in servers]))
        yield servers, balancer


# --- reporting ----------------------------------------------------------------------

def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.1f} ms"


def bad_statuses(run: Run) -> dict[str, int]:
    """Answers that make the run fail: 5xx other than 503, and requests with no answer."""
    counts = Counter(sample.status for sample in run.samples)
    return {status: count for status, count in counts.items()
            if status.startswith("error:") or (status.startswith("5") and status != "503")}


def summary(run: Run) -> dict[str, Any]:
    """The run's figures as a JSON-ready dict."""
    latencies = [s.seconds for s in run.samples]
    per_kind = {}
    for kind in MIX:
        mine = [s.seconds for s in run.samples if s.kind == kind.name]
        per_kind[kind.name] = {
            "requests": len(mine),
            "p50": percentile(mine, 50), "p95": percentile(mine, 95),
            "p99": percentile(mine, 99),
        }
    return {
        "requests": len(run.samples),
        "seconds": run.elapsed,
        "requests_per_second": len(run.samples) / run.elapsed if run.elapsed else 0.0,
        "latency": {"p50": percentile(latencies, 50), "p95": percentile(latencies, 95),
                    "p99": percentile(latencies, 99), "max": max(latencies, default=None)},
        "statuses": dict(sorted(Counter(s.status for s in run.samples).items())),
        "per_kind": per_kind,
        "healthz": {"samples": len(run.health), "p50": percentile(run.health, 50),
                    "p95": percentile(run.health, 95), "max": max(run.health, default=None),
                    "failures": dict(run.health_failures)},
        "bad": bad_statuses(run),
    }


def format_report(data: dict[str, Any], url: str, clients: int) -> str:
    lat, health = data["latency"], data["healthz"]
    lines = [
        f"load: {clients} clients against {url} for {data['seconds']:.1f} s",
        f"  requests      {data['requests']}  ({data['requests_per_second']:.1f} req/s)",
        f"  latency       p50 {_ms(lat['p50'])}  p95 {_ms(lat['p95'])}  "
        f"p99 {_ms(lat['p99'])}  max {_ms(lat['max'])}",
        "  statuses      " + ", ".join(f"{k}: {v}" for k, v in data["statuses"].items()),
    ]
    for name, kind in data["per_kind"].items():
        lines.append(f"  {name:<13} {kind['requests']:>6}  p50 {_ms(kind['p50'])}  "
                     f"p95 {_ms(kind['p95'])}  p99 {_ms(kind['p99'])}")
    lines.append(f"  /healthz      {health['samples']} samples  p50 {_ms(health['p50'])}  "
                 f"p95 {_ms(health['p95'])}  max {_ms(health['max'])}"
                 + (f"  failures {health['failures']}" if health["failures"] else ""))
    verdict = "FAIL: " + str(data["bad"]) if data["bad"] else "ok: no 5xx other than 503"
    lines.append(f"  verdict       {verdict}")
    return "\n".join(lines)


# --- command line -------------------------------------------------------------------

def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load",
        description="Send a realistic mix of requests to a Slopescope server on this "
                    "machine and report throughput and latency.")
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--url", default="http://127.0.0.1:8000",
                        help="server to load; loopback hosts only (default %(default)s)")
    target.add_argument("--start-server", action="store_true",
                        help="start a server on a free port of 127.0.0.1 for the run")
    target.add_argument("--replicas", type=int, default=0,
                        help="start this many servers and nginx in front, and load nginx")
    parser.add_argument("--clients", type=int, default=16,
                        help="concurrent clients (1-256, default %(default)s)")
    parser.add_argument("--seconds", type=float, default=20.0,
                        help="how long to send (0-600, default %(default)s)")
    parser.add_argument("--max-requests", type=int, default=100_000,
                        help="most requests in all (default %(default)s)")
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="per-request timeout in seconds (default %(default)s)")
    parser.add_argument("--health-interval", type=float, default=0.1,
                        help="seconds between /healthz samples (default %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the request mix")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 256:
        parser.error("--clients must be 1-256")
    if not 0 < args.seconds <= 600:
        parser.error("--seconds must be in (0, 600]")
    if args.max_requests < 1:
        parser.error("--max-requests must be at least 1")
    if not 0 < args.timeout <= 300:
        parser.error("--timeout must be in (0, 300]")
    if not 0 < args.health_interval <= 10:
        parser.error("--health-interval must be in (0, 10]")
    if not 0 <= args.replicas <= 16:
        parser.error("--replicas must be 0-16")
    if not args.start_server and not args.replicas:
        try:
            loopback_host(args.url)
        except NotLoopback as exc:
            parser.error(str(exc))
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)

    def go(url: str) -> int:
        run = run_load(url, args.clients, args.seconds, args.max_requests, args.timeout,
                       args.health_interval, args.seed)
        data = summary(run)
        print(json.dumps(data, indent=2) if args.json
              else format_report(data, url, args.clients), flush=True)
        return 1 if data["bad"] else 0

    def measured(url: str, servers: Sequence[LocalServer]) -> int:
        pids = [server.process.pid for server in servers if server.process is not None]
        before = sum(cpu_seconds(pid) for pid in pids)
        run = run_load(url, args.clients, args.seconds, args.max_requests, args.timeout,
                       args.health_interval, args.seed)
        data = summary(run)
        if args.json:
            print(json.dumps(data, indent=2), flush=True)
        else:
            print(format_report(data, url, args.clients), flush=True)
            print(per_core(data["requests"] + len(run.health), pids, before), flush=True)
        return 1 if data["bad"] else 0

    if args.replicas:
        with balanced(args.replicas) as (servers, balancer):
            code = measured(balancer.url, servers)
            counts = balancer.upstream_counts()
            print("  replicas      " + ", ".join(
                f"{server.url}: {counts.get(f'{server.host}:{server.port}', 0)}"
                for server in servers), flush=True)
            return code
    if args.start_server:
        with LocalServer() as server:
            return measured(server.url, [server])
    return go(args.url.rstrip("/"))


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["MIX", "NotLoopback", "Run", "bad_statuses", "balanced", "cpu_seconds",
           "format_report", "loopback_host", "main", "per_core", "percentile", "run_load",
           "summary"]
