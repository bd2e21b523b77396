"""HTTP: a real uvicorn server on 127.0.0.1 (a free port, a subprocess), one client.

* ``/field`` n=400 end to end (request, compute, JSON, response) against the engine's
  own time for the same field, in this process, in the same rounds;
* ``/gradient`` single-point throughput against ``/healthz`` throughput: the same
  ``httpx.Client`` (keep-alive), sequential, a bounded number of requests per sample;
* the same two throughputs on uvicorn's standard extras (httptools' parser, uvloop's
  event loop: the default when installed) and on the pure-Python stack (h11, asyncio),
  two servers side by side in the same rounds;
* issue 15's wire: ``/descent`` (10,000 Rosenbrock steps, ``"encoding": "typed"``) end to
  end against the bare hand-written loop (:mod:`bench.descent`), and ``/field`` n=200
  typed end to end against the engine's own time and against the textbook's per-point
  loop (:mod:`bench.fields`, timed on a subsample and scaled), for every bench function;
* the floor under each ``/field`` figure: the same request sent to a server on the same
  stack with no application in it (:mod:`bench.floor`), answering as many bytes as
  ``/field`` did -- what no server can go below for that answer with this client on this
  machine; the report gives the floor against the engine's time and what is left
  above it (``POST /field`` minus the floor) against the engine's time;
* peak memory for a 1000x1000 field (engine, in a fresh subprocess: tracemalloc peak
  and the growth of the peak RSS) against the bytes of the arrays returned;
* the JSON body of an n=400 field (``ModelResponse(FieldResponse.of(...))``: orjson from
  the numpy arrays, NaN as null) against ``json.dumps`` of the same arrays as Python
  lists, the per-element way (in this process, no server).

The server is ``python -m app`` (:class:`bench.server.LocalServer`); requests go to
127.0.0.1 only.  A configuration with ``server`` off skips the HTTP parts with a note;
the memory part needs only the engine.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import engine

from .config import Config
from .functions import FUNCTIONS, RANGE
from .report import Section, Target, table
from .server import HOST, LocalServer
from .timing import Case, Ratio, Samples, fmt_bytes, fmt_ratio, fmt_seconds, interleaved, ratio

__all__ = ["run_http", "peak_memory"]

ROOT = Path(__file__).resolve().parent.parent
_REQUEST_TIMEOUT = 60.0
_STOP_TIMEOUT = 10.0
#: The server with no application (bench/floor.py), on the same stack as ``python -m app``.
FLOOR_COMMAND = (sys.executable, "-m", "bench.floor")


def _floor_server() -> LocalServer:
    return LocalServer(command=FLOOR_COMMAND, stop_timeout=_STOP_TIMEOUT)


def _above_floor(http: Samples, floor: Samples, engine_time: Samples) -> Ratio:
    """``(http - floor) / engine`` per round: the application's own part of a round trip
    (validation, the compute hand-off, the engine, encoding) against the engine alone."""
    return Ratio(tuple((h - f) / e for h, f, e in
                       zip(http.times, floor.times, engine_time.times, strict=True)))


def _floor_note(floor: Ratio, above: Ratio, limit: float) -> str:
    """The note of a "≤ limit × the engine" target: where the floor lies and what is left."""
    reach = (f"out of reach over HTTP: the floor alone is {floor.median:.3g}× the engine"
             if floor.median > limit else f"floor {floor.median:.3g}× the engine")
    return f"{reach}; above the floor {fmt_ratio(above)}"


_MEMORY_SCRIPT = """
import json, sys, tracemalloc
import engine


def high_water():  # VmHWM: ru_maxrss would include the parent's RSS inherited at fork
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

expr = engine.parse(sys.argv[1])
n, mode = int(sys.argv[2]), sys.argv[3]
engine.gradient_field(expr, (-2, 2), (-2, 2), nx=8)   # imports and first-use caches
before = high_water()
if mode == "tracemalloc":
    tracemalloc.start()
