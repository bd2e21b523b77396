"""The interactive page in a real browser against a real server (issue 4).

Each test opens its own page (fresh history) on the session's server, acts like a user
(typing, clicking, pressing keys) and checks what is drawn by reading the Plotly trace
data of the plot divs.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from tests.browser.pagekit import run_descent

pytestmark = pytest.mark.browser

SPHERE = "x**2 + y**2"
PARABOLA = "3*x**2 - 4*x"

# ---------------------------------------------------------------------------- helpers

TRACES_JS = """id => {
  const el = document.getElementById(id);
  if (!el || !el.data) return null;
  return el.data.map(t => ({
    type: t.type || 'scatter', name: t.name || '', mode: t.mode || '',
    x: Array.from(t.x || []), y: Array.from(t.y || []),
  }));
}"""


def url(server: str, expr: str, extra: str = "") -> str:
    return f"{server}/?f={quote(expr)}{extra}"


def open_page(page, address: str) -> None:
    page.goto(address)
    page.wait_for_selector("body[data-ready=true]")


def type_expr(page, text: str) -> None:
    """Type a function and wait until the page has drawn it."""
    page.fill("#expr", text)
    page.wait_for_function("t => document.body.dataset.expr === t", arg=text)


def traces(page, plot_id: str) -> list[dict]:
    return page.evaluate(TRACES_JS, plot_id)


def run_traces(page, plot_id: str = "plot-contour") -> list[dict]:
    """Descent trajectories (one trace per run, named '#n ...')."""
    return [t for t in traces(page, plot_id) if t["name"].startswith("#")]


def segments(trace: dict) -> int:
    """Line segments in a trace whose segments are separated by nulls."""
    xs = trace["x"]
    return sum(1 for a, b in zip(xs, xs[1:], strict=False) if a is not None and b is not None)


# ---------------------------------------------------------------------------- tests


def test_typing_a_function_draws_contour_and_arrows(page, server):
    open_page(page, url(server, "sin(x)"))
    assert page.is_visible("#view-1d")
    type_expr(page, SPHERE)

    assert page.is_visible("#plot-contour") and not page.is_visible("#view-1d")
    data = traces(page, "plot-contour")
    assert data[0]["type"] == "contour"
    # the hover text of grid point (i, j) is f(x[i], y[j])
    x, y, f = page.evaluate("""() => {
      const t = document.getElementById('plot-contour').data[0];
      return [t.x[10], t.y[30], Number(t.text[30][10])];
    }""")
    assert f == pytest.approx(x**2 + y**2, rel=1e-5)
    arrows = next(t for t in data if t["name"] == "−∇f")
    # every arrow is a shaft and two head strokes
    assert segments(arrows) >= 3 * 100
    assert None in arrows["x"]


def test_arrow_toggle_shows_ascent(page, server):
    open_page(page, url(server, SPHERE))
    page.check("#ascent")
    page.wait_for_function(
        "() => document.getElementById('plot-contour').data.some(t => t.name === '+∇f')"
    )


def test_run_descent_draws_51_point_trajectory(page, server):
    open_page(page, url(server, SPHERE, "&point=-3,4"))
    run_descent(page, lr=0.1, steps=50)

    (run,) = run_traces(page)
    assert len(run["x"]) == len(run["y"]) == 51
    assert run["x"][0] == pytest.approx(-3) and run["y"][0] == pytest.approx(4)
    assert abs(run["x"][-1]) < 1e-3 and abs(run["y"][-1]) < 1e-3
    (loss,) = [t for t in traces(page, "plot-loss") if t["name"].startswith("#")]
    assert len(loss["x"]) == 51
    status = page.text_content("#descent-status")
    assert "50" in status and "diverge" not in status.lower()


def test_large_learning_rate_reports_divergence(page, server):
    open_page(page, url(server, SPHERE, "&point=-3,4"))
    run_descent(page, lr=10, steps=50)

    status = page.locator("#descent-status")
    assert "diverged" in (status.get_attribute("class") or "")
    assert "diverge" in status.text_content().lower()
    assert "step" in status.text_content().lower()



def test_descent_status_shows_a_refusal_without_a_column(page, server):
    open_page(page, url(server, "abs(x) + y", "&point=1,2"))
    page.select_option("#method", "complex-step")
    page.click("#run")
    page.wait_for_function(
        "() => document.getElementById('descent-status').className.includes('error')")
    status = page.text_content("#descent-status")
    assert "complex step" in status and "abs" in status
    assert "column" not in status

def test_several_runs_stay_for_comparison_and_clear(page, server):
    open_page(page, url(server, SPHERE, "&point=-3,4"))
    run_descent(page, lr=0.1, steps=20)
    run_descent(page, lr=0.05, steps=20, optimizer="adam")
    runs = run_traces(page)
    assert [r["name"].split()[0] for r in runs] == ["#1", "#2"]
    colours = page.evaluate(
        "() => document.getElementById('plot-contour').data"
        ".filter(t => (t.name || '').startsWith('#')).map(t => t.line.color)"
    )
    assert len(set(colours)) == 2
    page.click("#clear-runs")
    page.wait_for_function("() => document.querySelectorAll('#runs-rows tr').length === 0")
    assert run_traces(page) == []


def test_player_walks_a_trajectory_with_gradient_arrow(page, server):
    open_page(page, url(server, SPHERE, "&point=-3,4"))
    run_descent(page, lr=0.1, steps=10)
    slider = page.locator("#play-step")
    slider.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("""() => {
      const d = document.getElementById('plot-contour').data;
      const arrow = d.find(t => t.name === 'gradient arrow');
      return arrow && arrow.x.length >= 6;
    }""")
    assert "2 of 10" in page.text_content("#play-readout")
    cursor = next(t for t in traces(page, "plot-contour") if t["name"] == "current step")
    assert cursor["x"][0] == pytest.approx(-3 * 0.8**2)


def test_clicking_the_contour_sets_the_start(page, server):
    open_page(page, url(server, SPHERE, "&xr=-2,2&yr=-2,2"))
    box = page.locator("#plot-contour .nsewdrag").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.25)
    page.wait_for_function(
        "() => Math.abs(Number(document.getElementById('start-x').value) - 1) < 0.05"
    )
    assert float(page.input_value("#start-y")) == pytest.approx(1, abs=0.05)
    point = re.search(r"[?&]point=([^&]+)", page.url).group(1).split(",")
    assert [float(v) for v in point] == pytest.approx([1, 1], abs=0.05)


def test_tangent_at_one_has_slope_two(page, server):
    open_page(page, url(server, SPHERE))
    type_expr(page, PARABOLA)
    assert page.is_visible("#view-1d")
    page.fill("#x0", "1")
    page.press("#x0", "Enter")
    page.wait_for_function(
        "() => /^y = 2x [-−] 3$/.test(document.getElementById('tangent-eq').textContent.trim())"
    )
    tangent = next(t for t in traces(page, "plot-1d") if t["name"].startswith("tangent"))
    (x0, x1), (y0, y1) = tangent["x"], tangent["y"]
    assert (y1 - y0) / (x1 - x0) == pytest.approx(2)
    assert page.text_content("#fx0").strip() in ("−1", "-1")
    # secants converge to the slope
    rows = page.locator("#secant-rows tr").all_text_contents()
    assert len(rows) >= 4 and "2.3" in rows[2]
    # f and f' are drawn, and the error-versus-h plot has its V
    names = [t["name"] for t in traces(page, "plot-1d")]
    assert "f(x)" in names and "f′(x)" in names
    page.wait_for_function("() => (document.getElementById('plot-steps').data || []).length >= 3")


def test_corner_shows_no_tangent_and_says_why(page, server):
    open_page(page, url(server, "abs(x)", "&point=0"))
    page.wait_for_function(
        "() => document.getElementById('tangent-eq').textContent.includes('corner')")
    assert "-1 from the left and 1 from the right" in page.text_content("#tangent-eq")
    names = page.evaluate("() => document.getElementById('plot-1d').data.map(t => t.name || '')")
    assert not any(name.startswith("tangent") for name in names)


def test_numerical_method_is_compared_with_exact(page, server):
    open_page(page, url(server, "exp(x)", "&point=1"))
    page.select_option("#method", "forward")
    page.wait_for_function(
        "() => document.getElementById('d-method-name').textContent === 'forward difference'"
    )
    page.wait_for_function("() => document.getElementById('d-err').textContent.includes('e')")
    assert page.text_content("#d-exact").startswith("2.71828")
    assert "method=forward" in page.url


def test_complex_step_curve_is_dropped_for_abs(page, server):
    open_page(page, url(server, "abs(x) + x**2", "&point=1"))
    page.wait_for_function(
        "() => document.getElementById('steps-note').textContent.includes('complex')"
    )
    names = [t["name"] for t in traces(page, "plot-steps")]
    assert "complex step" not in names and "central difference" in names


def test_bad_expression_shows_error_and_keeps_plot(page, server):
    open_page(page, url(server, SPHERE))
    before = page.evaluate(
        "() => document.getElementById('plot-contour').data[0].z[40].slice(0, 5)"
    )

    page.fill("#expr", "x**2 + * y")
    page.wait_for_selector("#expr-error", state="visible")
    message = page.text_content("#expr-error-msg")
    column = int(re.search(r"column (\d+)", message).group(1))
    text_line, caret_line = page.text_content("#expr-caret").split("\n")
    assert text_line == "x**2 + * y"
    assert caret_line.index("^") == column - 1
    assert page.get_attribute("#expr", "aria-invalid") == "true"

    after = page.evaluate("() => document.getElementById('plot-contour').data[0].z[40].slice(0, 5)")
    assert after == before
    assert page.evaluate("() => document.body.dataset.expr") == SPHERE

    type_expr(page, "x**2 + 2*y**2")
    assert page.is_hidden("#expr-error")


def test_shared_url_restores_the_same_state(page, server, browser):
    """The link opened in another browser context (no shared history or cache)."""
    open_page(page, url(server, "(x**2 + y - 11)**2 + (x + y**2 - 7)**2"))
    page.select_option("#method", "central")
    page.fill("#start-x", "1")
    page.fill("#start-y", "-1")
    page.press("#start-y", "Tab")
    run_descent(page, lr=0.01, steps=40, optimizer="adam")
    page.click("#tab-surface")
    page.wait_for_function("() => (document.getElementById('plot-surface').data || []).length > 1")
    shared = page.url
    original = run_traces(page, "plot-surface")

    other = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    other.set_default_timeout(30_000)
    try:
        open_page(other, shared)
        other.wait_for_function("() => document.querySelectorAll('#runs-rows tr').length === 1")
        for selector in ("#expr", "#optimizer", "#lr", "#steps", "#method", "#start-x", "#start-y"):
            assert other.input_value(selector) == page.input_value(selector), selector
        assert other.input_value("#optimizer") == "adam"
        assert other.input_value("#method") == "central"
        assert other.get_attribute("#tab-surface", "aria-selected") == "true"
        assert other.is_visible("#plot-surface")
        assert run_traces(other, "plot-surface") == original
    finally:
        other.context.close()


def test_back_and_forward_walk_the_history(page, server):
    open_page(page, url(server, SPHERE))
    type_expr(page, "sin(x)")
    type_expr(page, "x**2 - y**2")

    page.go_back()
    page.wait_for_function("() => document.body.dataset.expr === 'sin(x)'")
    assert page.input_value("#expr") == "sin(x)"
    assert page.is_visible("#view-1d")

    page.go_back()
    page.wait_for_function("t => document.body.dataset.expr === t", arg=SPHERE)
    assert page.is_visible("#plot-contour")

    page.go_forward()
    page.wait_for_function("() => document.body.dataset.expr === 'sin(x)'")
    assert page.input_value("#expr") == "sin(x)"


def test_every_control_is_labelled(page, server):
    open_page(page, url(server, SPHERE))
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
        .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
        .map(el => el.id || el.outerHTML)""")
    assert unlabelled == []
    for name in ("Function", "Preset", "Method", "Optimizer", "Learning rate", "Steps"):
        assert page.get_by_label(name, exact=True).count() == 1, name


