"""Take the README's screenshots of every view at 1280×800 (and one narrow window), in
English and (``zh-*.png``) in 中文.

Usage::

    python tests/browser/screenshots.py [--out docs/screenshots] [--base http://127.0.0.1:8000]
                                        [--lang all|en|zh]

Chinese text needs a CJK font for Chromium to draw it (Debian: ``apt-get install
fonts-noto-cjk``); without one the 中文 screenshots show boxes.

Without ``--base`` it starts ``python -m app`` on a free port itself
(:class:`bench.server.LocalServer`). It drives ``/usr/bin/chromium`` with Playwright like
the browser tests do. Not a test module: pytest only imports it (for doctests), which
does nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # run as a script, sys.path[0] is tests/browser
    sys.path.insert(0, str(REPO))

from tests.browser.pagekit import CHROMIUM, CHROMIUM_ARGS, run_descent  # noqa: E402

ROSENBROCK = "(1 - x)**2 + 100*(y - x**2)**2"
BOWL = "x**2 + 25*y**2"


def _ready(page, expr: str | None = None) -> None:
    page.wait_for_selector("body[data-ready=true]")
    if expr is not None:
        page.wait_for_function("t => document.body.dataset.expr === t", arg=expr)
    page.wait_for_timeout(700)


def _scroll_to(page, element_id: str, above: int) -> None:
    """Scroll so that the element's top sits ``above`` pixels below the window's top."""
    page.evaluate("([id, above]) => window.scrollTo(0, window.scrollY - above"
                  " + document.getElementById(id).getBoundingClientRect().top)",
                  [element_id, above])
    page.evaluate("() => document.activeElement.blur()")
    page.mouse.move(1, 1)
    page.wait_for_timeout(300)


class _Session:
    """One headless Chromium at 1280x800 writing screenshots into ``out``: ``page``, its
    ``context`` (for a second, narrow window) and ``shots``, the files written."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.shots: list[Path] = []

    def __enter__(self) -> _Session:
        from playwright.sync_api import sync_playwright

        self.out.mkdir(parents=True, exist_ok=True)
        self._playwright = sync_playwright().start()
        self.browser = self._playwright.chromium.launch(executable_path=CHROMIUM,
                                                         args=CHROMIUM_ARGS)
        self.context = self.browser.new_context(viewport={"width": 1280, "height": 800})
        self.page = self.context.new_page()
        self.page.set_default_timeout(60_000)
        return self

    def __exit__(self, *exc: object) -> None:
        self.browser.close()
        self._playwright.stop()

    def shot(self, name: str, top: bool = True, **kwargs) -> None:
        """The page (scrolled to the top unless ``top`` is false) as ``out/name``."""
        page = self.page
        page.mouse.move(1, 1)
        if top:
            page.evaluate("() => { document.activeElement.blur(); window.scrollTo(0, 0); }")
            page.wait_for_timeout(200)
        path = self.out / name
        page.screenshot(path=str(path), **kwargs)
        self.shots.append(path)


