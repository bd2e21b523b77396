"""bench.server: its worked example, and the two ways a start fails (bounded, with output)."""

from __future__ import annotations

import doctest
import sys

import pytest

import bench.server
from bench.server import LocalServer

pytestmark = pytest.mark.server


def test_the_docstring_example_runs():
    failed, tried = doctest.testmod(bench.server)
    assert (failed, tried > 0) == (0, True)


def test_a_process_that_exits_at_start_is_reported_with_its_output():
    exits = [sys.executable, "-c", "print('no such app'); raise SystemExit(3)"]
    with pytest.raises(RuntimeError, match="code 3") as info:
        LocalServer(exits).start()
    assert "no such app" in str(info.value)


def test_a_process_that_never_answers_is_killed_after_the_timeout():
    server = LocalServer([sys.executable, "-c", "import time; time.sleep(60)"],
                         start_timeout=0.5)
    with pytest.raises(RuntimeError, match="within 0.5 s"):
        server.start()
    assert server.process is not None and server.process.returncode is not None
