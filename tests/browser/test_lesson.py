"""The page as a lesson: the maths of each step shown with its numbers."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.browser.pagekit import run_descent
from tests.browser.test_page import open_page, url

pytestmark = pytest.mark.browser


def test_player_writes_the_update_with_the_numbers(page, server):
    open_page(page, url(server, "x**2 + y**2", "&point=-3,4"))
    run_descent(page, lr=0.1, steps=20)
    page.locator("#play-step").focus()
    page.keyboard.press("ArrowRight")  # step 1
    page.wait_for_function(
        "() => document.getElementById('play-update').textContent.includes('Step 1')")
    text = page.text_content("#play-update")
    assert "x ← x − lr·∂f/∂x = −3 − 0.1·(−6) = −2.4" in text
    assert "y ← y − lr·∂f/∂y = 4 − 0.1·8 = 3.2" in text


def test_adam_steps_show_moments_and_bias_corrections(page, server):
    open_page(page, url(server, "x**2 + y**2", "&point=-3,4"))
    run_descent(page, lr=0.1, steps=10, optimizer="adam")
    page.locator("#play-step").focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => document.getElementById('play-update').textContent.includes('Step 3')")
    names = page.eval_on_selector_all("#play-update .name", "ns => ns.map(n => n.textContent)")
    assert names == [f"{n} ← " for v in "xy" for n in ("m", "v", v, "m̂", "v̂")]
    # the update lands where the run's path does
    x_line = page.eval_on_selector_all("#play-update .eq", "ps => ps.map(p => p.textContent)")[2]
    path_x = page.evaluate("""() => {
      const el = document.getElementById('plot-contour');
      const run = el.data.find(t => (t.name || '').startsWith('#1'));
      return run.x[3];
    }""")
    assert x_line.endswith(f"{path_x:.6g}".replace("-", "−"))


def test_graph_edges_multiply_along_paths_to_the_adjoint(page, server):
    open_page(page, url(server, "x*x + sin(x*y)", "&point=0.3,-1.2"))
    page.wait_for_selector("#graph svg")
    page.wait_for_selector(".chain-total")
    edges = page.eval_on_selector_all("#graph .edge-partial", "ts => ts.length")
    assert edges == page.eval_on_selector_all("#graph .edge", "ps => ps.length") > 0
    for variable in ("∂f/∂x", "∂f/∂y"):
        page.select_option("#chain-variable", label=variable)
        total = page.text_content(".chain-total")
        # "∂f/∂x = sum over 3 paths = 0.48 — the adjoint of x is 0.48."
        match = re.search(r"paths? = (\S+) — the adjoint of \w+ is (\S+?)\.(?:\s|$)", total)
        assert match and match.group(1) == match.group(2), total
    rows = page.eval_on_selector_all(".forward-trace tbody tr", "rs => rs.length")
    assert rows == page.eval_on_selector_all("#graph .node", "ns => ns.length")


def test_readouts_and_slices_at_the_start_match_the_api(page, server):
    expr = "x**2*y + y**3 - 3*y"
    open_page(page, url(server, expr, "&point=1,0.5"))
    page.wait_for_function(
        "() => document.getElementById('point-readout').textContent.includes('Hessian')")
    answer = httpx.post(f"{server}/gradient",
                        json={"expr": expr, "point": [1, 0.5], "hessian": True}).json()
    readout = page.text_content("#point-readout")
    assert "[[1, 2], [2, 3]]" in readout and answer["hessian"] == [[1.0, 2.0], [2.0, 3.0]]
    assert "saddle" in page.text_content("#point-curvature")
    for plot, partial in (("plot-slice-x", answer["gradient"][0]),
                          ("plot-slice-y", answer["gradient"][1])):
        traces = page.evaluate("id => document.getElementById(id).data.map(t => "
                               "({name: t.name, x: Array.from(t.x), y: Array.from(t.y)}))", plot)
        curve, tangent = traces[0], traces[1]
        slope = (tangent["y"][1] - tangent["y"][0]) / (tangent["x"][1] - tangent["x"][0])
        assert slope == pytest.approx(partial, rel=1e-9)
        # the slice passes through f at the start point
        point = traces[2]
        assert point["y"][0] == pytest.approx(answer["value"], rel=1e-12)
        k = min(range(len(curve["x"])), key=lambda i: abs(curve["x"][i] - point["x"][0]))
        assert abs(curve["x"][k] - point["x"][0]) < 0.05
    # hovering the contour moves the panel to the point under the mouse
    box = page.locator("#plot-contour").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.42)
    page.mouse.move(box["x"] + box["width"] * 0.47, box["y"] + box["height"] * 0.43)
    page.wait_for_function(
        "() => document.getElementById('point-title').textContent.includes('mouse')")


def test_1d_y_range_fits_the_neighbourhood_of_x0_not_a_blow_up(page, server):
    open_page(page, url(server, "(exp(x**2))**2", "&point=0.5"))
    page.wait_for_function("""() => (document.getElementById('plot-1d').data || [])
        .some(t => (t.name || '').startsWith('tangent'))""")
    low, high = page.evaluate("() => document.getElementById('plot-1d').layout.yaxis.range")
    # f(0.5) = e**0.5 = 1.65 and its slope 3.3 are on screen; f(3) = e**18 = 6.6e7 is not
    assert low < 1.6 < high and high < 100
    parabola_low, parabola_high = None, None
    open_page(page, url(server, "3*x**2 - 4*x", "&point=1&xr=-1,3"))
    parabola_low, parabola_high = page.evaluate(
        "() => document.getElementById('plot-1d').layout.yaxis.range")
    assert parabola_low < -1.3 and parabola_high > 15  # the whole parabola: no blow-up to cut


def test_animate_all_plays_every_run_with_a_legend(page, server):
    open_page(page, url(server, "x**2 + 10*y**2", "&point=-3,4"))
    run_descent(page, lr=0.02, steps=300)  # 150 frames: long enough to look while it plays
    run_descent(page, lr=0.05, steps=300, optimizer="momentum")
    # while it plays, each run's marker moves on a layer over the plot (static/js/overlay.js)
    marks = """id => [...document.querySelectorAll(`#${id} .plot-overlay circle`)]
        .filter(c => c.closest('svg').style.display !== 'none'
                     && c.getAttribute('display') !== 'none').map(c => c.getAttribute(
                       id === 'plot-loss' ? 'stroke' : 'fill'))"""
    page.click("#play-all")
    page.wait_for_function(f"() => ({marks})('plot-contour').length === 2")
    assert "All 2 runs at iteration" in page.text_content("#play-readout")
    assert page.evaluate("() => document.getElementById('plot-loss').layout.showlegend") is True
    colours = page.evaluate(f"() => [({marks})('plot-contour'), ({marks})('plot-loss')]")
    runs = page.evaluate("""() => document.getElementById('plot-contour').data
        .filter(d => (d.name || '').startsWith('#')).map(d => d.line.color)""")
    # one marker per run in the run's colour, on the contour and on the loss plot
    assert sorted(colours[0]) == sorted(runs) and sorted(colours[1]) == sorted(runs)
    page.click("#play-all")  # Stop
    assert page.text_content("#play-all") == "Animate all"
    page.wait_for_function(f"""() => ({marks})('plot-contour').length === 0
        && document.getElementById('plot-contour').data
        .find(d => d.name === 'runs now').x.length === 0""")


def test_dragging_the_rate_reruns_the_selected_run(page, server):
    open_page(page, url(server, "x**2 + 10*y**2", "&point=-3,4"))
    run_descent(page, lr=0.02, steps=30)
    before = page.evaluate("() => document.getElementById('plot-contour').data"
                           ".find(t => (t.name || '').startsWith('#1')).x[5]")
    page.eval_on_selector("#lr-slider", """s => {
      s.value = String(Math.log10(0.05));
      s.dispatchEvent(new Event('input', {bubbles: true}));
    }""")
    page.wait_for_function("() => document.getElementById('descent-status').textContent"
                           ".includes('run again as you drag')")
    assert "lr 0.05" in page.text_content("#descent-status")
    assert page.locator("#runs-rows tr").count() == 1  # the same run, not a new one
    after = page.evaluate("() => document.getElementById('plot-contour').data"
                          ".find(t => (t.name || '').startsWith('#1')).x[5]")
    assert after != before


def test_dragging_the_start_marker_moves_the_start(page, server):
    open_page(page, url(server, "x**2 + 10*y**2", "&point=-2,1&xr=-3,3&yr=-3,3"))
    sx, sy = page.evaluate("""() => {
      const el = document.getElementById('plot-contour');
      const xa = el._fullLayout.xaxis, ya = el._fullLayout.yaxis;
      const box = el.getBoundingClientRect();
      return [box.left + xa._offset + xa.l2p(-2), box.top + ya._offset + ya.l2p(1)];
    }""")
    page.mouse.move(sx, sy)
    page.mouse.down()
    page.mouse.move(sx + 40, sy + 20, steps=5)
    page.mouse.up()
    x, y = float(page.input_value("#start-x")), float(page.input_value("#start-y"))
    assert x > -2 and y < 1  # moved right and down, not a zoom box
    assert page.evaluate("() => document.getElementById('plot-contour').layout.xaxis.range") \
        == [-3, 3]
    assert f"point={x:g},{y:g}" in page.url


def _contour_x(page) -> list[float]:
    return page.evaluate("() => Array.from(document.getElementById('plot-contour').data[0].x)")


def test_range_boxes_and_zoom_sample_the_field_again(page, server):
    open_page(page, url(server, "x**2 + 3*y**2 + x*y", "&point=1,1"))
    page.fill("#xr-2d-lo", "-1")
    page.fill("#xr-2d-hi", "2")
    page.press("#xr-2d-hi", "Tab")
    page.wait_for_function("() => document.getElementById('plot-contour').data[0].x.at(-1) === 2")
    page.wait_for_function("() => location.search.includes('xr=-1,2')")
    xs = _contour_x(page)
    assert xs[0] == -1 and xs[-1] == 2
    # a zoom on the contour is sampled again: the grid spans what is shown
    page.evaluate("() => Plotly.relayout('plot-contour', {'xaxis.range': [0, 1], "
                  "'yaxis.range': [0.5, 1.5]})")
    page.wait_for_function("() => document.getElementById('plot-contour').data[0].x[0] === 0")
    assert _contour_x(page)[-1] == 1 and "yr=0.5,1.5" in page.url
    assert page.input_value("#yr-2d-lo") == "0.5"
    # a range the other way round is refused, and says so
    page.fill("#yr-2d-lo", "3")
    page.press("#yr-2d-lo", "Tab")
    assert page.get_attribute("#yr-2d-lo", "aria-invalid") is not None


def test_1d_zoom_samples_the_curve_again(page, server):
    open_page(page, url(server, "sin(5*x)", "&point=0.3"))
    page.evaluate("() => Plotly.relayout('plot-1d', {'xaxis.range': [0, 1]})")
    page.wait_for_function("() => document.getElementById('plot-1d').data[0].x[0] === 0")
    xs = page.evaluate("() => Array.from(document.getElementById('plot-1d').data[0].x)")
    assert xs[-1] == 1 and len(xs) == 400  # all 400 points over the zoomed range
    assert page.input_value("#xr-1d-hi") == "1"


def test_a_tiny_learning_rate_runs_as_typed(page, server):
    open_page(page, url(server, "x**2 + y**2", "&point=-3,4"))
    page.fill("#lr", "1e-10")
    page.press("#lr", "Tab")
    assert page.input_value("#lr") == "1e-10"  # never rewritten
    page.click("#run")
    page.wait_for_function("() => document.querySelectorAll('#runs-rows tr').length === 1")
    assert "lr=1e-10" in page.url and "lr 1e−10" in page.text_content("#descent-status")
    page.fill("#lr", "1e-13")
    page.press("#lr", "Tab")
    assert page.get_attribute("#lr", "aria-invalid") is not None
    assert "from 1e-12 to 100" in page.text_content("#lr-help")


def test_a_link_with_h_ranges_and_arrows_reloads_to_the_same_numbers(page, server):
    address = url(server, "exp(sin(x))", "&point=1&h=0.0001&xr=-1,3&method=central")
    open_page(page, address)
    page.wait_for_function("() => document.getElementById('d-h').textContent.includes('1')")
    first = page.text_content("#d-num"), page.text_content("#d-h")
    assert page.input_value("#h1d") == "0.0001" and page.input_value("#xr-1d-lo") == "-1"
    open_page(page, page.url)
    page.wait_for_function("() => document.getElementById('d-h').textContent.includes('1')")
    assert (page.text_content("#d-num"), page.text_content("#d-h")) == first
    open_page(page, url(server, "x**2 + y**2", "&point=-3,4&arrows=ascent"))
    assert page.is_checked("#ascent")


def test_first_load_is_the_default_preset_and_a_new_function_says_what_it_drops(page, server):
    page.goto(server + "/")
    page.wait_for_selector("body[data-ready=true]")
    first = page.input_value("#steps"), page.input_value("#lr")
    page.select_option("#preset", label=page.eval_on_selector(
        "#preset", "s => Array.from(s.options).find(o => o.text.includes('x**2 + y**2')).text"))
    page.wait_for_selector("body[data-ready=true]")
    assert (page.input_value("#steps"), page.input_value("#lr")) == first == ("100", "0.1")
    run_descent(page, lr=0.1, steps=10)
    page.fill("#expr", "x**2 + 2*y**2")
    page.wait_for_function("() => document.body.dataset.expr === 'x**2 + 2*y**2'")
    page.wait_for_function("() => document.getElementById('descent-status').textContent"
                           ".includes('cleared')")
    assert "The 1 run of the previous function was cleared" in page.text_content(
        "#descent-status")


def test_the_default_box_holds_the_start_and_the_runs(page, server):
    open_page(page, url(server, "x**2 + y**2 + 0*x", "&point=-3,4"))  # no preset: [-3, 3]
    yr = page.evaluate("() => document.getElementById('plot-contour').layout.yaxis.range")
    assert yr[1] > 4
    run_descent(page, lr=0.1, steps=20, optimizer="momentum")  # swings past the box
    page.wait_for_timeout(500)
    low, high = page.evaluate("() => document.getElementById('plot-contour').layout.xaxis.range")
    path = page.evaluate("""() => document.getElementById('plot-contour').data
        .find(t => (t.name || '').startsWith('#1')).x""")
    assert low <= min(path) and max(path) <= high


def test_the_forward_trace_runs_along_the_chosen_variable(page, server):
    open_page(page, url(server, "x*x + sin(x*y)", "&point=0.3,-1.2"))
    page.wait_for_selector(".forward-trace h3")
    assert "e_x" in page.text_content(".forward-trace h3")
    page.select_option("#chain-variable", label="∂f/∂y")
    page.wait_for_function("() => document.querySelector('.forward-trace h3').textContent"
                           ".includes('e_y')")
    assert page.eval_on_selector("#chain-variable", "s => s.selectedOptions[0].text") == "∂f/∂y"
    # the output's tangent along e_y is ∂f/∂y, the adjoint of y
    rows = page.eval_on_selector_all(".forward-trace tbody tr",
                                     "rs => rs.map(r => Array.from(r.cells, c => c.textContent))")
    total = page.text_content(".chain-total")
    assert rows[-1][2] in total


def test_the_ninth_run_says_which_run_it_replaced(page, server):
    open_page(page, url(server, "x**2 + y**2", "&point=-3,4"))
    for k in range(8):
        run_descent(page, lr=0.01 * (k + 1), steps=5)
    first = page.text_content("#runs-rows tr:first-child")
    page.fill("#lr", "0.09")
    page.click("#run")
    page.wait_for_function("() => document.getElementById('descent-status').textContent"
                           ".includes('was removed')")
    status = page.text_content("#descent-status")
    assert "#1" in status and "at most 8 runs are kept" in status
    rows = page.locator("#runs-rows tr")
    assert rows.count() == 8 and rows.first.text_content() != first
    assert "0.09" in rows.last.text_content()