field = engine.gradient_field(expr, (-2, 2), (-2, 2), nx=n)
peak = tracemalloc.get_traced_memory()[1] if mode == "tracemalloc" else 0
growth = high_water() - before
returned = sum(a.nbytes for a in (field.x, field.y, field.z, field.u, field.v) if a is not None)
print(json.dumps({"peak": peak, "rss_growth": growth, "returned": returned}))
"""


def _run_memory_script(text: str, n: int, mode: str) -> dict[str, int]:
    done = subprocess.run([sys.executable, "-c", _MEMORY_SCRIPT, text, str(n), mode], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def peak_memory(text: str, n: int) -> dict[str, int]:
    """One ``n x n`` field in fresh subprocesses: the tracemalloc peak (one process) and
    the growth of the peak RSS without tracing (another), with the bytes returned."""
    traced = _run_memory_script(text, n, "tracemalloc")
    untraced = _run_memory_script(text, n, "rss")
    return {"peak": traced["peak"], "rss_growth": untraced["rss_growth"],
            "returned": traced["returned"]}


def _memory(section: Section, config: Config) -> None:
    n = config.memory_n
    rows = []
    worst = 0.0
    for fn in list(FUNCTIONS.values())[: config.memory_functions]:
        found = peak_memory(fn.text, n)
        share = found["peak"] / found["returned"]
        worst = max(worst, share, found["rss_growth"] / found["returned"])
        rows.append([fn.label, fmt_bytes(found["returned"]), fmt_bytes(found["peak"]),
                     f"{share:.2f}×", fmt_bytes(found["rss_growth"]),
                     f"{found['rss_growth'] / found['returned']:.2f}×"])
    section.body += ["", f"Peak memory of one {n}×{n} field (engine, fresh subprocess):", ""]
    section.body += table(["function", "arrays returned", "tracemalloc peak", "peak / returned",
                           "peak RSS growth (VmHWM)", "growth / returned"], rows)
    section.targets.append(Target(
        f"peak memory for a {n}×{n} field ≤ 3× the arrays returned",
        f"{worst:.2f}× (worst of {len(rows)} functions and both measures)",
        worst <= 3.0 if n >= 1000 else None,
        note="" if n >= 1000 else f"measured at {n}×{n} only"))
    section.notes.append("The memory figure is the engine's `gradient_field` alone; the HTTP "
                         "contract caps /field at 400 per axis, so a 1000×1000 field is not "
                         "requested over HTTP.")


def _json_body(section: Section, config: Config) -> None:
    """The response body of a field: built from the arrays, not element by element."""
    from app.responses import ModelResponse
    from app.schemas import FieldResponse

    fn = FUNCTIONS["mix"]
    n = config.field_n_http
    field = engine.gradient_field(engine.parse(fn.text), RANGE, RANGE, nx=n)
    reply = FieldResponse.of(field)

    def per_element() -> Any:
        return json.dumps({name: getattr(field, name).tolist()
                           for name in ("x", "y", "z", "u", "v")}).encode("ascii")

    times = interleaved({"ModelResponse (orjson from numpy)": Case(lambda: ModelResponse(reply)),
                         "json.dumps of lists": Case(per_element)},
                        max(config.rounds, 5), config.target)
    r_json = ratio(times["ModelResponse (orjson from numpy)"], times["json.dumps of lists"])
    size = len(ModelResponse(reply).body)
    section.body += ["", f"The JSON body of a {n}×{n} field ({fn.label}, "
                         f"{fmt_bytes(size)}), in this process:", ""]
    section.body += table(["what", "median time"], [[k, fmt_seconds(s.median)]
                                                    for k, s in times.items()])
    section.targets.append(Target(
        f"JSON body of an n={n} field ≤ 0.2× json.dumps of the same lists", fmt_ratio(r_json),
        r_json.median <= 0.2 if n >= 400 else None,
        note="" if n >= 400 else f"measured at n={n} only"))


def run_http(config: Config) -> Section:
    section = Section("HTTP (uvicorn on 127.0.0.1, one sequential httpx client)")
    _memory(section, config)
    _json_body(section, config)
    names = ("/field n=400 end to end ≤ 2× the engine's own time",
             "/gradient throughput ≥ 50% of /healthz throughput",
             f"/descent {config.descent_steps:,} steps end to end (typed) ≤ {_DESCENT_TARGET}× "
             "the bare hand-written loop",
             *(f"/field n={_TYPED_N} typed ({fn.label}): {what}"
               for fn in FUNCTIONS.values() for what in _FIELD_TARGETS))
    if not config.server:
        why = "the server is turned off in this configuration"
        section.notes.append(f"HTTP timings skipped: {why}.")
        section.targets += [Target(name, "not measured", None, note=why) for name in names]
        return section
    try:
        _measure(section, config)
        _typed(section, config)
        _stacks(section, config)
    except Exception as exc:  # the app exists but does not serve: report, do not hide it
        section.notes.append(f"HTTP timings failed: {type(exc).__name__}: {exc}")
        section.targets += [Target(name, "failed", None, note=str(exc)[:200]) for name in names]
        section.failed = True
    return section


def _in_process(path: str, payload: dict[str, Any], count: int) -> Any:
    """A zero-argument call that sends ``count`` requests to the app in this process
    (httpx's ASGI transport on a fresh event loop), for profiling the server's side."""
    import asyncio

    import httpx

    from app.main import create_app

    application = create_app()

    async def go() -> None:
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{HOST}") as client:
            for _ in range(count):
                await (await client.post(path, json=payload)).aread()

    return lambda: asyncio.run(go())


def _measure(section: Section, config: Config) -> None:
    import httpx

    fn = FUNCTIONS["mix"]
    n = config.field_n_http
    expr = engine.parse(fn.text)
    body = {"expr": fn.text, "x_range": list(RANGE), "y_range": list(RANGE), "n": n}
    point = {"expr": "x**2 + y**2", "point": [3, 4]}
    count = config.http_requests
    with LocalServer(stop_timeout=_STOP_TIMEOUT) as server, _floor_server() as floor, \
            httpx.Client(base_url=server.url, timeout=_REQUEST_TIMEOUT) as client, \
            httpx.Client(base_url=floor.url, timeout=_REQUEST_TIMEOUT) as bare:
        sizes = []
        for path, payload in (("/field", body), ("/gradient", point)):
            answer = client.post(path, json=payload)
            if answer.status_code != 200:
                raise RuntimeError(f"POST {path} answered {answer.status_code}: "
                                   f"{answer.text[:200]}")
            sizes.append(len(answer.content))
        shape = [len(answer.json().get("gradient", []))]

        def http_field() -> Any:
            return client.post("/field", json=body).read()

        def floor_field() -> Any:
            return bare.post(f"/bytes/{sizes[0]}", json=body).read()

        def engine_field() -> Any:
            return engine.gradient_field(expr, RANGE, RANGE, nx=n)

        def gradients() -> None:
            for _ in range(count):
                client.post("/gradient", json=point).read()

        def health() -> None:
            for _ in range(count):
                client.get("/healthz").read()

        fields = interleaved({"POST /field": Case(http_field),
                              "floor (same bytes, no application)": Case(floor_field),
                              "engine.gradient_field": Case(engine_field)},
                             max(config.rounds, 5), config.target)
        through = interleaved({"POST /gradient": Case(gradients, number=1),
                               "GET /healthz": Case(health, number=1)},
                              max(config.rounds, 5), config.target)
    r_field = ratio(fields["POST /field"], fields["engine.gradient_field"])
    floor_field_times = fields["floor (same bytes, no application)"]
    r_floor = ratio(floor_field_times, fields["engine.gradient_field"])
    r_above = _above_floor(fields["POST /field"], floor_field_times,
                           fields["engine.gradient_field"])
    r_through = ratio(through["GET /healthz"], through["POST /gradient"])  # = tp_g / tp_h
    section.body += ["", f"`/field` ({fn.label}, n={n}, {fmt_bytes(sizes[0])} of JSON) "
                         "against the engine in this process, and the floor: the same "
                         "request to a server with no application answering as many "
                         "bytes:", ""]
    section.body += table(["what", "median time"], [[k, fmt_seconds(s.median)]
                                                    for k, s in fields.items()])
    section.body += ["", f"Throughput, {count} sequential requests per sample, keep-alive "
                         f"(gradient length {shape[0]}):", ""]
    section.body += table(["what", "requests/s (median)", "per request"], [
        [k, f"{count / s.median:.0f}", fmt_seconds(s.median / count)]
        for k, s in through.items()])
    section.profiles["http-field"] = (
        f"POST /field n={n} in this process (httpx ASGI transport; worker threads included)",
        _in_process("/field", body, 1))
    section.profiles["http-gradient"] = (
        "20 × POST /gradient in this process (httpx ASGI transport; worker threads included)",
        _in_process("/gradient", point, 20))
    section.targets.append(Target(
        f"/field n={n} end to end ≤ 2× the engine's own time", fmt_ratio(r_field),
        r_field.median <= 2.0 if n >= 400 else None,
        note=("" if n >= 400 else f"measured at n={n} only; ") + _floor_note(r_floor, r_above, 2.0),
        profile="http-field"))
    section.targets.append(Target(
        "/gradient throughput ≥ 50% of /healthz throughput",
        f"{100 * r_through.median:.0f}% ({100 * r_through.low:.0f}–"
        f"{100 * r_through.high:.0f}%)", r_through.median >= 0.5, profile="http-gradient"))


_DESCENT_TARGET = 4.0
_TYPED_N = 200
_VS_ENGINE = 2.0
_VS_TEXTBOOK = 30.0
_FIELD_TARGETS = (f"≥ {_VS_TEXTBOOK:g}× faster than the textbook per-point loop",
                  f"≤ {_VS_ENGINE:g}× the engine's own time")


def _typed(section: Section, config: Config) -> None:
    """Issue 15's wire targets, one server, interleaved rounds."""
    import httpx
    import numpy as np

    from .descent import LR, START, _bare_loop
    from .fields import _grid, _textbook

    steps, n = config.descent_steps, _TYPED_N
    rosenbrock = FUNCTIONS["rosenbrock"].text
    descent = {"expr": rosenbrock, "start": list(START), "lr": LR, "steps": steps,
               "encoding": "typed"}
    with LocalServer(stop_timeout=_STOP_TIMEOUT) as server, _floor_server() as floor, \
            httpx.Client(base_url=server.url, timeout=_REQUEST_TIMEOUT) as client, \
            httpx.Client(base_url=floor.url, timeout=_REQUEST_TIMEOUT) as bare:
        def post(path: str, body: dict[str, Any], to: httpx.Client = client) -> Any:
            answer = to.post(path, json=body)
            if answer.status_code != 200:
                raise RuntimeError(f"POST {path} answered {answer.status_code}: "
                                   f"{answer.text[:200]}")
            return answer.read()

        size = len(post("/descent", descent))
        times = interleaved({"POST /descent (typed)": Case(lambda: post("/descent", descent)),
                             "bare hand-written loop": Case(lambda: _bare_loop(steps))},
                            max(2 * config.rounds + 1, 5), config.target)
        r_descent = ratio(times["POST /descent (typed)"], times["bare hand-written loop"])
        section.body += ["", f"`/descent`, {steps:,} gd steps on Rosenbrock, typed arrays "
                             f"({fmt_bytes(size)} answer), against the bare hand-written "
                             "loop (gradient and update only):", ""]
        section.body += table(["what", "median time"], [[k, fmt_seconds(v.median)]
                                                        for k, v in times.items()])
        section.targets.append(Target(
            f"/descent {steps:,} steps end to end (typed) ≤ {_DESCENT_TARGET}× the bare "
            "hand-written loop", fmt_ratio(r_descent),
            r_descent.median <= _DESCENT_TARGET if steps >= 10_000 else None,
            note="" if steps >= 10_000 else "fewer steps than the target's 10,000"))

        X, Y = _grid(n)
        count = min(n * n, config.textbook_points)
        index = np.linspace(0, n * n - 1, count).round().astype(np.int64)
        points = np.stack([X.ravel()[index], Y.ravel()[index]], axis=1)
        rows = []
        for fn in FUNCTIONS.values():
            body = {"expr": fn.text, "x_range": list(RANGE), "y_range": list(RANGE), "n": n,
                    "encoding": "typed"}
            expr = engine.parse(fn.text)
            size = len(post("/field", body))
            cases = {
                "http": Case(functools.partial(post, "/field", body)),
                "floor": Case(functools.partial(post, f"/bytes/{size}", body, bare)),
                "engine": Case(functools.partial(engine.gradient_field, expr, RANGE, RANGE,
                                                 nx=n)),
                "textbook": Case(_textbook(fn, points), number=1, scale=n * n / count),
            }
            got = interleaved(cases, max(config.rounds, 5), config.target)
            vs_engine = ratio(got["http"], got["engine"])
            vs_textbook = ratio(got["textbook"], got["http"])
            floor_vs_engine = ratio(got["floor"], got["engine"])
            above = _above_floor(got["http"], got["floor"], got["engine"])
            rows.append([fn.label, fmt_bytes(size), fmt_seconds(got["http"].median),
                         fmt_seconds(got["floor"].median), fmt_seconds(got["engine"].median),
                         fmt_seconds(got["textbook"].median), fmt_ratio(vs_engine),
                         fmt_ratio(floor_vs_engine), fmt_ratio(above), fmt_ratio(vs_textbook)])
            section.targets.append(Target(
                f"/field n={n} typed ({fn.label}): {_FIELD_TARGETS[0]}",
                fmt_ratio(vs_textbook) + " faster", vs_textbook.median >= _VS_TEXTBOOK,
                note="textbook timed on a subsample, scaled"))
            section.targets.append(Target(
                f"/field n={n} typed ({fn.label}): {_FIELD_TARGETS[1]}", fmt_ratio(vs_engine),
                vs_engine.median <= _VS_ENGINE, profile="http-field-typed",
                note=_floor_note(floor_vs_engine, above, _VS_ENGINE)))
        section.profiles["http-field-typed"] = (
            f"POST /field n={n} typed (Rosenbrock) in this process (httpx ASGI transport; "
            "worker threads included)",
            _in_process("/field", {"expr": rosenbrock, "x_range": list(RANGE),
                                   "y_range": list(RANGE), "n": n, "encoding": "typed"}, 1))
    section.body += ["", f"`/field` n={n}, typed arrays, end to end against the engine in "
                         f"this process and the textbook's per-point loop ({count} points, "
                         "scaled); the floor is the same request to a server with no "
                         "application answering as many bytes, and \"above the floor\" is "
                         "(POST /field − floor) / engine, the application's own part:", ""]
    section.body += table(["function", "answer", "POST /field", "floor", "engine", "textbook",
                           "HTTP / engine", "floor / engine", "above the floor",
                           "textbook / HTTP (×faster)"], rows)
    section.notes.append(
        "The floor (bench/floor.py) is uvicorn on the same stack as `python -m app` with an "
        "ASGI app that only reads the request and sends a prebuilt answer of the given size: "
        "the client's request, HTTP parsing, the transfer and httpx reading the answer. "
        "Where the floor alone is over a target's multiple of the engine's time, no server "
        "meets that target with this client on this machine.")


STACKS = {"httptools + uvloop (default)": ("--http", "httptools", "--loop", "uvloop"),
          "h11 + asyncio (pure Python)": ("--http", "h11", "--loop", "asyncio")}


def _stacks(section: Section, config: Config) -> None:
    """Throughput of /healthz and /gradient on each server stack, interleaved."""
    import httpx

    point = {"expr": "x**2 + y**2", "point": [3, 4]}
    count = config.http_requests
    servers = [LocalServer(args=("--log-level", "warning", *args), stop_timeout=_STOP_TIMEOUT)
               for args in STACKS.values()]
    cases: dict[str, Case] = {}
    clients = []
    try:
        for (name, _), server in zip(STACKS.items(), servers, strict=True):
            server.start()
            client = httpx.Client(base_url=server.url, timeout=_REQUEST_TIMEOUT)
            clients.append(client)

            def health(client: httpx.Client = client) -> None:
                for _ in range(count):
                    client.get("/healthz").read()

            def gradients(client: httpx.Client = client) -> None:
                for _ in range(count):
                    client.post("/gradient", json=point).read()

            cases[f"{name} /healthz"] = Case(health, number=1)
            cases[f"{name} /gradient"] = Case(gradients, number=1)
        times = interleaved(cases, max(config.rounds, 5), config.target)
    finally:
        for client in clients:
            client.close()
        for server in servers:
            if server.process is not None:
                server.stop()
    rows = []
    for name in STACKS:
        t_health = times[f"{name} /healthz"].median
        t_grad = times[f"{name} /gradient"].median
        rows.append([name, f"{count / t_health:.0f}", f"{count / t_grad:.0f}",
                     f"{100 * t_health / t_grad:.0f}%"])
    section.body += ["", f"Server stacks, {count} sequential requests per sample, keep-alive "
                         "(requests/s, median):", ""]
    section.body += table(["stack", "/healthz", "/gradient", "/gradient ÷ /healthz"], rows)
    fast, slow = (times[f"{name} /gradient"].median for name in STACKS)
    section.notes.append(f"uvicorn's extras serve /gradient {slow / fast:.2f}× as fast as the "
                         "pure-Python stack; `slopescope` uses them when installed "
                         "(`--http`, `--loop` choose).")
