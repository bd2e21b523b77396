"""POST /network/train and POST /network/gradcheck (contract v2, "Neural networks"):
status first, then JSON; the NDJSON stream; every limit a setting with a 422 naming it."""

from __future__ import annotations

import json
import math

import httpx
import pytest

from app.settings import Settings
from bench.server import LocalServer
from tests.app.conftest import strict_json

TRAIN = "/network/train"
CHECK = "/network/gradcheck"
NDJSON = {"Accept": "application/x-ndjson", "content-type": "application/json"}
SPIRAL = {"dataset": "spiral", "hidden": 16, "activation": "tanh", "init": "xavier",
          "optimizer": "gd", "lr": 0.3, "batch_size": 10, "epochs": 50, "seed": 0}
SMALL = {"dataset": "circle", "hidden": 4, "epochs": 3, "batch_size": 40}


def stream(api, body, status=200):
    """POST with Accept: application/x-ndjson; the parsed lines."""
    response = api.client.post(TRAIN, content=json.dumps(body), headers=NDJSON)
    assert response.status_code == status, response.text[:500]
    if status != 200:
        return strict_json(response.text)
    assert response.headers["content-type"].startswith("application/x-ndjson")
    assert response.content.isascii() and response.text.endswith("\n")
    return [strict_json(line) for line in response.text.splitlines()]


def without_time(reply):
    return {key: value for key, value in reply.items() if key != "seconds"}


# ------------------------------------------------------------------------------ /train


def test_the_contract_example_trains_a_spiral(api):
    reply = api.post(TRAIN, SPIRAL)
    assert reply["status"] == "completed"
    assert reply["parameters"] == 2 * 16 + 16 + 16 * 2 + 2 == 82
    assert reply["shapes"] == {"W1": [2, 16], "b1": [16], "W2": [16, 2], "b2": [2]}
    assert reply["epochs"] == list(range(51))
    for key in ("train_loss", "train_accuracy", "test_accuracy"):
        assert len(reply[key]) == 51
    assert reply["iterations"] == list(range(1, 1601)) and len(reply["loss"]) == 1600
    assert reply["iterations_run"] == 1600  # 320 training points, batches of 10
    assert reply["train_size"] == 320 and reply["test_size"] == 80
    assert sum(map(sum, reply["confusion"])) == 80
    correct = reply["confusion"][0][0] + reply["confusion"][1][1]
    assert correct / 80 == pytest.approx(reply["test_accuracy"][-1])
    boundary = reply["boundary"]
    assert len(boundary["x"]) == len(boundary["y"]) == 50
    assert len(boundary["p"]) == 50 and all(len(row) == 50 for row in boundary["p"])
    assert len(reply["train_points"]) == 320 and len(reply["test_points"]) == 80
    assert reply["test_accuracy"][-1] > reply["test_accuracy"][0]
    assert reply["seconds"] > 0 and "ran all 50 epochs" in reply["message"]
    assert "test_images" not in reply


def test_defaults_are_the_contracts(api):
    reply = api.post(TRAIN, {"dataset": "circle"})
    assert reply["epochs"] == list(range(21))                   # epochs 20
    assert reply["shapes"]["W1"] == [2, 10]                     # hidden 10
    assert reply["train_size"] + reply["test_size"] == 400      # samples 400
    assert reply["test_size"] == 80                             # test_fraction 0.2
    assert reply["iterations_run"] == 20 * 4                    # batch_size 100
    # sigmoid, std 0.01, lr 0.1: the textbook's slow start, ln 2 for two classes
    assert reply["train_loss"][0] == pytest.approx(math.log(2), abs=1e-3)
    assert without_time(api.post(TRAIN, {"dataset": "circle", "seed": 0})) == \
        without_time(reply)                                      # seed 0


