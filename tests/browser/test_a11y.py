"""The page without the pictures (issue 13, "Accessible"): each figure's Data tables hold
the numbers it draws, a finished run is announced politely, the computation graph is
also a table, the Plotly mode bars are out of the tab order, sliders step by a sensible
part of their range, and runs are told apart by colour-blind-safe colours, dashes and
markers.

The tables are compared with the Plotly traces on the page (or with the API's answer),
cell by cell, through each number cell's ``data-value`` (the number whole; the cell
shows it rounded).
"""

from __future__ import annotations

import itertools
import math

import httpx
import numpy as np
import pytest

from tests.browser.pagekit import run_descent
from tests.browser.test_page import open_page, url

pytestmark = pytest.mark.browser

PARABOLA = "3*x**2 - 4*x"
ROSENBROCK = "(1 - x)**2 + 100*(y - x**2)**2"
SPHERE = "x**2 + y**2"

#: The eight colours of Okabe & Ito's "Color Universal Design" (2008).
OKABE_ITO = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
             "#000000"}

#: Every table of a Data panel: caption, column headers, rows (numbers where a cell
#: keeps one in data-value, text elsewhere).
TABLES_JS = """id => Array.from(document.getElementById(id).querySelectorAll('table'), t => ({
  caption: t.caption ? t.caption.textContent : '',
  columns: Array.from(t.tHead.rows[0].cells, c => c.textContent),
  rows: Array.from(t.tBodies[0].rows, r => Array.from(r.cells,
    c => c.dataset.value !== undefined ? Number(c.dataset.value) : c.textContent)),
}))"""

#: The traces of a plot: name, x, y, customdata, and the line and marker styles.
TRACES_JS = """id => (document.getElementById(id).data || []).map(t => ({
  name: t.name || '', type: t.type || 'scatter', showlegend: t.showlegend !== false,
  x: Array.from(t.x || []), y: Array.from(t.y || []),
  customdata: t.customdata ? Array.from(t.customdata) : null,
  color: t.line ? t.line.color : null, dash: t.line ? (t.line.dash || 'solid') : null,
  symbol: t.marker ? (t.marker.symbol || 'circle') : null,
}))"""


def open_data(page, figure: str) -> list[dict]:
    """Press a figure's Data button and read its tables."""
    button = page.locator(f"#{figure}-data-toggle")
    assert button.get_attribute("aria-expanded") == "false"
    assert button.get_attribute("aria-controls") == f"{figure}-data"
    assert page.is_hidden(f"#{figure}-data")
    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    assert page.is_visible(f"#{figure}-data")
    return page.evaluate(TABLES_JS, f"{figure}-data")


def traces(page, figure: str) -> list[dict]:
    return page.evaluate(TRACES_JS, figure)


def column(table: dict, name: str) -> list:
    k = table["columns"].index(name)
    return [row[k] for row in table["rows"]]


