"""Hostile expressions posted to /gradient, /field and /descent as raw JSON bytes.

Each input is sent ``json.dumps(..., ensure_ascii=True)``-encoded (a lone surrogate is the
JSON escape ``"\\ud800"``).  Every answer is a 4xx with a message or a 200 with strict
JSON (no NaN/Infinity tokens), ASCII, never a 500.

- :data:`REFUSALS` has one input per distinct way the service refuses an expression:
  each branch of the lexer and the parser (the bad-character branch once per class of
  character), each limit, and the body limit.  Each is sent to one endpoint (they
  take turns) and its answer must name that refusal: status, ``type``, the engine's
  ``code``, the column and a word of the message.  The endpoints share the refusal
  path, which :func:`test_every_endpoint_refuses_alike` checks on one input per layer.
- :data:`NULLS` are inputs whose answer must hold nulls (``log(-x)``, ``1/0``, ...):
  each goes to every endpoint, and each number of each answer is checked against an
  oracle written here -- the nulls are where f or a partial is not a finite number, and
  nothing else is null.
- :data:`ACCEPTED` are inputs at the edges of the language that must be accepted, with
  their values.

Bounded time: the limit refusals' codes show that the cheap checks come first (a
20,000-character nesting bomb is refused for its length, not parsed; the parser stops
at the 51st level or the 501st node); every test has a timeout, the real server a
client timeout.  No payload runs code (the canary file some of them try to create never
appears); ``/healthz`` answers afterwards.
"""

from __future__ import annotations

import math
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import numpy as np
import pytest

import engine

pytestmark = pytest.mark.timeout(60)  # a hang guard only: each test is a few requests

CANARY = f"/tmp/slopescope-canary-{uuid.uuid4().hex}"
TOUCH = f"touch {CANARY}"
ENDPOINTS = ["/gradient", "/field", "/descent"]


@dataclass(frozen=True)
class Refusal:
    """An input refused in one particular way.

    ``code`` is the engine's error code (``ctx.code``) for an ``expression_error``, the
    setting for a ``limit_exceeded``, or None for the 413.
    """

    name: str
    expr: str
    status: int
    type: str | None
    code: str | None
    column: int | None
    keyword: str


def _e(name: str, expr: str, code: str, column: int | None, keyword: str) -> Refusal:
    return Refusal(name, expr, 422, "expression_error", code, column, keyword)


