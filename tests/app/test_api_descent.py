"""POST /descent: the contract's example, each optimizer, each status, thinning."""

from __future__ import annotations

import pytest

import engine

SPHERE = {"expr": "x**2 + y**2", "start": [-3, 4]}


def test_contract_example(api):
    data = api.post("/descent", {**SPHERE, "lr": 0.1, "steps": 100,
                                 "optimizer": "gd", "method": "autodiff"})
    assert data["variables"] == ["x", "y"]
    assert len(data["path"]) == len(data["values"]) == len(data["grad_norms"]) == 101
    assert data["iterations"] == list(range(101))
    assert data["path"][:2] == [[-3.0, 4.0], [pytest.approx(-2.4), pytest.approx(3.2)]]
    assert data["values"][:2] == [25.0, pytest.approx(16.0)]
    assert data["grad_norms"][:2] == [10.0, pytest.approx(8.0)]
    assert data["final"] == [pytest.approx(-6.1e-10, rel=0.02), pytest.approx(8.1e-10, rel=0.02)]
    assert data["final_value"] == pytest.approx(1.0e-18, rel=0.1)
    assert data["steps"] == 100
    assert data["status"] == "completed"
    assert data["message"] == "ran all 100 steps"


def test_defaults(api):
    data = api.post("/descent", SPHERE)
    assert data["steps"] == 100 and data["status"] == "completed"


@pytest.mark.parametrize("optimizer", engine.OPTIMIZERS)
def test_every_optimizer_goes_downhill(api, optimizer):
    data = api.post("/descent", {**SPHERE, "lr": 0.05, "steps": 200, "optimizer": optimizer})
    assert data["status"] == "completed"
    assert data["final_value"] < 0.5 * data["values"][0]


@pytest.mark.parametrize("method", engine.METHODS)
def test_every_gradient_method(api, method):
    data = api.post("/descent", {**SPHERE, "steps": 50, "method": method})
    assert data["final_value"] < 1e-6


def test_converged_with_tol(api):
    data = api.post("/descent", {**SPHERE, "lr": 0.1, "steps": 1000, "tol": 1e-6})
    assert data["status"] == "converged"
    assert data["steps"] < 1000
    assert data["grad_norms"][-1] <= 1e-6
    assert len(data["path"]) == data["steps"] + 1


def test_diverged_with_large_lr(api):
    data = api.post("/descent", {**SPHERE, "lr": 10, "steps": 100})
    assert data["status"] == "diverged"
    assert data["steps"] < 100
    assert all(v is not None for row in data["path"] for v in row)


def test_divergence_check_can_be_turned_off(api):
    data = api.post("/descent", {**SPHERE, "lr": 10, "steps": 20, "divergence_factor": None})
    assert data["status"] == "completed"
    assert data["final_value"] > 1e30


def test_start_by_name_and_bare_number(api):
    data = api.post("/descent", {"expr": "x**2 + y**2", "start": {"y": 4, "x": -3}, "steps": 1})
    assert data["path"][0] == [-3.0, 4.0]
    data = api.post("/descent", {"expr": "3*x**2 - 4*x", "start": 2.5, "lr": 0.05})
    assert data["final"] == [pytest.approx(2 / 3)]


def test_bad_start_is_a_422_on_start(api):
    err = api.error("/descent", {"expr": "x**2 + y**2", "start": [1, 2, 3]})
    assert err["loc"] == ["body", "start"]


def test_long_runs_are_thinned(api):
    data = api.post("/descent", {**SPHERE, "lr": 0.001, "steps": 20_000, "max_points": 101})
    assert len(data["path"]) == len(data["values"]) == len(data["iterations"]) == 101
    assert data["iterations"][0] == 0 and data["iterations"][-1] == 20_000
    assert data["iterations"] == sorted(set(data["iterations"]))
    assert data["path"][-1] == data["final"]


def test_default_max_points_thins_past_10001(api):
    data = api.post("/descent", {**SPHERE, "lr": 1e-4, "steps": 20_000})
    assert len(data["path"]) == 10_001
    assert data["iterations"][-1] == 20_000


@pytest.mark.parametrize("field,value", [("lr", 0), ("lr", -1), ("steps", -1), ("eps", 0),
                                         ("momentum", 1), ("beta2", 1.5), ("tol", -1),
                                         ("max_points", 1), ("optimizer", "sgd")])
def test_out_of_range_settings(api, field, value):
    err = api.error("/descent", {**SPHERE, field: value})
    assert err["loc"][:2] == ["body", field]


def test_stability_is_always_present(api):
    data = api.post("/descent", {"expr": "x**2 + 10*y**2", "start": [-3, 4], "steps": 1})
    assert data["stability"] == {
        "hessian": [[2.0, 0.0], [0.0, 20.0]], "eigenvalues": [2.0, 20.0], "lr_bound": 0.1,
        "lr_optimal": pytest.approx(2 / 22), "condition_number": 10.0,
        "bound_formula": "2/λmax"}
    adam = api.post("/descent", {**SPHERE, "steps": 1, "optimizer": "adam"})["stability"]
    assert adam["lr_bound"] is None and adam["lr_optimal"] == 0.5
    undefined = api.post("/descent", {"expr": "log(x) + y", "start": [-1, 0], "steps": 1})
    assert undefined["stability"]["eigenvalues"] is None
    assert undefined["stability"]["hessian"] == [[None, None], [None, None]]


