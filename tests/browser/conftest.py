"""Fixtures for the browser tests: a real server and Debian's Chromium driven by Playwright.

The server is ``python -m app`` on a free port of 127.0.0.1, started once per session
in a subprocess (:class:`bench.server.LocalServer`). The browser is ``/usr/bin/chromium``
(``.ci/run`` installs it with apt-get); Playwright's own browser downloads are never used.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bench.server import LocalServer
from tests.browser.pagekit import CHROMIUM, CHROMIUM_ARGS

VIEWPORT = {"width": 1280, "height": 800}


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """Base URL of a live Slopescope server (``http://127.0.0.1:PORT``)."""
    with LocalServer(stop_timeout=10) as running:
        yield running.url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Chromium, launched once per session."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run should install it")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Recorder:
    """Everything a page did that a test may want to check afterwards."""

    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_responses: list[str] = field(default_factory=list)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture(scope="session")
def context(browser) -> Iterator[object]:
    """One browser context for the session: its HTTP cache keeps Plotly.js compiled."""
    ctx = browser.new_context(viewport=VIEWPORT)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context, recorder: Recorder) -> Iterator[object]:
    """A fresh 1280×800 tab (its own history) that records requests and errors."""
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    pg.on("request", lambda request: recorder.requests.append(request.url))
    pg.on("console", lambda msg: msg.type == "error" and recorder.console_errors.append(msg.text))
    pg.on("pageerror", lambda err: recorder.page_errors.append(str(err)))
    pg.on(
        "response",
        lambda r: r.status >= 400 and recorder.failed_responses.append(f"{r.status} {r.url}"),
    )
    try:
        yield pg
    finally:
        pg.close()
