"""Stalled clients against a real server: slowloris, a connection cap, big headers.

Issue 14: connections that stop mid-headers, mid-body or send nothing were never timed
out; a thousand of them took ``/healthz`` down and filled the log with a traceback per
failed accept.  Here a ``python -m app`` on 127.0.0.1 with ``request_timeout`` = 3 s
gets 300 such connections (a third each: nothing, a header line every second, 10 bytes
of a declared 64 KiB body); every one must be answered 408 and closed by the server,
``/healthz`` must answer every probe meanwhile, and the server's log must hold no line
about them.  Every wait is bounded (20 s for the whole slowloris run); no clock is
asserted on.
"""

from __future__ import annotations

import selectors
import socket
import time

import httpx
import pytest

from app.connections import MAX_HEADER_BYTES

pytestmark = pytest.mark.server

STALLED = 300
BOUND = 20.0  # seconds: the longest the slowloris run may take (a hang guard)
HEADERS = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
BODY = (b"POST /gradient HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 65536\r\n\r\n{\"expr\": \"")


def _open(port: int, kind: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    if kind == "headers":
        sock.sendall(HEADERS)
    elif kind == "body":
        sock.sendall(BODY)
    sock.setblocking(False)
    return sock


def _status(data: bytes) -> int | None:
    line = data.split(b"\r\n", 1)[0].split()
    return int(line[1]) if len(line) > 1 and line[1].isdigit() else None


def test_300_stalled_connections_are_answered_408_and_closed(start_server):
    server = start_server(request_timeout=3)
    kinds = ["nothing", "headers", "body"]
    selector = selectors.DefaultSelector()
    answers: dict[socket.socket, bytes] = {}
    for k in range(STALLED):
        sock = _open(server.port, kinds[k % 3])
        selector.register(sock, selectors.EVENT_READ, kinds[k % 3])
        answers[sock] = b""
    closed: dict[str, list[int | None]] = {kind: [] for kind in kinds}
    health: list[int] = []
    end = time.monotonic() + BOUND
    next_probe = next_drip = time.monotonic()
    with httpx.Client(base_url=server.url, timeout=5) as probe:
        while selector.get_map() and time.monotonic() < end:
            if time.monotonic() >= next_probe:  # /healthz, on a connection of its own
                health.append(probe.get("/healthz", headers={"Connection": "close"})
                              .status_code)
                next_probe += 0.5
            if time.monotonic() >= next_drip:  # the mid-headers clients go on dribbling
                for key in list(selector.get_map().values()):
                    if key.data == "headers":
                        try:
                            key.fileobj.send(b"X-Still-Here: 1\r\n")  # type: ignore[union-attr]
                        except OSError:
                            pass
                next_drip += 1.0
            for key, _ in selector.select(timeout=0.1):
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                try:
                    data = sock.recv(4096)
                except ConnectionResetError:
                    data = b""
                answers[sock] += data
                if not data:  # the server closed it
                    closed[key.data].append(_status(answers[sock]))
                    selector.unregister(sock)
                    sock.close()
    left = len(selector.get_map())
    for key in list(selector.get_map().values()):
        key.fileobj.close()  # type: ignore[union-attr]
    assert left == 0, f"{left} stalled connections still open after {BOUND:g} s"
    for kind, statuses in closed.items():
        assert statuses == [408] * (STALLED // 3), (kind, sorted(set(map(str, statuses))))
    assert health and set(health) == {200}, health
    assert server.healthy()
    code, output = server.stop()
    assert code == 0
    assert "Traceback" not in output and "Too many open files" not in output, output[-2000:]
    assert len(output.splitlines()) < 10, output[-2000:]  # no line per connection


def test_connections_over_the_cap_are_refused_at_once(start_server):
    server = start_server(max_connections=20, request_timeout=30)
    held = [_open(server.port, "nothing") for _ in range(20)]
    try:
        extra = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        with extra:
            data = b""
            while chunk := extra.recv(4096):  # answered and closed, not left waiting
                data += chunk
        assert _status(data) == 503 and b"max_connections" in data
        assert b"retry-after: 1" in data.lower()
    finally:
        for sock in held:
            sock.close()
    answer = None
    for _ in range(50):  # the server sees the held ones go (bounded wait)
        answer = httpx.get(server.url + "/healthz", timeout=5)
        if answer.status_code == 200:
            break
        time.sleep(0.1)
    assert answer is not None and answer.status_code == 200
    code, output = server.stop()
    assert code == 0 and "Traceback" not in output


def test_headers_over_the_limit_are_refused(real_server):
    filler = b"X-Filler: " + b"a" * 1000 + b"\r\n"
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" + filler * (
        MAX_HEADER_BYTES // len(filler) + 2)
    with socket.create_connection((real_server.host, real_server.port), timeout=10) as sock:
        try:
            sock.sendall(request)
        except OSError:  # refused before all of it was sent: fine
            pass
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
    assert _status(data) in (431, 400), data[:200]  # ours (httptools), or h11's own
    assert real_server.healthy()


def test_a_slow_but_steady_client_within_the_limit_is_served(start_server):
    server = start_server(request_timeout=5)
    body = b'{"expr": "x**2 + y**2", "point": [3, 4]}'
    head = (b"POST /gradient HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body))
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        for part in (head[:20], head[20:], body[:10], body[10:]):
            sock.sendall(part)
            time.sleep(0.3)  # pacing, well inside the limit
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
    assert _status(data) == 200 and b'"gradient":[6.0,8.0]' in data
    assert server.stop()[0] == 0
