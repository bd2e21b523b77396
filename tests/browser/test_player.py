"""The step-through player (static/js/player.js) and the runs it plays after a live re-run
(static/js/view2d.js ``rerunSelected``), and what a long run draws (static/js/thinning.js).

- After a run is re-run as the rate is dragged, the player's gradient arrow at a step is
  the gradient at the *new* path's point: the gradients kept for the old path are
  forgotten (review finding B9).
- A re-run still waiting for its answer when the function changes is cancelled: the
  old function's answer never lands on the new function's page (B9).
- A 10,000-step run is drawn thinned on the contour (at most 2,000 points) and the
  surface (at most 600), while the run itself, the loss plot and the player keep every
  point.
- While the player plays, its markers move on a layer over the contour and the loss plot
  (static/js/overlay.js), each exactly where Plotly draws the same point when the player
  stands still at that step; the layer follows a zoom made while it plays, and is empty
  once the player stops (the markers are back in the figures' traces, as in downloads).
  The surface's player still moves its marker in the 3-D scene.
"""

from __future__ import annotations

import math
from typing import Any

import httpx
import pytest

from tests.browser.pagekit import run_descent
from tests.browser.test_page import open_page, url

pytestmark = pytest.mark.browser

#: ∇f = (2x, 20y): gradient descent with two rates follows two differently curved paths.
BOWL = "x**2 + 10*y**2"

CURSOR_JS = """() => {
  const el = document.getElementById('plot-contour');
  const find = (name) => el.data.find(t => t.name === name);
  const run = el.data.find(t => (t.name || '').startsWith('#1'));
  const step = Number(document.getElementById('play-step').value);
  return {
    marker: [find('current step').x[0], find('current step').y[0]],
    arrow: [Array.from(find('gradient arrow').x), Array.from(find('gradient arrow').y)],
    pathPoint: [run.x[step], run.y[step]],
  };
}"""


def drag_rate(page: Any, lr: float) -> None:
    """Move the learning-rate slider as a drag does (an input event, live)."""
    page.eval_on_selector("#lr-slider", """(s, lr) => {
      s.value = String(Math.log10(lr));
      s.dispatchEvent(new Event('input', {bubbles: true}));
    }""", lr)


def go_to_step(page: Any, k: int) -> None:
    page.eval_on_selector("#play-step", """(s, k) => {
      s.value = String(k);
      s.dispatchEvent(new Event('input', {bubbles: true}));
    }""", k)


def wait_for_arrow_at_path_point(page: Any) -> dict[str, Any]:
    """Wait until the player's marker sits on the run's point at the slider's step and its
    gradient arrow is drawn; return what is drawn."""
    page.wait_for_function("""() => {
      const el = document.getElementById('plot-contour');
      const find = (name) => el.data.find(t => t.name === name);
      const run = el.data.find(t => (t.name || '').startsWith('#1'));
      const step = Number(document.getElementById('play-step').value);
      const marker = find('current step');
      return run && marker.x.length === 1 && marker.x[0] === run.x[step]
        && marker.y[0] === run.y[step] && find('gradient arrow').x.length > 0;
    }""")
    return page.evaluate(CURSOR_JS)


def angle_to_descent(drawn: dict[str, Any]) -> float:
    """Radians between the drawn arrow's shaft and −∇f of BOWL at the marker."""
    (x0, x1, *_), (y0, y1, *_) = drawn["arrow"]
    x, y = drawn["marker"]
    u, v = -2 * x, -20 * y
    dx, dy = x1 - x0, y1 - y0
    return abs(math.atan2(dx * v - dy * u, dx * u + dy * v))


def test_rerun_forgets_the_gradients_of_the_old_path(page, server):
    open_page(page, url(server, BOWL, "&point=-3,4"))
    run_descent(page, lr=0.02, steps=30)
    go_to_step(page, 5)
    old = wait_for_arrow_at_path_point(page)
    assert angle_to_descent(old) < 1e-6  # the arrow of the first path, right there
    drag_rate(page, 0.05)
    page.wait_for_function("() => /lr 0\\.05.*run again as you drag/"
                           ".test(document.getElementById('descent-status').textContent)")
    go_to_step(page, 5)
    new = wait_for_arrow_at_path_point(page)
    # the re-run took another path: step 5 is elsewhere, where −∇f points elsewhere
    assert new["marker"] != old["marker"]
    assert abs(new["marker"][1]) < 1e-9  # lr 0.05 zeroes y in one step: y ← y − 0.05·20y
    assert angle_to_descent(new) < 1e-6, (new, old)


