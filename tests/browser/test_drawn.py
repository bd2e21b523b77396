"""What the page draws is what the API computes (issue 16).

Each test reads the arrays Plotly was given (``el.data``) and compares them with an
answer of the API to the same request, fetched again here over HTTP:

- the quiver on the contour (static/js/plot2d.js ``quiver()``: per arrow one stroke, its
  shaft and two head strokes, strokes separated by nulls) points along −∇f at every sampled grid
  point, or along +∇f with "ascent" ticked, and is centred on that grid point;
- the path drawn for a descent run is the ``path`` of ``POST /descent`` for the body the
  page sent;
- the 1-D tangent line is ``y = slope·x + intercept`` of ``POST /tangent``.

Directions are compared on screen: a data vector (dx, dy) is (dx·mx, dy·my) pixels, with
mx, my the axes' pixels per unit as Plotly laid them out.  The arrows are drawn with the
same (estimated) scale on both ends of the arrow, so a shaft is exactly parallel to the
gradient in data terms and therefore on screen; the tolerances below are rounding.
"""

from __future__ import annotations

import math
from typing import Any

import httpx
import pytest

from tests.browser.pagekit import run_descent
from tests.browser.test_page import open_page, run_traces, traces, url

pytestmark = pytest.mark.browser

#: f with a gradient whose components differ everywhere but on a line (so a u/v swap
#: shows) and no symmetry that maps −∇f to +∇f: ∇f = (2x + y − 1, 6y + x).
SKEWED = "x**2 + 3*y**2 + x*y - x"
ANGLE_TOLERANCE = 1e-6
"""Radians between a drawn shaft and the gradient: the shaft ends are the grid point
± half the arrow along (u, v)·scale / |(u, v)·scale|, a few roundings of numbers of
size 1 (~1e-15 relative), far below this."""
HEAD_ANGLE = math.radians(26)  # plot2d.js HEAD_ANGLE

QUIVER_JS = """() => {
  const el = document.getElementById('plot-contour');
  const arrows = el.data.find(t => t.name === '−∇f' || t.name === '+∇f');
  const contour = el.data[0];
  const xa = el._fullLayout.xaxis, ya = el._fullLayout.yaxis;
  return {
    name: arrows.name,
    x: Array.from(arrows.x), y: Array.from(arrows.y),
    gridX: Array.from(contour.x), gridY: Array.from(contour.y),
    px: [xa._length / (xa.range[1] - xa.range[0]), ya._length / (ya.range[1] - ya.range[0])],
  };
}"""