def test_presets_come_from_the_server(page, server):
    open_page(page, url(server, SPHERE))
    options = page.locator("#preset option").all_text_contents()
    assert any("Rosenbrock" in o for o in options)
    value = page.locator("#preset option", has_text="Rosenbrock").first.get_attribute("value")
    page.select_option("#preset", value)
    page.wait_for_function("() => document.body.dataset.expr !== 'x**2 + y**2'")
    assert "x" in page.input_value("#expr") and page.is_visible("#plot-contour")


def test_no_foreign_requests_and_no_console_errors(page, server, recorder):
    open_page(page, f"{server}/")
    type_expr(page, SPHERE)
    run_descent(page, lr=0.1, steps=30)
    page.click("#play")
    page.wait_for_function(
        "() => document.getElementById('play').textContent === 'Play'", timeout=20_000
    )
    page.click("#tab-surface")
    page.wait_for_function("() => (document.getElementById('plot-surface').data || []).length > 1")
    type_expr(page, PARABOLA)
    page.wait_for_function("() => (document.getElementById('plot-steps').data || []).length >= 3")
    page.wait_for_selector("#graph svg")

    foreign = [
        u for u in recorder.requests if not (u.startswith(server + "/") or u.startswith("data:"))
    ]
    assert foreign == []
    assert any(re.search(r"/assets/\w+/vendor/plotly/plotly-3d\.js$", u)
               for u in recorder.requests)  # versioned URL, loaded with the surface
    assert recorder.page_errors == []
    assert recorder.console_errors == []
    assert recorder.failed_responses == []


