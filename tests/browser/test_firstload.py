"""The first load of the page (static/js/main.js, templates/index.html): the first field
is asked for while Plotly.js is still loading, not after it, and the figure drawn is the
same whichever of the two comes first.

Plotly's chunk is held back here (a Playwright route) until the page has asked for its
field: a page that waited for Plotly before asking would never ask, and the test would
fail on its timeout.  Each test opens a new browser context (an empty cache).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import VIEWPORT

pytestmark = pytest.mark.browser

CHUNK = "**/vendor/plotly/plotly-*.js"
FIELD_DRAWN = """() => document.body.dataset.ready === "true"
  && (document.getElementById("plot-contour").data || []).length > 0"""
#: What the contour shows: its field, its levels and colours, and the axes' ranges.
FIGURE = """() => {
  const el = document.getElementById("plot-contour");
  const [contour] = el.data;
  return {
    traces: el.data.map((t) => t.type),
    x: Array.from(contour.x), y: Array.from(contour.y),
    z: Array.from(contour.z, (row) => Array.from(row)),
    contours: el._fullData[0].contours, colorscale: el._fullData[0].colorscale,
    xrange: el._fullLayout.xaxis.range, yrange: el._fullLayout.yaxis.range,
    locale: el._context.locale,
  };
}"""


@pytest.fixture
def fresh(browser) -> Iterator[Any]:
    """A page in a new browser context (nothing cached), with its errors recorded."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.errors = []  # type: ignore[attr-defined]
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("response", lambda r: r.status >= 400 and page.errors.append(f"{r.status} {r.url}"))
    try:
        yield page
    finally:
        context.close()


def load_with_plotly_held(page: Any, url: str) -> dict[str, Any]:
    """Open ``url`` with Plotly's chunk held until the page has asked for its field;
    what the page had done by then (whether Plotly existed), once it has drawn."""
    held: list[Any] = []
    page.route(CHUNK, lambda route: held.append(route))
    with page.expect_request(lambda r: r.url.endswith("/field"), timeout=20_000):
        page.goto(url, wait_until="commit")
    plotly_then = page.evaluate("() => typeof Plotly")
    page.wait_for_timeout(100)
    assert held, "the page asked for its field before it asked for Plotly.js"
    for route in held:
        route.continue_()
    page.wait_for_function(FIELD_DRAWN)
    return {"plotly": plotly_then}


def test_the_first_field_is_asked_for_while_plotly_loads(fresh, server):
    seen = load_with_plotly_held(fresh, f"{server}/")
    assert seen["plotly"] == "undefined"
    assert fresh.get_attribute("#tab-contour", "aria-selected") == "true"
    assert fresh.errors == []


def test_the_figure_is_the_same_whichever_comes_first(fresh, browser, server):
    """Field first (Plotly held), or Plotly first (the field held until Plotly exists):
    the same contour, levels, colours and ranges."""
    load_with_plotly_held(fresh, f"{server}/")
    field_first = fresh.evaluate(FIGURE)

    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        waited: list[bool] = []

        def after_plotly(route: Any) -> None:
            page.wait_for_function("() => typeof Plotly !== 'undefined'")
            waited.append(True)
            route.continue_()

        page.route("**/field", after_plotly)
        page.goto(f"{server}/")
        page.wait_for_function(FIELD_DRAWN)
        assert waited
        plotly_first = page.evaluate(FIGURE)
    finally:
        context.close()
    assert field_first == plotly_first
    assert field_first["traces"][0] == "contour" and len(field_first["z"]) > 10
    assert fresh.errors == []


def test_plotly_speaks_the_page_language_when_it_comes_last(fresh, server):
    """The language is chosen before Plotly.js exists; its locale is given to it after."""
    load_with_plotly_held(fresh, f"{server}/?lang=zh")
    expected = fresh.evaluate(
        "() => document.querySelector('#lang option[value=zh]').dataset.plotly")
    assert expected and expected != "en"
    assert fresh.evaluate(FIGURE)["locale"] == expected
    assert fresh.errors == []


def test_a_link_to_the_network_view_waits_for_plotly(fresh, server):
    """The network view draws with Plotly as it is shown: a link to it, Plotly last."""
    held: list[Any] = []
    fresh.route(CHUNK, lambda route: held.append(route))
    fresh.goto(f"{server}/?view=network", wait_until="domcontentloaded")
    fresh.wait_for_timeout(300)  # the page's modules run meanwhile, Plotly.js held
    assert held
    for route in held:
        route.continue_()
    fresh.wait_for_function(
        "() => !document.getElementById('view-network').hidden"
        " && document.getElementById('net-loss').classList.contains('js-plotly-plot')")
    assert fresh.errors == []


def field_requests(page: Any) -> list[str]:
    """The bodies of the page's questions for a whole field (n points a side; the point
    panel's slices, nx by ny, left out), as they are asked."""
    asked: list[str] = []

    def record(request: Any) -> None:
        if request.url.endswith("/field") and "n" in json.loads(request.post_data or "{}"):
            asked.append(request.post_data)

    page.on("request", record)
    return asked


def test_the_first_field_is_asked_for_before_the_page_modules_have_all_come(fresh, server):
    """static/js/firstfield.js asks with the tables: main.js held back, the field is asked
    for all the same; main.js then takes that answer instead of asking again."""
    held: list[Any] = []
    asked = field_requests(fresh)
    fresh.route("**/js/main.js", lambda route: held.append(route))
    with fresh.expect_request(lambda r: r.url.endswith("/field"), timeout=20_000):
        fresh.goto(f"{server}/", wait_until="commit")
    assert held, "the field was asked for after main.js had come"
    for route in held:
        route.continue_()
    fresh.wait_for_function(FIELD_DRAWN)
    fresh.wait_for_timeout(200)
    assert len(asked) == 1
    assert fresh.errors == []


@pytest.mark.parametrize(("query", "fields", "drawn"), [
    ("?f=x**2%20%2B%20y**2&point=4,-4", 1, "plot-contour"),  # widened to hold the point
    ("?f=(1-x)**2%2B100*(y-x**2)**2", 1, "plot-contour"),  # a preset's text in a link
    ("?f=x**3", 2, "plot-1d"),  # one variable: a 1-D field is asked for next
])
def test_a_link_asks_for_its_first_field_once(fresh, server, query, fields, drawn):
    asked = field_requests(fresh)
    fresh.goto(f"{server}/{query}")
    fresh.wait_for_function(f"""() => document.body.dataset.ready === "true"
      && (document.getElementById("{drawn}").data || []).length > 0""")
    fresh.wait_for_timeout(200)
    # one question for the opening field: main.js asked what firstfield.js had asked
    # (the same function and box), else it would have asked again
    assert len(asked) == fields
    assert fresh.errors == []


def test_a_refused_link_shows_its_error_once(fresh, server):
    asked = field_requests(fresh)
    fresh.goto(f"{server}/?f=sin(")
    fresh.wait_for_selector("#expr-error:not([hidden])")
    fresh.wait_for_timeout(200)
    assert len(asked) == 1
    assert fresh.input_value("#expr") == "sin("
    assert [e for e in fresh.errors if "422" not in e] == []