def test_new_function_cancels_a_rerun_in_flight(page, server):
    open_page(page, url(server, BOWL, "&point=-3,4"))
    run_descent(page, lr=0.02, steps=30)
    held: list[Any] = []

    def is_rerun(request: Any) -> bool:
        body = request.post_data_json or {}
        return body.get("expr") == BOWL and body.get("lr") == 0.05

    def hold_reruns(route: Any) -> None:
        if is_rerun(route.request):
            held.append(route)  # its answer waits until the function has changed
        else:
            route.continue_()

    page.route("**/descent", hold_reruns)
    with page.expect_event("requestfailed", predicate=is_rerun) as failed:
        drag_rate(page, 0.05)
        for _ in range(500):  # the route handler runs while Playwright waits
            if held:
                break
            page.wait_for_timeout(20)
        assert held, "the drag sent no re-run"
        # a new function while the re-run is still waiting for its answer
        page.fill("#expr", "x**2 + y**2")
        page.press("#expr", "Enter")
        page.wait_for_function("() => document.body.dataset.expr === 'x**2 + y**2'"
                               " && document.querySelectorAll('#runs-rows tr').length === 0")
    # the page gave up the old function's re-run (without the fix it would wait for it)
    assert "ERR_ABORTED" in (failed.value.failure or ""), failed.value.failure
    for route in held:
        try:
            route.continue_()
        except Exception:  # noqa: BLE001 -- aborted by the page: nothing to answer
            pass
    page.unroute("**/descent")
    assert "run again as you drag" not in page.text_content("#descent-status")
    assert page.locator("#runs-rows tr").count() == 0
    assert "&run=" not in page.url


def test_long_run_is_drawn_thinned_but_kept_whole(page, server):
    rosenbrock = "(1 - x)**2 + 100*(y - x**2)**2"
    open_page(page, url(server, rosenbrock, "&point=-1.5,2"))
    run_descent(page, lr=0.001, steps=10_000)
    answer = httpx.post(server + "/descent", json={
        "expr": rosenbrock, "start": [-1.5, 2], "lr": 0.001, "steps": 10_000,
        "optimizer": "gd"}, timeout=60, trust_env=False).json()
    path = answer["path"]
    assert len(path) == 10_001
    drawn = page.evaluate("""() => {
      const el = document.getElementById('plot-contour');
      const run = el.data.find(t => (t.name || '').startsWith('#1'));
      const loss = document.getElementById('plot-loss').data
        .find(t => (t.name || '').startsWith('#1'));
      return {x: Array.from(run.x), y: Array.from(run.y), steps: Array.from(run.customdata),
              loss: loss.x.length, last: Number(document.getElementById('play-step').max)};
    }""")
    assert 2 <= len(drawn["x"]) <= 2000
    # every point drawn is the API's point at the step it names, first and last included
    assert drawn["steps"][0] == 0 and drawn["steps"][-1] == 10_000
    for x, y, k in zip(drawn["x"], drawn["y"], drawn["steps"], strict=True):
        assert [x, y] == path[k]
    # the data keeps every point: the loss plot and the player
    assert drawn["loss"] == 10_001
    assert drawn["last"] == 10_000
    # a point left out lies close to the last one drawn before it (under 1/200 of the box)
    xr = page.evaluate("() => document.getElementById('plot-contour')._fullLayout.xaxis.range")
    yr = page.evaluate("() => document.getElementById('plot-contour')._fullLayout.yaxis.range")
    kept = drawn["steps"]
    for a, b in zip(kept, kept[1:], strict=False):
        for k in range(a + 1, b):
            gap = math.hypot((path[k][0] - path[a][0]) / (xr[1] - xr[0]),
                             (path[k][1] - path[a][1]) / (yr[1] - yr[0]))
            assert gap < 1 / 200, (a, k, gap)
    page.click("#tab-surface")
    page.wait_for_function("""() => (document.getElementById('plot-surface').data || [])
      .some(t => (t.name || '').startsWith('#1'))""")
    on_surface = page.evaluate("""() => {
      const t = document.getElementById('plot-surface').data
        .find(t => (t.name || '').startsWith('#1'));
      const scene = document.getElementById('plot-surface').layout.scene;
      return {x: Array.from(t.x), y: Array.from(t.y), z: Array.from(t.z),
              box: [scene.xaxis.range, scene.yaxis.range, scene.zaxis.range]};
    }""")
    # the surface draws fewer (its box is smaller, its lines thick): at most 600, each the
    # API's point, in order, and a point left out lies within 1/300 of the box of the last
    # one drawn before it
    assert 2 <= len(on_surface["x"]) <= 600
    values = answer["values"]
    spans = [b - a for a, b in on_surface["box"]]
    k = 0
    drawn_steps = []
    for x, y, z in zip(on_surface["x"], on_surface["y"], on_surface["z"], strict=True):
        while [x, y] != path[k] or z != values[k]:
            k += 1
        drawn_steps.append(k)
    assert drawn_steps[0] == 0 and drawn_steps[-1] == 10_000
    for a, b in zip(drawn_steps, drawn_steps[1:], strict=False):
        for k in range(a + 1, b):
            gap = math.hypot(*[(p - q) / span for p, q, span in zip(
                [*path[k], values[k]], [*path[a], values[a]], spans, strict=True)])
            assert gap < 1 / 300, (a, k, gap)


