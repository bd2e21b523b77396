"""bench.floor: the server with no application answers exactly the bytes asked for."""

from __future__ import annotations

import doctest
import json

import httpx
import pytest

import bench.floor
from bench.http import FLOOR_COMMAND
from bench.server import LocalServer


def test_the_docstring_example_runs():
    failed, tried = doctest.testmod(bench.floor)
    assert (failed, tried > 0) == (0, True)


@pytest.mark.server
def test_the_floor_server_answers_as_many_bytes_as_asked_and_stops_cleanly():
    body = {"expr": "x**2 + y**2", "x_range": [-2, 2], "y_range": [-2, 2], "n": 200}
    with LocalServer(command=FLOOR_COMMAND) as server:
        for size in (2, 1000, 1_284_521):
            answer = httpx.post(f"{server.url}/bytes/{size}", json=body, trust_env=False)
            assert answer.status_code == 200
            assert len(answer.content) == size == int(answer.headers["content-length"])
            assert json.loads(answer.content) == "0" * (size - 2)
        too_big = f"{server.url}/bytes/{bench.floor.MAX_BYTES + 1}"
        assert httpx.post(too_big, trust_env=False).status_code == 404
        assert httpx.get(f"{server.url}/bytes/10", trust_env=False).status_code == 404
        code, _ = server.stop()
    assert code == 0