def test_clicking_the_1d_plot_moves_the_tangent_point(page, server):
    open_page(page, url(server, PARABOLA, "&point=1&xr=-1,3"))
    box = page.locator("#plot-1d .nsewdrag").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.5)
    page.wait_for_function("() => Math.abs(Number(document.getElementById('x0').value)) < 0.02")
    x0 = float(page.input_value("#x0"))
    assert f"point={page.input_value('#x0')}" in page.url
    # the tangent follows: slope f'(x0) = 6*x0 - 4
    page.wait_for_function(
        "() => /^y = [-−]4\\.?\\d*x/.test(document.getElementById('tangent-eq').textContent.trim())"
    )
    tangent = next(t for t in traces(page, "plot-1d") if t["name"].startswith("tangent"))
    (xa, xb), (ya, yb) = tangent["x"], tangent["y"]
    assert (yb - ya) / (xb - xa) == pytest.approx(6 * x0 - 4)


def test_keyboard_only(page, server):
    open_page(page, url(server, SPHERE))
    page.focus("#expr")
    page.keyboard.press("Control+A")
    page.keyboard.type("x**2 + 3*y**2")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.body.dataset.expr === 'x**2 + 3*y**2'")
    page.focus("#tab-contour")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => !document.getElementById('plot-surface').hidden")
    assert page.get_attribute("#tab-surface", "aria-selected") == "true"
    assert "view=surface" in page.url
    page.focus("#steps")
    page.keyboard.press("Control+A")
    page.keyboard.type("12")
    page.keyboard.press("Enter")  # submits the descent form
    page.wait_for_function("() => document.querySelectorAll('#runs-rows tr').length === 1")
    (run,) = run_traces(page, "plot-surface")
    assert len(run["x"]) == 13