def take(base: str, out: Path) -> list[Path]:
    with _Session(out) as session:
        page, context, shots, shot = session.page, session.context, session.shots, session.shot
        # 1-D: tangent, secants, derivative by a method, error versus h
        page.goto(f"{base}/?f={quote('3*x**2 - 4*x')}&point=1&xr=-1,3")
        _ready(page)
        page.wait_for_function(
            "() => (document.getElementById('plot-steps').data || []).length >= 3"
        )
        page.wait_for_timeout(500)
        shot("1d-tangent.png")
        # the plot's Data: x, f, f′ and the tangent as a table
        page.click("#plot-1d-data-toggle")
        page.wait_for_selector("#plot-1d-data table")
        _scroll_to(page, "plot-1d-data-toggle", 330)
        shot("1d-data.png", top=False)
        page.goto(f"{base}/?f={quote('exp(sin(x))')}&point=1&method=forward")
        _ready(page)
        page.wait_for_function(
            "() => (document.getElementById('plot-steps').data || []).length >= 4"
        )
        page.evaluate(
            "() => window.scrollTo(0, window.scrollY - 420"
            " + document.getElementById('plot-steps').getBoundingClientRect().top)"
        )
        page.wait_for_timeout(300)
        shot("1d-error-vs-h.png", top=False)

        # 2-D: several runs compared on Rosenbrock, the player at a step
        page.goto(f"{base}/?f={quote(ROSENBROCK)}")
        _ready(page)
        run_descent(page, 0.001, 3000, optimizer="gd")
        run_descent(page, 0.0005, 1000, optimizer="momentum")
        run_descent(page, 0.05, 1000, optimizer="adam")
        page.select_option("#play-run", index=1)
        slider = page.locator("#play-step")
        slider.focus()
        for _ in range(30):
            page.keyboard.press("ArrowRight")
        page.wait_for_timeout(800)
        page.evaluate("() => document.activeElement.blur()")
        shot("2d-descent.png")

        # The player's step written out: Adam's moments and the update with the numbers in
        page.select_option("#play-run", index=2)
        slider.focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "() => document.getElementById('play-update').textContent.includes('Step 3')")
        _scroll_to(page, "play-update", 420)
        shot("2d-update.png", top=False)

        # The text alternatives: the runs' points under the contour and f per iteration
        # under the loss plot, as tables ("Data"); the runs' colours, dashes and markers
        page.click("#plot-contour-data-toggle")
        page.click("#plot-loss-data-toggle")
        page.wait_for_selector("#plot-loss-data table")
        _scroll_to(page, "plot-contour-data-toggle", 420)
        shot("2d-data.png", top=False)
        page.click("#plot-contour-data-toggle")
        page.click("#plot-loss-data-toggle")

        # All the runs animated together, a marker each, the loss plot with its legend
        page.evaluate("() => window.scrollTo(0, 0)")
        page.click("#play-all")
        page.wait_for_timeout(2500)  # mid-way: every run's marker and the loss markers
        page.evaluate("() => window.scrollTo(0, 0)")
        shot("2d-animate.png", top=False)
        page.click("#play-all")  # stop

        # 3-D surface of the same runs, with the tangent plane at the start
        page.click("#tab-surface")
        page.wait_for_timeout(1500)
        shot("2d-surface.png")

        # At a point: the gradient, the Hessian and the partial-derivative slices
        page.goto(f"{base}/?f={quote('x**2*y + y**3 - 3*y')}&point=1,0.5")
        _ready(page)
        page.wait_for_function(
            "() => document.getElementById('point-readout').textContent.includes('Hessian')")
        _scroll_to(page, "point-title", 130)
        shot("2d-point.png", top=False)
        page.click("#tab-surface")
        page.wait_for_timeout(1800)
        page.evaluate("() => window.scrollTo(0, 0)")
        shot("2d-plane.png", top=False)

        # An ill-conditioned bowl: gd zig-zags, momentum does not; one run diverges
        page.goto(f"{base}/?f={quote(BOWL)}")
        _ready(page)
        run_descent(page, 0.035, 60, optimizer="gd")
        run_descent(page, 0.01, 60, optimizer="momentum")
        run_descent(page, 0.1, 60, optimizer="gd")
        page.evaluate("() => document.activeElement.blur()")
        page.wait_for_timeout(500)
        shot("2d-compare.png")

        # Downloads: the runs as CSV or JSON and the view as a notebook (the descent
        # panel), each plot as PNG or SVG (its mode bar, the SVG button's tooltip shown).
        # One run: a longer legend would run under the mode bar, shown while hovering.
        page.goto(f"{base}/?f={quote(BOWL)}")
        _ready(page)
        run_descent(page, 0.01, 60, optimizer="momentum")
        page.wait_for_timeout(500)
        page.hover("#plot-contour")
        page.hover('#plot-contour .modebar-btn[data-title="Download plot as SVG"]')
        page.wait_for_timeout(600)
        top, bottom = page.evaluate("""() => [
            document.getElementById('descent-form').getBoundingClientRect().top,
            document.getElementById('notebook-2d').getBoundingClientRect().bottom,
        ].map(v => v + window.scrollY)""")
        path = out / "export.png"
        page.screenshot(path=str(path), full_page=True,
                        clip={"x": 0, "y": top - 12, "width": 884, "height": bottom - top + 32})
        shots.append(path)

        # The learning rate swept around the bound 2/lambda_max = 0.1, and over momentum
        page.goto(f"{base}/?f={quote('x**2 + 10*y**2')}&point=-3,4&lr=0.05&steps=100")
        _ready(page)
        page.wait_for_function(
            "() => document.getElementById('stability-text').textContent.includes('λmax')")
        page.click("#sweep-lr")
        page.wait_for_function(
            "() => document.getElementById('sweep-note').textContent.includes('runs of')")
        _scroll_to(page, "sweep-card", 330)
        shot("2d-sweep.png", top=False)
        page.select_option("#optimizer", "momentum")
        page.click("#sweep-lr")
        page.wait_for_function(
            "() => document.getElementById('sweep-title').textContent.includes('momentum')")
        page.wait_for_function(
            "() => document.getElementById('sweep-note').textContent.includes('runs of')")
        page.wait_for_timeout(500)
        _scroll_to(page, "sweep-card", 330)
        shot("2d-phase.png", top=False)

        # Check your derivative: one coordinate wrong (2-D), a slip drawn over f' (1-D)
        page.fill("#check-2d-claim-0", "2*x")
        page.fill("#check-2d-claim-1", "10*y")
        page.click("#check-2d button[type=submit]")
        page.wait_for_selector("#check-2d [data-result] table")
        _scroll_to(page, "check-2d", 380)
        shot("2d-check.png", top=False)
        page.goto(f"{base}/?f={quote('3*x**2 - 4*x')}&point=1&xr=-1,3")
        _ready(page)
        page.fill("#check-1d-claim-0", "6*x - 3")
        page.click("#check-1d button[type=submit]")
        page.wait_for_selector("#check-1d [data-result] table")
        page.wait_for_function("""() => (document.getElementById('plot-1d').data || [])
            .some(t => (t.name || '').startsWith('your derivative'))""")
        page.wait_for_timeout(500)
        _scroll_to(page, "check-1d", 300)
        shot("1d-check.png", top=False)

        # Computation graph panel
        page.goto(f"{base}/?f={quote('(2*x**2 + 2*y) / 4')}&point=1,2")
        _ready(page)
        page.wait_for_selector("#graph svg")
        page.mouse.move(1, 1)
        page.wait_for_timeout(300)
        path = out / "graph.png"  # the whole panel: graph, chain rule and forward trace
        page.locator("#graph-panel").screenshot(path=str(path))
        shots.append(path)
        # The graph as a list: node, operation, inputs, local derivatives, value, adjoint
        page.click("#graph-list-toggle")
        page.wait_for_selector("#graph-list table")
        page.mouse.move(1, 1)
        page.wait_for_timeout(300)
        path = out / "graph-list.png"
        page.locator("#graph-list").screenshot(path=str(path))
        shots.append(path)

        # A bad expression: message and caret, last good plots kept
        page.goto(f"{base}/?f={quote('sin(x) * exp(-x**2 / 4)')}&point=0.5")
        _ready(page)
        page.fill("#expr", "sin(x) * exp(-x**2 / 4) +* 2")
        page.wait_for_selector("#expr-error", state="visible")
        page.wait_for_timeout(300)
        shot("error.png")

        # The neural network tab before training: the data and the untrained network
        page.goto(f"{base}/?view=network&data=circle&hidden=8&act=tanh&init=xavier")
        page.wait_for_function(
            "() => document.getElementById('view-network').dataset.state === 'preview'")
        page.wait_for_timeout(800)
        shot("network-preview.png")

        # The neural network tab: a circle, a spiral, the digits, the textbook's start,
        # and the gradient check
        for name, query, full in (
            ("network-circle.png", "data=circle&hidden=8&act=tanh&init=xavier&nopt=gd&nlr=0.5"
             "&batch=10&epochs=50&seed=0", False),
            ("network-spiral.png", "data=spiral&hidden=50&act=relu&init=he&nopt=momentum"
             "&nlr=0.1&batch=10&epochs=300&seed=0", False),
            ("network-digits.png", "data=digits&hidden=50&act=sigmoid&init=xavier&nopt=gd"
             "&nlr=0.5&batch=100&epochs=20&seed=0", True),
            ("network-textbook.png", "data=digits&hidden=50&act=sigmoid&init=std&std=0.01"
             "&nopt=gd&nlr=0.1&batch=100&epochs=20&seed=0", True),
        ):
            page.goto(f"{base}/?view=network&{query}")
            page.wait_for_selector("body[data-ready=true]")
            page.click("#net-train")
            page.wait_for_function(
                "() => document.getElementById('view-network').dataset.state === 'completed'",
                timeout=120_000)
            page.wait_for_timeout(800)
            shot(name, full_page=full)
        page.click("#net-check")
        page.wait_for_function(
            "() => document.querySelectorAll('#net-check-rows tr').length >= 4",
            timeout=120_000)
        _scroll_to(page, "net-check-card", 60)
        shot("network-gradcheck.png", top=False)

        # A narrow window: the grid collapses to one column
        narrow = context.new_page()
        narrow.set_viewport_size({"width": 420, "height": 800})
        narrow.set_default_timeout(60_000)
        narrow.goto(f"{base}/?f={quote('x**2 + y**2')}&point=-3,4&run=gd,0.1,30,autodiff,-3,4")
        narrow.wait_for_selector("body[data-ready=true]")
        narrow.wait_for_function("() => document.querySelectorAll('#runs-rows tr').length === 1")
        narrow.wait_for_timeout(800)
        path = out / "narrow.png"
        narrow.screenshot(path=str(path))
        shots.append(path)
        path = out / "narrow-full.png"
        narrow.screenshot(path=str(path), full_page=True)
        shots.append(path)
    return shots


