"""A Slopescope server on a free port of 127.0.0.1, in a subprocess, for tools and tests.

:class:`LocalServer` runs a command (``python -m app`` unless told otherwise) with
``--host 127.0.0.1 --port P`` added, waits until ``GET /healthz`` answers 200 (bounded,
and failing at once if the process exits), and stops it with SIGTERM (a bounded wait,
then SIGKILL).  The host is fixed: the server listens on, and is asked at, 127.0.0.1
only.  Used by :mod:`bench.http`, :mod:`bench.load` and the tests that need a real
server.

Examples
--------
A server with one setting changed (``SLOPESCOPE_`` + the field of ``app.settings``),
one request, then a clean stop: SIGTERM ends the process with exit code 0.

>>> import httpx
>>> with LocalServer(env={"SLOPESCOPE_MAX_GRID": "50"}) as server:
...     answer = httpx.post(server.url + "/gradient",
...                         json={"expr": "x**2 + y**2", "point": [3, 4]})
...     code, output = server.stop()
>>> answer.status_code, answer.json()["gradient"], code
(200, [6.0, 8.0], 0)
>>> server.url == f"http://127.0.0.1:{server.port}"
True

``with`` always stops the server (or kills it); ``start()`` and ``stop()`` are there for
fixtures and for tests of the shutdown itself, ``kill()`` for a teardown that need not
be graceful.

:class:`LocalBalancer` puts Debian's nginx, with the shipped configuration
(``deploy/nginx/``), in front of several such servers, on 127.0.0.1 too.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO

import httpx

__all__ = ["HOST", "LocalBalancer", "LocalServer", "free_port", "nginx_binary"]

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
START_TIMEOUT = 30.0  # seconds for /healthz to answer 200 after the process starts
STOP_TIMEOUT = 30.0  # seconds for the process to exit after SIGTERM, before SIGKILL
KILL_TIMEOUT = 10.0  # seconds for the process to go after SIGKILL
TAIL = 2000  # characters of the server's output quoted when it fails to start


def free_port() -> int:
    """A TCP port of 127.0.0.1 that was free a moment ago (bound to port 0, then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class LocalServer:
    """A server process on ``127.0.0.1:<free port>``.

    Parameters
    ----------
    command
        The program and its first arguments; ``--host 127.0.0.1 --port P`` and then
        ``args`` are appended.  Default ``python -m app``; ``"slopescope"`` runs the
        installed console script.
    args
        More command-line arguments (default: quiet logs).
    env
        Variables added to this process's environment, e.g. ``SLOPESCOPE_*`` settings
        (``app.settings.Settings.env_name`` names them).
    capture
        Keep the process's stdout and stderr (read in a thread, so the pipe never
        fills) for :meth:`stop` and for the error when it fails to start; else discard.
    start_timeout, stop_timeout
        Bounds, in seconds, of the wait for ``/healthz`` and of the wait after SIGTERM.

    Attributes
    ----------
    port, url
        The port and ``http://127.0.0.1:PORT`` (known before :meth:`start`).
    process
        The ``subprocess.Popen``; None until :meth:`start`.
    """

    host = HOST

    def __init__(self, command: str | Sequence[str] = (sys.executable, "-m", "app"),
                 args: Sequence[str] = ("--log-level", "warning"),
                 env: Mapping[str, str] | None = None, *, capture: bool = True,
                 start_timeout: float = START_TIMEOUT,
                 stop_timeout: float = STOP_TIMEOUT) -> None:
        self.command = [command] if isinstance(command, str) else list(command)
        self.args = list(args)
        self.env = dict(env or {})
        self.capture = capture
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.process: subprocess.Popen[str] | None = None
        self._output: list[str] = []
        self._reader: threading.Thread | None = None

    def start(self) -> LocalServer:
        """Start the process and wait until ``GET /healthz`` answers 200.

        Raises RuntimeError, quoting the end of the server's output, when the process
        exits first or ``start_timeout`` passes (the process is then killed).
        """
        if self.process is not None:
            raise RuntimeError(f"the server at {self.url} was started already")
        out = subprocess.PIPE if self.capture else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [*self.command, "--host", HOST, "--port", str(self.port), *self.args],
            cwd=ROOT, env={**os.environ, **self.env}, stdin=subprocess.DEVNULL, stdout=out,
            stderr=subprocess.STDOUT if self.capture else subprocess.DEVNULL,
            text=True, encoding="utf-8", errors="replace",
        )
        if self.process.stdout is not None:
            self._reader = threading.Thread(target=self._read, args=(self.process.stdout,),
                                            name=f"server-{self.port}-output", daemon=True)
            self._reader.start()
        deadline = time.monotonic() + self.start_timeout
        while not self.healthy(timeout=1.0):
            if self.process.poll() is not None:
                code, output = self.kill()
                raise RuntimeError(f"the server exited with code {code} before GET /healthz "
                                   f"answered 200; its output ends:\n{self._tail(output)}")
            if time.monotonic() > deadline:
                _, output = self.kill()
                raise RuntimeError(f"the server did not answer GET /healthz with 200 within "
                                   f"{self.start_timeout:g} s (killed); its output ends:\n"
                                   f"{self._tail(output)}")
            time.sleep(0.1)
        return self

    def healthy(self, timeout: float = 2.0) -> bool:
        """Whether the process runs and ``GET /healthz`` answers 200 ``{"status": "ok"}``."""
        if self.process is None or self.process.poll() is not None:
            return False
        try:  # loopback only: never through a proxy from the environment
            answer = httpx.get(self.url + "/healthz", timeout=timeout, trust_env=False)
            return answer.status_code == 200 and answer.json() == {"status": "ok"}
        except (httpx.HTTPError, ValueError):
            return False

    def stop(self, timeout: float | None = None) -> tuple[int, str]:
        """SIGTERM, then wait at most ``timeout`` (default ``stop_timeout``) seconds; kill
        if the process is still there.  Returns the exit code and the captured output
        (a kill is noted at its end).  Safe to call again."""
        process = self._started()
        timeout = self.stop_timeout if timeout is None else timeout
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                self._output.append(f"\n[bench.server: still running {timeout:g} s after "
                                    "SIGTERM, so killed]\n")
        return process.wait(), self._collect()

    def kill(self) -> tuple[int, str]:
        """SIGKILL at once (no graceful shutdown); the exit code and the captured output."""
        process = self._started()
        if process.poll() is None:
            process.kill()
        return process.wait(KILL_TIMEOUT), self._collect()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    def _started(self) -> subprocess.Popen[str]:
        if self.process is None:
            raise RuntimeError(f"the server at {self.url} was never started")
        return self.process

    def _read(self, stream: IO[str]) -> None:
        with stream:
            for line in stream:
                self._output.append(line)

    def _collect(self) -> str:
        """All the output, once the process has exited and its pipe has been read."""
        if self._reader is not None:
            self._reader.join(KILL_TIMEOUT)
        return "".join(self._output)

    def _tail(self, output: str) -> str:
        if not self.capture:
            return "(output not captured)"
        return output[-TAIL:] or "(no output)"


