"""Downloads from the page (issue 13): every plot as PNG and SVG from its mode bar, the
runs, the sweep and the network's curves as CSV, the API's answers as JSON, and a
notebook that runs top to bottom -- under the page's Content-Security-Policy, with no
console error."""

from __future__ import annotations

import csv
import io
import json
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import nbclient
import nbformat
import pytest

from tests.browser.pagekit import run_descent
from tests.browser.test_page import open_page, url

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
BOWL = "x**2 + 10*y**2"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
NETWORK_DONE = ("() => ['completed', 'diverged', 'error', 'stopped']"
                ".includes(document.getElementById('view-network').dataset.state)")


def download(page, selector: str) -> tuple[str, bytes]:
    """Press the button and return the file the browser saved: (name, bytes)."""
    with page.expect_download() as caught:
        page.click(selector)
    saved = caught.value
    assert saved.failure() is None
    return saved.suggested_filename, Path(saved.path()).read_bytes()


def plot_image(page, plot_id: str, kind: str) -> tuple[str, bytes]:
    """Download plot ``plot_id`` as ``kind`` (PNG or SVG) from its mode bar."""
    page.hover(f"#{plot_id}")
    return download(page, f'#{plot_id} .modebar-btn[data-title="Download plot as {kind}"]')


def check_images(page, plot_id: str, name: str) -> None:
    filename, png = plot_image(page, plot_id, "PNG")
    assert filename == f"slopescope-{name}.png"
    assert png.startswith(PNG_MAGIC)
    width, height = struct.unpack(">II", png[16:24])  # IHDR: twice the size on screen
    box = page.evaluate("id => document.getElementById(id).getBoundingClientRect().toJSON()",
                        plot_id)
    assert abs(width - 2 * box["width"]) <= 2 and abs(height - 2 * box["height"]) <= 2
    filename, svg = plot_image(page, plot_id, "SVG")
    assert filename == f"slopescope-{name}.svg"
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(list(root.iter())) > 20  # a drawing, not an empty frame


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def run_notebook(data: bytes, extra: str = "") -> str:
    """Validate and execute a downloaded notebook with a real kernel; what ``extra``
    printed."""
    document = nbformat.reads(data.decode("utf-8"), as_version=4)
    nbformat.validate(document)
    document.cells.append(nbformat.v4.new_code_cell(extra or "print('done')"))
    nbclient.NotebookClient(document, timeout=180, kernel_name="python3",
                            resources={"metadata": {"path": str(REPO)}}).execute()
    for cell in document.cells:
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", output
    return "".join(o.get("text", "") for o in document.cells[-1].outputs
                   if o["output_type"] == "stream")


# --- images ------------------------------------------------------------------------------

def test_every_plot_of_the_one_variable_view_downloads_as_png_and_svg(page, server, recorder):
    answer = page.goto(url(server, "3*x**2 - 4*x", "&point=1"))
    # under the page's own policy: no inline script, pictures from data: and blob: URLs
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "img-src 'self' data: blob:" in policy
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_function("() => (document.getElementById('plot-steps').data || []).length")
    check_images(page, "plot-1d", "1d")
    check_images(page, "plot-steps", "steps")
    assert recorder.console_errors == [] and recorder.page_errors == []


def test_every_plot_of_the_descent_views_downloads_as_png_and_svg(page, server, recorder):
    open_page(page, url(server, BOWL, "&point=-3,4&lr=0.05&steps=40"))
    run_descent(page, lr=0.05, steps=40)
    page.click("#sweep-lr")
    page.wait_for_function("() => !document.getElementById('sweep-csv').disabled")
    for plot_id, name in [("plot-contour", "contour"), ("plot-loss", "loss"),
                          ("plot-sweep", "sweep"), ("plot-slice-x", "slice-x")]:
        check_images(page, plot_id, name)
    page.click("#tab-surface")
    page.wait_for_selector("#plot-surface:not([hidden]) .modebar-btn", state="attached")
    check_images(page, "plot-surface", "surface")
    assert recorder.console_errors == [] and recorder.page_errors == []


def test_network_plots_download_as_png_and_svg(page, server, recorder):
    open_page(page, f"{server}/?view=network&epochs=5")
    page.click("#net-train")
    page.wait_for_function(NETWORK_DONE, timeout=60_000)
    for plot_id, name in [("net-boundary", "net-boundary"), ("net-loss", "net-loss"),
                          ("net-accuracy", "net-accuracy")]:
        check_images(page, plot_id, name)
    assert recorder.console_errors == [] and recorder.page_errors == []


# --- the runs, the sweep and the network as CSV and JSON ---------------------------------

