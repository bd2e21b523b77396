"""Hypothesis over HTTP (in process): arbitrary text, valid expressions, mutated ones.

The engine-level properties (arbitrary Unicode → an Expression or an ExpressionError
with a column inside the text; random insertions) are in tests/engine/test_properties.py;
these are their HTTP versions, through the schemas, the handlers and the JSON encoder:
only 200 with strict JSON or a 422 with a message, never a 500.  Each test is bounded
by ``max_examples`` (a few seconds each on 2 cores).
"""

from __future__ import annotations

import json
import math
import string

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

JSON = {"content-type": "application/json"}
HTTP = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow],
                database=None)


def _strict(text: str):  # type: ignore[no-untyped-def]
    def refuse(token: str) -> None:
        raise ValueError(f"non-strict JSON constant {token!r}")

    return json.loads(text, parse_constant=refuse)


def _post(client, path, body):  # type: ignore[no-untyped-def]
    response = client.post(path, content=json.dumps(body, ensure_ascii=True), headers=JSON)
    assert response.status_code in (200, 422), (response.status_code, response.text[:300])
    assert response.content.isascii()
    return response.status_code, _strict(response.text)


def _check_expr_error(text: str, data) -> None:  # type: ignore[no-untyped-def]
    for item in data["detail"]:
        assert item["msg"] and "input" not in item
        if item["type"] == "expression_error" and item["loc"] == ["body", "expr"]:
            column = item["ctx"]["column"]
            if column is not None:
                assert 1 <= column <= len(text) + 1, (column, len(text))
                assert f"column {column}" in item["msg"]


# --- arbitrary Unicode text as the expression -----------------------------------------

@settings(HTTP, max_examples=500)
@given(text=st.one_of(st.text(max_size=60), st.text(alphabet=string.printable, max_size=60),
                      st.text(alphabet="xy0123456789.+-*/^()[], sincoexpl_", max_size=40)))
@example(text="\ud800")
@example(text="x\u2212" + "1")
@example(text="\uff3f\uff3fclass\uff3f\uff3f")
@example(text="")
def test_any_text_is_200_or_422_with_a_column_inside_it(client, text):
    status, data = _post(client, "/gradient", {"expr": text, "point": [0.5, 0.5]})
    if status == 422:
        _check_expr_error(text, data)


# --- generated valid expressions at finite points --------------------------------------

UNARY = ["sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh",
         "acosh", "atanh", "exp", "expm1", "log", "log1p", "log2", "log10", "sqrt", "cbrt",
         "abs", "sigmoid", "relu", "softplus"]
BINARY = ["atan2", "hypot", "pow", "min", "max"]
LEAVES = st.one_of(
    st.sampled_from(["x", "y", "pi", "e"]),
    st.floats(0, 1e6, allow_nan=False, allow_infinity=False).map(repr),
    st.integers(0, 12).map(str),
)


def _grow(children):  # type: ignore[no-untyped-def]
    return st.one_of(
        st.tuples(children, st.sampled_from(["+", "-", "*", "/", "**", "^"]), children)
        .map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(UNARY), children).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(st.sampled_from(BINARY), children, children)
        .map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
        children.map(lambda c: f"-{c}"),
    )


EXPRESSIONS = st.recursive(LEAVES, _grow, max_leaves=12)
FINITE = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
WIDE = st.floats(allow_nan=False, allow_infinity=False)
METHODS = st.sampled_from(["autodiff", "dual", "central", "forward", "backward",
                           "richardson", "complex-step"])


@settings(HTTP, max_examples=400)
@given(text=EXPRESSIONS, x=st.one_of(FINITE, WIDE), y=FINITE, method=METHODS,
       h=st.one_of(st.none(), st.floats(1e-300, 1e3)))
@example(text="9**9**9", x=1.0, y=1.0, method="autodiff", h=None)
@example(text="(-8)**(1/3)", x=1.0, y=1.0, method="central", h=None)
@example(text="exp(x)", x=1e308, y=0.0, method="richardson", h=None)
def test_valid_expressions_at_finite_points_are_200_with_strict_json(client, text, x, y,
                                                                     method, h):
    body = {"expr": text, "point": {"x": x, "y": y}, "variables": ["x", "y"],
            "method": method}
    if h is not None:
        body["h"] = h
    status, data = _post(client, "/gradient", body)
    if status == 422:  # the only refusal: complex-step on a non-analytic function
        assert method == "complex-step", data
        assert data["detail"][0]["ctx"]["code"] == "not_analytic", data
        return
    assert data["variables"] == ["x", "y"] and len(data["gradient"]) == 2
    for number in [data["value"], *data["gradient"]]:
        assert number is None or math.isfinite(number)
    if data["value"] is None or None in data["gradient"]:
        assert data["message"] != "ok"


# --- random characters inserted into valid expressions --------------------------------

INSERTED = st.one_of(
    st.sampled_from(list(string.printable)),
    st.sampled_from(["\u2212", "\uff58", "\u00a0", "\u200b", "\u202e", "\ud800", "\x00",
                     "\U0001d431", "**", "(", ")", "[", "]", ",", ".", "__", "'", "lambda"]),
    st.characters(),
)


@settings(HTTP, max_examples=400)
@given(text=EXPRESSIONS, data=st.data(),
       path=st.sampled_from(["/gradient", "/field", "/descent", "/tangent", "/graph"]))
def test_random_insertions_are_200_or_422_never_500(client, text, data, path):
    for _ in range(data.draw(st.integers(1, 3), label="insertions")):
        where = data.draw(st.integers(0, len(text)), label="position")
        text = text[:where] + data.draw(INSERTED, label="inserted") + text[where:]
    common = {"expr": text, "variables": ["x", "y"]}
    body = {
        "/gradient": {**common, "point": [0.5, 1.5]},
        "/tangent": {**common, "point": [0.5, 1.5]},
        "/graph": {**common, "point": [0.5, 1.5]},
        "/descent": {**common, "start": [0.5, 1.5], "steps": 20},
        "/field": {**common, "x_range": [-1, 1], "y_range": [-1, 1], "n": 5},
    }[path]
    status, answer = _post(client, path, body)
    if status == 422:
        _check_expr_error(text, answer)