def near(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


# ---------------------------------------------------------------------------- Data tables


def test_the_1d_data_tables_are_the_plotted_numbers(page, server):
    open_page(page, url(server, PARABOLA, "&point=1&xr=-1,3"))
    page.wait_for_function("() => (document.getElementById('plot-steps').data || []).length >= 3")
    page.wait_for_function("() => document.getElementById('plot-1d').data"
                           ".some(t => (t.name || '').startsWith('tangent'))")
    plotted = {t["name"]: t for t in traces(page, "plot-1d")}
    (table,) = open_data(page, "plot-1d")
    assert table["columns"][:3] == ["x", "f(x)", "f′(x)"]
    xs = column(table, "x")
    assert xs == plotted["f(x)"]["x"] and len(xs) == 400
    assert column(table, "f(x)") == plotted["f(x)"]["y"]
    assert column(table, "f′(x)") == plotted["f′(x)"]["y"]
    # the tangent drawn is a straight line through its two ends: the table is on it
    (tangent,) = [t for name, t in plotted.items() if name.startswith("tangent")]
    (x1, x2), (y1, y2) = tangent["x"], tangent["y"]
    tangent_column = column(table, "tangent at x₀ = 1")
    for x, y in zip(xs, tangent_column, strict=True):
        assert y == pytest.approx(y1 + (y2 - y1) * (x - x1) / (x2 - x1), rel=1e-9, abs=1e-9)
    assert tangent_column[xs.index(min(xs, key=lambda x: abs(x - 1)))] == pytest.approx(
        -1, abs=0.05)  # f(1) = -1 on y = 2x - 3

    (steps,) = open_data(page, "plot-steps")
    lines = [t for t in traces(page, "plot-steps") if t["showlegend"] and t["customdata"]]
    assert steps["columns"] == ["step h", *(t["name"] for t in lines)]
    for line in lines:
        assert column(steps, "step h") == line["x"]
        assert all(near(a, b) for a, b in zip(column(steps, line["name"]), line["customdata"],
                                               strict=True))
    # Plotly's own buttons stay usable, and the Data button closes again
    page.click("#plot-1d-data-toggle")
    assert page.get_attribute("#plot-1d-data-toggle", "aria-expanded") == "false"
    assert page.is_hidden("#plot-1d-data")


def test_the_contour_and_loss_tables_are_the_runs_and_field_drawn(page, server):
    open_page(page, url(server, SPHERE, "&point=-3,4"))
    run_descent(page, lr=0.1, steps=30)
    run_descent(page, lr=0.05, steps=600, optimizer="adam")
    runs, grid, arrows = open_data(page, "plot-contour")
    assert runs["columns"] == ["run", "step", "x", "y", "f"]
    drawn = {t["name"]: t for t in traces(page, "plot-contour") if t["name"].startswith("#")}
    by_run = {}
    for name, step, x, y, f in runs["rows"]:
        (trace,) = [t for label, t in drawn.items() if label.startswith(f"{name},")]
        k = trace["customdata"].index(step)
        assert (x, y) == (trace["x"][k], trace["y"][k])
        assert f == pytest.approx(x**2 + y**2, rel=1e-12)
        by_run.setdefault(name, []).append(step)
    assert by_run["#1 GD"] == list(range(31))  # a short run: every point
    adam = by_run["#2 Adam"]  # a long one: thinned, first and last kept
    assert adam[0] == 0 and adam[-1] == 600 and 20 <= len(adam) < 601

    # the field: f on 11 × 11 of the 81 × 81 points drawn, from the same /field answer
    contour = page.evaluate("() => { const t = document.getElementById('plot-contour').data[0];"
                            " return {x: Array.from(t.x), y: Array.from(t.y)}; }")
    answer = httpx.post(f"{server}/field", json={
        "expr": SPHERE, "variables": ["x", "y"], "x_range": [contour["x"][0], contour["x"][-1]],
        "y_range": [contour["y"][0], contour["y"][-1]], "n": len(contour["x"])}).json()
    assert answer["x"] == contour["x"]
    assert len(grid["rows"]) == 11 and len(grid["columns"]) == 12
    for row in grid["rows"]:
        j = answer["y"].index(row[0])
        picked = [answer["x"][i] for i in range(0, 81, 8)]
        assert row[1:] == [answer["z"][j][answer["x"].index(x)] for x in picked]
    assert grid["rows"][0][0] > grid["rows"][-1][0]  # the top of the plot first
    # the arrows' grid: the gradient there, and the way −∇f points
    assert arrows["columns"] == ["x", "y", "∂f/∂x", "∂f/∂y", "arrow"]
    corner = next(r for r in arrows["rows"] if r[0] == answer["x"][0] and r[1] == answer["y"][0])
    assert corner[2:4] == [answer["u"][0][0], answer["v"][0][0]] and corner[4] == "↗"

    (loss,) = open_data(page, "plot-loss")
    curves = {t["name"]: t for t in traces(page, "plot-loss") if t["name"].startswith("#")}
    assert loss["columns"] == ["run", "iteration k", "f(xₖ)"]
    for name, iteration, f in loss["rows"]:
        (curve,) = [t for label, t in curves.items() if label.startswith(f"{name},")]
        assert curve["customdata"][curve["x"].index(iteration)] == f


def test_the_sweep_and_phase_tables_are_the_swept_runs(page, server):
    open_page(page, url(server, "x**2 + 10*y**2", "&point=-3,4&lr=0.05&steps=100"))
    page.wait_for_function(
        "() => document.getElementById('stability-text').textContent.includes('λmax')")
    page.click("#sweep-lr")
    page.wait_for_function(
        "() => document.getElementById('sweep-note').textContent.includes('runs of')")
    (table,) = open_data(page, "plot-sweep")
    assert table["columns"] == ["learning rate", "final f", "result", "steps taken"]
    assert len(table["rows"]) == 60
    swept = {}
    for t in traces(page, "plot-sweep"):
        for lr, final, steps in t["customdata"]:
            swept[lr] = (final, t["name"], steps)
    for lr, final, status, steps in table["rows"]:
        assert swept[lr] == (final, status, steps)
    assert "bound 2/λmax = 0.1" in page.text_content("#plot-sweep-data")

    page.select_option("#optimizer", "momentum")
    page.click("#sweep-lr")
    page.wait_for_function(
        "() => document.getElementById('sweep-title').textContent.includes('momentum')")
    page.wait_for_function(
        "() => document.getElementById('plot-sweep-data').textContent.includes('momentum 0.98')")
    phase, bounds = page.evaluate(TABLES_JS, "plot-sweep-data")
    heat = page.evaluate("() => { const t = document.getElementById('plot-sweep').data[0];"
                         " return {x: Array.from(t.x), z: t.z.map(r => Array.from(r))}; }")
    momentums = [float(c.split()[-1]) for c in phase["columns"][1:]]
    assert momentums[0] == 0 and momentums[-1] == 0.98
    for k, row in enumerate(phase["rows"]):
        assert math.log10(row[0]) == pytest.approx(heat["x"][k])
        for i, cell in enumerate(row[1:]):
            if cell == "diverged":
                assert heat["z"][i][k] is None
            else:  # the heatmap draws log10 of the final value
                assert heat["z"][i][k] == pytest.approx(math.log10(cell), abs=1e-9)
    bound_line = next(t for t in traces(page, "plot-sweep") if t["name"].startswith("bound"))
    assert [b for _, b in bounds["rows"]] == bound_line["customdata"]


def test_the_network_tables_are_its_curves_and_confusion_matrix(page, server):
    open_page(page, f"{server}/?view=network&data=digits&hidden=20&act=sigmoid&init=xavier"
                    "&nopt=gd&nlr=0.5&batch=100&epochs=3&seed=0")
    page.wait_for_selector("#view-network:not([hidden])")
    page.click("#net-train")
    page.wait_for_function(
        "() => document.getElementById('view-network').dataset.state === 'completed'",
        timeout=60_000)
    minibatch, per_epoch = open_data(page, "net-loss")
    loss_traces = {t["name"]: t for t in traces(page, "net-loss")}
    drawn = loss_traces["mini-batch loss"]
    for iteration, value in minibatch["rows"]:
        assert drawn["y"][drawn["x"].index(iteration)] == value
    assert minibatch["rows"][-1][0] == drawn["x"][-1]
    epochs = loss_traces["training loss (whole set, per epoch)"]
    assert [r[1] for r in per_epoch["rows"]] == epochs["x"]
    assert [r[2] for r in per_epoch["rows"]] == epochs["y"]

    (accuracy,) = open_data(page, "net-accuracy")
    lines = {t["name"]: t for t in traces(page, "net-accuracy")}
    assert column(accuracy, "epoch") == lines["train"]["x"] == [0, 1, 2, 3]
    assert column(accuracy, "train") == lines["train"]["y"]
    assert column(accuracy, "test") == lines["test"]["y"]

    (confusion,) = open_data(page, "net-confusion")
    matrix = page.evaluate("() => document.getElementById('net-confusion').data[0].z"
                           ".map(r => Array.from(r))")
    assert confusion["columns"][1:] == [str(d) for d in range(10)]
    assert [row[1:] for row in confusion["rows"]] == matrix
    assert [row[0] for row in confusion["rows"]] == [str(d) for d in range(10)]


# ---------------------------------------------------------------------------- live region


def test_a_finished_run_is_announced_once_politely(page, server):
    open_page(page, url(server, SPHERE, "&point=-3,4"))
    announcer = page.locator("#run-announcer")
    assert announcer.get_attribute("aria-live") == "polite"
    assert announcer.text_content() == ""
    # the visible status line is not live too (it would say everything twice)
    assert page.get_attribute("#descent-status", "aria-live") is None
    run_descent(page, lr=0.1, steps=30)
    answer = httpx.post(f"{server}/descent", json={
        "expr": SPHERE, "variables": ["x", "y"], "start": [-3, 4], "lr": 0.1, "steps": 30}).json()
    said = announcer.text_content()
    head, final = said.rstrip(".").split(", final f = ")
    assert head == "Run #1 GD, lr 0.1: completed"
    assert float(final.replace("−", "-")) == pytest.approx(answer["final_value"], rel=1e-5)
    run_descent(page, lr=1.5, steps=30)
    said = announcer.text_content()
    assert said.startswith("Run #2 GD, lr 1.5: diverged at step") and "try lr < 1" in said
    # running the selected run again as the rate is dragged is shown, not announced
    page.focus("#lr-slider")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => document.getElementById('descent-status').textContent"
                           ".includes('run again as you drag')")
    assert announcer.text_content() == said


