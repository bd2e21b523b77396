"""The step-through player (static/js/player.js) and the runs it plays after a live re-run
(static/js/view2d.js ``rerunSelected``), and what a long run draws (static/js/thinning.js).

- After a run is re-run as the rate is dragged, the player's gradient arrow at a step is
  the gradient at the *new* path's point: the gradients kept for the old path are
  forgotten (review finding B9).
- A re-run still waiting for its answer when the function changes is cancelled: the
  old function's answer never lands on the new function's page (B9).
- A 10,000-step run is drawn thinned on the contour and the surface, while the run
  itself, the loss plot and the player keep every point.
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
    on_surface = page.evaluate("""() => document.getElementById('plot-surface').data
      .find(t => (t.name || '').startsWith('#1')).x.length""")
    assert 2 <= on_surface <= 2000
