"""The "Neural network" tab in a real browser against a real server (issue 10): train on
the circle to 90 % while the curves grow, stop a run and keep what was drawn, the
digits' images and confusion matrix, the gradient-check table, the URL."""

from __future__ import annotations

import pytest

from tests.browser.test_page import open_page

pytestmark = pytest.mark.browser

FINISHED = ("() => ['completed', 'diverged', 'error', 'stopped']"
            ".includes(document.getElementById('view-network').dataset.state)")
AT_EPOCH = "n => Number(document.getElementById('view-network').dataset.epoch) >= n"
POINTS_JS = """id => (document.getElementById(id).data || [])
  .map(t => ({type: t.type || 'scatter', name: t.name || '', n: Array.from(t.x || []).length}))"""


def open_network(page, server: str, query: str = "") -> None:
    open_page(page, f"{server}/?view=network{query}")
    page.wait_for_selector("#view-network:not([hidden])")


def train(page) -> None:
    page.click("#net-train")
    page.wait_for_function(FINISHED, timeout=60_000)


def traces(page, plot_id: str) -> list[dict]:
    return page.evaluate(POINTS_JS, plot_id)


def test_the_tab_trains_a_circle_to_ninety_percent(page, server, recorder):
    open_page(page, f"{server}/?f=x**2%2By**2")
    page.click("#tab-network")
    page.wait_for_selector("#view-network:not([hidden])")
    assert page.get_attribute("#tab-network", "aria-selected") == "true"
    # what does not apply is hidden: the function bar and the computation graph
    assert page.is_hidden("#function-bar") and page.is_hidden("#graph-panel")
    assert page.is_hidden("#view-2d")
    assert "view=network" in page.url and "data=circle" in page.url
    assert page.input_value("#net-dataset") == "circle"
    train(page)
    assert page.get_attribute("#view-network", "data-state") == "completed"
    accuracy = float(page.get_attribute("#view-network", "data-test-accuracy"))
    assert accuracy >= 0.9
    assert "Test accuracy" in page.text_content("#net-figures")
    assert page.get_attribute("#net-progress", "aria-valuenow") == "50"
    assert page.get_attribute("#net-progress", "aria-valuemax") == "50"
    loss = traces(page, "net-loss")
    assert loss[0]["name"] == "mini-batch loss" and loss[0]["n"] == 1600
    accuracy_traces = traces(page, "net-accuracy")
    assert [t["name"] for t in accuracy_traces] == ["train", "test"]
    assert all(t["n"] == 51 for t in accuracy_traces)
    boundary = traces(page, "net-boundary")
    assert boundary[0]["type"] == "heatmap" and boundary[1]["type"] == "contour"
    assert sum(t["n"] for t in boundary if t["type"] == "scatter") == 400
    assert recorder.page_errors == [] and recorder.console_errors == []
    assert recorder.failed_responses == []
    assert all(u.startswith(server + "/") or u.startswith("data:") for u in recorder.requests)


def test_curves_grow_while_epochs_stream_in(page, server):
    open_network(page, server, "&data=digits&hidden=10&epochs=100&batch=100&nlr=0.5")
    page.click("#net-train")
    # an intermediate state: some epochs drawn, the run not finished
    page.wait_for_function(AT_EPOCH, arg=2)
    seen = int(page.get_attribute("#net-progress", "aria-valuenow"))
    page.wait_for_function(FINISHED, timeout=60_000)
    assert page.get_attribute("#view-network", "data-state") == "completed"
    assert 2 <= seen <= 100
    assert page.get_attribute("#net-progress", "aria-valuenow") == "100"


def test_stop_keeps_what_was_drawn(page, server):
    open_network(page, server, "&data=digits&hidden=2&epochs=1000&batch=100&nlr=0.5")
    page.click("#net-train")
    page.wait_for_function(AT_EPOCH, arg=3)
    page.click("#net-stop")
    page.wait_for_function(FINISHED)
    assert page.get_attribute("#view-network", "data-state") == "stopped"
    epoch = int(page.get_attribute("#view-network", "data-epoch"))
    assert 3 <= epoch < 1000
    assert f"Stopped after epoch {epoch} of 1000" in page.text_content("#net-status")
    page.wait_for_timeout(500)  # nothing more arrives, nothing is wiped
    drawn = traces(page, "net-accuracy")
    assert [t["n"] for t in drawn] == [epoch + 1, epoch + 1]
    assert page.is_disabled("#net-stop") and page.is_enabled("#net-train")


