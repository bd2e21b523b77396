"""The Plotly toolbars offer nothing that uploads a user's data (issue 9).

Plotly.js draws a "Share chart..." (send to cloud) button unless told not to, and other
versions have had "Edit in Chart Studio" and links to plotly.com; ``PLOT_CONFIG`` in
``static/js/theme.js`` turns them off.  Every plot of each view is checked, in a real
browser, for what its mode bar really shows; the PNG download must still be there.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from tests.browser.pagekit import run_descent

pytestmark = pytest.mark.browser

CLOUDY = re.compile(r"cloud|chart studio|share|edit in", re.IGNORECASE)
FOREIGN = re.compile(r"plotly\.com|chart-studio|chart_studio", re.IGNORECASE)

#: Per drawn plot: its id and, for each mode-bar button, its titles and target.
TOOLBARS_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(el => ({
  id: el.id,
  visible: el.offsetParent !== null,
  buttons: Array.from(el.querySelectorAll('.modebar-btn')).map(b => ({
    title: b.getAttribute('data-title') || '',
    tooltip: b.getAttribute('title') || '',
    attr: b.getAttribute('data-attr') || '',
    val: b.getAttribute('data-val') || '',
    href: b.getAttribute('href') || '',
  })),
}))"""
LINKS_JS = "() => Array.from(document.querySelectorAll('a[href]'), a => a.href)"


def open_view(page, server: str, query: str) -> None:
    page.goto(f"{server}/?{query}")
    page.wait_for_function("() => document.body.dataset.ready === 'true'")
    page.wait_for_selector(".js-plotly-plot .modebar-btn", state="attached")


@pytest.mark.parametrize(("query", "plots"), [
    (f"f={quote('3*x**2 - 4*x')}&point=1", {"plot-1d", "plot-steps"}),
    (f"f={quote('x**2 + y**2')}&point=-3,4", {"plot-contour", "plot-loss"}),
    (f"f={quote('x**2 + y**2')}&point=-3,4&view=surface", {"plot-surface", "plot-loss"}),
], ids=["1d", "contour", "surface"])
def test_no_toolbar_offers_to_upload(page, server, recorder, query, plots):
    open_view(page, server, query)
    if "plot-loss" in plots:  # the loss plot is drawn by a descent run
        run_descent(page, lr=0.1, steps=20)
        page.wait_for_selector("#plot-loss .modebar-btn", state="attached")
    toolbars = {bar["id"]: bar for bar in page.evaluate(TOOLBARS_JS) if bar["visible"]}
    assert plots <= set(toolbars), sorted(toolbars)
    for plot, bar in toolbars.items():
        assert bar["buttons"], f"{plot} has no mode bar"
        for button in bar["buttons"]:
            words = " ".join((button["title"], button["tooltip"], button["attr"], button["val"]))
            assert not CLOUDY.search(words), f"{plot}: {button}"
            assert not FOREIGN.search(button["href"]), f"{plot}: {button}"
        downloads = [b for b in bar["buttons"] if re.search(r"download.*png", b["title"], re.I)]
        assert len(downloads) == 1, f"{plot}: {[b['title'] for b in bar['buttons']]}"
    foreign = [href for href in page.evaluate(LINKS_JS) if FOREIGN.search(href)]
    assert foreign == []
    assert recorder.page_errors == [] and recorder.console_errors == []
