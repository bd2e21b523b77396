"""``pip install .`` (not editable) works, and ``slopescope`` then serves the whole page
from any directory.

The slow test builds the wheel from a copy of this checkout (nothing is written into the
checkout), installs it with its dependencies into a fresh virtual environment (no
system site-packages, so a missing dependency or a missing file fails), starts that
environment's ``slopescope`` from an empty directory and follows everything the page
loads: its scripts and stylesheets, every ES module reachable from them (Plotly.js
included: it is package data, so no npm and no CDN is needed), and ``/docs``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from bench.server import LocalServer

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
#: What a checkout may hold that is not source: VCS data, caches, build output.
NOT_SOURCE = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__",
                                    ".*_cache", ".hypothesis", ".venv", "test-artifacts")
#: Bound, in seconds, of each build or install step (PyPI or a local index is needed).
STEP_TIMEOUT = 600
#: Relative ES-module specifiers: ``import {a} from "./x.js"``, ``import "./x.js"``,
#: ``export * from "./x.js"`` and ``import("./x.js")``.
MODULE_IMPORT = re.compile(r"""(?:\bfrom|\bimport)\s*\(?\s*["'](\.{1,2}/[^"']+)["']""")


def python_packages(root: Path) -> set[str]:
    """Dotted names of the Python packages (directories with ``__init__.py``) of the
    project's code, ``app`` and ``engine``."""
    return {".".join(init.parent.relative_to(root).parts)
            for top in ("app", "engine") for init in (root / top).rglob("__init__.py")
            if "__pycache__" not in init.parts}


def test_every_python_package_is_listed():
    """pyproject.toml lists packages by name (it maps templates/ and static/ into app),
    so a new package that is not listed would be missing from the wheel."""
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    missing = python_packages(ROOT) - listed
    assert not missing, f"add {sorted(missing)} to [tool.setuptools] packages"
    mapped = PYPROJECT["tool"]["setuptools"]["package-dir"]
    for name in listed:
        where = ROOT / mapped.get(name, name.replace(".", "/"))
        assert where.is_dir(), f"package {name} is listed but {where} does not exist"


class Links(HTMLParser):
    """The scripts and stylesheets a page loads (``src`` / ``href`` as written)."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.modules: list[str] = []
        self.stylesheets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and found.get("src"):
            self.scripts.append(str(found["src"]))
            if found.get("type") == "module":
                self.modules.append(str(found["src"]))
        rel = (found.get("rel") or "").lower().split()
        if tag == "link" and "stylesheet" in rel and found.get("href"):
            self.stylesheets.append(str(found["href"]))


def links(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def run(command: list[str], cwd: Path) -> None:
    """Run a build or install step; fail the test with its output if it fails."""
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=STEP_TIMEOUT)
    assert done.returncode == 0, (f"{' '.join(command)} exited {done.returncode}:\n"
                                  f"{(done.stdout + done.stderr)[-4000:]}")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel ``pip wheel`` builds from a copy of this checkout."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "slopescope"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check",
         "--wheel-dir", str(work / "dist"), str(source)], cwd=work)
    (built,) = (work / "dist").glob("slopescope-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel and its dependencies installed."""
    where = tmp_path_factory.mktemp("venv") / "env"
    run([sys.executable, "-m", "venv", str(where)], cwd=where.parent)
    run([str(where / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check",
         str(wheel)], cwd=where.parent)
    return where


@pytest.fixture(scope="module")
def empty_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("elsewhere")


@pytest.fixture(scope="module")
def installed_server(venv: Path, empty_dir: Path) -> Iterator[LocalServer]:
    """The installed ``slopescope`` started in an empty directory (``env -C``)."""
    command = ["env", "-C", str(empty_dir), str(venv / "bin" / "slopescope")]
    with LocalServer(command, args=("--log-level", "warning")) as server:
        yield server


@pytest.mark.server
def test_the_wheel_holds_the_code_and_the_assets(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    expected = {path.relative_to(ROOT).as_posix() for top in ("app", "engine")
                for path in (ROOT / top).rglob("*.py") if "__pycache__" not in path.parts}
    for top in ("static", "templates"):
        expected |= {"app/" + path.relative_to(ROOT).as_posix()
                     for path in (ROOT / top).rglob("*") if path.is_file()}
    assert "app/templates/index.html" in expected and "app/static/js/main.js" in expected
    assert not expected - names, f"missing from the wheel: {sorted(expected - names)}"


@pytest.mark.server
def test_the_installed_package_runs_from_its_own_files(venv, empty_dir):
    """The environment imports its own copy of the package, not this checkout."""
    probe = ("import app, app.assets; print(app.__file__); print(app.__version__); "
             "print(app.assets.asset_dir('static'))")
    done = subprocess.run([str(venv / "bin" / "python"), "-c", probe], cwd=empty_dir,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    module, version, static = done.stdout.splitlines()
    assert Path(module).is_relative_to(venv), module
    assert Path(static).is_relative_to(venv), static
    assert version == PYPROJECT["project"]["version"]


@pytest.mark.server
def test_the_installed_command_serves_the_whole_page(installed_server):
    base = installed_server.url + "/"
    with httpx.Client(timeout=30, trust_env=False) as client:
        page = client.get(base)
        assert page.status_code == 200, page.text[:500]
        assert page.headers["content-type"].startswith("text/html")
        found = links(page.text)
        assert found.modules and found.stylesheets, page.text[:500]
        for href in found.scripts + found.stylesheets:
            answer = client.get(urljoin(base, href))
            assert answer.status_code == 200, href
            assert answer.content, href

        # every ES module reachable from the page's module scripts
        pending = [urljoin(base, src) for src in found.modules]
        seen: set[str] = set()
        while pending:
            url = pending.pop()
            if url in seen:
                continue
            seen.add(url)
            answer = client.get(url)
            assert answer.status_code == 200, f"{urlsplit(url).path} answered {answer.status_code}"
            assert "javascript" in answer.headers["content-type"], url
            pending += [urljoin(url, spec) for spec in MODULE_IMPORT.findall(answer.text)]
        paths = {urlsplit(url).path for url in seen}
        # versioned URLs (/assets/<version>/js/...: app/static.py)
        served = {p.split("/", 3)[-1] for p in paths}
        assert {"js/main.js", "js/theme.js"} <= served, paths
        # Plotly.js is in the wheel (static/vendor/plotly/): the page's entry point, the
        # chunk it shares with the 3-D traces, and those (imported with the 3-D view)
        plotly = {p for p in served if p.startswith("vendor/plotly/")}
        assert {"vendor/plotly/plotly.js", "vendor/plotly/plotly-3d.js"} < plotly, paths

        docs = client.get(base + "docs")
        assert docs.status_code == 200
        for href in links(docs.text).scripts + links(docs.text).stylesheets:
            assert client.get(urljoin(base, href)).status_code == 200, href

        answer = client.post(base + "gradient", json={"expr": "x**2 + y**2", "point": [3, 4]})
        assert answer.status_code == 200
        assert answer.json()["gradient"] == [6.0, 8.0]
    code, output = installed_server.stop()
    assert code == 0, output
