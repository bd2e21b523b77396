"""The page builds its menus and settings fields from the API's tables, and names no
optimizer or method itself."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

import engine
from tests.browser.pagekit import run_descent
from tests.browser.test_page import open_page, url

REPO = Path(__file__).resolve().parents[2]
FRONT_END = sorted((REPO / "static" / "js").glob("*.js")) + [REPO / "templates" / "index.html"]


SETTING_NAMES = {s.name for row in engine.OPTIMIZERS.values() for s in row.settings}


@pytest.mark.parametrize("name", [n for n in engine.OPTIMIZERS if n not in SETTING_NAMES]
                         + list(engine.METHODS))
def test_no_front_end_file_lists_optimizer_or_method_names(name):
    """Menus, defaults and labels come from GET /optimizers and GET /methods only.
    ("momentum" is also the name of a setting, which the phase diagram sweeps: the
    contract's `momentums`; it is left out here.)"""
    quoted = re.compile(rf"""["'`]{re.escape(name)}["'`]""")
    for path in FRONT_END:
        text = path.read_text()
        if path.name == "state.js" and name in ("central", "autodiff"):
            # the one page decision: which method each view starts with
            text = text.replace('view === "1d" ? "central" : "autodiff"', "")
        assert not quoted.search(text), f"{path.name} names {name!r}"
        assert f'<option value="{name}"' not in text


@pytest.mark.browser
def test_menus_and_settings_come_from_the_tables(page, server):
    optimizers = httpx.get(f"{server}/optimizers").json()
    methods = httpx.get(f"{server}/methods").json()
    open_page(page, url(server, "x**2 + 10*y**2", "&point=-3,4"))
    values = page.eval_on_selector_all("#optimizer option", "os => os.map(o => o.value)")
    assert values == [row["name"] for row in optimizers]
    assert values[-1] == "adamw"
    values = page.eval_on_selector_all("#method option", "os => os.map(o => o.value)")
    assert values == [row["name"] for row in methods]
    # each optimizer shows exactly its own settings, at PyTorch's defaults
    for row in optimizers:
        page.select_option("#optimizer", row["name"])
        shown = page.eval_on_selector_all(
            "#opt-settings input", "is => is.filter(i => !i.closest('[hidden]')).map(i => i.id)")
        assert sorted(shown) == sorted(s["name"] for s in row["settings"]), row["name"]
        for setting in row["settings"]:
            assert float(page.input_value(f"#{setting['name']}")) == setting["default"]
        assert row["rule"] in page.text_content("#optimizer-help")
    # AdamW with a changed weight decay: the run and the link carry it
    page.select_option("#optimizer", "adamw")
    page.fill("#weight_decay", "0.2")
    run_descent(page, lr=0.05, steps=30, optimizer="adamw")
    assert "opt=adamw" in page.url and "weight_decay=0.2" in page.url
    assert "AdamW" in page.text_content("#descent-status")


@pytest.mark.browser
def test_diverged_status_comes_from_structured_fields(page, server):
    open_page(page, url(server, "x**2 + 10*y**2", "&point=-3,4"))
    run_descent(page, lr=0.5, steps=100)
    status = page.text_content("#descent-status")
    assert "Diverged at step" in status
    assert "lr 0.5 is above the stability bound 2/λmax = 0.1 at the start" in status
    assert "column" not in status



@pytest.fixture(scope="module")
def small_server():
    """A server whose size limits differ from the defaults (SLOPESCOPE_* settings)."""
    from bench.server import LocalServer

    env = {"SLOPESCOPE_MAX_STEPS": "777", "SLOPESCOPE_MAX_HIDDEN": "9",
           "SLOPESCOPE_MAX_EPOCHS": "12", "SLOPESCOPE_MAX_CHECK_BATCH": "4"}
    with LocalServer(env=env, stop_timeout=10) as running:
        yield running.url


@pytest.mark.browser
def test_fields_are_bounded_by_this_servers_limits(page, small_server):
    """No maximum is written into the page: each comes from GET /limits."""
    assert httpx.get(small_server + "/limits").json()["max_steps"] == 777
    page.goto(small_server + "/?f=x**2%2By**2&view=network&hidden=50&epochs=99&steps=5000")
    page.wait_for_selector("body[data-ready=true]")
    # a link asking for more than this server allows is brought inside its limits
    assert page.input_value("#net-hidden") == "9" and page.input_value("#net-epochs") == "12"
    bounds = page.evaluate("""() => ['steps', 'net-hidden', 'net-epochs', 'net-samples',
        'net-check-batch'].map(id => document.getElementById(id).max)""")
    assert bounds == ["777", "9", "12", "5000", "4"]
    page.fill("#net-check-batch", "50")
    page.dispatch_event("#net-check-batch", "change")
    with page.expect_response(lambda r: r.url.endswith("/network/gradcheck")) as answer:
        page.click("#net-check")
    sent = answer.value.request.post_data_json
    assert sent["batch"] == 4 and sent["test_fraction"] == 0.2 and answer.value.status == 200
