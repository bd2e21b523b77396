"""Work stops when it should: /steps has the deadline, and abandoned requests stop.

Issue 14: ``/steps`` had no deadline, and a request whose client hung up computed on to
the end.  No clock is read here.  The deadline is shown to reach ``step_sweep`` by a
fake that expires after counted looks (as in tests/engine/test_work_bounds.py); an
abandoned request is an ASGI call whose ``receive`` says ``http.disconnect`` once the
body is read -- with the time limit at ten minutes, a ``deadline_exceeded`` answer can
only mean that the engine saw the request abandoned at a look at its deadline.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import pytest

import engine
from app.compute import Deadline
from app.main import create_app
from app.settings import Settings

HANG_GUARD = 120.0  # seconds; a bound on the wait, not a timing target


class Expires:
    """A stand-in for a ``time.monotonic()`` deadline that passes after ``checks`` looks."""

    def __init__(self, checks: int) -> None:
        self.checks = checks
        self.looks = 0

    def __lt__(self, now: float) -> bool:
        self.looks += 1
        return self.looks > self.checks


def test_step_sweep_looks_at_its_deadline_before_every_method():
    expr = engine.parse("exp(x) * sin(y)")
    methods = ["forward", "central", "richardson"]
    never = Expires(10**9)
    engine.step_sweep(expr, [1, 2], methods=methods, n=8, deadline=never)
    assert never.looks >= len(methods)
    for allowed in range(never.looks):
        with pytest.raises(engine.DeadlineExceeded):
            engine.step_sweep(expr, [1, 2], methods=methods, n=8, deadline=Expires(allowed))


def test_a_constant_has_a_step_sweep_of_zero_errors():
    """``{"expr": "2", "point": []}`` was a 500: nothing to differentiate, no error."""
    sweep = engine.step_sweep(engine.parse("2"), [], methods=["forward", "central"], n=5)
    assert sweep.exact.size == 0
    assert all(errors.tolist() == [0.0] * 5 for errors in sweep.errors.values())


def test_a_deadline_passes_when_its_request_is_abandoned():
    gone = threading.Event()
    deadline = Deadline(time.monotonic() + 600, gone)
    assert not time.monotonic() > deadline and not time.monotonic() >= deadline
    gone.set()
    assert time.monotonic() > deadline and time.monotonic() >= deadline
    assert deadline + 0 == float(deadline) and type(deadline + 0) is float


# --- through the application: an ASGI client that hangs up ---------------------------

async def _call(app: Any, path: str, body: dict[str, Any], hang_up: bool
                ) -> tuple[int, Any]:
    """POST ``body`` to ``app`` as a server would; with ``hang_up`` the client is gone
    as soon as its body has been read (``receive`` says ``http.disconnect``), else it
    waits for its answer."""
    payload = json.dumps(body).encode()
    pending = [{"type": "http.request", "body": payload, "more_body": False}]
    answered = asyncio.Event()
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if pending:
            return pending.pop()
        if not hang_up:
            await answered.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            answered.set()

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
        "query_string": b"", "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8000),
        "headers": [(b"host", b"127.0.0.1:8000"), (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode())],
    }
    await asyncio.wait_for(app(scope, receive, send), HANG_GUARD)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, json.loads(content)


ROSENBROCK = "(1 - x)**2 + 100*(y - x**2)**2"
NAMES = [f"v{k}" for k in range(50)]
LONG_WORK = [  # each many seconds of work on one core, were it not stopped
    ("/descent", {"expr": ROSENBROCK, "start": [-1.5, 2], "lr": 1e-9, "steps": 100_000,
                  "method": "richardson", "max_points": 2}),
    ("/steps", {"expr": "+".join(f"sin({a})*cos({b})" for a, b in zip(NAMES[:-1], NAMES[1:],
                                                                         strict=True)),
                "point": [0.3] * 50, "variables": NAMES,
                "methods": ["richardson", "central", "forward", "backward", "complex-step"],
                "n": 200}),
    ("/field", {"expr": " + ".join(f"sin({k}*x)*cos({k}*y)" for k in range(1, 40)),
                "x_range": [-3, 3], "y_range": [-3, 3], "n": 400, "method": "richardson"}),
]


@pytest.mark.parametrize(("path", "body"), LONG_WORK, ids=[p for p, _ in LONG_WORK])
def test_an_abandoned_request_stops_computing(path, body):
    """The client hangs up once its body is read; the time limit is ten minutes; once
    the server listens (``LISTEN_AFTER`` into the work) it hears the hang-up, and the
    work stops at the engine's next look at its deadline (the answer, which nobody
    reads, is the deadline's 422)."""
    app = create_app(Settings(deadline=600, compute_slots=1))
    status, answer = asyncio.run(_call(app, path, body, hang_up=True))
    assert status == 422, answer
    assert answer["detail"][0]["type"] == "deadline_exceeded", answer


def test_a_client_that_waits_gets_its_answer():
    """Listening for the disconnect does not cut short a client that stays."""
    app = create_app(Settings(compute_slots=1))
    body = {"expr": ROSENBROCK, "start": [-1.5, 2], "lr": 1e-3, "steps": 2000}
    status, answer = asyncio.run(_call(app, "/descent", body, hang_up=False))
    assert status == 200 and answer["status"] == "completed"
    status, answer = asyncio.run(_call(app, "/steps", {"expr": "exp(x)", "point": 1},
                                       hang_up=False))
    assert status == 200 and len(answer["h"]) == 31
