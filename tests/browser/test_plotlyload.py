"""Plotly.js in two parts (static/js/plotlyload.js): the page's first plot loads only the
2-D traces; the 3-D ones (WebGL) come when the surface is first shown, from a link, a
click or the browser's Back and Forward, and register into the page's one Plotly."""

from __future__ import annotations

from urllib.parse import quote

import pytest

pytestmark = pytest.mark.browser

SPHERE = quote("x**2 + y**2")
TRACE_TYPES = "() => Object.keys(Plotly.PlotSchema.get().traces).sort()"
SURFACE_DRAWN = "() => (document.getElementById('plot-surface').data || []).length > 0"
TWO_D = ["contour", "heatmap", "scatter"]
ALL = ["contour", "heatmap", "scatter", "scatter3d", "surface"]


def loaded_3d(requests: list[str]) -> int:
    return sum(url.endswith("/vendor/plotly/plotly-3d.js") for url in requests)


def test_the_3d_traces_load_when_the_surface_is_first_shown(page, server, recorder):
    page.goto(f"{server}/?f={SPHERE}")
    page.wait_for_selector("body[data-ready=true]")
    assert page.evaluate(TRACE_TYPES) == TWO_D
    assert loaded_3d(recorder.requests) == 0
    page.click("#tab-surface")
    page.wait_for_function(SURFACE_DRAWN)
    assert page.evaluate(TRACE_TYPES) == ALL  # into the same Plotly
    assert page.evaluate("() => document.getElementById('plot-surface').data[0].type") == (
        "surface")
    page.click("#tab-contour")
    page.click("#tab-surface")
    assert loaded_3d(recorder.requests) == 1
    assert recorder.console_errors == [] and recorder.page_errors == []


def test_a_link_to_the_surface_and_back_and_forward(page, server, recorder):
    page.goto(f"{server}/?f={SPHERE}&view=surface")
    page.wait_for_function(SURFACE_DRAWN)
    assert page.get_attribute("#tab-surface", "aria-selected") == "true"
    page.click("#tab-contour")
    page.wait_for_function("() => !document.getElementById('plot-contour').hidden")
    page.go_back()
    page.wait_for_function("() => !document.getElementById('plot-surface').hidden")
    page.go_forward()
    page.wait_for_function("() => !document.getElementById('plot-contour').hidden")
    assert recorder.console_errors == [] and recorder.page_errors == []


def test_the_last_tab_chosen_wins_while_the_3d_traces_load(page, server):
    """Surface, then at once contour: the contour stays, whenever the 3-D traces arrive."""
    page.goto(f"{server}/?f={SPHERE}")
    page.wait_for_selector("body[data-ready=true]")
    # both in one task, so the second comes before the 3-D traces can have loaded (a
    # mouse click waits for the page, which is busy loading them)
    page.evaluate("""() => {
      document.getElementById('tab-surface').click();
      document.getElementById('tab-contour').click();
    }""")
    # the tab's choice goes on in the same microtasks as the import that registers these
    page.wait_for_function(f"() => ({TRACE_TYPES})().includes('surface')")
    assert page.get_attribute("#tab-contour", "aria-selected") == "true"
    assert page.is_visible("#plot-contour") and not page.is_visible("#plot-surface")
    assert "view=surface" not in page.url