def test_runs_download_as_csv_and_as_the_apis_json(page, server, recorder):
    open_page(page, url(server, BOWL, "&point=-3,4"))
    assert page.is_disabled("#runs-csv") and page.is_disabled("#runs-json")
    run_descent(page, lr=0.05, steps=30)
    run_descent(page, lr=0.02, steps=25, optimizer="momentum")
    name, data = download(page, "#runs-csv")
    assert name == "slopescope-runs.csv"
    rows = read_csv(data)
    assert rows[0] == ["run", "optimizer", "lr", "iteration", "x", "y", "f", "grad_norm"]
    name, data = download(page, "#runs-json")
    assert name == "slopescope-runs.json"
    runs = json.loads(data)
    assert [(run["run"], run["request"]["optimizer"], run["request"]["lr"]) for run in runs] \
        == [(1, "gd", 0.05), (2, "momentum", 0.02)]
    body = rows[1:]
    for run in runs:
        # the JSON is the API's answer to the same request, exactly
        answer = httpx.post(f"{server}/descent", json=run["request"], timeout=30).json()
        assert run["response"] == answer
        # the CSV has a row per path entry, every number in full
        mine = [row for row in body if row[0] == str(run["run"])]
        assert len(mine) == len(answer["path"]) == run["request"]["steps"] + 1
        for row, point, value, norm, k in zip(mine, answer["path"], answer["values"],
                                             answer["grad_norms"], answer["iterations"],
                                             strict=True):
            assert row[1] == run["request"]["optimizer"]
            assert float(row[2]) == run["request"]["lr"]
            assert int(row[3]) == k
            assert [float(row[4]), float(row[5]), float(row[6]), float(row[7])] \
                == [*point, value, norm]
    assert len(body) == sum(len(run["response"]["path"]) for run in runs)
    assert recorder.console_errors == [] and recorder.page_errors == []


def test_the_sweep_downloads_as_csv_and_json(page, server):
    open_page(page, url(server, BOWL, "&point=-3,4&lr=0.05&steps=100"))
    page.click("#sweep-lr")
    page.wait_for_function("() => !document.getElementById('sweep-csv').disabled")
    name, data = download(page, "#sweep-json")
    assert name == "slopescope-sweep.json"
    sweep = json.loads(data)
    answer = httpx.post(f"{server}/sweep", json=sweep["request"], timeout=60).json()
    assert sweep["response"] == answer
    _, data = download(page, "#sweep-csv")
    rows = read_csv(data)
    assert rows[0] == ["lr", "status", "final_value", "steps_taken"]
    assert [[float(r[0]), r[1], float(r[2]) if r[2] else None, int(r[3])] for r in rows[1:]] \
        == [list(x) for x in zip(answer["lr"], answer["status"], answer["final_value"],
                                 answer["steps_taken"], strict=True)]


def test_the_training_downloads_its_curves_and_answer(page, server):
    open_page(page, f"{server}/?view=network&epochs=12")
    page.wait_for_selector("#view-network:not([hidden])")
    assert page.is_disabled("#net-epochs-csv") and page.is_disabled("#net-json")
    page.click("#net-train")
    page.wait_for_function(NETWORK_DONE, timeout=60_000)
    name, data = download(page, "#net-json")
    assert name == "slopescope-circle.json"
    saved = json.loads(data)
    answer = httpx.post(f"{server}/network/train", json=saved["request"], timeout=60).json()
    saved["response"].pop("seconds")  # how long it took: the one number that may differ
    answer.pop("seconds")
    assert saved["response"] == answer
    _, data = download(page, "#net-epochs-csv")
    rows = read_csv(data)
    assert rows[0] == ["epoch", "train_loss", "train_accuracy", "test_accuracy"]
    assert [[int(r[0]), *map(float, r[1:])] for r in rows[1:]] == [
        list(x) for x in zip(answer["epochs"], answer["train_loss"], answer["train_accuracy"],
                             answer["test_accuracy"], strict=True)]
    _, data = download(page, "#net-iterations-csv")
    rows = read_csv(data)
    assert rows[0] == ["iteration", "loss"]
    assert [[int(r[0]), float(r[1])] for r in rows[1:]] == [
        list(x) for x in zip(answer["iterations"], answer["loss"], strict=True)]


#: Wraps Plotly.downloadImage: at the moment a picture is taken, what the figure's own
#: traces hold -- the player's marker on the contour, its ring on the loss plot -- and the
#: step the player shows (read in one task: no frame runs in between).
CAPTURE_IMAGES_JS = """() => {
  window.__pictures = [];
  const original = Plotly.downloadImage;
  Plotly.downloadImage = (gd, options) => {
    const find = (el, name) => el.data.find((t) => t.name === name);
    const run = gd.data.find((t) => (t.name || '').startsWith('#1'));
    const step = Number(document.getElementById('play-step').value);
    const marker = find(gd, 'current step');
    const ring = find(document.getElementById('plot-loss'), 'player');
    window.__pictures.push({
      step, marker: [Array.from(marker.x), Array.from(marker.y)],
      pathPoint: [run.x[step], run.y[step]], ring: Array.from(ring.x).length,
      playing: document.getElementById('play').getAttribute('aria-pressed') === 'true',
    });
    return original(gd, options);
  };
}"""