def post(server: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """The API's answer to ``body`` (plain JSON arrays), fetched here, not by the page."""
    body = {key: value for key, value in body.items() if key != "encoding"}
    response = httpx.post(server + path, json=body, timeout=30, trust_env=False)
    assert response.status_code == 200, response.text[:300]
    return response.json()


def segments(xs: list, ys: list) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """The line segments of a quiver drawn an arrow a stroke, ``tail, tip, left, tip, right,
    null, ...``: per arrow its shaft (tail → tip) and its two head strokes (tip → left,
    tip → right)."""
    out = []
    k = 0
    while k < len(xs):
        assert xs[k + 5] is None and ys[k + 5] is None, (k, xs[k:k + 6])
        tail, tip, left, back, right = ((xs[k + i], ys[k + i]) for i in range(5))
        assert back == tip, (k, xs[k:k + 6])
        out += [(tail, tip), (tip, left), (tip, right)]
        k += 6
    return out


def nearest(grid: list[float], value: float) -> int:
    index = min(range(len(grid)), key=lambda i: abs(grid[i] - value))
    spacing = abs(grid[1] - grid[0])
    assert abs(grid[index] - value) <= 1e-9 * spacing * len(grid), (value, grid[index])
    return index


def angle(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The angle between two plane vectors, in [0, π]."""
    return abs(math.atan2(a[0] * b[1] - a[1] * b[0], a[0] * b[0] + a[1] * b[1]))


def open_field(page, server: str, expr: str, extra: str) -> dict[str, Any]:
    """Open the page on ``expr`` and return the body of the ``/field`` request it drew."""
    with page.expect_request(lambda r: r.url.endswith("/field") and r.method == "POST") as req:
        open_page(page, url(server, expr, extra))
    page.wait_for_function(
        "() => (document.getElementById('plot-contour').data || []).some(t => /∇f$/.test(t.name))")
    return req.value.post_data_json


def check_quiver(page, server: str, field_body: dict[str, Any], sign: int) -> int:
    """Every arrow drawn is centred on a grid point and points along sign·∇f there;
    returns how many arrows were checked."""
    drawn = page.evaluate(QUIVER_JS)
    assert drawn["name"] == ("−∇f" if sign < 0 else "+∇f")
    field = post(server, "/field", field_body)
    assert drawn["gridX"] == field["x"] and drawn["gridY"] == field["y"]
    mx, my = drawn["px"]
    strokes = segments(drawn["x"], drawn["y"])
    assert len(strokes) % 3 == 0
    arrows = [strokes[k:k + 3] for k in range(0, len(strokes), 3)]
    assert len(arrows) >= 50
    centres = set()
    lengths = []
    for shaft, *heads in arrows:
        (x0, y0), (x1, y1) = shaft
        i = nearest(field["x"], (x0 + x1) / 2)
        j = nearest(field["y"], (y0 + y1) / 2)
        centres.add((i, j))
        u, v = field["u"][j][i], field["v"][j][i]
        wanted = (sign * u * mx, sign * v * my)
        drawn_shaft = ((x1 - x0) * mx, (y1 - y0) * my)
        assert angle(drawn_shaft, wanted) < ANGLE_TOLERANCE, (field["x"][i], field["y"][j],
                                                              drawn_shaft, wanted)
        lengths.append(math.hypot(*drawn_shaft))
        turns = []
        for (hx0, hy0), (hx1, hy1) in heads:
            assert (hx0, hy0) == (x1, y1)  # a head stroke starts at the tip
            stroke = ((hx1 - hx0) * mx, (hy1 - hy0) * my)
            back = (-drawn_shaft[0], -drawn_shaft[1])
            turns.append(math.copysign(angle(back, stroke),
                                       back[0] * stroke[1] - back[1] * stroke[0]))
        # the two strokes lean back from the tip, one to each side of the shaft
        assert turns[0] * turns[1] < 0 and all(abs(t) < math.pi / 2 for t in turns), turns
    assert len(centres) == len(arrows)  # one arrow per sampled grid point
    # the arrows cover the plot: sampled columns and rows reach both ends of each axis
    columns = sorted({i for i, _ in centres})
    rows = sorted({j for _, j in centres})
    assert columns[0] < len(field["x"]) / 8 and columns[-1] > len(field["x"]) * 7 / 8
    assert rows[0] < len(field["y"]) / 8 and rows[-1] > len(field["y"]) * 7 / 8
    # every arrow has the same length on screen (up to how Plotly's layout moved the axes
    # from the page's estimate of them)
    assert max(lengths) <= 1.3 * min(lengths), (min(lengths), max(lengths))
    # and a few arrows against POST /gradient at their centres, an independent route
    for shaft, *_ in arrows[:: max(1, len(arrows) // 6)]:
        (x0, y0), (x1, y1) = shaft
        point = [(x0 + x1) / 2, (y0 + y1) / 2]
        gradient = post(server, "/gradient", {"expr": field_body["expr"], "point": point})
        u, v = gradient["gradient"]
        wanted = (sign * u * mx, sign * v * my)
        assert angle(((x1 - x0) * mx, (y1 - y0) * my), wanted) < 1e-5, point
    return len(arrows)


@pytest.mark.parametrize("ranges", ["&xr=-2,2&yr=-2,2", "&xr=-4,4&yr=-1,1"],
                         ids=["equal-axes", "x-stretched"])
def test_quiver_points_along_minus_the_gradient(page, server, ranges):
    body = open_field(page, server, SKEWED, ranges)
    check_quiver(page, server, body, sign=-1)


def test_quiver_points_along_the_gradient_when_ascent_is_ticked(page, server):
    body = open_field(page, server, SKEWED, "&xr=-3,3&yr=-2,2")
    page.check("#ascent")
    page.wait_for_function(
        "() => document.getElementById('plot-contour').data.some(t => t.name === '+∇f')")
    check_quiver(page, server, body, sign=1)
    page.uncheck("#ascent")
    page.wait_for_function(
        "() => document.getElementById('plot-contour').data.some(t => t.name === '−∇f')")
    check_quiver(page, server, body, sign=-1)


@pytest.mark.parametrize("optimizer, lr, steps", [("gd", 0.1, 30), ("nesterov", 0.02, 40),
                                                  ("adam", 0.2, 60)])
def test_descent_path_drawn_is_the_apis_path(page, server, optimizer, lr, steps):
    def the_run(request) -> bool:  # type: ignore[no-untyped-def]
        # (the page may ask /descent other things, e.g. a 0-step run for the curvature)
        return (request.url.endswith("/descent") and request.method == "POST"
                and request.post_data_json.get("steps") == steps)

    open_page(page, url(server, SKEWED, "&point=-2.5,1.5"))
    with page.expect_request(the_run) as req:
        run_descent(page, lr=lr, steps=steps, optimizer=optimizer)
    body = req.value.post_data_json
    assert (body["expr"], body["optimizer"], body["lr"], body["steps"]) == (
        SKEWED, optimizer, lr, steps)
    assert body["start"] == [-2.5, 1.5]
    answer = post(server, "/descent", body)
    assert len(answer["path"]) == steps + 1

    (run,) = run_traces(page)
    assert run["x"] == [p[0] for p in answer["path"]]
    assert run["y"] == [p[1] for p in answer["path"]]
    # the end marker sits on the API's final point
    ends = [t for t in traces(page, "plot-contour") if not t["name"] and len(t["x"]) == 1]
    assert [answer["final"]] in [[[t["x"][0], t["y"][0]]] for t in ends]
    # the surface draws the same path
    page.click("#tab-surface")
    page.wait_for_function("() => (document.getElementById('plot-surface').data || [])"
                           ".some(t => (t.name || '').startsWith('#'))")
    (surface_run,) = run_traces(page, "plot-surface")
    assert surface_run["x"] == run["x"] and surface_run["y"] == run["y"]


@pytest.mark.parametrize("expr, x0", [("sin(x) + x**2/3", 0.7), ("exp(-x)*x**3", -1.3),
                                      ("3*x**2 - 4*x", 1)])
def test_tangent_drawn_is_the_apis_tangent(page, server, expr, x0):
    def asked_at_x0(request) -> bool:  # type: ignore[no-untyped-def]
        return (request.url.endswith("/tangent") and request.method == "POST"
                and request.post_data_json.get("point") == x0)

    with page.expect_request(asked_at_x0) as req:
        open_page(page, url(server, expr, f"&point={x0}"))
    answer = post(server, "/tangent", req.value.post_data_json)
    assert answer["differentiable"] is True
    name = f"tangent: {answer['equation']}"
    page.wait_for_function("n => document.getElementById('plot-1d').data"
                           ".some(t => t.name === n)", arg=name)
    (line,) = [t for t in traces(page, "plot-1d") if t["name"] == name]
    (xa, xb), (ya, yb) = line["x"], line["y"]
    slope = (yb - ya) / (xb - xa)
    intercept = ya - slope * xa
    scale = max(abs(ya), abs(yb), 1.0)
    assert slope == pytest.approx(answer["slope"], rel=1e-9, abs=1e-12 * scale)
    assert intercept == pytest.approx(answer["intercept"], rel=1e-9, abs=1e-12 * scale)
    # it touches f at x0
    assert slope * x0 + intercept == pytest.approx(answer["value"], rel=1e-9, abs=1e-12 * scale)
    assert page.text_content("#tangent-eq").strip() == answer["equation"]
