"""The vendored Plotly.js (``static/vendor/plotly/``, built by ``scripts/build_plotly.sh``
from ``scripts/plotly/``): the version pinned is the version shipped, every trace type
the page draws is in it, and the 3-D traces are apart from what the first plot needs."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "scripts" / "plotly"
VENDORED = ROOT / "static" / "vendor" / "plotly"
#: ``type: "..."`` values of the page's modules that are not traces: axis and shape types.
NOT_TRACES = {"linear", "log", "date", "category", "multicategory", "line", "rect", "circle",
              "path"}
#: What Plotly's core registers by itself (plotly.js/src/core.js).
IN_THE_CORE = {"scatter"}
_REGISTERED = re.compile(r'^import \w+ from "plotly\.js/lib/(\w+)";$', re.M)
_CHUNK = re.compile(r'\bfrom\s*"\./(plotly-\w+\.js)"')


def registered(entry: str) -> set[str]:
    """The trace types the entry point ``scripts/plotly/<entry>`` imports to register."""
    return set(_REGISTERED.findall((SOURCES / entry).read_text(encoding="utf-8"))) - {"core"}


def test_the_bundle_is_the_pinned_version():
    pinned = json.loads((SOURCES / "package.json").read_text())["dependencies"]["plotly.js"]
    lock = json.loads((SOURCES / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/plotly.js"]["version"] == pinned
    for path in VENDORED.glob("*.js"):
        head = path.read_text(encoding="utf-8")[:300]
        assert f"/*! plotly.js v{pinned}, partial bundle" in head, path.name
    assert "MIT License" in (VENDORED / "LICENSE.txt").read_text(encoding="utf-8")


def test_every_trace_the_page_draws_is_in_the_bundle():
    used = set()
    for module in (ROOT / "static" / "js").glob("*.js"):
        used |= set(re.findall(r'\btype: "(\w+)"', module.read_text(encoding="utf-8")))
    traces = used - NOT_TRACES
    assert {"scatter", "contour", "surface"} <= traces  # the search finds them
    missing = traces - IN_THE_CORE - registered("plotly.js") - registered("plotly-3d.js")
    assert not missing, f"add {sorted(missing)} to scripts/plotly/ and run build_plotly.sh"


def test_the_first_plot_needs_no_webgl():
    """The page's Plotly has the 2-D traces; the WebGL ones come with the 3-D view."""
    assert registered("plotly.js") == {"contour", "heatmap"}
    assert registered("plotly-3d.js") == {"surface", "scatter3d"}


def test_what_the_first_plot_runs_is_compiled_as_it_loads():
    """V8's compile hint heads the page's Plotly and its chunk, not the 3-D traces."""
    hinted = {path.name for path in VENDORED.glob("*.js")
              if path.read_text(encoding="utf-8").startswith("//# allFunctionsCalledOnLoad\n")}
    assert "plotly.js" in hinted and "plotly-3d.js" not in hinted
    assert len(hinted) == 2  # and the chunk


def test_both_entry_points_share_one_chunk():
    """One copy of Plotly's core, so the 3-D traces register into the page's Plotly."""
    chunks = {name: set(_CHUNK.findall((VENDORED / name).read_text(encoding="utf-8")))
              for name in ("plotly.js", "plotly-3d.js")}
    (chunk,) = chunks["plotly.js"]
    assert chunks["plotly-3d.js"] == {chunk}
    assert sorted(p.name for p in VENDORED.iterdir()) == sorted(
        ["LICENSE.txt", "plotly.js", "plotly-3d.js", chunk])


def test_the_page_imports_the_vendored_files():
    loader = (ROOT / "static" / "js" / "plotlyload.js").read_text(encoding="utf-8")
    imported = re.findall(r'import\("(\.\./vendor/plotly/[\w.-]+)"\)', loader)
    assert sorted(imported) == ["../vendor/plotly/plotly-3d.js", "../vendor/plotly/plotly.js"]
    for spec in imported:
        assert (ROOT / "static" / "js" / spec).resolve().is_file(), spec
