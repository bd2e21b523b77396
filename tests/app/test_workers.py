"""``--workers 2``: the workers end with their supervisor, however it ends.

Issue 14: killing the supervisor with SIGKILL left both workers serving the port.  Each
worker now asks Linux for SIGTERM when its parent dies (``app.main.die_with_parent``).
Every wait here is bounded; no clock is asserted on.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

import pytest

from app.main import die_with_parent
from bench.server import LocalServer

pytestmark = pytest.mark.server

BOUND = 60.0  # seconds any wait below may take at most (a hang guard)


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.update(int(child) for child in text)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"  # a zombie has ended; only its exit status waits to be read


def _gone(pids: set[int]) -> bool:
    """Whether every process of ``pids`` has ended (waiting at most ``BOUND``)."""
    end = time.monotonic() + BOUND
    while any(_alive(pid) for pid in pids) and time.monotonic() < end:
        time.sleep(0.2)
    return not any(_alive(pid) for pid in pids)


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError:
        return True
    return False


def _workers(server: LocalServer, count: int) -> set[int]:
    """The worker processes (children that serve), once ``count`` of them are up."""
    assert server.process is not None
    end = time.monotonic() + BOUND
    while time.monotonic() < end:
        workers = {pid for pid in _children(server.process.pid)
                   if "spawn_main" in Path(f"/proc/{pid}/cmdline").read_text()}
        if len(workers) >= count:
            return workers
        time.sleep(0.2)
    raise AssertionError(f"fewer than {count} workers after {BOUND:g} s")


def test_workers_die_with_a_killed_supervisor():
    server = LocalServer(args=("--workers", "2", "--log-level", "warning")).start()
    workers: set[int] = set()
    try:
        workers = _workers(server, 2)
        assert server.healthy()
        os.kill(server.process.pid, signal.SIGKILL)  # no graceful stop, no clean-up
        server.process.wait(BOUND)
        assert _gone(workers), "a worker outlived its supervisor"
        assert _refused(server.port), "the port still answers"
    finally:
        for pid in workers:  # after a failure: leave nothing behind
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        server.kill()


def test_workers_stop_with_a_sigterm_to_the_supervisor():
    server = LocalServer(args=("--workers", "2", "--log-level", "warning")).start()
    workers = _workers(server, 2)
    code, output = server.stop()
    assert code == 0, output
    assert _gone(workers)


def test_a_single_server_does_not_tie_itself_to_its_parent():
    """Outside a worker (one process, a test) nothing is asked of the kernel: a server
    started from a shell must outlive it."""
    assert die_with_parent() is False
