"""Fixtures for the hardening tests: an in-process client, real servers, strict JSON.

Real servers are ``python -m app`` subprocesses on a free port of 127.0.0.1
(:class:`bench.server.LocalServer`; tests that use them are marked ``server``); every wait
on them is bounded, a test stops one with ``stop()`` (SIGTERM, killed if it does not exit
in time) and each is killed when its test or session ends.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from bench.server import LocalServer


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


def start_local_server(**settings: Any) -> LocalServer:
    """``python -m app`` on 127.0.0.1:<free port> with extra ``SLOPESCOPE_*`` settings,
    once ``/healthz`` answers."""
    env = {Settings.env_name(name): str(value) for name, value in settings.items()}
    return LocalServer(env=env).start()


@pytest.fixture(scope="session")
def real_server() -> Iterator[LocalServer]:
    """One real server with the default settings, shared by the session."""
    server = start_local_server()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def start_server() -> Iterator[Callable[..., LocalServer]]:
    """Start a real server with settings: ``start_server(compute_slots=2, slot_wait=2)``."""
    started: list[LocalServer] = []

    def start(**settings: Any) -> LocalServer:
        server = start_local_server(**settings)
        started.append(server)
        return server

    yield start
    for server in started:
        server.kill()
