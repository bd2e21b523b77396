"""The real server: ``slopescope --port P`` in a subprocess, over a socket, then SIGTERM.

Traffic goes only to 127.0.0.1; every wait is bounded (:class:`bench.server.LocalServer`).
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from bench.server import HOST, LocalServer
from tests.held_request import HeldRequest

pytestmark = pytest.mark.server

#: A heavy request that ran until its deadline (a 422 of type deadline_exceeded): it was
#: computed, only for longer than this busy machine allowed.
DEADLINE_STOPPED = -422


@pytest.fixture
def server() -> Iterator[LocalServer]:
    """The installed console script, so these tests prove the command itself works."""
    with LocalServer("slopescope") as srv:
        yield srv


def test_serves_the_contract_and_stops_cleanly(server):
    with httpx.Client(base_url=server.url, timeout=10) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        data = client.post("/gradient", json={"expr": "x**2 + y**2", "point": [3, 4],
                                              "method": "central", "h": 1e-4}).json()
        assert data["gradient"] == [6.00000000000378, 7.999999999999119]
        assert client.get("/docs").status_code == 200
        assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
        assert client.get("/openapi.json").json()["info"]["title"] == "Slopescope"
        big = client.post("/gradient", content=b"{" + b" " * 70_000 + b"}",
                          headers={"content-type": "application/json"})
        assert big.status_code == 413

        def chunks() -> Iterator[bytes]:
            for _ in range(40):
                yield b" " * 4096

        chunked = client.post("/gradient", content=chunks(),
                              headers={"content-type": "application/json"})
        assert chunked.status_code == 413
    code, output = server.stop()
    assert code == 0, output
    assert f"serving on http://127.0.0.1:{server.port}/" in output


def test_sigterm_lets_an_in_flight_request_finish(server):
    """SIGTERM while a request is in flight: it is answered in full, then the process
    exits 0.  "In flight" is an event, not a delay: the request's headers ask for
    ``100 Continue``, which uvicorn sends once the app reads the body; only then comes
    SIGTERM, and only then the body."""
    body = {"expr": "x**2 + 3*y**2", "start": [-3, 4], "lr": 0.1, "steps": 200}
    with HeldRequest(server.host, server.port, "/descent", body) as held:
        server.process.send_signal(signal.SIGTERM)
        held.send_body()
        status, answer = held.response()
    assert status == 200, answer
    assert answer["status"] == "completed" and len(answer["path"]) == 201
    assert answer["path"][0] == [-3.0, 4.0] and abs(answer["final_value"]) < 1e-12
    assert server.process.wait(60) == 0
    code, output = server.stop()
    assert code == 0, output


def test_healthz_answers_while_heavy_requests_compute(server):
    """/healthz never waits for the computations: answered, every time, while the heavy
    requests are still being computed.  (How fast it answers under load is measured by
    ``python -m bench.load``, which reports its latency; no clock is read here.)"""
    # about a second each on one core; 8 of them keep every compute slot busy
    body = {"expr": "sin(x)*cos(y)*exp(-x**2)", "x_range": [-3, 3], "y_range": [-3, 3],
            "n": 140, "method": "richardson"}
    events: list[str] = []
    statuses: list[int] = []
    lock = threading.Lock()

    def heavy() -> None:
        answer = httpx.post(server.url + "/field", json=body, timeout=60)
        # a slot's work stopped by its deadline (a very busy machine) is a 422 naming it
        status = answer.status_code
        if status == 422 and "deadline_exceeded" in answer.text:
            status = DEADLINE_STOPPED
        with lock:
            statuses.append(status)
            events.append("heavy")

    threads = [threading.Thread(target=heavy) for _ in range(8)]
    for thread in threads:
        thread.start()
    pause = threading.Event()
    with httpx.Client(timeout=10) as client:
        while any(thread.is_alive() for thread in threads):
            assert client.get(server.url + "/healthz").json() == {"status": "ok"}
            with lock:
                events.append("healthz")
            pause.wait(0.05)  # pacing only
    for thread in threads:
        thread.join(60)
    assert set(statuses) <= {200, DEADLINE_STOPPED, 503}
    assert {200, DEADLINE_STOPPED} & set(statuses)  # computed, not all refused
    # answered before the first heavy request was done, and again between them
    assert events[0] == "healthz", events[:5]
    last_heavy = max(k for k, e in enumerate(events) if e == "heavy")
    assert events[:last_heavy].count("healthz") >= 2
    assert server.stop()[0] == 0


def test_workers_share_the_socket_and_a_second_server_is_refused():
    with LocalServer("slopescope", args=["--workers", "2", "--log-level", "warning"]) as srv:
        with httpx.Client(base_url=srv.url, timeout=10) as client:
            for _ in range(4):
                assert client.get("/healthz").status_code == 200
            assert client.get("/").status_code == 200
        second = subprocess.run(["slopescope", "--host", srv.host, "--port", str(srv.port)],
                                capture_output=True, text=True, timeout=60,
                                stdin=subprocess.DEVNULL)
        output = second.stdout + second.stderr
        assert second.returncode != 0
        assert output.splitlines() == [f"slopescope: port {srv.port} on {srv.host} is already "
                                       "in use; choose another with --port"]
        assert srv.healthy()  # the first one is untouched
        code, log = srv.stop()
    assert code == 0, log
    assert log.count("serving on") == 1, log


def test_plain_uvicorn_serves_the_factory():
    """The README's ``uvicorn --factory app.main:create_app`` with the guarded protocol."""
    command = [sys.executable, "-m", "uvicorn", "--factory", "app.main:create_app",
               "--http", "app.connections:GuardedHttpToolsProtocol"]
    with LocalServer(command) as srv, httpx.Client(base_url=srv.url, timeout=10) as client:
        assert client.get("/").status_code == 200
        assert client.get("/static/js/main.js").status_code == 200
        assert client.post("/gradient", json={"expr": "x*y", "point": [2, 3]}).json()[
            "gradient"] == [3.0, 2.0]


def test_open_shows_the_page_once_it_answers(tmp_path):
    """``--open`` hands the page's URL to the browser (``$BROWSER``: here a recorder)."""
    opened = tmp_path / "opened"
    record = "import pathlib, sys; pathlib.Path(sys.argv[2]).write_text(sys.argv[1])"
    browser = f"{sys.executable} -c '{record}' %s {opened}"
    with LocalServer("slopescope", args=["--open", "--log-level", "warning"],
                     env={"BROWSER": browser}) as srv:
        for _ in range(300):  # bounded: the browser is started in the background
            if opened.exists() and opened.read_text():
                break
            time.sleep(0.1)
        assert opened.read_text() == srv.url + "/"


def test_port_zero_serves_on_the_port_it_names():
    process = subprocess.Popen(["slopescope", "--host", HOST, "--port", "0", "--log-level",
                                "warning"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # printed once the socket is bound
        found = re.search(rf"serving on http://{re.escape(HOST)}:(\d+)/", first)
        assert found, first
        port = int(found.group(1))
        assert port > 0
        for _ in range(300):  # bounded wait for the app to start on that socket
            try:
                answer = httpx.get(f"http://{HOST}:{port}/healthz", timeout=2, trust_env=False)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail(f"nothing answered on port {port}")
        assert answer.json() == {"status": "ok"}
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert code == 0