def test_the_same_request_gives_the_same_numbers_and_another_seed_others(api):
    body = {**SMALL, "activation": "relu", "init": "he", "optimizer": "adam", "lr": 0.01}
    first, again = api.post(TRAIN, body), api.post(TRAIN, body)
    assert without_time(first) == without_time(again)
    other = api.post(TRAIN, {**body, "seed": 1})
    assert other["loss"] != first["loss"]


def test_digits_send_test_images_and_a_ten_class_confusion(api):
    reply = api.post(TRAIN, {"dataset": "digits", "hidden": 50, "init": "xavier", "lr": 0.5,
                             "epochs": 20})
    assert reply["test_accuracy"][-1] >= 0.9
    assert reply["parameters"] == 3760 and reply["classes"] == 10
    assert len(reply["confusion"]) == 10 and sum(map(sum, reply["confusion"])) == 359
    assert len(reply["test_images"]) == 60
    assert all(len(image) == 8 and all(len(row) == 8 for row in image)
               for image in reply["test_images"])
    assert len(reply["test_labels"]) == len(reply["test_predicted"]) == 359
    assert "boundary" not in reply and "train_points" not in reply


def test_the_textbook_initialisation_starts_at_ln_10(api):
    reply = api.post(TRAIN, {"dataset": "digits", "hidden": 50, "epochs": 2})
    assert reply["train_loss"][0] == pytest.approx(math.log(10), abs=2e-3)


def test_optimizer_settings_come_from_the_table(api):
    base = {**SMALL, "optimizer": "adam", "lr": 0.05}
    default = api.post(TRAIN, base)
    assert api.post(TRAIN, {**base, "beta1": 0.9}) | {"seconds": 0} == default | {"seconds": 0}
    changed = api.post(TRAIN, {**base, "beta1": 0.5})
    assert changed["loss"] != default["loss"]
    assert api.post(TRAIN, {**base, "momentum": 0.3})["loss"] == default["loss"]  # ignored
    err = api.error(TRAIN, {**base, "beta1": 1.5})
    assert err["loc"] == ["body", "beta1"]


def test_max_points_thins_the_loss_keeping_the_last(api):
    reply = api.post(TRAIN, {**SPIRAL, "max_points": 100})
    assert len(reply["loss"]) <= 100 and reply["iterations"][-1] == 1600
    assert reply["iterations"][0] == 1


def test_a_huge_learning_rate_diverges_with_finite_json(api):
    reply = api.post(TRAIN, {"dataset": "digits", "hidden": 20, "activation": "relu",
                             "init": "he", "lr": 1e300, "batch_size": 50, "epochs": 5})
    assert reply["status"] == "diverged"
    assert "stopped being finite" in reply["message"] and "lr 1e+300" in reply["message"]
    assert all(v is not None for v in reply["loss"] + reply["train_loss"])


def test_divergence_factor_null_lets_a_large_loss_run(api):
    body = {"dataset": "digits", "hidden": 20, "activation": "relu", "init": "he", "lr": 1000,
            "batch_size": 50, "epochs": 2}
    assert api.post(TRAIN, body)["status"] == "diverged"
    assert api.post(TRAIN, {**body, "divergence_factor": None})["status"] == "completed"


# ------------------------------------------------------------------------------ stream


def test_the_stream_sends_one_line_per_epoch_then_the_whole_answer(api):
    body = {**SPIRAL, "epochs": 8}
    lines = stream(api, body)
    epochs, final = lines[:-1], lines[-1]
    assert [line["epoch"] for line in epochs] == list(range(9))
    for line in epochs:
        assert {"epoch", "train_loss", "train_accuracy", "test_accuracy"} <= set(line)
    assert epochs[0]["loss"] == [] and len(epochs[1]["loss"]) == 32
    assert [i for line in epochs for i in line["iterations"]] == final["iterations"]
    assert [line["test_accuracy"] for line in epochs] == final["test_accuracy"]
    assert "boundary" in epochs[0] and "boundary" in epochs[-1]
    assert without_time(final) == without_time(api.post(TRAIN, body))