# ---------------------------------------------------------------------------- graph as a list


def test_the_graph_list_holds_every_node_of_the_graph_answer(page, server):
    expr = "(2*x**2 + 2*y) / 4"
    open_page(page, url(server, expr, "&point=1,2"))
    page.wait_for_selector("#graph svg")
    page.wait_for_function(
        "() => document.getElementById('graph-point').textContent.includes('f =')")
    toggle = page.locator("#graph-list-toggle")
    assert toggle.get_attribute("aria-controls") == "graph-list"
    assert toggle.get_attribute("aria-expanded") == "false" and page.is_hidden("#graph-list")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true" and page.is_visible("#graph-list")
    (table,) = page.evaluate(TABLES_JS, "graph-list")
    answer = httpx.post(f"{server}/graph", json={
        "expr": expr, "variables": ["x", "y"], "point": [1, 2], "direction": [1, 0]}).json()
    assert table["columns"] == ["node", "operation", "inputs", "local derivatives", "value",
                                "adjoint ∂f/∂node", "tangent v̇"]
    nodes = {f"#{n['id']} {n['label']}": n for n in answer["nodes"]}
    assert [row[0] for row in table["rows"]] == list(nodes)
    for name, operation, inputs, partials, value, adjoint, tangent in table["rows"]:
        node = nodes[name]
        assert (value, adjoint, tangent) == (node["value"], node["grad"], node["tangent"])
        assert inputs == (", ".join(f"#{i} {answer['nodes'][i]['label']}" for i in node["inputs"])
                          or "none")
        assert partials.count("∂/∂#") == len(node["inputs"])
        if node["id"] == answer["output"]:
            assert operation.endswith("the output f")
    # the gradient is in it: the variables' adjoints
    assert nodes["#1 x"]["grad"] == 1.0 and "#1 x" in [row[0] for row in table["rows"]]
    # the header cells are headers: a screen reader reads them with each cell
    scopes = page.evaluate("""() => {
      const t = document.querySelector('#graph-list table');
      return [Array.from(t.tHead.rows[0].cells, c => c.tagName + c.scope),
              Array.from(t.tBodies[0].rows, r => r.cells[0].tagName + r.cells[0].scope)];
    }""")
    assert set(scopes[0]) == {"THcol"} and set(scopes[1]) == {"THrow"}
    # a new point: the open list follows the graph
    page.fill("#start-x", "3")
    page.press("#start-x", "Enter")
    page.wait_for_function("""() => Array.from(document.querySelectorAll('#graph-list tbody tr'))
        .some(r => r.cells[0].textContent === '#1 x' && r.cells[4].dataset.value === '3')""")


