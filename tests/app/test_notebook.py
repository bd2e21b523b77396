"""``POST /notebook`` and ``POST /network/notebook``: notebooks that reproduce a view.

The generated notebooks are validated with nbformat and executed top to bottom with a
real Jupyter kernel (nbclient, ipykernel); an extra cell then prints what the notebook
computed, which must be what the API answers for the same request.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import nbclient
import nbformat
import pytest

import engine
from app.schemas.notebook import NOTEBOOK_TYPE, NotebookRequest

REPO = Path(__file__).resolve().parents[2]

BOWL = "x**2 + 10*y**2"
RUNS = [
    {"n": 1, "start": [-3, 4], "lr": 0.05, "steps": 60, "optimizer": "gd"},
    {"n": 2, "start": [-3, 4], "lr": 0.02, "steps": 80, "optimizer": "momentum",
     "momentum": 0.8},
    {"n": 4, "start": [2, -1], "lr": 0.3, "steps": 50, "optimizer": "adam", "beta1": 0.8,
     "beta2": 0.99, "eps": 1e-6, "method": "central"},
    {"n": 5, "start": [-3, 4], "lr": 0.5, "steps": 40, "optimizer": "gd"},  # diverges
]


def notebook(api, path: str, body: dict[str, Any]) -> Any:
    """POST ``body`` and return the answer as a validated nbformat notebook."""
    response = api.raw(path, json.dumps(body))
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == NOTEBOOK_TYPE
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    assert response.content.isascii()
    document = nbformat.reads(response.text, as_version=4)
    nbformat.validate(document)
    return document


def code_of(document) -> str:
    return "\n".join(cell.source for cell in document.cells if cell.cell_type == "code")


def execute(document, extra: str) -> str:
    """Run every cell with a real kernel (in the repository, so ``engine`` is this
    checkout's), then ``extra``; return what ``extra`` printed."""
    document.cells.append(nbformat.v4.new_code_cell(extra))
    client = nbclient.NotebookClient(document, timeout=180, kernel_name="python3",
                                     resources={"metadata": {"path": str(REPO)}})
    client.execute()
    for cell in document.cells[:-1]:  # the notebook itself drew its figures, no errors
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", output
    outputs = document.cells[-1].outputs
    return "".join(o.get("text", "") for o in outputs if o["output_type"] == "stream")


def images(document) -> int:
    return sum("image/png" in output.get("data", {})
               for cell in document.cells for output in cell.get("outputs", []))


# --- executed with a kernel ------------------------------------------------------------

def test_one_variable_notebook_runs_and_agrees_with_the_api(api):
    body = {"expr": "exp(sin(x))", "point": 1.3, "x_range": [-2, 3], "method": "central",
            "h": 1e-4, "secants": [1, 0.1, 0.001], "h_min": 1e-14, "h_max": 0.5, "n": 25}
    document = notebook(api, "/notebook", body)
    printed = execute(document, "import json\nprint(json.dumps({"
                      "'slope': line.slope, 'secants': line.secants, "
                      "'numerical': float(found.gradient[0]), 'methods': list(sweep.errors),"
                      "'errors': {k: v.tolist() for k, v in sweep.errors.items()}}))")
    got = json.loads(printed)
    tangent = api.post("/tangent", {"expr": body["expr"], "point": 1.3,
                                    "secants": body["secants"]})
    assert got["slope"] == tangent["slope"]
    assert [s for _, s in got["secants"]] == [s["slope"] for s in tangent["secants"]]
    gradient = api.post("/gradient", {"expr": body["expr"], "point": 1.3,
                                      "method": "central", "h": 1e-4})
    assert got["numerical"] == gradient["gradient"][0]
    # every numerical method applies to this smooth f, and each curve is /steps' curve
    assert got["methods"] == list(engine.NUMERICAL_METHODS)
    steps = api.post("/steps", {"expr": body["expr"], "point": 1.3, "methods": got["methods"],
                                "h_min": 1e-14, "h_max": 0.5, "n": 25})
    assert got["errors"] == steps["errors"]
    assert images(document) == 2


def test_two_variable_notebook_runs_each_run_as_descent_does(api):
    body = {"expr": BOWL, "view": "contour", "point": [-3, 4], "x_range": [-4, 4],
            "y_range": [-4, 5], "runs": RUNS}
    document = notebook(api, "/notebook", body)
    printed = execute(document, "import json\nprint(json.dumps([{'label': label, "
                      "'status': r.status, 'final': r.final.tolist(), "
                      "'values': r.values.tolist()} for label, r in results]))")
    got = json.loads(printed)
    assert [run["label"] for run in got] == [
        "#1 GD, lr 0.05", "#2 Momentum, lr 0.02", "#4 Adam, lr 0.3", "#5 GD, lr 0.5"]
    for run, found in zip(RUNS, got, strict=True):
        settings = {k: v for k, v in run.items() if k != "n"}
        answer = api.post("/descent", {"expr": BOWL, **settings})
        assert found["status"] == answer["status"]
        assert found["final"] == answer["final"]
        assert found["values"] == answer["values"]
    assert [run["status"] for run in got].count("diverged") == 1
    assert images(document) == 2  # the contour with the paths, the loss


def test_surface_notebook_runs_where_f_goes_below_zero(api):
    # a saddle: f < 0 along y, so the loss is drawn as f - min f
    body = {"expr": "x**2 - y**2", "view": "surface", "point": [1, 0.5],
            "runs": [{"start": [1, 0.5], "lr": 0.1, "steps": 20}]}
    document = notebook(api, "/notebook", body)
    assert "projection=\"3d\"" in code_of(document)
    printed = execute(document, "print(gap, results[0][1].final.tolist())")
    answer = api.post("/descent", {"expr": "x**2 - y**2", "start": [1, 0.5], "lr": 0.1,
                                   "steps": 20})
    assert printed.split(" ", 1) == ["True", json.dumps(answer["final"]) + "\n"]
    assert images(document) == 2


def test_contour_notebook_without_runs_runs(api):
    document = notebook(api, "/notebook", {"expr": "sin(x)*cos(y)", "point": [0.5, 0.5]})
    assert "descend(" not in code_of(document)
    assert execute(document, "print(len(results), skewed)") == "0 False\n"
    assert images(document) == 1


@pytest.mark.parametrize(("body", "figure"), [
    ({"dataset": "moons", "samples": 200, "noise": 0.15, "hidden": 6, "activation": "tanh",
      "init": "xavier", "optimizer": "adam", "lr": 0.02, "beta1": 0.85, "batch_size": 20,
      "epochs": 8, "seed": 3}, "boundary"),
    ({"dataset": "digits", "hidden": 20, "init": "xavier", "lr": 0.5, "batch_size": 100,
      "epochs": 3, "seed": 1}, "confusion"),
], ids=["planar", "digits"])
def test_network_notebook_runs_and_trains_as_the_api_does(api, body, figure):
    document = notebook(api, "/network/notebook", body)
    assert f"{figure} = result.snapshot.{figure}" in code_of(document)
    printed = execute(document, "import json\nprint(json.dumps({"
                      "'test': result.test_accuracy.tolist(), 'loss': result.loss.tolist(),"
                      "'confusion': result.snapshot.confusion.tolist()}))")
    got = json.loads(printed)
    answer = api.post("/network/train", body)
    assert got["test"] == answer["test_accuracy"]
    assert got["loss"] == answer["loss"]
    assert got["confusion"] == answer["confusion"]
    assert images(document) == 2


# --- what goes into the code -----------------------------------------------------------

def parse_calls(code: str) -> list[ast.Call]:
    return [node for node in ast.walk(ast.parse(code))
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "parse"]


@pytest.mark.parametrize("text", [
    "x ** 2 +   y**2", "(1 - x)^2 + 100*(y - x^2)^2", "atan2(y, x) * e - pi",
    "max(x, 0.5e1) + min(y, -1E-3)", "w1*theta - theta**2 + w1**2", "exec*eval - exec",
])
def test_the_function_enters_as_its_reprinted_text_in_a_string_literal(api, text):
    document = notebook(api, "/notebook", {"expr": text, "point": [1, 1]})
    expr = engine.parse(text)
    (call,) = parse_calls(code_of(document))
    assert isinstance(call.args[0], ast.Constant) and call.args[0].value == str(expr)
    assert [ast.literal_eval(v) for v in call.keywords[0].value.elts] == list(expr.variables)
    if str(expr) != text:
        assert text not in json.dumps(document)  # what was typed is not in the file


@pytest.mark.parametrize("text", [
    "x'); import os; ('", 'x"""; __import__("os")', "x\\", "x # comment", "x\n+ y",
    "__import__('os')", "x.__class__", "import", "lambda: y", "`x`", "x; y",
])
def test_breakout_attempts_are_refused_before_any_notebook(api, text):
    error = api.error("/notebook", {"expr": text, "point": [1, 1]})
    assert error["loc"] == ["body", "expr"]
    assert error["type"] == "expression_error"


def test_every_number_and_name_in_the_code_is_a_literal(api):
    document = notebook(api, "/notebook", {"expr": BOWL, "point": {"y": 4, "x": -3},
                                           "runs": RUNS})
    code = code_of(document)
    tree = ast.parse(code)
    # the runs: one (label, dict(...)) per run, all keywords literal values
    runs = next(node.value for node in ast.walk(tree) if isinstance(node, ast.Assign)
                and getattr(node.targets[0], "id", None) == "runs")
    found = [(ast.literal_eval(item.elts[0]),
              {kw.arg: ast.literal_eval(kw.value) for kw in item.elts[1].keywords})
             for item in runs.elts]
    assert found[2] == ("#4 Adam, lr 0.3", {
        "start": [2.0, -1.0], "lr": 0.3, "steps": 50, "optimizer": "adam",
        "method": "central", "beta1": 0.8, "beta2": 0.99, "eps": 1e-6})
    # settings a run's optimizer does not use are left out; defaults are not written
    assert found[0][1] == {"start": [-3.0, 4.0], "lr": 0.05, "steps": 60, "optimizer": "gd",
                           "method": "autodiff"}
    assert "start = [-3.0, 4.0]" in code  # the point given by name, in variable order


def test_a_view_needs_the_right_number_of_variables(api):
    error = api.error("/notebook", {"expr": BOWL, "view": "1d", "point": [1, 2]})
    assert error["loc"] == ["body", "view"]
    assert "1-D view needs a function of 1 variable; this one has 2 (x, y)" in error["msg"]
    error = api.error("/notebook", {"expr": "x*y*z", "point": [1, 2, 3]})
    assert error["loc"] == ["body", "view"]


def test_bad_points_ranges_and_methods_are_422_with_where(api):
    error = api.error("/notebook", {"expr": BOWL, "point": [1, 2],
                                    "runs": [RUNS[0], {"start": [1], "lr": 0.1}]})
    assert error["loc"] == ["body", "runs", 1, "start"]
    error = api.error("/notebook", {"expr": "abs(x) + y", "point": [1, 2],
                                    "runs": [{"start": [1, 2], "method": "complex-step"}]})
    assert error["loc"] == ["body", "runs", 0, "method"]
    error = api.error("/notebook", {"expr": BOWL, "point": [1, 2], "x_range": [2, 1]})
    assert "x_range must be [min, max]" in error["msg"]
    error = api.error("/notebook", {"expr": "x", "point": 1, "h_min": 1, "h_max": 0.5})
    assert "h_min must be smaller than h_max" in error["msg"]


def test_kinked_functions_leave_out_the_complex_step(api):
    document = notebook(api, "/notebook", {"expr": "abs(x - 1) + x**2", "point": 0.5})
    (call,) = [node for node in ast.walk(ast.parse(code_of(document)))
               if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "step_sweep"]
    methods = ast.literal_eval(next(kw.value for kw in call.keywords if kw.arg == "methods"))
    assert methods == [m for m in engine.NUMERICAL_METHODS if m != "complex-step"]


def test_limits_are_settings_named_in_the_422(make_api):
    small = make_api(max_notebook_runs=1, max_steps=100, step_budget=500)
    error = small.error("/notebook", {"expr": BOWL, "point": [1, 2], "runs": RUNS[:2]})
    assert error["type"] == "limit_exceeded" and error["ctx"]["limit"] == "max_notebook_runs"
    error = small.error("/notebook", {"expr": BOWL, "point": [1, 2],
                                      "runs": [{"start": [1, 2], "steps": 101}]})
    assert error["ctx"]["limit"] == "max_steps" and "runs[0].steps" in error["msg"]
    error = small.error("/notebook", {"expr": BOWL, "point": [1, 2],
                                      "runs": [{"start": [1, 2], "steps": 100}]})
    assert error["ctx"]["limit"] == "step_budget"
    tight = make_api(network_budget=1000)
    error = tight.error("/network/notebook", {"dataset": "digits", "epochs": 5})
    assert error["ctx"]["limit"] == "network_budget"


def test_documented_in_the_openapi_schema_with_examples_that_run(api):
    paths = api.get("/openapi.json")["paths"]
    for path in ("/notebook", "/network/notebook"):
        operation = paths[path]["post"]
        assert {"200", "413", "422", "503"} <= set(operation["responses"])
        assert NOTEBOOK_TYPE in operation["responses"]["200"]["content"]
        examples = operation["requestBody"]["content"]["application/json"]["examples"]
        assert examples
        for example in examples.values():
            notebook(api, path, example["value"])
    schema = api.get("/openapi.json")["components"]["schemas"]["NotebookRequest"]
    assert schema["properties"]["runs"]["maxItems"] == 20
    assert set(NotebookRequest.EXAMPLES) == {"contour", "1d", "surface"}