def take_chinese(base: str, out: Path) -> list[Path]:
    """The main views in 中文 (``?lang=zh``): 1-D, 2-D with runs and the update written
    out, the surface, the computation graph, a sweep, the network."""
    with _Session(out) as session:
        page, shots, shot = session.page, session.shots, session.shot

        # 1-D: the tangent, secants and the error against h; a derivative checked
        page.goto(f"{base}/?f={quote('3*x**2 - 4*x')}&point=1&xr=-1,3&lang=zh")
        _ready(page)
        page.wait_for_function(
            "() => (document.getElementById('plot-steps').data || []).length >= 3")
        page.fill("#check-1d-claim-0", "6*x - 3")
        page.click("#check-1d button[type=submit]")
        page.wait_for_selector("#check-1d [data-result] table")
        page.wait_for_timeout(600)
        shot("zh-1d.png", full_page=True)

        # 2-D: runs compared on the ill-conditioned bowl, the player at a step
        page.goto(f"{base}/?f={quote(BOWL)}&lang=zh")
        _ready(page)
        run_descent(page, 0.035, 60, optimizer="gd")
        run_descent(page, 0.01, 60, optimizer="momentum")
        run_descent(page, 0.1, 60, optimizer="gd")
        page.select_option("#play-run", index=1)
        slider = page.locator("#play-step")
        slider.focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        page.wait_for_selector("#play-update h3")
        page.wait_for_timeout(800)
        page.evaluate("() => document.activeElement.blur()")
        shot("zh-2d.png")
        _scroll_to(page, "play-update", 420)
        shot("zh-2d-update.png", top=False)

        # the Data tables of the contour and the loss, and the downloads under the runs
        page.click("#plot-contour-data-toggle")
        page.click("#plot-loss-data-toggle")
        page.wait_for_selector("#plot-loss-data table")
        _scroll_to(page, "plot-contour-data-toggle", 420)
        shot("zh-2d-data.png", top=False)
        page.click("#plot-contour-data-toggle")
        page.click("#plot-loss-data-toggle")

        # the contour's toolbar: PNG and SVG downloads, their tooltips in Chinese
        page.hover("#plot-contour")
        page.hover('#plot-contour .modebar-btn[data-title*="SVG"]')
        page.wait_for_timeout(600)
        path = out / "zh-export.png"
        page.locator("#plot-contour").screenshot(path=str(path))
        shots.append(path)

        # the surface with the same runs
        page.click("#tab-surface")
        page.wait_for_timeout(1500)
        shot("zh-surface.png")

        # a learning-rate sweep over momentum (the phase diagram)
        page.click("#tab-contour")
        page.select_option("#optimizer", "momentum")
        page.click("#sweep-lr")
        page.wait_for_function(
            "() => (document.getElementById('plot-sweep').data || []).length > 2")
        page.wait_for_timeout(800)
        _scroll_to(page, "sweep-card", 330)
        shot("zh-sweep.png", top=False)

        # the computation graph panel
        page.goto(f"{base}/?f={quote('(2*x**2 + 2*y) / 4')}&point=1,2&lang=zh")
        _ready(page)
        page.wait_for_selector("#graph svg")
        page.mouse.move(1, 1)
        page.wait_for_timeout(300)
        path = out / "zh-graph.png"
        page.locator("#graph-panel").screenshot(path=str(path))
        shots.append(path)
        page.click("#graph-list-toggle")
        page.wait_for_selector("#graph-list table")
        page.mouse.move(1, 1)
        page.wait_for_timeout(300)
        path = out / "zh-graph-list.png"
        page.locator("#graph-list").screenshot(path=str(path))
        shots.append(path)

        # the neural network, trained, and its gradients checked
        page.goto(f"{base}/?view=network&data=spiral&hidden=50&act=relu&init=he&nopt=momentum"
                  "&nlr=0.1&batch=10&epochs=300&seed=0&lang=zh")
        page.wait_for_selector("body[data-ready=true]")
        page.click("#net-train")
        page.wait_for_function(
            "() => document.getElementById('view-network').dataset.state === 'completed'",
            timeout=120_000)
        page.click("#net-check")
        page.wait_for_function(
            "() => document.querySelectorAll('#net-check-rows tr').length >= 4",
            timeout=120_000)
        page.wait_for_timeout(800)
        shot("zh-network.png", full_page=True)
    return shots


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--base", help="URL of a running server (default: start one)")
    parser.add_argument("--lang", choices=("all", "en", "zh"), default="all",
                        help="the English screenshots, the 中文 ones (zh-*.png), or both")
    args = parser.parse_args(argv)

    def both(base: str) -> list[Path]:
        shots = take(base, args.out) if args.lang in ("all", "en") else []
        return shots + (take_chinese(base, args.out) if args.lang in ("all", "zh") else [])

    if args.base is not None:
        shots = both(args.base.rstrip("/"))
    else:
        from bench.server import LocalServer

        with LocalServer(stop_timeout=10) as server:
            shots = both(server.url)
    for path in shots:
        print(path)


if __name__ == "__main__":
    main()
