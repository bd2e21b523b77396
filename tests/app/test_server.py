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

pytestmark = pytest.mark.server


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
    # a descent long enough to be in flight when SIGTERM arrives
    # about a second of work (richardson costs many evaluations per step)
    body = {"expr": " + ".join(f"sin({k}*x)*cos({k}*y)" for k in range(1, 8)),
            "start": [0.3, 0.2], "lr": 1e-4, "steps": 1500, "max_points": 2,
            "method": "richardson"}
    result: dict[str, object] = {}

    def call() -> None:
        start = time.monotonic()
        response = httpx.post(server.url + "/descent", json=body, timeout=60)
        result["status"] = response.status_code
        result["seconds"] = time.monotonic() - start

    thread = threading.Thread(target=call)
    thread.start()
    time.sleep(0.3)
    code, output = server.stop()
    thread.join(60)
    assert result.get("status") == 200, result
    assert result["seconds"] > 0.3  # it really was in flight when SIGTERM came
    assert code == 0, output


def test_healthz_stays_fast_under_heavy_requests(server):
    # about a second each on one core; 8 of them keep every compute slot busy
    body = {"expr": "sin(x)*cos(y)*exp(-x**2)", "x_range": [-3, 3], "y_range": [-3, 3],
            "n": 140, "method": "richardson"}
    statuses: list[int] = []

    def heavy() -> None:
        statuses.append(httpx.post(server.url + "/field", json=body, timeout=60).status_code)

    threads = [threading.Thread(target=heavy) for _ in range(8)]
    for thread in threads:
        thread.start()
    worst = 0.0
    with httpx.Client(timeout=10) as client:
        while any(thread.is_alive() for thread in threads):
            start = time.monotonic()
            assert client.get(server.url + "/healthz").status_code == 200
            worst = max(worst, time.monotonic() - start)
            time.sleep(0.05)
    for thread in threads:
        thread.join(60)
    assert set(statuses) <= {200, 503}
    assert worst < 1.0, worst
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
    """The README's ``uvicorn --factory app.main:create_app``."""
    command = [sys.executable, "-m", "uvicorn", "--factory", "app.main:create_app"]
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