def test_stream_lines_for_digits_carry_the_confusion_every_few_epochs(api):
    lines = stream(api, {"dataset": "digits", "hidden": 10, "epochs": 40, "batch_size": 500})
    with_confusion = [line["epoch"] for line in lines[:-1] if "confusion" in line]
    assert with_confusion == list(range(0, 41, 2))
    assert all("boundary" not in line for line in lines)


def test_a_bad_request_is_a_422_before_the_stream_starts(api):
    error = stream(api, {"dataset": "digits", "hidden": 256, "epochs": 1000}, status=422)
    assert error["detail"][0]["ctx"]["limit"] == "network_budget"
    error = stream(api, {"dataset": "circle", "samples": 10, "test_fraction": 0.01},
                   status=422)
    assert error["detail"][0]["loc"] == ["body", "test_fraction"]


def test_the_deadline_ends_the_stream_with_the_error_line(make_api):
    api = make_api(network_deadline=0.3)
    body = {"dataset": "circle", "samples": 5000, "hidden": 50, "epochs": 5, "batch_size": 1}
    lines = stream(api, body)
    assert lines[0]["epoch"] == 0
    last = lines[-1]["detail"][0]
    assert last["type"] == "limit_exceeded" and last["loc"] == ["body", "epochs"]
    assert last["ctx"]["limit"] == "network_deadline"
    assert "network_deadline = 0.3 s (set by SLOPESCOPE_NETWORK_DEADLINE)" in last["msg"]
    assert "parameters" not in lines[-1]
    error = api.error(TRAIN, body)
    assert error["ctx"]["limit"] == "network_deadline"
    assert api.post(TRAIN, SMALL)["status"] == "completed"  # the slot came back


def test_the_network_deadline_is_its_own_setting(make_api):
    """Training streams its progress, so it gets longer than the other endpoints'."""
    from app.settings import Settings

    assert Settings().network_deadline > Settings().deadline
    api = make_api(deadline=0.01)  # the general deadline does not stop a training
    reply = api.post(TRAIN, {"dataset": "digits", "hidden": 20, "epochs": 5})
    assert reply["status"] == "completed"


def test_a_diverged_stream_has_no_nan_in_any_line(api):
    lines = stream(api, {"dataset": "digits", "hidden": 20, "activation": "relu",
                         "init": "he", "lr": 1e300, "batch_size": 50, "epochs": 3})
    assert lines[-1]["status"] == "diverged"  # strict_json refused any NaN already


@pytest.mark.server
def test_an_abandoned_stream_gives_its_slot_back():
    """One slot: a client reads the first lines of a long run and goes; the next
    request gets the slot instead of a 503 after ``slot_wait`` (the abandoned run, left
    alone, would hold the slot for far longer: 400,000 mini-batch steps)."""
    env = {Settings.env_name("compute_slots"): "1", Settings.env_name("slot_wait"): "2",
           Settings.env_name("network_deadline"): "600",
           Settings.env_name("max_network_iterations"): "1000000"}
    long_run = {"dataset": "circle", "samples": 5000, "hidden": 50, "epochs": 100,
                "batch_size": 1}
    with LocalServer(env=env) as server, httpx.Client(timeout=30) as client:
        with client.stream("POST", server.url + TRAIN, json=long_run,
                           headers={"Accept": "application/x-ndjson"}) as response:
            assert response.status_code == 200
            first = next(response.iter_lines())
            assert json.loads(first)["epoch"] == 0
        answer = client.post(server.url + TRAIN, json=SMALL)
        assert answer.status_code == 200, answer.text[:300]


# ------------------------------------------------------------------------------ limits