#: In one task (no frame can run in between): the step the player shows, the centres on
#: screen of its marks on the layers over the contour and the loss plot, the plot area,
#: and the figures' own markers.
LIVE_JS = """() => {
  const centre = (node) => {
    const r = node.getBoundingClientRect();
    return [r.left + r.width / 2, r.top + r.height / 2];
  };
  const shown = (id) => {
    const layer = document.querySelector(`#${id} .plot-overlay`);
    if (!layer || layer.style.display === 'none') return [];
    return [...layer.querySelectorAll('circle')]
      .filter((c) => c.getAttribute('display') !== 'none').map(centre);
  };
  const el = document.getElementById('plot-contour');
  const layer = el.querySelector('.plot-overlay');
  const area = el.querySelector('.nsewdrag').getBoundingClientRect();
  const arrow = layer && layer.querySelector('path');
  return {
    step: Number(document.getElementById('play-step').value),
    playing: document.getElementById('play').getAttribute('aria-pressed') === 'true',
    contour: shown('plot-contour'),
    loss: shown('plot-loss'),
    arrow: Boolean(arrow && arrow.getAttribute('display') !== 'none' && arrow.getAttribute('d')),
    layer: layer ? layer.getBoundingClientRect().toJSON() : null,
    area: area.toJSON(),
    inTraces: el.data.find((t) => t.name === 'current step').x.length
      + document.getElementById('plot-loss').data.find((t) => t.name === 'player').x.length,
  };
}"""

#: Where Plotly draws a trace's (single) marker on screen: the centre of its point.
DRAWN_JS = """([id, name]) => {
  const group = [...document.querySelectorAll(`#${id} .scatterlayer .trace`)]
    .find((g) => g.__data__ && g.__data__[0].trace.name === name);
  const point = group && group.querySelector('.point');
  if (!point) return null;
  const r = point.getBoundingClientRect();
  return [r.left + r.width / 2, r.top + r.height / 2];
}"""

#: Data → screen through the contour's axes as laid out now (x, y of points).
TO_SCREEN_JS = """(points) => {
  const el = document.getElementById('plot-contour');
  const xa = el._fullLayout.xaxis, ya = el._fullLayout.yaxis;
  const box = el.getBoundingClientRect();
  return points.map(([x, y]) => [box.left + xa._offset + xa.c2p(x),
                                 box.top + ya._offset + ya.c2p(y)]);
}"""


def playing_frame(page: Any, after: int = 0) -> dict[str, Any]:
    """What is on screen at a frame of Play past path index ``after``, the arrow drawn."""
    page.wait_for_function(f"""() => {{
      const d = ({LIVE_JS})();
      return d.playing && d.step > {after} && d.contour.length === 1 && d.arrow;
    }}""", polling="raf")
    return page.evaluate(LIVE_JS)


def close(a: list[float], b: list[float], tolerance: float = 0.5) -> bool:
    return math.dist(a, b) <= tolerance