def test_diverged_run_names_step_cause_and_bound(api):
    data = api.post("/descent", {"expr": "x**2 + 10*y**2", "start": [-3, 4], "lr": 0.5})
    assert data["status"] == "diverged" and data["reason"] == "value_grew"
    assert data["message"].startswith(f"diverged at step {data['stop_step']}: ")
    assert "lr 0.5 is above the stability bound 2/λmax = 0.1 at the start" in data["message"]


def test_tol_zero_never_stops_early(api):
    data = api.post("/descent", {"expr": "x**2 + y**2", "start": [0, 0], "steps": 5})
    assert data["status"] == "completed" and data["steps"] == 5 and len(data["path"]) == 6
    assert data["stalled_at"] == 0 and data["stop_step"] is None
    assert data["reason"] == "all_steps"


def test_textbook_lr_ten_central_difference_stands_still(api):
    data = api.post("/descent", {**SPHERE, "lr": 10, "steps": 100, "method": "central",
                                 "h": 1e-4, "divergence_factor": None})
    assert data["status"] == "completed" and data["steps"] == 100
    assert len(data["path"]) == 101
    assert [f"{c:.3g}" for c in data["final"]] == ["-2.59e+13", "-1.3e+12"]
    k = data["stalled_at"]
    assert data["grad_norms"][k] == 0 and data["grad_norms"][k - 1] > 0
    assert (f"the numerical gradient became exactly 0 at step {k} because x + h rounds to x"
            in data["message"])


@pytest.mark.parametrize("setting, value", [("momentum", 1.0), ("beta2", -0.1), ("eps", 0),
                                            ("weight_decay", -0.5), ("rho", 1.5)])
def test_settings_are_bounded_by_the_table(api, setting, value):
    err = api.error("/descent", {**SPHERE, setting: value})
    assert err["loc"] == ["body", setting]


def test_a_setting_of_another_optimizer_is_ignored(api):
    plain = api.post("/descent", {**SPHERE, "steps": 3})
    other = api.post("/descent", {**SPHERE, "steps": 3, "beta1": 0.5, "momentum": 0.1})
    assert plain["path"] == other["path"]


def test_adamw_decays_weights(api):
    adam = api.post("/descent", {**SPHERE, "steps": 20, "optimizer": "adam"})
    adamw = api.post("/descent", {**SPHERE, "steps": 20, "optimizer": "adamw",
                                  "weight_decay": 0.5})
    assert adamw["final_value"] < adam["final_value"]
    same = api.post("/descent", {**SPHERE, "steps": 20, "optimizer": "adamw",
                                 "weight_decay": 0})
    assert same["path"] == adam["path"]


def test_descent_step_written_out(api):
    data = api.post("/descent/step", {**SPHERE, "lr": 0.1, "step": 1})
    assert data["before"] == [-3.0, 4.0] and data["after"] == [pytest.approx(-2.4),
                                                               pytest.approx(3.2)]
    assert data["lines"][0] == [{"name": "x", "formula": "x − lr·∂f/∂x",
                                 "numbers": "−3 − 0.1·(−6)", "value": pytest.approx(-2.4)}]
    run = api.post("/descent", {**SPHERE, "lr": 0.05, "steps": 4, "optimizer": "adam"})
    step = api.post("/descent/step", {**SPHERE, "lr": 0.05, "step": 4, "optimizer": "adam"})
    assert step["after"] == run["path"][4]
    assert [line["name"] for line in step["lines"][1]] == ["m", "v", "y", "m̂", "v̂"]


def test_descent_step_is_bounded_like_a_run(make_api):
    api = make_api(step_budget=1000)
    err = api.error("/descent/step", {**SPHERE, "step": 500})  # 500 x (6 + 2) > 1000
    assert err["ctx"]["limit"] == "step_budget"


def test_descent_step_refuses_what_descent_refuses(api):
    body = {"expr": "abs(x) + x**2", "start": [1], "method": "complex-step"}
    assert api.error("/descent", {**body, "steps": 2})["ctx"]["code"] == "not_analytic"
    err = api.error("/descent/step", {**body, "step": 2})
    assert (err["loc"], err["ctx"]["code"]) == (["body", "method"], "not_analytic")


def test_descent_step_at_a_start_where_f_is_undefined_blames_the_start(api):
    err = api.error("/descent/step", {"expr": "log(x)", "start": [-1], "step": 2})
    assert err["loc"] == ["body", "start"] and "at the start" in err["msg"]


def test_descent_step_replay_stops_at_the_deadline(make_api):
    api = make_api(deadline=1e-9)  # the replay checks it before its first step
    err = api.error("/descent/step", {**SPHERE, "step": 50, "method": "richardson"})
    assert err["type"] == "deadline_exceeded" and err["ctx"]["limit"] == "deadline"
