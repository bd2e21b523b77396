"""Typing a function redraws the 2-D view as it goes (issue 15).

While the function field is being typed, the contour is drawn from every other grid line
(static/js/coarse.js) and the panels about the start point wait; once typing pauses
(view2d.js ``TYPING_PAUSE_MS``) the view settles on what a fresh load of the same link
draws. These tests type as a fast typist does (a key every 60 ms) and check:

- the coarse copy of a field is every other grid line of it, plain and typed arrays alike;
- once settled, every figure and panel equals a fresh load's;
- an answer held back until a newer text has been drawn is never drawn;
- a half-typed text says what is wrong once, when typing pauses, over the last good plot.
"""

from __future__ import annotations

import math
import threading
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.test_page import open_page, url

pytestmark = pytest.mark.browser

KEY_DELAY_MS = 60  # a fast typist
#: Not a preset's text, nor is any text typed from it here: typing a preset's text brings
#: its box and start point with it (main.js), which these tests do not want.
BOWL = "x**2 + 2*y**2"
LINK = "&point=-2,1.5&xr=-3,3&yr=-3,3"

#: Everything the 2-D view shows, as plain data: the traces of each figure (NaN as None),
#: the computation graph, the point readout.
VIEW_JS = """() => {
  const plain = (v) => (typeof v === 'number' && Number.isNaN(v) ? null : v);
  const cell = (v) => (typeof v === 'object' && v !== null ? Array.from(v, plain) : plain(v));
  const arr = (a) => (a === undefined || a === null ? null : Array.from(a, cell));
  const figure = (id) => (document.getElementById(id).data || []).map((t) => ({
    type: t.type || 'scatter', name: t.name || '', x: arr(t.x), y: arr(t.y), z: arr(t.z),
    text: arr(t.text),
  }));
  const el = document.getElementById('plot-contour');
  return {
    expr: document.body.dataset.expr,
    contour: figure('plot-contour'),
    ranges: [el.layout.xaxis.range, el.layout.yaxis.range],
    loss: figure('plot-loss'),
    sliceX: figure('plot-slice-x'),
    sliceY: figure('plot-slice-y'),
    graph: document.getElementById('graph').innerHTML,
    graphExpr: document.getElementById('graph').dataset.expr,
    graphPoint: document.getElementById('graph-point').textContent,
    pointTitle: document.getElementById('point-title').textContent,
    readout: document.getElementById('point-readout').textContent,
  };
}"""

SETTLED_JS = """(expr) => document.body.dataset.expr === expr
  && document.getElementById('view-2d').dataset.draft === 'false'
  && document.getElementById('graph').dataset.expr === expr"""

#: Whether the slice along x through the start point is that of f = BOWL + x*y (test code,
#: not user text: the function is written out here).
SLICE_IS_FINAL_JS = """([y0]) => {
  const t = (document.getElementById('plot-slice-x').data || [])[0];
  if (!t) return false;
  const k = 7;
  const f = t.x[k] ** 2 + 2 * y0 ** 2 + t.x[k] * y0;
  return Math.abs(t.y[k] - f) <= 1e-9 * (1 + Math.abs(f));
}"""


def type_slowly(page: Any, suffix: str) -> str:
    """Type `suffix` at the end of the function field, a key every KEY_DELAY_MS; the text."""
    page.click("#expr")
    page.keyboard.press("End")
    final = page.input_value("#expr") + suffix
    page.keyboard.type(suffix, delay=KEY_DELAY_MS)
    return final


def view(page: Any) -> dict[str, Any]:
    return page.evaluate(VIEW_JS)


def wait_settled(page: Any, expr: str) -> None:
    page.wait_for_function(SETTLED_JS, arg=expr)


def record_frames(page: Any, reading: str) -> None:
    """From now on, at every animation frame, push ``[draft, ...reading]`` onto
    ``window.__frames``: whether the view says it is a draft, and what the JavaScript array
    expression ``reading`` (test code) reads then."""
    page.evaluate(f"""() => {{
      window.__frames = [];
      const tick = () => {{
        const draft = document.getElementById('view-2d').dataset.draft;
        window.__frames.push([draft, ...({reading})]);
        if (window.__frames.length < 5000) requestAnimationFrame(tick);
      }};
      requestAnimationFrame(tick);
    }}""")