@pytest.mark.parametrize(("field", "value", "setting"), [
    ("hidden", 257, "max_hidden"),
    ("epochs", 1001, "max_epochs"),
    ("samples", 5001, "max_samples"),
    ("batch_size", 5001, "max_batch"),
    ("grid", 201, "max_boundary_grid"),
    ("max_points", 10_002, "max_points"),
])
def test_each_size_limit_is_a_setting_named_in_the_422(api, field, value, setting):
    error = api.error(TRAIN, {"dataset": "circle", field: value})
    assert error["type"] == "limit_exceeded" and error["ctx"]["limit"] == setting
    assert error["loc"] == ["body", field] and Settings.env_name(setting) in error["msg"]


def test_the_budget_names_its_setting(api, make_api):
    error = api.error(TRAIN, {"dataset": "digits", "hidden": 256, "epochs": 1000})
    assert error["ctx"]["limit"] == "network_budget" and error["loc"] == ["body", "epochs"]
    assert "epochs x samples x parameters (1000 x 1797 x 19210)" in error["msg"]
    small = make_api(network_budget=1000, max_network_iterations=10)
    assert small.error(TRAIN, {"dataset": "circle", "hidden": 2, "epochs": 1,
                               "samples": 100})["ctx"]["limit"] == "network_budget"
    error = small.error(TRAIN, {"dataset": "circle", "hidden": 1, "epochs": 11,
                                "samples": 10, "batch_size": 8})
    assert error["ctx"]["limit"] == "max_network_iterations"
    assert error["loc"] == ["body", "batch_size"]


@pytest.mark.parametrize(("body", "field"), [
    ({"dataset": "mnist"}, "dataset"),
    ({}, "dataset"),
    ({"dataset": "circle", "samples": 1}, "samples"),
    ({"dataset": "circle", "noise": -0.1}, "noise"),
    ({"dataset": "circle", "test_fraction": 1}, "test_fraction"),
    ({"dataset": "circle", "test_fraction": 0}, "test_fraction"),
    ({"dataset": "circle", "samples": 4, "test_fraction": 0.05}, "test_fraction"),
    ({"dataset": "circle", "hidden": 0}, "hidden"),
    ({"dataset": "circle", "activation": "softmax"}, "activation"),
    ({"dataset": "circle", "init": "zeros"}, "init"),
    ({"dataset": "circle", "init_std": 0}, "init_std"),
    ({"dataset": "circle", "optimizer": "lbfgs"}, "optimizer"),
    ({"dataset": "circle", "lr": 0}, "lr"),
    ({"dataset": "circle", "lr": True}, "lr"),
    ({"dataset": "circle", "lr": "0.1"}, "lr"),
    ({"dataset": "circle", "batch_size": 0}, "batch_size"),
    ({"dataset": "circle", "epochs": -1}, "epochs"),
    ({"dataset": "circle", "epochs": 2.5}, "epochs"),
    ({"dataset": "circle", "seed": -1}, "seed"),
    ({"dataset": "circle", "divergence_factor": 0}, "divergence_factor"),
    ({"dataset": "circle", "batch": 3}, "batch"),  # a gradcheck field
])
def test_bad_values_are_422s_naming_the_field(api, body, field):
    error = api.error(TRAIN, body)
    assert error["loc"][:2] == ["body", field], error


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_numbers_are_422s(api, token):
    response = api.raw(TRAIN, f'{{"dataset": "circle", "lr": {token}}}')
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "lr"]


# ------------------------------------------------------------------------------ /gradcheck


def test_gradcheck_on_digits_passes_and_reports_both_costs(api):
    reply = api.post(CHECK, {"dataset": "digits", "hidden": 50, "batch": 3, "h": 1e-4})
    assert [t["name"] for t in reply["tensors"]] == ["W1", "b1", "W2", "b2"]
    assert [t["shape"] for t in reply["tensors"]] == [[64, 50], [50], [50, 10], [10]]
    for tensor in reply["tensors"]:
        assert tensor["rel_error"] < 1e-7 and tensor["verdict"] == "pass"
        assert tensor["max_abs_diff"] >= tensor["mean_abs_diff"] >= 0
    assert reply["verdict"] == "pass"
    assert reply["evaluations"] == 2 * 3760 == 2 * reply["parameters"]
    assert reply["numerical_seconds"] > reply["backprop_seconds"] > 0
    assert reply["loss"] == pytest.approx(math.log(10), abs=0.01)