def test_playing_moves_markers_on_a_layer_exactly_where_plotly_draws_them(page, server):
    open_page(page, url(server, BOWL, "&point=-3,4&xr=-4,4&yr=-1,5"))
    run_descent(page, lr=0.01, steps=400)  # 200 frames: long enough to look while it plays
    page.click("#play")
    live = playing_frame(page)
    assert live["inTraces"] == 0  # the figures' own markers are not drawn meanwhile
    assert len(live["loss"]) == 1  # one ring on the loss plot
    # the layer covers the plot area, Plotly's own drag surface
    for key in ("x", "y", "width", "height"):
        assert abs(live["layer"][key] - live["area"][key]) <= 0.5, (key, live)
    page.click("#play")  # pause
    page.wait_for_function("() => document.getElementById('play')"
                           ".getAttribute('aria-pressed') === 'false'")
    after = page.evaluate(LIVE_JS)
    assert after["contour"] == [] and after["loss"] == []  # the layers are empty
    # at the step the layer showed, Plotly draws its markers where the layer's were
    go_to_step(page, live["step"])
    page.wait_for_function(f"""() => {{
      const d = ({LIVE_JS})();
      return d.step === {live["step"]} && d.inTraces === 2;
    }}""")
    drawn = page.evaluate(DRAWN_JS, ["plot-contour", "current step"])
    assert drawn is not None and close(drawn, live["contour"][0]), (drawn, live)
    drawn_loss = page.evaluate(DRAWN_JS, ["plot-loss", "player"])
    assert drawn_loss is not None and close(drawn_loss, live["loss"][0]), (drawn_loss, live)
    # and that is the API's point at that step, through the axes' mapping
    answer = httpx.post(server + "/descent", json={
        "expr": BOWL, "start": [-3, 4], "lr": 0.01, "steps": 400, "optimizer": "gd"},
        timeout=60, trust_env=False).json()
    (expected,) = page.evaluate(TO_SCREEN_JS, [answer["path"][live["step"]]])
    assert close(expected, live["contour"][0]), (expected, live)


def test_markers_follow_a_zoom_made_while_playing(page, server):
    open_page(page, url(server, BOWL, "&point=-3,4&xr=-4,4&yr=-1,5"))
    run_descent(page, lr=0.01, steps=400)
    answer = httpx.post(server + "/descent", json={
        "expr": BOWL, "start": [-3, 4], "lr": 0.01, "steps": 400, "optimizer": "gd"},
        timeout=60, trust_env=False).json()
    page.click("#play")
    before = playing_frame(page)
    # zoom in on where the run goes, as a drag of the zoom box would
    page.evaluate("""() => Plotly.relayout('plot-contour',
      {'xaxis.range': [-3.5, 0.5], 'yaxis.range': [-0.5, 4.5]})""")
    page.wait_for_function("() => document.getElementById('plot-contour')"
                           "._fullLayout.xaxis.range[0] === -3.5")
    live = playing_frame(page, after=before["step"])
    (expected,) = page.evaluate(TO_SCREEN_JS, [answer["path"][live["step"]]])
    assert close(expected, live["contour"][0]), (expected, live)
    for key in ("x", "y", "width", "height"):
        assert abs(live["layer"][key] - live["area"][key]) <= 0.5, (key, live)
    page.click("#play")


def test_the_surface_player_moves_its_marker_in_the_scene(page, server):
    open_page(page, url(server, BOWL, "&point=-3,4"))
    run_descent(page, lr=0.02, steps=60)
    page.click("#tab-surface")
    page.wait_for_function("() => (document.getElementById('plot-surface').data || [])"
                           ".some(t => (t.name || '').startsWith('#'))")
    marker = ("() => Array.from(document.getElementById('plot-surface').data"
              ".find(t => t.name === 'current step').x)")
    first = page.evaluate(marker)
    page.click("#play")
    page.wait_for_function(f"() => ({marker})()[0] !== {first[0]}")
    page.click("#play")
    page.wait_for_function("() => document.getElementById('play')"
                           ".getAttribute('aria-pressed') === 'false'")
    step = int(page.input_value("#play-step"))
    answer = httpx.post(server + "/descent", json={
        "expr": BOWL, "start": [-3, 4], "lr": 0.02, "steps": 60, "optimizer": "gd"},
        timeout=60, trust_env=False).json()
    page.wait_for_function(f"() => ({marker})()[0] === {answer['path'][step][0]}")
