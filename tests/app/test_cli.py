"""The ``slopescope`` command's options (the server itself: test_server.py)."""

from __future__ import annotations

import errno
import socket
import subprocess
import sys

import httpx
import pytest

import app
from app.cli import bind_error, default_allowed_hosts, listen, parse_args, url_for
from app.settings import Settings
from bench.server import HOST, LocalServer


def test_defaults():
    args = parse_args([])
    assert (args.host, args.port, args.workers, args.open) == ("127.0.0.1", 8000, 1, False)


def test_options():
    args = parse_args(["--host", "0.0.0.0", "--port", "9000", "--workers", "2", "--open"])
    assert (args.host, args.port, args.workers, args.open) == ("0.0.0.0", 9000, 2, True)


@pytest.mark.parametrize("argv", [["--port", "70000"], ["--workers", "0"], ["--port", "x"]])
def test_bad_options(argv):
    with pytest.raises(SystemExit) as exc:
        parse_args(argv)
    assert exc.value.code == 2


def test_url_for():
    assert url_for("127.0.0.1", 8000) == "http://127.0.0.1:8000/"
    assert url_for("0.0.0.0", 8000) == "http://127.0.0.1:8000/"
    assert url_for("::", 8000) == "http://[::1]:8000/"


@pytest.mark.parametrize("command", [["slopescope"], [sys.executable, "-m", "app"]])
def test_version(command):
    done = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout.strip() == f"slopescope {app.__version__}"


def test_the_listening_socket_is_tcp_and_shareable():
    """IPPROTO_TCP named, so asyncio turns Nagle off on its connections (else a response
    can wait for a delayed ACK, and a 413 with Connection: close races the client)."""
    with listen(HOST, 0) as sock:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)
        assert sock.get_inheritable()
        assert sock.getsockname()[1] > 0


def test_bind_errors_name_the_address():
    busy = bind_error(HOST, 8000, OSError(errno.EADDRINUSE, "Address already in use"))
    assert busy == ("slopescope: port 8000 on 127.0.0.1 is already in use; "
                    "choose another with --port")
    denied = bind_error(HOST, 80, OSError(errno.EACCES, "Permission denied"))
    assert denied == "slopescope: cannot listen on 127.0.0.1 port 80: Permission denied"


def test_a_busy_port_is_one_line_and_a_failure():
    """Nothing is served and nothing claims to be: one line naming the port and --port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind((HOST, 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = subprocess.run(["slopescope", "--host", HOST, "--port", str(port)],
                              capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert done.stdout == ""
    lines = output.splitlines()
    assert len(lines) == 1, output
    assert f"port {port} on {HOST}" in lines[0] and "--port" in lines[0]
    assert "serving on" not in output


def test_importing_the_app_module_builds_nothing():
    """``app.main`` only defines the factory: no module-level application."""
    probe = "import app.main as m; print(hasattr(m, 'app'), callable(m.create_app))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]


# --- hosts, stacks (issue 14 and 15) ----------------------------------------------------

def test_loopback_binds_answer_only_loopback_names():
    assert default_allowed_hosts("127.0.0.1", Settings()) == ["localhost", "127.0.0.1", "::1"]
    assert default_allowed_hosts("127.0.0.2", Settings()) == [
        "localhost", "127.0.0.1", "::1", "127.0.0.2"]
    assert default_allowed_hosts("::1", Settings()) == ["localhost", "127.0.0.1", "::1"]
    assert default_allowed_hosts("0.0.0.0", Settings()) is None  # a class: any host
    assert default_allowed_hosts("127.0.0.1", Settings(allowed_hosts=["a.org"])) is None


def test_server_stack_options():
    args = parse_args(["--http", "h11", "--loop", "asyncio"])
    assert (args.http, args.loop) == ("h11", "asyncio")
    assert (parse_args([]).http, parse_args([]).loop) == ("auto", "auto")


def _status(url: str, host: str) -> int:
    return httpx.get(url + "/", headers={"Host": host}, timeout=30, trust_env=False).status_code


@pytest.mark.server
def test_a_loopback_server_refuses_other_hosts():
    """DNS rebinding: a page elsewhere may point a name of its own at 127.0.0.1; the
    server bound there answers only its loopback names (until told otherwise)."""
    with LocalServer() as server:
        assert _status(server.url, "evil.example") == 400
        assert _status(server.url, f"evil.example:{server.port}") == 400
        assert _status(server.url, f"localhost:{server.port}") == 200
        assert _status(server.url, f"127.0.0.1:{server.port}") == 200
    with LocalServer(env={Settings.env_name("allowed_hosts"): "*"}) as server:
        assert _status(server.url, "evil.example") == 200
