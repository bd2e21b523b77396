"""What the browser tests and the screenshot script share: how Chromium is launched, and
how a descent run is started on the page."""

from __future__ import annotations

import os
from typing import Any

CHROMIUM = os.environ.get("SLOPESCOPE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def run_descent(page: Any, lr: float, steps: int, optimizer: str = "gd") -> None:
    """Set the optimizer, learning rate and steps, press Run descent, wait for the run."""
    before = page.locator("#runs-rows tr").count()
    page.select_option("#optimizer", optimizer)
    page.fill("#lr", str(lr))
    page.fill("#steps", str(steps))
    page.click("#run")
    page.wait_for_function("n => document.querySelectorAll('#runs-rows tr').length > n",
                           arg=before)