# ---------------------------------------------------------------------------- keyboard

MODEBAR_JS = """() => Array.from(document.querySelectorAll('.modebar-btn'),
  b => ({plot: b.closest('.js-plotly-plot').id, tabIndex: b.tabIndex}))"""


def test_the_mode_bars_are_out_of_the_tab_order(page, server):
    open_page(page, url(server, PARABOLA, "&point=1"))
    page.wait_for_function("() => (document.getElementById('plot-steps').data || []).length >= 3")
    buttons = page.evaluate(MODEBAR_JS)
    assert {b["plot"] for b in buttons} >= {"plot-1d", "plot-steps"}
    assert {b["tabIndex"] for b in buttons} == {-1}
    # a mode bar drawn later (the loss plot of a first run) is left out as well
    page.fill("#expr", SPHERE)
    page.wait_for_function("t => document.body.dataset.expr === t", arg=SPHERE)
    run_descent(page, lr=0.1, steps=10)
    page.wait_for_selector("#plot-loss .modebar-btn", state="attached")
    buttons = page.evaluate(MODEBAR_JS)
    assert "plot-loss" in {b["plot"] for b in buttons}
    assert {b["tabIndex"] for b in buttons} == {-1}
    # walking the page with Tab never lands on one, and reaches the Data buttons
    page.focus("#expr")
    reached = []
    for _ in range(80):
        page.keyboard.press("Tab")
        reached.append(page.evaluate(
            "() => [document.activeElement.className, document.activeElement.id]"))
    assert not any("modebar-btn" in str(cls) for cls, _ in reached)
    assert "plot-contour-data-toggle" in {id_ for _, id_ in reached}


