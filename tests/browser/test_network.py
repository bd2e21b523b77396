"""The "Neural network" tab in a real browser against a real server (issue 10): train on
the circle to 90 % while the curves grow, stop a run and keep what was drawn, the
digits' images and confusion matrix, the gradient-check table, the URL."""

from __future__ import annotations

import json

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


PREVIEW = "() => document.getElementById('view-network').dataset.state === 'preview'"
PREVIEW_BODY_JS = """() => ({dataset: 'circle', hidden: 8, activation: 'tanh', init: 'xavier',
  seed: 0, test_fraction: 0.2, samples: 400, noise: 0.1, optimizer: 'gd', lr: 0.5,
  batch_size: 10, epochs: 0})"""
#: The boundary figure as drawn: the heatmap's probabilities, the points, the x axis's range.
BOUNDARY_JS = """() => {
  const el = document.getElementById('net-boundary');
  const heat = (el.data || []).find(t => t.type === 'heatmap');
  const points = (el.data || []).filter(t => (t.type || 'scatter') === 'scatter')
    .flatMap(t => Array.from(t.x).map((x, i) => [x, t.y[i]]));
  return {p: heat ? Array.from(heat.z, r => Array.from(r)) : null, points,
          range: el._fullLayout.xaxis.range};
}"""


def test_before_training_the_data_and_the_untrained_network_show(page, server, recorder):
    """The tab opened: the figures show the dataset and what the freshly initialised
    network predicts (the answer of /network/train with epochs 0 for the form); changing
    the form shows the new one; once trained, the form's changes leave the figures alone."""
    open_network(page, server, "&data=circle&hidden=8&act=tanh&init=xavier&nlr=0.5&batch=10")
    page.wait_for_function(PREVIEW)
    assert "Before training" in page.text_content("#net-status")
    assert page.get_attribute("#view-network", "data-epoch") == "0"
    drawn = page.evaluate(BOUNDARY_JS)
    answer = page.request.post(f"{server}/network/train", data=page.evaluate(PREVIEW_BODY_JS))
    assert answer.ok, answer.text()
    expected = answer.json()
    assert drawn["p"] == expected["boundary"]["p"]
    assert sorted(map(tuple, drawn["points"])) == sorted(
        map(tuple, expected["train_points"] + expected["test_points"]))
    low, high = drawn["range"]
    assert high - low > 2  # the circle's box, not a collapsed axis
    # one point per curve, at epoch 0, inside the frame of the 50 epochs to come
    (accuracy_train, accuracy_test) = traces(page, "net-accuracy")
    assert accuracy_train["n"] == accuracy_test["n"] == 1
    layout_range = page.evaluate(
        "() => document.getElementById('net-accuracy')._fullLayout.xaxis.range")
    assert layout_range[0] < 0 and layout_range[1] == 50

    # another dataset: its own points
    page.select_option("#net-dataset", "xor")
    page.wait_for_function("""(before) => {
      const el = document.getElementById('net-boundary');
      const xs = (el.data || []).filter(t => (t.type || 'scatter') === 'scatter')
        .flatMap(t => Array.from(t.x)).sort((a, b) => a - b);
      return xs.length > 0 && JSON.stringify(xs) !== before;
    }""", arg=json.dumps(sorted(p[0] for p in drawn["points"])))
    page.wait_for_function(PREVIEW)

    # trained: changing the form no longer replaces what the training drew
    page.fill("#net-epochs", "3")
    page.press("#net-epochs", "Tab")
    train(page)
    assert page.get_attribute("#view-network", "data-state") == "completed"
    page.select_option("#net-dataset", "moons")
    page.fill("#net-hidden", "5")
    page.press("#net-hidden", "Tab")
    page.wait_for_timeout(500)
    assert page.get_attribute("#view-network", "data-state") == "completed"
    assert page.get_attribute("#view-network", "data-epoch") == "3"
    assert recorder.page_errors == [] and recorder.console_errors == []


def test_a_refused_preview_leaves_an_empty_figure_with_a_box(page, server):
    """When the server refuses the form, the figures stay empty -- with square axes
    from -1 to 1, not an axis collapsed to nothing -- and nothing is said until Train."""
    page.route("**/network/train", lambda route: route.fulfill(
        status=422, content_type="application/json",
        body='{"detail": [{"loc": ["body", "hidden"], "msg": "too many", "type": "x"}]}'))
    open_network(page, server)
    page.wait_for_function("() => document.getElementById('net-boundary').data !== undefined")
    page.wait_for_timeout(300)
    drawn = page.evaluate(BOUNDARY_JS)
    assert drawn["p"] is None and drawn["points"] == []
    assert drawn["range"] == [-1, 1]
    assert page.get_attribute("#view-network", "data-state") in ("", None)
    assert "Train to see the decision boundary" in page.inner_text("#net-boundary")


@pytest.mark.parametrize("width", [700, 1100, 1280])
def test_the_digits_fill_whole_rows_at_every_width(page, server, width):
    """A rightly labelled digit (class "right") sits in its row like the others: the
    page's layout rules for its right-hand column must not move it to a grid column."""
    page.set_viewport_size({"width": width, "height": 900})
    open_network(page, server, "&data=digits&hidden=8")
    page.wait_for_function(PREVIEW)
    rows = page.evaluate("""() => {
      const tops = new Map();
      for (const f of document.querySelectorAll('#net-digits figure')) {
        const top = Math.round(f.getBoundingClientRect().top);
        tops.set(top, (tops.get(top) || 0) + 1);
      }
      return [...tops.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => n);
    }""")
    right = page.locator("#net-digits figure.right").count()
    assert right > 0, "the test needs rightly labelled digits"
    assert sum(rows) == 60
    assert all(n == rows[0] for n in rows[:-1]) and rows[-1] <= rows[0], rows


def test_the_forms_bounds_are_the_schemas(page, server):
    """Each number input takes the bounds GET /network/tables gives its request field,
    with this server's limits: a learning rate of 1000 (the API's "diverged" example) is
    taken, one of 0 is not (the old value stays), hidden units stop at max_hidden."""
    open_network(page, server)
    limits = page.request.get(f"{server}/limits").json()
    assert page.get_attribute("#net-hidden", "max") == str(limits["max_hidden"])
    assert page.get_attribute("#net-hidden", "min") == "1"
    assert page.get_attribute("#net-noise", "max") == "1"
    assert page.get_attribute("#net-lr", "max") is None
    assert page.get_attribute("#net-check-batch", "max") == str(limits["max_check_batch"])
    for value, expected in (("1000", "1000"), ("0", "1000"), ("-3", "1000")):
        page.fill("#net-lr", value)
        page.press("#net-lr", "Tab")
        assert page.input_value("#net-lr") == expected, value
    page.wait_for_function("() => location.search.includes('nlr=1000')")
    page.fill("#net-hidden", str(limits["max_hidden"] + 50))
    page.press("#net-hidden", "Tab")
    assert page.input_value("#net-hidden") == str(limits["max_hidden"])
    # a link past the bounds is brought inside them
    open_network(page, server, "&hidden=0&nlr=0&noise=7&seed=-4")
    assert page.input_value("#net-hidden") == "1" and page.input_value("#net-noise") == "1"
    assert page.input_value("#net-lr") == "0.5" and page.input_value("#net-seed") == "0"