REFUSALS: list[Refusal] = [
    # --- lexer: characters outside printable ASCII, one per class ----------------------
    _e("fullwidth-letter", "\uff58**2", "bad_character", 1, "U+FF58"),
    _e("astral-letter-counted-as-one-column", "x+\U0001d431", "bad_character", 3, "U+1D431"),
    _e("named-lookalike", "x \u2212 1", "bad_character", 3, "minus sign: type '-'"),
    _e("invisible-bidi-override", "x\u202e+1", "bad_character", 2, "U+202E"),
    _e("named-space", "x\u00a0+ 1", "bad_character", 2, "no-break space"),
    _e("c0-control", "x\x00", "bad_character", 2, "U+0000 (control character)"),
    _e("named-control", "x\n+1", "bad_character", 2, "U+000A (newline)"),
    _e("delete", "\x7f", "bad_character", 1, "U+007F (control character)"),
    _e("lone-surrogate", "x+\udfff", "bad_character", 3, "lone surrogate"),
    # --- lexer: ASCII punctuation outside the language ---------------------------------
    _e("attribute", "(1).__class__.__bases__[0].__subclasses__()", "bad_character", 4,
       "attribute access"),
    _e("stray-dot", "x+.", "bad_character", 3, "must be part of a number"),
    _e("string", "'{0.__class__}'.format(x)", "bad_character", 1, "strings"),
    _e("statement-separator", f"x; __import__('os').system('{TOUCH}')", "bad_character", 2,
       "single expression"),
    _e("walrus", "(x := 1)", "bad_character", 4, "':' is not supported"),
    _e("comparison", "x == y", "bad_character", 3, "right-hand side"),
    _e("matmul", "x @ y", "bad_character", 3, "'@'"),
    _e("braces", "{k: 1 for k in y}", "bad_character", 1, "braces"),
    _e("modulo", "x % y", "bad_character", 3, "modulo"),
    _e("floor-division", "x // y", "bad_operator", 3, "floor division"),
    # --- lexer: numbers and names ------------------------------------------------------
    _e("digit-separator", "1_000", "bad_number", 2, "digit separators"),
    _e("hex", "0x1F", "bad_number", 1, "only decimal"),
    _e("complex-literal", "1j", "bad_number", 1, "complex"),
    _e("two-dots", "1.2.3", "bad_number", 1, "malformed number"),
    _e("bad-exponent", "1e", "bad_number", 1, "malformed exponent"),
    _e("number-too-large", "1e309", "number_too_large", 1, "too large for float64"),
    _e("dunder-name", f"__import__('os').system('{TOUCH}')", "bad_name", 1,
       "must start with a letter"),
    _e("implicit-mult-after-number", "2x", "implicit_multiplication", 1, "write 2*x"),
    # --- parser ------------------------------------------------------------------------
    _e("implicit-mult-of-names", "x y", "implicit_multiplication", 3, "write x*y"),
    _e("unknown-function", f"eval('__import__(\"os\").system(\"{TOUCH}\")')",
       "unknown_function", 1, "unknown function 'eval'"),
    _e("unknown-function-with-hint", "sine(x)", "unknown_function", 1, "did you mean sin?"),
    _e("keyword-as-name", "import os", "reserved_name", 1, "reserved word"),
    _e("keyword-after-expression", f"x if __import__('os').system('{TOUCH}') else y",
       "reserved_name", 3, "only arithmetic"),
    _e("non-finite-name", "-inf", "reserved_name", 2, "numbers must be finite"),
    _e("nothing-before-closing", "()", "syntax", 2, "before ')'"),
    _e("list", "[c for c in ().__class__.__base__.__subclasses__()]", "syntax", 1,
       "lists are not supported"),
    _e("comma-outside-call", "x,y", "syntax", 2, "outside a function call"),
    _e("index-of-index", "x[0][1]", "syntax", 5, "only a variable can be indexed"),
    _e("negative-index", "x[-1]", "bad_index", 3, "non-negative integer"),
    _e("too-few-arguments", "atan2(x)", "arity", 1, "takes 2 arguments but 1"),
    _e("no-argument", "sin()", "arity", 4, "needs 1 argument"),
    _e("function-without-call", "sin x", "missing_call", 1, "in parentheses"),
    _e("constant-called", "pi(x)", "not_a_function", 1, "constant, not a function"),
    _e("ends-after-operator", "x+", "incomplete", 3, "the expression ended"),
    _e("blank", "   ", "empty", None, "empty"),
    _e("never-closed", "(x", "unbalanced_parenthesis", 1, "never closed"),
    _e("never-opened", "x)", "unbalanced_parenthesis", 2, "no matching"),
    # --- limits: the cheap checks first ------------------------------------------------
    # 51 levels deep: refused at the 51st '(' (the rest is never parsed)
    _e("depth", "(" * 499 + "x" + ")" * 499, "too_deep", 51, "the limit is 50"),
    # 251 x's and 250 '+': refused at the 501st node
    _e("nodes", "+".join(["x"] * 251), "too_many_nodes", 501, "the limit is 500"),
    # 20,001 characters, also 10,000 deep: refused for its length before it is parsed
    Refusal("length", "(" * 10_000 + "x" + ")" * 10_000, 422, "limit_exceeded", "max_length",
            None, "20001"),
    # a body over 64 KiB: refused before it is read as JSON
    Refusal("body-size", "+".join(["x"] * 75_000), 413, None, None, None, "max_body_size"),
]


def body_for(path: str, text: str, point: list[float] | None = None) -> dict[str, Any]:
    """A sensible request for ``path`` around ``text``: variables from the engine's parse
    when it parses, else one variable ``x``; the point (or start) 1 in each variable."""
    try:
        names = list(engine.parse(text).variables)
    except engine.ExpressionError:
        names = []
    extra: dict[str, Any] = {}
    if not names:  # a constant (or a refused text): give it a variable x
        names = ["x"]
        extra["variables"] = ["x"]
    point = point or [1.0] * len(names)
    if path == "/gradient":
        return {"expr": text, "point": point, **extra}
    if path == "/descent":
        return {"expr": text, "start": point, "steps": 50, "lr": 0.01, **extra}
    body = {"expr": text, "x_range": [-2, 2], "n": 11, **extra}
    if len(names) == 2:
        body["y_range"] = [-2, 2]
    return body


@pytest.fixture(scope="module", autouse=True)
def canary():
    """No payload may run code: the canary file must never appear."""
    assert not os.path.exists(CANARY)
    yield CANARY
    assert not os.path.exists(CANARY), "a payload ran code: the canary file exists"