def test_gradcheck_defaults_and_the_training_start_agree(api):
    reply = api.post(CHECK, {"dataset": "circle"})
    assert reply["batch"] == 3 and reply["h"] == 1e-4 and reply["parameters"] == 52
    assert reply["verdict"] == "pass"
    trained = api.post(TRAIN, {"dataset": "circle", "epochs": 0})
    assert trained["shapes"] == reply["shapes"]


def test_gradcheck_batch_is_at_most_the_training_set(api):
    reply = api.post(CHECK, {"dataset": "gauss", "samples": 10, "batch": 50})
    assert reply["batch"] == 8


def test_gradcheck_limits(api, make_api):
    error = api.error(CHECK, {"dataset": "digits", "batch": 101})
    assert error["ctx"]["limit"] == "max_check_batch"
    error = api.error(CHECK, {"dataset": "digits", "hidden": 256, "batch": 3})
    assert error["ctx"]["limit"] == "network_budget" and error["loc"] == ["body", "batch"]
    assert "loss evaluations x batch x parameters" in error["msg"]
    assert api.error(CHECK, {"dataset": "circle", "h": 0})["loc"] == ["body", "h"]
    assert api.error(CHECK, {"dataset": "circle", "lr": 0.1})["loc"] == ["body", "lr"]
    slow = make_api(network_deadline=0.01)
    error = slow.error(CHECK, {"dataset": "digits", "hidden": 60, "batch": 5})
    assert error["ctx"]["limit"] == "network_deadline" and error["loc"] == ["body", "batch"]


# ------------------------------------------------------------------------------ docs


@pytest.mark.parametrize("path", [TRAIN, CHECK])
def test_documented_examples_run_and_errors_are_documented(api, path):
    operation = api.get("/openapi.json")["paths"][path]["post"]
    assert {"200", "413", "422", "503"} <= set(operation["responses"])
    examples = operation["requestBody"]["content"]["application/json"]["examples"]
    assert examples
    for example in examples.values():
        api.post(path, example["value"])


def test_the_stream_and_the_limits_are_in_the_schema(api):
    schema = api.get("/openapi.json")
    content = schema["paths"][TRAIN]["post"]["responses"]["200"]["content"]
    assert "application/x-ndjson" in content
    fields = schema["components"]["schemas"]["NetworkTrainRequest"]["properties"]
    assert fields["hidden"]["maximum"] == 256 and fields["epochs"]["maximum"] == 1000
    assert set(fields) >= {"dataset", "samples", "noise", "test_fraction", "hidden",
                           "activation", "init", "init_std", "optimizer", "lr", "batch_size",
                           "epochs", "seed", "momentum", "beta1", "beta2", "rho", "eps",
                           "weight_decay"}
    settings = api.get("/openapi.json")["info"]["description"]
    for name in ("network_budget", "max_hidden", "max_epochs", "max_samples",
                 "max_network_iterations"):
        assert f"`{name}`" in settings


def test_the_first_stream_line_carries_what_to_draw_on(api):
    planar = stream(api, {**SMALL, "epochs": 1})
    assert len(planar[0]["train_points"]) == 320 and len(planar[0]["test_points"]) == 80
    assert len(planar[0]["test_labels"]) == 80 and "train_points" not in planar[1]
    digits = stream(api, {"dataset": "digits", "hidden": 5, "epochs": 1})
    assert len(digits[0]["test_images"]) == 60 and len(digits[0]["test_labels"]) == 359


