"""Issue 9, section 3: honest numbers at the edges, each checked through the HTTP API."""

from __future__ import annotations

import math

import pytest

SPHERE = {"expr": "x**2 + y**2", "start": [-3, 4]}


def test_tol_zero_and_the_textbook_lr_ten_run(api):
    data = api.post("/descent", {**SPHERE, "lr": 10, "steps": 100, "method": "central",
                                 "h": 1e-4, "divergence_factor": None})
    assert (data["status"], data["steps"], len(data["path"])) == ("completed", 100, 101)
    assert [f"{c:.3g}" for c in data["final"]] == ["-2.59e+13", "-1.3e+12"]
    assert "because x + h rounds to x" in data["message"]


def test_descent_always_names_the_stability_bound(api):
    data = api.post("/descent", {"expr": "x**2 + 10*y**2", "start": [-3, 4], "lr": 0.5})
    assert "lr 0.5 is above the stability bound 2/λmax = 0.1 at the start" in data["message"]
    assert api.post("/descent", {**SPHERE, "steps": 0})["stability"]["lr_bound"] == 1.0


def test_tangent_at_a_corner(api):
    data = api.post("/tangent", {"expr": "abs(x)", "point": 0})
    assert data["differentiable"] is False and data["slope"] is None
    assert (data["left_slope"], data["right_slope"]) == (-1.0, 1.0)


def test_graph_sends_no_adjoint_through_an_undefined_node(api):
    graph = api.post("/graph", {"expr": "x - log(x)", "point": -0.5})
    x = next(n for n in graph["nodes"] if n["label"] == "x")
    assert x["grad"] is None
    assert api.post("/gradient", {"expr": "x - log(x)", "point": -0.5})["gradient"] == [None]


def test_hessian_of_tanh_far_out_is_finite(api):
    stability = api.post("/descent", {"expr": "tanh(x)", "start": [400], "steps": 0})["stability"]
    assert stability["hessian"] == [[0.0]] or abs(stability["hessian"][0][0]) < 1e-300
    assert stability["eigenvalues"] is not None


@pytest.mark.parametrize("method", ["autodiff", "dual"])
def test_a_zero_factor_beats_nan(api, method):
    data = api.post("/gradient", {"expr": "pow(x, relu(y))", "point": [-2, -1],
                                  "method": method})
    assert data["gradient"] == [0.0, 0.0]
    data = api.post("/gradient", {"expr": "x**y", "point": [-2, 2], "method": method})
    assert data["gradient"] == [-4.0, None]


@pytest.mark.parametrize("expr, point", [("0*sqrt(x)", 0.5), ("relu(-sqrt(x))", 3)])
def test_richardson_finds_exact_zeros_next_to_a_domain_edge(api, expr, point):
    data = api.post("/gradient", {"expr": expr, "point": point, "method": "richardson"})
    assert data["gradient"] == [0.0]
    assert data["error_estimate"][0] is not None and math.isfinite(data["error_estimate"][0])


@pytest.mark.parametrize("expr, point", [("atan2(y, x)", [-1, 2]), ("atan2(y, x)", [-1, -2]),
                                         ("hypot(x, y)", [3, -4])])
def test_complex_step_through_atan2_and_hypot(api, expr, point):
    data = api.post("/gradient", {"expr": expr, "point": point, "method": "complex-step"})
    assert data["gradient"] == [pytest.approx(e, rel=1e-14) for e in data["exact"]]


def test_complex_step_is_refused_only_for_kinks(api):
    err = api.error("/gradient", {"expr": "abs(x) + y", "point": [1, 2],
                                  "method": "complex-step"})
    assert err["ctx"]["code"] == "not_analytic" and err["loc"] == ["body", "method"]


def test_messages_quote_what_was_typed_and_suggest(api):
    err = api.error("/gradient", {"expr": "x^^2", "point": 1})
    assert "'^'" in err["msg"] and "'**'" not in err["msg"]
    err = api.error("/gradient", {"expr": "ln(x)", "point": 1})
    assert "did you mean log" in err["msg"] and err["ctx"]["column"] == 1


def test_messages_away_from_the_expression_come_without_a_column(api):
    err = api.error("/descent", {"expr": "abs(x) + y", "start": [1, 2],
                                 "method": "complex-step"})
    assert "column" in err["msg"]  # the full message says where in the function
    assert "column" not in err["ctx"]["reason"]  # what a status line shows does not


# --- found by review: functions of no variables, and /gradcheck's work ------------------

METHODS = ["autodiff", "dual", "central", "forward", "backward", "richardson", "complex-step"]


@pytest.mark.parametrize("method", METHODS)
def test_a_function_of_no_variables_is_answered_not_crashed(api, method):
    found = api.post("/gradient", {"expr": "3", "point": [], "method": method})
    assert (found["value"], found["gradient"]) == (3.0, [])
    run = api.post("/descent", {"expr": "3", "start": [], "method": method, "steps": 3})
    assert run["values"] == [3.0] * 4 and run["status"] == "completed"
    step = api.post("/descent/step", {"expr": "3", "start": [], "method": method, "step": 2})
    assert step["after"] == [] and step["lines"] == []
    err = api.error("/sweep", {"expr": "3", "start": [], "method": method, "steps": 3})
    assert (err["loc"], err["ctx"]["code"]) == (["body", "expr"], "no_variables")


def test_no_derivative_to_check_without_variables(api):
    err = api.error("/gradcheck", {"expr": "3", "point": []})
    assert (err["loc"], err["ctx"]["code"]) == (["body", "expr"], "no_variables")


@pytest.mark.parametrize(("method", "per_point"), [
    ("central", 2 * 2 * 2),     # x ± h e_i for 2 variables, again at 2h for the bound
    ("forward", 2 * (2 + 1)),   # f(x) and x + h e_i, again at 2h
    ("backward", 2 * (2 + 1)),
    ("complex-step", 2 + 1),    # x + ih e_i, and f(x) itself; no second stencil
])
def test_gradcheck_counts_the_evaluations_it_made(api, method, per_point):
    found = api.post("/gradcheck", {"expr": "x**2 * exp(y)", "point": [1, 2],
                                    "method": method, "random_points": 4})
    assert found["evaluations"] == per_point * 5


def test_gradcheck_richardson_counts_its_whole_table(api):
    one = api.post("/gradcheck", {"expr": "x**2 * exp(y)", "point": [1, 2],
                                  "method": "richardson"})["evaluations"]
    five = api.post("/gradcheck", {"expr": "x**2 * exp(y)", "point": [1, 2],
                                   "method": "richardson", "random_points": 4})["evaluations"]
    assert one > 100 and five == 5 * one


def test_gradcheck_stops_at_the_deadline(make_api):
    api = make_api(deadline=1e-9)
    err = api.error("/gradcheck", {"expr": "x**2 * exp(y)", "point": [1, 2],
                                   "random_points": 100})
    assert err["type"] == "deadline_exceeded" and err["ctx"]["limit"] == "deadline"