@pytest.fixture
def send(client, helpers) -> Callable[[str, dict[str, Any]], tuple[int, Any, bytes]]:
    """POST a body as ASCII JSON in process; the generic checks; (status, data, bytes)."""

    def post(path: str, body: dict[str, Any]) -> tuple[int, Any, bytes]:
        response = client.post(path, content=helpers.raw_json(body),
                               headers={"content-type": "application/json"})
        data = helpers.check_answer(response.status_code, response.content)
        assert not os.path.exists(CANARY)
        return response.status_code, data, response.content

    return post


def check_refusal(refusal: Refusal, status: int, data: Any, content: bytes) -> None:
    assert status == refusal.status, (refusal.name, status, data)
    assert len(content) < 2000  # an error never dumps the input back
    if len(refusal.expr) > 30:
        assert refusal.expr.encode("ascii", "backslashreplace")[:30] not in content
    if status == 413:
        assert refusal.keyword in data["detail"]
        return
    (item,) = data["detail"]
    assert item["type"] == refusal.type, item
    assert item["loc"] == ["body", "expr"], item
    assert refusal.keyword in item["msg"], item
    ctx = item.get("ctx") or {}
    if refusal.type == "expression_error":
        assert ctx["code"] == refusal.code, item
        assert ctx["column"] == refusal.column, item
        if refusal.column is not None:
            assert f"at column {refusal.column}" in item["msg"], item
    else:
        assert refusal.code in item["msg"], item


def test_the_corpus_has_one_input_per_refusal_path():
    assert len({r.name for r in REFUSALS}) == len(REFUSALS)
    assert len({r.expr for r in REFUSALS}) == len(REFUSALS)
    # every code the lexer and parser raise on text is reached at least once
    codes = {r.code for r in REFUSALS if r.type == "expression_error"}
    assert codes >= {"bad_character", "bad_operator", "bad_number", "number_too_large",
                     "bad_name", "implicit_multiplication", "unknown_function",
                     "reserved_name", "syntax", "bad_index", "arity", "missing_call",
                     "not_a_function", "incomplete", "empty", "unbalanced_parenthesis",
                     "too_deep", "too_many_nodes"}


@pytest.mark.parametrize(
    "refusal, path",
    [pytest.param(r, ENDPOINTS[k % 3], id=f"{r.name}-{ENDPOINTS[k % 3]}")
     for k, r in enumerate(REFUSALS)])
def test_refused_with_its_reason(send, refusal, path):
    status, data, content = send(path, body_for(path, refusal.expr))
    check_refusal(refusal, status, data, content)


LAYERS = ["c0-control", "lone-surrogate", "dunder-name", "keyword-after-expression", "depth",
          "length", "body-size"]
"""One refusal per layer (lexer characters, lexer names, parser, parser limits, the app's
length limit, the body limit)."""


@pytest.mark.parametrize("path", ENDPOINTS[1:])
def test_every_endpoint_refuses_alike(send, path):
    for refusal in (r for r in REFUSALS if r.name in LAYERS):
        _, reference, _ = send("/gradient", body_for("/gradient", refusal.expr))
        status, data, content = send(path, body_for(path, refusal.expr))
        check_refusal(refusal, status, data, content)
        if status == 413:  # the message gives the body's own size
            continue
        assert data == reference, refusal.name


# --- inputs whose answers hold nulls -------------------------------------------------


@dataclass(frozen=True)
class Nulls:
    """An input whose answers must hold nulls, with an oracle for every number.

    ``f(*coordinates)`` and ``partials(*coordinates)`` compute, with numpy's IEEE
    arithmetic, f and its partial derivatives by formulas written out here.  The
    contract's rule: a value is null where f is not a finite number; a partial is null
    where f is undefined (NaN) or the partial is not a finite number -- so a constant
    that overflows to inf has partials 0, and where f is -inf (log at 0) a partial in
    another variable can still be a number.
    """

    name: str
    expr: str
    f: Callable[..., Any]
    partials: Callable[..., list[Any]]


def _const(value: float) -> tuple[Callable[..., Any], Callable[..., list[Any]]]:
    return (lambda x: np.full_like(x, value)), (lambda x: [np.zeros_like(x)])


