"""The 3-D view's WebGL scene (static/js/plot2d.js renderSurface): drawn at the screen's
pixel ratio (Plotly's default of 2 would make a screen of ratio 1 draw four times its
pixels, in software here), and a downloaded picture of it at Plotly's sharper default."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.browser.conftest import VIEWPORT

pytestmark = pytest.mark.browser

BOWL = quote("x**2 + 2*y**2")
SURFACE_DRAWN = ("() => { const el = document.getElementById('plot-surface');"
                 " return !el.hidden && !!el._fullLayout?.scene?._scene?.glplot; }")
#: The scene's canvas: its size on the page and the size WebGL draws it at.
CANVAS_JS = """() => {
  const gl = document.getElementById('plot-surface')._fullLayout.scene._scene.glplot.gl;
  return {css: [gl.canvas.clientWidth, gl.canvas.clientHeight],
          drawn: [gl.drawingBufferWidth, gl.drawingBufferHeight],
          ratio: document.getElementById('plot-surface')._context.plotGlPixelRatio};
}"""


def open_surface(page, server: str) -> None:
    page.goto(f"{server}/?f={BOWL}&point=-2,2.5&run=gd,0.1,30,autodiff,-2,2.5&view=surface")
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_function(SURFACE_DRAWN)


@pytest.mark.parametrize("scale", [1, 2])
def test_the_scene_is_drawn_at_the_screens_pixel_ratio(browser, server, scale):
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=scale)
    try:
        page = context.new_page()
        open_surface(page, server)
        canvas = page.evaluate(CANVAS_JS)
        assert canvas["ratio"] == scale
        assert canvas["css"][0] > 300 and canvas["css"][1] > 300  # a real plot on screen
        for css, drawn in zip(canvas["css"], canvas["drawn"], strict=True):
            assert abs(drawn - scale * css) <= scale, canvas
    finally:
        context.close()


def test_a_picture_of_the_surface_is_drawn_at_twice_the_screens_pixels(page, server):
    """theme.js downloadPlot announces the picture (a "plot-image" event): the scene's
    copy for it is drawn at ratio 2, and the page's own scene keeps the screen's ratio."""
    open_surface(page, server)
    during, after = page.evaluate("""() => {
      const el = document.getElementById('plot-surface');
      const done = [];
      el.dispatchEvent(new CustomEvent('plot-image', { bubbles: true, detail: { after: done } }));
      const during = el._context.plotGlPixelRatio;
      for (const f of done) f();
      return [during, el._context.plotGlPixelRatio];
    }""")
    assert (during, after) == (2, 1)
    assert page.evaluate(CANVAS_JS)["ratio"] == 1


#: The scene's markers-only traces, with their points and colours.
MARKS_JS = """() => (document.getElementById('plot-surface').data || [])
  .filter((t) => t.type === 'scatter3d' && t.mode === 'markers')
  .map((t) => ({name: t.name, x: Array.from(t.x), y: Array.from(t.y), z: Array.from(t.z),
                color: Array.from(t.marker.color)}))"""


def test_the_start_and_the_players_step_are_one_trace(page, server):
    """One scatter3d trace of markers (one WebGL object fewer to build at the switch): the
    player's step first, then the start point, white; the step moves, the start stays."""
    open_surface(page, server)
    page.wait_for_function(f"() => ({MARKS_JS})().length === 1"
                           f" && ({MARKS_JS})()[0].x.length === 2")
    (marks,) = page.evaluate(MARKS_JS)
    assert marks["name"] == "current step"
    start = [-2, 2.5, (-2) ** 2 + 2 * 2.5**2]
    assert [marks["x"][1], marks["y"][1], marks["z"][1]] == start
    assert marks["color"][1] == "#ffffff" and marks["color"][0] != "#ffffff"
    page.eval_on_selector("#play-step",
                          "(s) => { s.value = '5'; s.dispatchEvent(new Event('input')); }")
    page.wait_for_function(f"(x) => ({MARKS_JS})()[0].x[0] !== x", arg=marks["x"][0])
    (moved,) = page.evaluate(MARKS_JS)
    assert [moved["x"][1], moved["y"][1], moved["z"][1]] == start
    path = page.request.post(f"{server}/descent", data={
        "expr": "x**2 + 2*y**2", "start": [-2, 2.5], "lr": 0.1, "steps": 30}).json()["path"]
    assert [moved["x"][0], moved["y"][0]] == path[5]
