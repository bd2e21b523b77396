"""The learning rate explained on the page: stability beside the rate, the sweep and its
phase diagram, and checking a derivative worked out by hand."""

from __future__ import annotations

import httpx
import pytest

from tests.browser.test_page import open_page, url

pytestmark = pytest.mark.browser

BOWL = "x**2 + 10*y**2"

DATA_JS = """id => (document.getElementById(id).data || []).map(t => ({
  name: t.name || '', type: t.type || 'scatter',
  x: Array.from(t.x || []), y: Array.from(t.y || []),
}))"""


def wait_text(page, selector: str, text: str) -> str:
    page.wait_for_function("([s, t]) => document.querySelector(s).textContent.includes(t)",
                           arg=[selector, text])
    return page.text_content(selector)


def test_stability_beside_the_rate_and_the_suggested_rate(page, server):
    open_page(page, url(server, BOWL, "&point=-3,4&lr=0.5"))
    text = wait_text(page, "#stability-text", "λmax")
    assert "λmin = 2, λmax = 20" in text and "stable for lr < 0.1, the bound 2/λmax" in text
    assert "above the bound" in text  # lr 0.5 > 0.1
    page.click("#use-suggested")
    assert page.input_value("#lr") == "0.0909"
    assert "above the bound" not in page.text_content("#stability-text")
    page.select_option("#optimizer", "momentum")
    wait_text(page, "#stability-text", "(2 + 2β)/λmax")
    assert "stable for lr < 0.19" in page.text_content("#stability-text")  # beta 0.9


def test_sweep_plots_status_bound_and_picks_a_rate(page, server):
    open_page(page, url(server, BOWL, "&point=-3,4&lr=0.05&steps=100"))
    wait_text(page, "#stability-text", "λmax")
    page.click("#sweep-lr")
    note = wait_text(page, "#sweep-note", "runs of 100 steps")
    assert note.startswith("60 runs")
    traces = {t["name"]: t for t in page.evaluate(DATA_JS, "plot-sweep")}
    assert set(traces) == {"converged", "completed", "diverged"}
    bound = 0.1
    assert traces["diverged"]["x"] and min(traces["diverged"]["x"]) > bound
    assert max(traces["completed"]["x"]) < bound * 1.05
    layout = page.evaluate("() => document.getElementById('plot-sweep').layout")
    lines = sorted(round(s["x0"], 6) for s in layout["shapes"])
    assert lines == sorted([0.1, round(2 / 22, 6), 0.05])
    labels = " ".join(a["text"] for a in layout["annotations"])
    for label in ("bound 2/λmax = 0.1", "best fixed step", "your lr 0.05"):
        assert label in labels
    # clicking a point runs that rate on the contour
    rate = traces["completed"]["x"][10]
    page.evaluate("""([rate]) => {
      const el = document.getElementById('plot-sweep');
      el.emit('plotly_click', {points: [{x: rate, y: 1}]});
    }""", [rate])
    page.wait_for_function("() => document.querySelectorAll('#runs-rows tr').length === 1")
    assert float(page.input_value("#lr")) == pytest.approx(rate, rel=1e-3)


def test_phase_diagram_for_momentum(page, server):
    open_page(page, url(server, BOWL, "&point=-3,4&lr=0.05&steps=100&opt=momentum"))
    wait_text(page, "#stability-text", "λmax")
    page.click("#sweep-lr")
    wait_text(page, "#sweep-title", "momentum")
    wait_text(page, "#sweep-note", "runs of 100 steps")
    traces = {t["name"]: t for t in page.evaluate(DATA_JS, "plot-sweep")}
    bound = next(t for name, t in traces.items() if name.startswith("bound"))
    answer = httpx.get(f"{server}/optimizers").json()
    assert any(row["lr_bound"] == "(2 + 2β)/λmax" for row in answer)
    momentums = [float(v) for v in page.evaluate(
        "() => document.getElementById('plot-sweep').layout.yaxis.ticktext")]
    # the bound curve is (2 + 2 beta)/20 at each momentum row
    for row, log_lr in zip(bound["y"], bound["x"], strict=True):
        assert 10**log_lr == pytest.approx((2 + 2 * momentums[row]) / 20, rel=1e-9)
    assert traces["diverged"]["x"]


def test_check_your_derivative_in_2d(page, server):
    open_page(page, url(server, BOWL, "&point=-3,4"))
    assert page.text_content("label[for=check-2d-claim-0]") == "Your derivative ∂f/∂x"
    assert page.text_content("label[for=check-2d-claim-1]") == "Your derivative ∂f/∂y"
    page.fill("#check-2d-claim-0", "2*x")
    page.fill("#check-2d-claim-1", "10*y")  # wrong: 20*y
    page.click("#check-2d button[type=submit]")
    page.wait_for_selector("#check-2d [data-result] table")
    chips = page.eval_on_selector_all("#check-2d .verdict", "cs => cs.map(c => c.textContent)")
    assert chips == ["pass", "fail"]
    assert "∂f/∂y is off at (-3, 4): claimed 40, numerical 80" in page.text_content(
        "#check-2d [data-result]")
    # a claim that does not parse marks its own input
    page.fill("#check-2d-claim-1", "20*y)")
    page.click("#check-2d button[type=submit]")
    page.wait_for_function(
        "() => document.getElementById('check-2d-claim-1').getAttribute('aria-invalid') === 'true'")
    assert "column" in page.text_content("#check-2d [data-result]")


def test_check_your_derivative_in_1d_draws_it_over_f_prime(page, server):
    open_page(page, url(server, "3*x**2 - 4*x", "&point=1"))
    assert page.text_content("label[for=check-1d-claim-0]") == "Your derivative"
    page.fill("#check-1d-claim-0", "6*x - 4")
    page.click("#check-1d button[type=submit]")
    page.wait_for_selector("#check-1d [data-result] table")
    assert page.eval_on_selector_all("#check-1d .verdict", "cs => cs.map(c => c.textContent)") \
        == ["pass"]
    page.wait_for_function("""() => (document.getElementById('plot-1d').data || [])
        .some(t => (t.name || '').startsWith('your derivative'))""")
    mine = next(t for t in page.evaluate(DATA_JS, "plot-1d")
                if t["name"].startswith("your derivative"))
    prime = next(t for t in page.evaluate(DATA_JS, "plot-1d") if t["name"] == "f′(x)")
    assert mine["y"] == pytest.approx(prime["y"], abs=1e-9)


def test_a_kink_is_explained(page, server):
    open_page(page, url(server, "relu(x)", "&point=0.000002"))
    page.fill("#check-1d-claim-0", "1")
    page.click("#check-1d button[type=submit]")
    page.wait_for_selector("#check-1d [data-result] table")
    assert "crosses a corner" in page.text_content("#check-1d [data-result]")
