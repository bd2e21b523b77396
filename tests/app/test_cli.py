"""The ``slopescope`` command's options (the server itself: test_server.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

import app
from app.cli import parse_args, url_for


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
