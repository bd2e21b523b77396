"""The runs on screen are numbered #1, #2, ... with no gaps (static/js/runs.js): a run
is numbered once it is answered, so one refused or cancelled takes no number, and a
link's runs keep the link's order whichever is answered first."""

from __future__ import annotations

import json

import pytest

from tests.browser.pagekit import run_descent
from tests.browser.test_page import open_page, url

pytestmark = pytest.mark.browser

BOWL = "x**2 + 10*y**2"
NAMES_JS = """() => (document.getElementById('plot-contour').data || [])
  .map(t => t.name || '').filter(n => n.startsWith('#')).map(n => n.split(' ')[0])"""


def test_a_refused_run_takes_no_number(page, server):
    open_page(page, url(server, BOWL, "&point=-3,4"))
    refused = {"count": 0}

    def refuse_once(route):  # the first run asked for (not the start point's steps=0 panel)
        if refused["count"] == 0 and json.loads(route.request.post_data or "{}").get("steps"):
            refused["count"] += 1
            route.fulfill(status=422, content_type="application/json", body=(
                '{"detail": [{"loc": ["body", "lr"], "msg": "refused here", "type": "x"}]}'))
        else:
            route.continue_()

    page.route("**/descent", refuse_once)
    page.select_option("#optimizer", "gd")
    page.fill("#lr", "0.05")
    page.fill("#steps", "20")
    page.click("#run")
    page.wait_for_function("() => document.getElementById('descent-status')"
                           ".className.includes('error')")
    run_descent(page, lr=0.05, steps=20)
    run_descent(page, lr=0.02, steps=20)
    assert refused["count"] == 1
    assert page.evaluate(NAMES_JS) == ["#1", "#2"]
    assert [r.split()[0] for r in page.locator("#runs-rows tr").all_inner_texts()] == [
        "#1", "#2"]


def test_a_links_runs_keep_its_order(page, server):
    """Three runs in a link, the first the slowest to answer: still #1, #2, #3 in order."""
    runs = "".join(f"&run=gd,{lr},{steps},autodiff,-3,4"
                   for lr, steps in ((0.01, 3000), (0.05, 20), (0.02, 20)))
    open_page(page, url(server, BOWL, runs))
    page.wait_for_function("() => document.querySelectorAll('#runs-rows tr').length === 3")
    assert page.evaluate(NAMES_JS) == ["#1", "#2", "#3"]
    rows = page.locator("#runs-rows tr").all_inner_texts()
    assert [r.split()[0] for r in rows] == ["#1", "#2", "#3"]
    assert [r.split("\t")[1] for r in rows] == ["0.01", "0.05", "0.02"]