def test_coarse_field_is_every_other_grid_line(page, server):
    open_page(page, url(server, BOWL))
    odd, even, one = page.evaluate("""async () => {
      const { api } = await import('/static/js/api.js');
      const { coarseField } = await import('/static/js/coarse.js');
      const plain = (f) => ({ x: f.x, y: f.y, z: f.z, u: f.u, v: f.v,
        typed: Object.fromEntries(Object.entries(f.typed).map(([k, a]) =>
          [k, Array.from(a, (r) => (typeof r === 'number' ? r : Array.from(r)))])) });
      const body = { expr: 'log(x) + y**2', x_range: [-1, 3], y_range: [-2, 2] };
      const odd = await api.field({ ...body, n: 9 });
      const even = await api.field({ ...body, nx: 8, ny: 6 });
      const one = await api.field({ expr: 'x**3', x_range: [-1, 1], n: 9 });
      return [[plain(odd), plain(coarseField(odd))], [plain(even), plain(coarseField(even))],
        coarseField(one) === one];
    }""")
    for (whole, coarse), (keep_x, keep_y) in [
        (odd, ([0, 2, 4, 6, 8], [0, 2, 4, 6, 8])),
        (even, ([0, 2, 4, 6, 7], [0, 2, 4, 5])),
    ]:
        assert coarse["x"] == [whole["x"][i] for i in keep_x]
        assert coarse["y"] == [whole["y"][j] for j in keep_y]
        for grid in ("z", "u", "v"):
            assert coarse[grid] == [[whole[grid][j][i] for i in keep_x] for j in keep_y]
            # the typed copy Plotly draws holds the same numbers (NaN where JSON has null)
            typed = coarse["typed"][grid]
            assert [[None if math.isnan(v) else v for v in row] for row in typed] == coarse[grid]
        assert coarse["typed"]["x"] == coarse["x"] and coarse["typed"]["y"] == coarse["y"]
        # log(x) is undefined left of 0: the coarse copy keeps the gaps
        assert None in coarse["z"][0]
    assert one is True