# --- nginx in front of several servers ----------------------------------------------------

NGINX_CONF = ROOT / "deploy" / "nginx" / "slopescope.conf"
NGINX_MAIN = """\
{user}worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    log_format upstream '$upstream_addr $status $request_method $uri';
    access_log {tmp}/access.log upstream;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream slopescope {{
        least_conn;
{servers}
        keepalive 32;
    }}
    include {tmp}/slopescope.conf;
}}
"""


def nginx_binary() -> str | None:
    """Debian's nginx (``apt-get install nginx``), if installed."""
    import shutil

    return shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(path).exists()),
        None)


class LocalBalancer:
    """Debian's nginx on ``127.0.0.1:<free port>`` in front of ``upstreams`` (``host:port``
    of servers on this machine), with the shipped server block
    (``deploy/nginx/slopescope.conf``, its ``listen 80`` made this port): the proxy a
    class would use, on loopback.  Its access log records the upstream of every request
    (:meth:`upstream_counts`).  ``with`` starts it (once ``/nginx-health`` answers) and
    stops it (SIGQUIT: graceful, then SIGKILL); its files live in a temporary directory.
    """

    host = HOST

    def __init__(self, upstreams: Sequence[str], start_timeout: float = START_TIMEOUT) -> None:
        import tempfile

        binary = nginx_binary()
        if binary is None:
            raise FileNotFoundError("nginx is not installed (apt-get install nginx)")
        self.binary = binary
        self.upstreams = list(upstreams)
        self.start_timeout = start_timeout
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self._dir = tempfile.TemporaryDirectory(prefix="slopescope-nginx-")
        self.dir = Path(self._dir.name)
        self.process: subprocess.Popen[str] | None = None

    def config(self) -> str:
        """The main configuration file's text (the server block is included)."""
        servers = "\n".join(f"        server {upstream} max_fails=3 fail_timeout=10s;"
                            for upstream in self.upstreams)
        user = "user root;\n" if os.geteuid() == 0 else ""  # temp files writable by workers
        return NGINX_MAIN.format(tmp=self.dir, servers=servers, user=user)

    def write(self) -> Path:
        block = NGINX_CONF.read_text(encoding="utf-8")
        if "    listen 80;" not in block:
            raise ValueError(f"{NGINX_CONF} has no 'listen 80;' line to point at this port")
        block = block.replace("    listen 80;", f"    listen {HOST}:{self.port};")
        (self.dir / "slopescope.conf").write_text(block, encoding="utf-8")
        main = self.dir / "nginx.conf"
        main.write_text(self.config(), encoding="utf-8")
        return main

    def check(self) -> subprocess.CompletedProcess[str]:
        """``nginx -t`` on the configuration (it is written first)."""
        main = self.write()
        return subprocess.run([self.binary, "-t", "-p", str(self.dir), "-c", str(main)],
                              capture_output=True, text=True, timeout=30)

    def start(self) -> LocalBalancer:
        main = self.write()
        self.process = subprocess.Popen(
            [self.binary, "-p", str(self.dir), "-c", str(main), "-g", "daemon off;"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True)
        deadline = time.monotonic() + self.start_timeout
        while True:
            try:
                if httpx.get(self.url + "/nginx-health", timeout=1,
                             trust_env=False).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                error = self.stop()
                raise RuntimeError(f"nginx did not start: {error[-TAIL:]}")
            time.sleep(0.1)

    def stop(self) -> str:
        """Stop nginx (SIGQUIT, then SIGKILL); its error log."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(KILL_TIMEOUT)
        log = self.dir / "error.log"
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        if self.process is not None and self.process.stderr is not None:
            text += self.process.stderr.read()
        return text

    def upstream_counts(self) -> dict[str, int]:
        """Requests per upstream address, from the access log."""
        counts: dict[str, int] = {}
        log = self.dir / "access.log"
        if log.exists():
            for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
                for upstream in line.split(" ", 1)[0].split(","):
                    upstream = upstream.strip()
                    if upstream and upstream != "-":
                        counts[upstream] = counts.get(upstream, 0) + 1
        return counts

    def __enter__(self) -> LocalBalancer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()
        self._dir.cleanup()