def test_a_picture_taken_while_playing_shows_the_players_markers(page, server):
    """While Play runs, the moving markers are drawn on a layer over the plot, outside its
    traces; a PNG taken then has them (put into the traces for the picture), and the
    player goes on playing on its layer afterwards."""
    open_page(page, url(server, BOWL, "&point=-3,4&xr=-4,4&yr=-1,5"))
    run_descent(page, lr=0.01, steps=400)  # 200 frames of Play: time to take a picture
    page.evaluate(CAPTURE_IMAGES_JS)
    page.click("#play")
    page.wait_for_function("() => Number(document.getElementById('play-step').value) > 10")
    filename, png = plot_image(page, "plot-contour", "PNG")
    assert filename == "slopescope-contour.png" and png.startswith(PNG_MAGIC)
    (picture,) = page.evaluate("() => window.__pictures")
    assert picture["playing"] and picture["step"] > 10
    assert picture["marker"] == [[picture["pathPoint"][0]], [picture["pathPoint"][1]]]
    assert picture["ring"] == 1
    # afterwards the markers are back on the layer, out of the traces, and it still plays
    page.wait_for_function("""(step) => {
      const el = document.getElementById('plot-contour');
      const layer = el.querySelector('.plot-overlay');
      return Number(document.getElementById('play-step').value) > step
        && el.data.find((t) => t.name === 'current step').x.length === 0
        && layer && layer.querySelectorAll('circle').length > 0;
    }""", arg=picture["step"])
    page.click("#play")


# --- notebooks ---------------------------------------------------------------------------

def test_the_descent_view_downloads_a_notebook_that_runs(page, server, recorder):
    open_page(page, url(server, BOWL, "&point=-3,4"))
    run_descent(page, lr=0.05, steps=30)
    run_descent(page, lr=0.3, steps=30, optimizer="adam")
    name, data = download(page, "#notebook-2d")
    assert name == "slopescope-contour.ipynb"
    printed = run_notebook(data, "print([(label, r.final_value) for label, r in results])")
    labels = page.eval_on_selector_all("#play-run option", "os => os.map(o => o.textContent)")
    finals = [httpx.post(f"{server}/descent", json=body, timeout=30).json()["final_value"]
              for body in ({"expr": BOWL, "start": [-3, 4], "lr": 0.05, "steps": 30},
                           {"expr": BOWL, "start": [-3, 4], "lr": 0.3, "steps": 30,
                            "optimizer": "adam"})]
    assert printed.strip() == repr(list(zip(labels, finals, strict=True)))
    assert "Notebook saved as slopescope-contour.ipynb" in page.text_content("#export-2d-status")
    assert recorder.console_errors == [] and recorder.page_errors == []


def test_the_one_variable_view_downloads_a_notebook_that_runs(page, server):
    open_page(page, url(server, "exp(sin(x))", "&point=0.7&xr=-2,2"))
    page.wait_for_function("() => (document.getElementById('plot-steps').data || []).length")
    name, data = download(page, "#notebook-1d")
    assert name == "slopescope-1d.ipynb"
    printed = run_notebook(data, "print(x0, x_range, method, line.equation)")
    tangent = httpx.post(f"{server}/tangent", json={"expr": "exp(sin(x))", "point": 0.7},
                         timeout=30).json()
    assert printed.strip() == f"0.7 [-2.0, 2.0] central {tangent['equation']}"


def test_the_network_view_downloads_a_notebook_that_runs(page, server):
    open_page(page, f"{server}/?view=network&epochs=6&hidden=5")
    page.wait_for_selector("#view-network:not([hidden])")
    name, data = download(page, "#net-notebook")
    assert name == "slopescope-network-circle.ipynb"
    printed = run_notebook(data, "print(result.test_accuracy.tolist())")
    body = {"dataset": "circle", "samples": 400, "noise": 0.1, "hidden": 5,
            "activation": "tanh", "init": "xavier", "optimizer": "gd", "lr": 0.5,
            "batch_size": 10, "epochs": 6, "seed": 0}
    answer = httpx.post(f"{server}/network/train", json=body, timeout=60).json()
    assert json.loads(printed) == answer["test_accuracy"]


def test_a_refused_notebook_says_why(page, server):
    open_page(page, url(server, BOWL, "&point=-3,4"))
    page.route("**/notebook", lambda route: route.fulfill(
        status=422, content_type="application/json",
        body=json.dumps({"detail": [{"loc": ["body", "runs"], "msg": "too many runs",
                                     "type": "limit_exceeded"}]})))
    page.click("#notebook-2d")
    page.wait_for_function(
        "() => document.getElementById('export-2d-status').textContent.includes('No notebook')")
    assert "too many runs" in page.text_content("#export-2d-status")
