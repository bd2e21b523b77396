"""Fixtures for the hardening tests: an in-process client, real servers, strict JSON.

Real servers are ``python -m app`` subprocesses on a free port of 127.0.0.1 (tests that
use them are marked ``server``); every wait on them is bounded and each is stopped with
SIGTERM (killed if it does not exit) when its test or session ends.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0


def _refuse_constant(token: str) -> Any:
    raise ValueError(f"non-strict JSON constant {token!r} in a response")


def strict_loads(data: bytes | str) -> Any:
    """Parse a response body, refusing NaN / Infinity / -Infinity."""
    return json.loads(data, parse_constant=_refuse_constant)


def raw_json(body: Any) -> bytes:
    """A request body as ASCII-escaped JSON bytes (a lone surrogate becomes ``\\ud800``)."""
    return json.dumps(body, ensure_ascii=True).encode("ascii")


def check_answer(status: int, content: bytes) -> Any:
    """The checks every answer must pass: 200 or 4xx, ASCII strict JSON, a message on
    every error.  Returns the parsed body."""
    assert status == 200 or 400 <= status < 500, (status, content[:300])
    assert content.isascii(), content[:300]
    data = strict_loads(content)
    if status != 200:
        detail = data["detail"]
        if isinstance(detail, list):
            assert detail, data
            for item in detail:
                assert isinstance(item["msg"], str) and item["msg"], item
                assert "input" not in item, item
        else:
            assert isinstance(detail, str) and detail, data
    return data


@pytest.fixture
def helpers() -> Any:
    """The module-level helpers above, for test modules (conftest is not importable)."""

    class Helpers:
        strict_loads = staticmethod(strict_loads)
        raw_json = staticmethod(raw_json)
        check_answer = staticmethod(check_answer)

    return Helpers


@pytest.fixture(scope="session")
def client() -> Iterator[TestClient]:
    """The app with the contract's defaults (two compute slots), in process."""
    with TestClient(create_app(Settings(compute_slots=2))) as test_client:
        yield test_client


@pytest.fixture
def make_client() -> Iterator[Callable[..., TestClient]]:
    """An in-process app with some settings changed: ``make_client(deadline=0.5)``."""
    opened: list[TestClient] = []

    def build(**changes: Any) -> TestClient:
        test_client = TestClient(create_app(Settings(**changes)))
        test_client.__enter__()
        opened.append(test_client)
        return test_client

    yield build
    for test_client in opened:
        test_client.__exit__(None, None, None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``python -m app`` on 127.0.0.1:<free port> with extra ``SLOPESCOPE_*`` settings."""

    def __init__(self, **settings: Any) -> None:
        env = dict(os.environ)
        for name, value in settings.items():
            env[Settings.env_name(name)] = str(value)
        self.port = free_port()
        self.host = "127.0.0.1"
        self.url = f"http://{self.host}:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app", "--port", str(self.port), "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.process.communicate()[0]}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"server did not start within {START_TIMEOUT:g} s")

    def healthy(self, timeout: float = 2.0) -> bool:
        response = httpx.get(self.url + "/healthz", timeout=timeout)
        return response.status_code == 200 and response.json() == {"status": "ok"}

    def stop(self, timeout: float = 30.0) -> tuple[int, str]:
        """SIGTERM, then wait (bounded); the exit code and the server's output."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            output, _ = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"server did not exit within {timeout:g} s of SIGTERM") \
                from None
        return self.process.returncode, output

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate()


@pytest.fixture(scope="session")
def real_server() -> Iterator[Server]:
    """One real server with the default settings, shared by the session."""
    server = Server()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def start_server() -> Iterator[Callable[..., Server]]:
    """Start a real server with settings: ``start_server(compute_slots=2, slot_wait=2)``."""
    started: list[Server] = []

    def start(**settings: Any) -> Server:
        server = Server(**settings)
        started.append(server)
        return server

    yield start
    for server in started:
        server.kill()