def test_sliders_step_by_a_part_of_their_range(page, server):
    open_page(page, url(server, PARABOLA, "&point=1&xr=-1,3"))
    slider = page.locator("#x0-slider")
    slider.focus()
    page.keyboard.press("ArrowRight")  # 1/100 of the range 4
    assert float(slider.input_value()) == pytest.approx(1.04)
    page.keyboard.press("PageUp")  # 1/10
    assert float(slider.input_value()) == pytest.approx(1.44)
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("PageDown")
    assert float(slider.input_value()) == pytest.approx(1.0)
    page.wait_for_function("() => document.getElementById('x0').value === '1'")
    page.keyboard.press("End")
    assert float(slider.input_value()) == 3
    page.wait_for_function("() => document.getElementById('x0').value === '3'")

    open_page(page, url(server, SPHERE, "&point=-3,4&lr=0.1"))
    lr = page.locator("#lr-slider")
    assert lr.get_attribute("aria-valuetext") == "0.1"
    lr.focus()
    page.keyboard.press("ArrowRight")  # a tenth of a decade: 0.1 × 10^0.1 ≈ 0.13
    assert page.input_value("#lr") == "0.13" and lr.get_attribute("aria-valuetext") == "0.13"
    page.keyboard.press("PageDown")  # a decade
    assert page.input_value("#lr") == "0.013"
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("PageUp")
    assert page.input_value("#lr") == "0.1"

    run_descent(page, lr=0.001, steps=2000)
    step = page.locator("#play-step")
    step.focus()
    page.keyboard.press("ArrowRight")  # one recorded step: stepping through is the point
    assert step.input_value() == "1" and step.get_attribute("aria-valuetext") == "step 1 of 2000"
    page.keyboard.press("PageUp")  # a tenth of the run
    assert step.input_value() == "201"
    assert step.get_attribute("aria-valuetext") == "step 201 of 2000"


# ---------------------------------------------------------------------------- colours

# Machado, Oliveira & Fernandes (2009), severity 1: linear-RGB simulation matrices.
CVD = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}