NULLS: list[Nulls] = [
    Nulls("power-overflow", "9**9**9", *_const(math.inf)),
    Nulls("inf-minus-inf", "exp(1000)-exp(1000)", *_const(math.nan)),
    Nulls("negative-base-fractional-power", "(-8)**(1/3)", *_const(math.nan)),
    Nulls("one-over-zero", "1/0", *_const(math.inf)),
    Nulls("zero-over-zero", "0/0", *_const(math.nan)),
    Nulls("log-zero", "log(0)", *_const(-math.inf)),
    Nulls("sqrt-negative", "sqrt(-1)", *_const(math.nan)),
    Nulls("acos-out-of-domain", "acos(2)", *_const(math.nan)),
    Nulls("atanh-one", "atanh(1)", *_const(math.inf)),
    Nulls("product-overflow", "1e308*10", *_const(math.inf)),
    Nulls("zero-to-minus-one", "0**-1", *_const(math.inf)),
    Nulls("x-over-zero", "x/0", lambda x: x / 0.0, lambda x: [np.full_like(x, math.inf)]),
    Nulls("exp-exp-overflow", "exp(exp(10*x))", lambda x: np.exp(np.exp(10 * x)),
          lambda x: [np.exp(np.exp(10 * x)) * np.exp(10 * x) * 10]),
    Nulls("log-of-negative-x", "log(-x)", lambda x: np.log(-x), lambda x: [1 / x]),
    Nulls("half-planes", "log(x) + sqrt(-y)", lambda x, y: np.log(x) + np.sqrt(-y),
          lambda x, y: [1 / x + 0 * y, -0.5 / np.sqrt(-y) + 0 * x]),
    Nulls("runs-off-its-domain", "sqrt(1.5 - x)", lambda x: np.sqrt(1.5 - x),
          lambda x: [-0.5 / np.sqrt(1.5 - x)]),
]


def _expected(attack: Nulls, *coordinates: Any) -> tuple[Any, list[Any]]:
    """(f, [partials]) as the contract sends them: floats, None where not sent."""
    with np.errstate(all="ignore"):
        arrays = [np.asarray(c, dtype=float) for c in coordinates]
        value = np.asarray(attack.f(*arrays), dtype=float)
        partials = [np.asarray(p, dtype=float) for p in attack.partials(*arrays)]
    undefined = np.isnan(value)
    sent_value = np.where(np.isfinite(value), value, np.nan)
    sent_partials = [np.where(~undefined & np.isfinite(p), p, np.nan) for p in partials]
    return _as_json(sent_value), [_as_json(p) for p in sent_partials]


def _as_json(array: np.ndarray) -> Any:
    if array.ndim == 0:
        return None if np.isnan(array) else float(array)
    return [_as_json(a) for a in array]


def same(got: Any, want: Any) -> bool:
    """Equal as JSON, None for None, floats to rounding (1e-12 relative)."""
    if isinstance(want, list):
        return isinstance(got, list) and len(got) == len(want) and all(
            same(g, w) for g, w in zip(got, want, strict=True))
    if want is None or got is None:
        return got is want
    return got == pytest.approx(want, rel=1e-12, abs=1e-300)


def _descent_oracle(attack: Nulls, start: list[float], lr: float, steps: int) -> dict:
    """Plain gradient descent with the contract's stopping rule for a non-finite value."""
    point = np.array(start)
    path, values, norms = [], [], []
    for step in range(steps + 1):
        value, partials = _expected(attack, *point)
        if value is None or None in partials:
            if step == 0:
                path, values = [start], [value]
                norms = [None if None in partials else math.hypot(*partials)]
            return {"status": "diverged", "path": path, "step": step, "values": values,
                    "grad_norms": norms}
        path.append(point.tolist())
        values.append(value)
        norms.append(math.hypot(*partials))
        point = point - lr * np.array(partials)
    return {"status": "completed", "path": path, "values": values, "grad_norms": norms,
            "step": steps}