def test_typed_view_settles_on_what_a_fresh_load_draws(page, server, context):
    open_page(page, url(server, BOWL, LINK))
    # every frame drawn while typing: how many grid columns the contour had, and whether
    # the view said it was a draft
    record_frames(page, "[(document.getElementById('plot-contour').data || [])[0]?.x.length ?? 0]")
    final = type_slowly(page, " + 0.5*x*y - y")
    wait_settled(page, final)
    frames = page.evaluate("() => window.__frames")

    fresh = context.new_page()
    fresh.set_default_timeout(30_000)
    try:
        open_page(fresh, page.url)
        wait_settled(fresh, final)
        fresh.wait_for_function(
            "() => document.getElementById('point-readout').textContent !== ''"
            " && (document.getElementById('plot-slice-y').data || []).length > 0")
        expected = view(fresh)
        # the typed page's panels about the start point follow once typing paused
        page.wait_for_function("t => document.getElementById('point-readout').textContent === t",
                               arg=expected["readout"])
        page.wait_for_function("t => document.getElementById('point-title').textContent === t",
                               arg=expected["pointTitle"])
        got = view(page)
    finally:
        fresh.close()
    assert got["expr"] == final and got["graphExpr"] == final
    for key in expected:
        assert got[key] == expected[key], key
    # while keys came, the contour was drawn from every other grid line of the whole one
    whole = len(expected["contour"][0]["x"])
    assert ["true", (whole + 1) // 2] in frames
    assert {tuple(f) for f in frames} <= {("false", whole), ("true", (whole + 1) // 2)}


def test_a_stale_answer_is_never_drawn(page, server):
    """Answers for earlier texts -- a field, a refusal, a computation graph -- are held back
    until the final text is drawn and settled, then let through: none reaches the screen."""
    open_page(page, url(server, BOWL, LINK))
    # while " + x*y" is typed: BOWL + " " (a field), BOWL + " + x" (its graph: its field is
    # drawn), BOWL + " + x*" (refused: a 422)
    stale = {("field", BOWL + " "), ("graph", BOWL + " + x"), ("field", BOWL + " + x*")}
    held: list[tuple[tuple[str, str], Any]] = []
    seen: set[tuple[str, str]] = set()
    lock = threading.Lock()

    def route(route_: Any) -> None:
        body = route_.request.post_data_json or {}
        key = (route_.request.url.rsplit("/", 1)[1], body.get("expr"))
        with lock:
            seen.add(key)
            if key in stale:
                held.append((key, route_))
                return
        route_.continue_()

    def asked(key: tuple[str, str]) -> None:
        """Wait until the page has asked for `key` (a few keys may be taken together)."""
        for _ in range(500):
            with lock:
                if key in seen:
                    return
            page.wait_for_timeout(20)
        raise AssertionError(f"never asked: {key}")

    page.route("**/field", route)
    page.route("**/graph", route)
    type_slowly(page, " ")
    asked(("field", BOWL + " "))
    type_slowly(page, "+ x")
    asked(("graph", BOWL + " + x"))
    type_slowly(page, "*")
    asked(("field", BOWL + " + x*"))
    final = type_slowly(page, "y")
    assert final == BOWL + " + x*y"
    wait_settled(page, final)
    page.wait_for_function(SLICE_IS_FINAL_JS, arg=[1.5])  # the point panel followed
    assert {key for key, _ in held} == stale
    before = view(page)
    for _, answer in held:
        try:
            answer.continue_()
        except Exception:  # noqa: BLE001 - the page cancelled it already (AbortController)
            pass
    # a few frames for anything let through to be drawn
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => "
                  "requestAnimationFrame(() => setTimeout(done, 500))))")
    after = view(page)
    assert after == before
    assert page.is_hidden("#expr-error")
    contour = after["contour"][0]
    i, j = 7, 30
    x, y, f = contour["x"][i], contour["y"][j], float(contour["text"][j][i])
    assert f == pytest.approx(x**2 + 2 * y**2 + x * y, rel=1e-4, abs=1e-9)
    assert after["graphExpr"] == final and after["expr"] == final


def test_a_half_typed_text_says_so_once_typing_pauses(page, server):
    open_page(page, url(server, BOWL, LINK))
    # count each time the error box is shown: it must not flicker while keys come
    page.evaluate("""() => {
      const box = document.getElementById('expr-error');
      window.__shown = 0;
      let visible = !box.hidden && box.offsetParent !== null;
      new MutationObserver(() => {
        const now = !box.hidden && box.offsetParent !== null;
        if (now && !visible) window.__shown += 1;
        visible = now;
      }).observe(box, { attributes: true, attributeFilter: ['hidden', 'class', 'style'] });
    }""")
    good = type_slowly(page, " + x")
    bad = type_slowly(page, "*(y +")  # every text from here on is refused
    assert bad == good + "*(y +"
    page.wait_for_selector("#expr-error", state="visible")
    assert "column" in page.text_content("#expr-error-msg")
    assert page.evaluate("() => window.__shown") == 1
    # the plot is the last good function, settled: as a fresh load of it draws
    wait_settled(page, good)
    got = view(page)["contour"]
    assert parse_qs(urlsplit(page.url).query)["f"] == [good]  # the link names the good text
    page.goto(page.url)
    page.wait_for_selector("body[data-ready=true]")
    wait_settled(page, good)
    assert got == view(page)["contour"]


def test_typing_on_to_one_variable_leaves_the_2d_view_alone(page, server, recorder):
    """A draft of a 2-D function, then typed on to one of one variable before the pause:
    the 1-D view shows it, and the 2-D view asks nothing about the old function."""
    open_page(page, url(server, BOWL, LINK))
    page.click("#expr")
    page.keyboard.press("End")
    for _ in range(3):  # x**2 + 2*y** (refused), x**2 + 2*y* (refused), x**2 + 2*y (drawn)
        page.keyboard.press("Backspace", delay=KEY_DELAY_MS)
    page.wait_for_function("() => document.body.dataset.expr === 'x**2 + 2*y'")
    for _ in range(len(" + 2*y")):
        page.keyboard.press("Backspace", delay=KEY_DELAY_MS)
    page.wait_for_function("() => document.body.dataset.expr === 'x**2'")
    assert page.is_visible("#view-1d")
    # past the pause, when the draft would have been settled
    page.evaluate("() => new Promise((done) => setTimeout(done, 1000))")
    assert "error" not in (page.get_attribute("#descent-status", "class") or "")
    assert page.text_content("#descent-status").strip() == ""
    # only the half-typed texts were refused (their field, maybe their graph), nothing
    # asked about the start point of the old function
    assert recorder.page_errors == []
    assert {r.rsplit("/", 1)[1] for r in recorder.failed_responses} <= {"field", "graph"}


def test_a_space_typed_after_a_presets_text_keeps_the_point_and_box(page, server):
    """A preset's text chosen, then its start point and box changed in the link: a space
    typed after the text is the same function, not the preset chosen again (which would
    bring back the preset's own box and start point)."""
    sphere = "x**2 + y**2"  # a preset (app/presets.py): its box is [-5, 5]², its start (-3, 4)
    presets = page.request.get(f"{server}/functions").json()
    assert any(p["expr"] == sphere for p in presets), "the test needs the preset"
    open_page(page, url(server, sphere, LINK))
    before = page.evaluate(
        "() => [document.getElementById('plot-contour').layout.xaxis.range,"
        " document.getElementById('point-title').textContent]")
    final = type_slowly(page, " ")
    page.wait_for_function("t => document.body.dataset.expr === t", arg=final)
    page.wait_for_function("() => document.getElementById('view-2d').dataset.draft === 'false'")
    query = parse_qs(urlsplit(page.url).query)
    assert query["point"] == ["-2,1.5"] and query["xr"] == ["-3,3"] and query["yr"] == ["-3,3"]
    after = page.evaluate(
        "() => [document.getElementById('plot-contour').layout.xaxis.range,"
        " document.getElementById('point-title').textContent]")
    assert after == before


def test_panels_about_the_old_function_say_they_wait_while_a_draft_shows(page, server):
    """While the coarse draft of a typed function is drawn, the stability text and the
    point's panel still describe the function before it: they are marked busy (and
    dimmed) in every such frame, and are themselves again once the view settles."""
    open_page(page, url(server, BOWL, LINK))
    record_frames(page, """['stability', 'point-card'].map(
      (id) => document.getElementById(id).getAttribute('aria-busy'))""")
    final = type_slowly(page, " + 0.5*x*y")
    wait_settled(page, final)
    frames = page.evaluate("() => window.__frames")
    drafts = [f for f in frames if f[0] == "true"]
    assert drafts, "no draft was drawn while typing"
    assert all(f[1:] == ["true", "true"] for f in drafts), drafts
    page.wait_for_function("""() => ['stability', 'point-card'].every((id) => {
      const el = document.getElementById(id);
      return el.getAttribute('aria-busy') === 'false' && getComputedStyle(el).opacity === '1';
    })""")