def test_training_again_mid_run_is_not_reported_as_stopped(page, server):
    """Train pressed during a run replaces it: the first run's abort must not write
    "Stopped" over the second (every state the view passes through is recorded)."""
    open_network(page, server, "&data=digits&hidden=2&epochs=300&batch=100&nlr=0.5")
    page.evaluate("""() => {
      window.__states = [];
      const view = document.getElementById('view-network');
      new MutationObserver(() => window.__states.push(view.dataset.state))
        .observe(view, {attributes: true, attributeFilter: ['data-state']});
    }""")
    page.click("#net-train")
    page.wait_for_function(AT_EPOCH, arg=2)
    page.click("#net-train")
    page.wait_for_function("() => window.__states.at(-1) === 'completed'", timeout=60_000)
    states = page.evaluate("() => window.__states")
    assert "stopped" not in states, states
    assert page.get_attribute("#view-network", "data-epoch") == "300"


def test_digits_show_test_images_mistakes_and_the_confusion_matrix(page, server):
    open_network(page, server, "&data=digits&hidden=50&act=sigmoid&init=xavier"
                               "&nlr=0.5&batch=100&epochs=20")
    assert page.is_hidden("#net-planar-fields")
    train(page)
    assert float(page.get_attribute("#view-network", "data-test-accuracy")) >= 0.9
    assert page.locator("#net-digits figure").count() == 60
    wrong = page.locator("#net-digits figure.wrong").count()
    assert f"{wrong} wrong" in page.text_content("#net-main-help")
    assert page.locator("#net-digits figure.right").count() == 60 - wrong
    (heatmap,) = traces(page, "net-confusion")
    assert heatmap["type"] == "heatmap" and heatmap["n"] == 10
    assert page.is_hidden("#net-boundary")


def test_check_gradients_fills_one_row_per_tensor_and_both_costs(page, server):
    open_network(page, server, "&data=digits&hidden=20")
    page.click("#net-check")
    page.wait_for_selector("#net-check-result:not([hidden])")
    rows = page.locator("#net-check-rows tr").all_inner_texts()
    assert [r.split()[0] for r in rows] == ["W1", "b1", "W2", "b2"]
    assert all(r.strip().endswith("pass") for r in (row.lower() for row in rows))
    costs = page.text_content("#net-cost-rows")
    assert "1 forward + 1 backward pass" in costs
    assert f"{2 * (64 * 20 + 20 + 20 * 10 + 10):,} loss evaluations" in costs
    assert "slower" in costs
    assert page.get_attribute("#net-check-card", "data-verdict") == "pass"


def test_the_url_keeps_the_views_settings(page, server):
    open_network(page, server, "&data=spiral&samples=300&noise=0.05&hidden=16&act=relu"
                               "&init=he&nlr=0.02&batch=20&epochs=7&seed=3")
    assert page.input_value("#net-dataset") == "spiral"
    assert page.input_value("#net-hidden") == "16" and page.input_value("#net-samples") == "300"
    assert page.input_value("#net-activation") == "relu" and page.input_value("#net-init") == "he"
    assert page.input_value("#net-seed") == "3" and page.input_value("#net-epochs") == "7"
    assert page.is_hidden("#net-init-std-field")
    # a change is written back to the address
    page.select_option("#net-dataset", "moons")
    page.fill("#net-hidden", "12")
    page.press("#net-hidden", "Tab")
    page.wait_for_function("() => location.search.includes('hidden=12')")
    assert "data=moons" in page.url
    train(page)
    assert "epochs=7" in page.url
    # back to the contour view, and forward to the network again
    page.click("#tab-contour")
    page.wait_for_selector("#view-2d:not([hidden])")
    assert page.is_visible("#function-bar") and "data=" not in page.url
    page.go_back()
    page.wait_for_selector("#view-network:not([hidden])")
    assert page.input_value("#net-dataset") == "moons" and page.input_value("#net-hidden") == "12"


def test_the_network_tab_survives_a_one_variable_function(page, server):
    open_page(page, f"{server}/?f=sin(x)&view=network")
    page.wait_for_selector("#view-network:not([hidden])")
    assert page.get_attribute("#tab-network", "aria-selected") == "true"
    assert page.is_enabled("#tab-network") and page.is_hidden("#view-1d")
    page.click("#tab-1d")
    page.wait_for_selector("#view-1d:not([hidden])")
    assert page.is_hidden("#view-network") and page.is_visible("#function-bar")


def test_the_network_controls_are_labelled(page, server):
    open_network(page, server)
    for name in ("Dataset", "Samples", "Noise", "Hidden units", "Activation", "Initialisation",
                 "Optimizer of the network", "Learning rate of the network", "Batch size",
                 "Epochs", "Seed", "Examples in the batch", "Difference step h"):
        assert page.get_by_label(name, exact=True).count() == 1, name
    assert page.get_by_role("button", name="Train", exact=True).count() == 1
    assert page.get_by_role("button", name="Stop", exact=True).count() == 1
    assert page.get_by_role("progressbar", name="Training progress").count() == 1
    # what is seen is the words; the hidden rest tells them from the 2-D view's
    for control, seen in (("net-optimizer", "Optimizer"), ("net-lr", "Learning rate")):
        text = page.eval_on_selector(f"label[for={control}]", "l => l.firstChild.textContent")
        assert text == seen