@pytest.mark.parametrize("attack", NULLS, ids=[a.name for a in NULLS])
def test_null_answers_hold_nulls_exactly_where_f_is_not_a_number(send, attack):
    nulls = 0
    # /gradient at 1 in every variable
    body = body_for("/gradient", attack.expr)
    point = body["point"]
    status, data, _ = send("/gradient", body)
    assert status == 200, data
    value, partials = _expected(attack, *point)
    assert same(data["value"], value) and same(data["gradient"], partials), data
    assert (data["message"] == "ok") == (value is not None and None not in partials)
    nulls += [value, *partials].count(None)

    # /field over [-2, 2] (squared, for two variables), 11 points an axis
    body = body_for("/field", attack.expr)
    status, data, _ = send("/field", body)
    assert status == 200, data
    x = np.linspace(-2, 2, 11)
    assert data["x"] == pytest.approx(x.tolist(), abs=1e-15)
    if len(point) == 1:
        value, (u,) = _expected(attack, x)
        assert same(data["z"], value) and same(data["u"], u), data
        nulls += value.count(None) + u.count(None)
    else:
        grid_x, grid_y = np.meshgrid(x, x)  # z[j][i] = f(x[i], y[j])
        value, (u, v) = _expected(attack, grid_x, grid_y)
        assert same(data["z"], value), data["z"]
        assert same(data["u"], u), data["u"]
        assert same(data["v"], v), data["v"]
        nulls += sum(row.count(None) for grid in (value, u, v) for row in grid)

    # /descent from 1 in every variable: ends at the last point where f is finite
    body = body_for("/descent", attack.expr)
    status, data, _ = send("/descent", body)
    assert status == 200, data
    want = _descent_oracle(attack, body["start"], body["lr"], body["steps"])
    assert data["status"] == want["status"], data
    assert same(data["path"], want["path"]), (data["path"], want["path"])
    assert same(data["values"], want["values"])
    assert same(data["grad_norms"], want["grad_norms"])
    assert data["final"] == data["path"][-1]
    assert same(data["final_value"], want["values"][-1])
    if want["status"] == "diverged":
        if want["step"] == 0:
            assert data["message"] == "f or its gradient is not finite at the start point"
        else:
            assert data["message"].startswith(f"diverged at step {want['step']}:"), data
    nulls += data["values"].count(None)
    assert nulls > 0  # every one of these inputs does give nulls somewhere


# --- accepted at the edges of the language ------------------------------------------

ACCEPTED = [  # (name, text, point, value, gradient)
    ("name-of-1000-characters", "x" * 1000, [1.0], 1.0, [1.0]),
    ("50-nested-parentheses", "(" * 50 + "x" + ")" * 50, [1.0], 1.0, [1.0]),
    ("caret-power", "x^2 + sin(y)", [1.0, 1.0], 1 + math.sin(1.0), [2.0, math.cos(1.0)]),
    ("indexed-variables", "x[0]**2 + x[1]", [3.0, 1.0], 10.0, [6.0, 1.0]),
    ("two-argument-functions", "atan2(y, x) + hypot(x, y) + min(x, y) + max(x, y)",
     [3.0, 4.0], math.atan2(4, 3) + 12.0, [-4 / 25 + 3 / 5 + 1, 3 / 25 + 4 / 5 + 1]),
    ("literal-of-300-zeros", "0." + "0" * 300 + "1*x", [1.0], 1e-301, [1e-301]),
    ("literal-underflowing-to-zero", "1e-400 + x", [1.0], 1.0, [1.0]),
    ("huge-integer-exponent", "pow(x, 10**10)", [1.0], 1.0, [1e10]),
]


@pytest.mark.parametrize("name, text, point, value, gradient", ACCEPTED,
                         ids=[a[0] for a in ACCEPTED])
def test_accepted_at_the_edges(send, name, text, point, value, gradient):
    status, data, _ = send("/gradient", body_for("/gradient", text, point))
    assert status == 200, data
    assert data["value"] == pytest.approx(value, rel=1e-15)
    assert data["gradient"] == pytest.approx(gradient, rel=1e-15)
    for path in ("/field", "/descent"):
        status, data, _ = send(path, body_for(path, text))
        assert status == 200, data


def test_healthz_answers_after_the_corpus(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


# --- a sample against a real server ---------------------------------------------------

SAMPLE = ["fullwidth-letter", "lone-surrogate", "c0-control", "attribute", "dunder-name",
          "keyword-after-expression", "depth", "length", "body-size"]


@pytest.mark.server
def test_a_sample_against_a_real_server(real_server, helpers):
    """uvicorn's own parsing in front of the app: the same answers, then /healthz."""
    with httpx.Client(base_url=real_server.url, timeout=10, trust_env=False) as http:
        for refusal in (r for r in REFUSALS if r.name in SAMPLE):
            for path in ENDPOINTS:
                response = http.post(path, content=helpers.raw_json(body_for(path, refusal.expr)),
                                     headers={"content-type": "application/json"})
                data = helpers.check_answer(response.status_code, response.content)
                check_refusal(refusal, response.status_code, data, response.content)
        for attack in (a for a in NULLS if a.name in {"inf-minus-inf", "log-of-negative-x"}):
            response = http.post("/field", content=helpers.raw_json(body_for("/field",
                                                                             attack.expr)),
                                 headers={"content-type": "application/json"})
            data = helpers.check_answer(response.status_code, response.content)
            value, (u,) = _expected(attack, np.linspace(-2, 2, 11))
            assert same(data["z"], value) and same(data["u"], u)
        assert http.get("/healthz").json() == {"status": "ok"}
    assert real_server.process.poll() is None
    assert not os.path.exists(CANARY)