def lab(colour: str, vision: list[list[float]]) -> np.ndarray:
    """CIELAB (D65) of a hex colour as seen with a colour-vision deficiency."""
    srgb = np.array([int(colour[k:k + 2], 16) / 255 for k in (1, 3, 5)])
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    rgb = np.clip(np.array(vision) @ linear, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ rgb / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_runs_get_the_palettes_colours_dashes_and_markers(page, server):
    open_page(page, url(server, ROSENBROCK))
    specs = [(0.001, 300, "gd"), (0.0005, 300, "momentum"), (0.05, 300, "adam"),
             (0.0005, 300, "nesterov"), (0.01, 300, "rmsprop")]
    for lr, steps, optimizer in specs:
        run_descent(page, lr, steps, optimizer)
    for figure in ("plot-contour", "plot-loss"):
        runs = [t for t in traces(page, figure) if t["name"].startswith("#") and t["showlegend"]]
        assert len(runs) == len(specs)
        colours = [t["color"].upper() for t in runs]
        assert set(colours) <= OKABE_ITO and len(set(colours)) == len(runs), colours
        assert len({t["dash"] for t in runs}) == len(runs)
        assert len({t["symbol"] for t in runs}) == len(runs)
        # the legend draws each run's line (dashed as it is) and its marker
        legend = page.evaluate("""id => Array.from(document.querySelectorAll(
            `#${id} .legend .traces`), g => [g.querySelector('.js-line') !== null,
            g.querySelector('.scatterpts') !== null, (g.querySelector('.js-line') || {style: {}})
            .style.strokeDasharray || ''])""", figure)
        assert len(legend) == len(runs) and all(line and marker for line, marker, _ in legend)
        assert sum(1 for *_, dash in legend if dash) == len(runs) - 1  # all but the solid one
    # every pair of the eight run colours stays apart for the three dichromacies
    palette = page.evaluate("""async () => (await import(document.querySelector(
        'link[rel=modulepreload][href$="/theme.js"]').href)).RUN_COLORS""")
    assert set(palette) == OKABE_ITO
    for name, vision in CVD.items():
        worst = min(float(np.linalg.norm(lab(a, vision) - lab(b, vision)))
                    for a, b in itertools.combinations(palette, 2))
        assert worst > 15, name
    # the swatches of the runs table are the runs' colours
    swatches = page.evaluate("""() => Array.from(document.querySelectorAll('#runs-rows .swatch'),
        s => getComputedStyle(s).backgroundColor)""")
    assert len(set(swatches)) == len(specs)


def test_the_methods_and_statuses_differ_by_more_than_colour(page, server):
    open_page(page, url(server, "exp(sin(x))", "&point=1"))
    page.wait_for_function("() => (document.getElementById('plot-steps').data || []).length >= 5")
    lines = [t for t in traces(page, "plot-steps") if t["showlegend"] and t["customdata"]]
    assert len(lines) >= 4
    for key in ("color", "dash", "symbol"):
        assert len({t[key] for t in lines}) == len(lines), key
    assert {t["color"].upper() for t in lines} <= OKABE_ITO


@pytest.mark.parametrize("width", [375, 560, 700, 900, 1000, 1280])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_view_tabs_stay_on_one_line(page, server, width, lang):
    """However narrow the window, the four view tabs sit on one line (their short names
    where the long ones do not fit), each name whole."""
    page.set_viewport_size({"width": width, "height": 800})
    open_page(page, f"{server}/?lang={lang}")
    boxes = page.evaluate("""() => [...document.querySelectorAll('#view-tabs [role=tab]')]
      .map(t => { const r = t.getBoundingClientRect();
                  return {top: Math.round(r.top), right: r.right,
                          over: t.scrollWidth > t.clientWidth}; })""")
    assert len(boxes) == 4
    assert len({b["top"] for b in boxes}) == 1, boxes
    assert all(b["right"] <= width and not b["over"] for b in boxes), boxes
