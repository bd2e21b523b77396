"""Fixtures for the HTTP tests: apps built by the factory, a strict-JSON client."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings


def _refuse_constant(token: str) -> Any:
    raise ValueError(f"non-strict JSON constant {token!r} in a response")


def strict_json(text: str) -> Any:
    """Parse a response body, refusing NaN / Infinity / -Infinity."""
    return json.loads(text, parse_constant=_refuse_constant)


class Api:
    """A TestClient wrapper: raw JSON bytes in, status checked, strict JSON out."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def raw(self, path: str, content: bytes | str,
            content_type: str = "application/json") -> Any:
        return self.client.post(path, content=content, headers={"content-type": content_type})

    def post(self, path: str, body: Any, status: int = 200) -> Any:
        """POST ``body`` (ASCII-escaped JSON, so lone surrogates survive) and parse."""
        response = self.raw(path, json.dumps(body, ensure_ascii=True))
        assert response.status_code == status, response.text[:500]
        assert response.content.isascii()
        return strict_json(response.text)

    def get(self, path: str, status: int = 200) -> Any:
        response = self.client.get(path)
        assert response.status_code == status, response.text[:500]
        return strict_json(response.text)

    def error(self, path: str, body: Any, status: int = 422) -> dict[str, Any]:
        """The first item of a 422's detail list (or the 413/503 body)."""
        data = self.post(path, body, status)
        if isinstance(data["detail"], list):
            assert all("input" not in item for item in data["detail"])
            first: dict[str, Any] = data["detail"][0]
            return first
        return dict(data)


@pytest.fixture(scope="session")
def api() -> Iterator[Api]:
    """The default app (contract defaults), one client for the whole session."""
    with TestClient(create_app(Settings(compute_slots=2))) as client:
        yield Api(client)


@pytest.fixture
def make_api() -> Iterator[Callable[..., Api]]:
    """Build an app with some settings changed: ``make_api(max_grid=10)``."""
    clients: list[TestClient] = []

    def build(**changes: Any) -> Api:
        client = TestClient(create_app(Settings(**changes)))
        client.__enter__()
        clients.append(client)
        return Api(client)

    yield build
    for client in clients:
        client.__exit__(None, None, None)