def test_the_tables_behind_the_menus(api):
    tables = api.get("/network/tables")
    assert [row["name"] for row in tables["datasets"]] == ["circle", "xor", "gauss", "spiral",
                                                            "moons", "digits"]
    digits = tables["datasets"][-1]
    assert digits == {**digits, "classes": 10, "features": 64, "planar": False, "samples": 1797}
    assert [row["name"] for row in tables["activations"]] == ["sigmoid", "tanh", "relu"]
    assert [row["name"] for row in tables["inits"]] == ["std", "xavier", "he"]
    assert [row["uses_init_std"] for row in tables["inits"]] == [True, False, False]
    affine = next(row for row in tables["operations"] if row["name"] == "affine")
    assert affine["backward"] == "dX = G·Wᵀ, dW = Xᵀ·G, db = Σₙ G"
    request = api.get("/openapi.json")["components"]["schemas"]["NetworkTrainRequest"]
    for field, key in (("dataset", "datasets"), ("activation", "activations"),
                       ("init", "inits")):
        assert request["properties"][field]["enum"] == [row["name"] for row in tables[key]]



def test_the_tables_give_each_number_fields_bounds_as_the_endpoints_enforce_them(api):
    """`fields`: the bounds a page's form takes (static/js/networktables.js netField) are
    the ones the endpoints refuse past -- just outside each bound is a 422 naming the
    field, the bound itself is refused exactly when it is exclusive."""
    tables = api.get("/network/tables")
    limits = api.get("/limits")
    train = api.get("/openapi.json")["components"]["schemas"]["NetworkTrainRequest"]
    fields = {row["name"]: row for row in tables["fields"]}
    assert {"samples", "noise", "hidden", "init_std", "lr", "batch_size", "epochs", "seed",
            "batch", "h"} <= set(fields)
    bases = {TRAIN: {**SMALL, "epochs": 0}, CHECK: {"dataset": "circle", "hidden": 4}}
    checked = 0
    for name, row in fields.items():
        path = TRAIN if name in train["properties"] else CHECK
        step = 1 if row["integer"] else 0.5
        high = limits[row["limit"]] if row["limit"] else row["maximum"]
        cases = []
        if row["minimum"] is not None:
            cases += [(row["minimum"] - step, False),
                      (row["minimum"], not row["exclusive_minimum"])]
        if high is not None and high < 2**53:
            cases += [(high + step, False), (high, not row["exclusive_maximum"])]
        for value, accepted in cases:
            value = int(value) if row["integer"] else value
            body = {**bases[path], name: value}
            if accepted:  # refused, if at all, for something else than this field
                response = api.raw(path, json.dumps(body))
                if response.status_code == 422:
                    locs = [tuple(d["loc"]) for d in response.json()["detail"]]
                    assert ("body", name) not in locs, (name, value, locs)
            else:
                detail = api.error(path, body)
                assert detail["loc"][-1] == name, (name, value, detail)
            checked += 1
    assert checked >= 40


def test_typed_encoding_sends_the_same_numbers_as_plotly_typed_arrays(api):
    import base64

    import numpy as np

    plain = api.post(TRAIN, {**SMALL, "encoding": "json"})
    typed = api.post(TRAIN, {**SMALL, "encoding": "typed"})

    def decode(spec):
        values = np.frombuffer(base64.b64decode(spec["bdata"]), dtype="<" + spec["dtype"])
        if "shape" in spec:
            values = values.reshape([int(n) for n in spec["shape"].split(",")])
        return values.tolist()

    for key in ("loss", "iterations", "train_accuracy", "confusion", "test_points"):
        assert decode(typed[key]) == plain[key], key
    assert decode(typed["boundary"]["p"]) == plain["boundary"]["p"]
    assert typed["parameters"] == plain["parameters"] and typed["shapes"] == plain["shapes"]
    last = stream(api, {**SMALL, "encoding": "typed"})[-1]
    assert decode(last["loss"]) == plain["loss"]
