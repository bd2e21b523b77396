"""An attack corpus posted to /gradient, /field and /descent as raw JSON bytes.

Each input is sent ``json.dumps(..., ensure_ascii=True)``-encoded (a lone surrogate is the
JSON escape ``"\\ud800"``).  Every answer is a 4xx with a message or a 200 with strict
JSON (no NaN/Infinity tokens); inputs marked ``reject`` must be refused, ``ok`` and
``null`` accepted (``null``: the value or a partial is not finite and is sent as null).
Each answers within :data:`HANG_GUARD`; ``/healthz`` answers afterwards; no payload runs
code (the canary file some of them try to create never appears).

The whole corpus runs in process (TestClient); a sample also runs against a real server.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

import engine

CANARY = f"/tmp/slopescope-canary-{uuid.uuid4().hex}"
HANG_GUARD = 1.0
"""Seconds an answer may take (the better of two tries, so one hiccup of a busy shared
machine does not fail the test; a real hang or a slow path fails both)."""
TOUCH = f"touch {CANARY}"


@dataclass(frozen=True)
class Attack:
    name: str
    expr: str
    expect: str  # "reject" (4xx), "ok" (200), "null" (200 with a null number), "any"


def _r(name: str, expr: str) -> Attack:
    return Attack(name, expr, "reject")


CORPUS: list[Attack] = [
    # --- injection: imports, dunders, attributes, subscripts, calls ---------------------
    _r("import-system", f"__import__('os').system('{TOUCH}')"),
    _r("import-system-dq", f'__import__("os").system("{TOUCH}")'),
    _r("import-popen", f"__import__('subprocess').Popen(['{TOUCH}'])"),
    _r("class-bases-subclasses", "().__class__.__bases__[0].__subclasses__()"),
    _r("class-mro", "x.__class__.__mro__[1].__subclasses__()"),
    _r("list-class-base", "[].__class__.__base__.__subclasses__()[0]"),
    _r("int-class", "(1).__class__"),
    _r("attr-real", "x.real"),
    _r("attr-on-call", "sin(x).__class__"),
    _r("func-globals", "sin.__globals__"),
    _r("func-call-dunder", "exp.__call__(x)"),
    _r("getattr", "getattr(x, '__class__')"),
    _r("globals-builtins", "globals()['__builtins__']"),
    _r("builtins-dict", "__builtins__.__dict__['eval']('1')"),
    _r("eval", f"eval('__import__(\"os\").system(\"{TOUCH}\")')"),
    _r("exec-open", f"exec(\"open('{CANARY}', 'w')\")"),
    _r("open-write", f"open('{CANARY}', 'w').write('x')"),
    _r("compile", "compile('1', '', 'eval')"),
    _r("breakpoint", "breakpoint()"),
    _r("input", "input()"),
    _r("exit", "exit()"),
    _r("sys-exit", "sys.exit(1)"),
    _r("os-system-attr", f"os.system('{TOUCH}')"),
    _r("numpy-os", "numpy.os.system('ls')"),
    _r("np-exp", "np.exp(x)"),
    _r("math-exp", "math.exp(x)"),
    _r("loader", "__loader__"),
    _r("subscript-import", "x[__import__('os')]"),
    _r("subscript-slice", "x[0:1]"),
    _r("subscript-negative", "x[-1]"),
    _r("subscript-then-attr", "x[0].__class__"),
    _r("import-stmt", "import os"),
    _r("from-import", "from os import system"),
    _r("statement-separator", f"x; __import__('os').system('{TOUCH}')"),
    _r("conditional", f"x if __import__('os').system('{TOUCH}') else y"),
    _r("walrus", "(x := 1)"),
    _r("matmul", "x @ y"),
    # --- lambdas, comprehensions, format strings ----------------------------------------
    _r("lambda", "lambda: __import__('os')"),
    _r("lambda-call", "(lambda x: x)(1)"),
    _r("list-comprehension", "[c for c in ().__class__.__base__.__subclasses__()]"),
    _r("dict-comprehension", "{k: 1 for k in y}"),
    _r("generator", "(k for k in y)"),
    _r("str-format", "'{0.__class__}'.format(x)"),
    _r("f-string", f"f\"{{__import__('os').system('{TOUCH}')}}\""),
    _r("percent-format", "'%s' % x"),
    _r("bytes-literal", "b'\\x00'"),
    # --- Unicode: NFKC tricks, homoglyphs, invisible and bidi characters, surrogates ----
    _r("fullwidth-dunder-class", "\uff3f\uff3f\uff43\uff4c\uff41\uff53\uff53\uff3f\uff3f"),
    _r("fullwidth-x", "\uff58**2"),
    _r("fullwidth-digit", "\uff11 + x"),
    _r("math-bold-class", "__\U0001d41c\U0001d425\U0001d41a\U0001d42c\U0001d42c__"),
    _r("math-bold-x", "\U0001d431**2"),
    _r("math-bold-exp", "\U0001d41e\U0001d431\U0001d429(x)"),
    _r("roman-numeral-x", "\u2179 + 1"),
    _r("cyrillic-x", "\u0445**2"),
    _r("cyrillic-i-in-sin", "s\u0456n(x)"),
    _r("greek-pi", "\u03c0*x"),
    _r("script-e", "\u212f**x"),
    _r("minus-sign", "x \u2212 1"),
    _r("multiplication-sign", "2\u00d7x"),
    _r("division-sign", "x\u00f72"),
    _r("superscript-two", "x\u00b2"),
    _r("vulgar-half", "\u00bd*x"),
    _r("arabic-indic-digit", "\u0661 + x"),
    _r("zero-width-space", "x\u200b+1"),
    _r("zero-width-joiner", "x\u200d+1"),
    _r("byte-order-mark", "\ufeffx"),
    _r("bidi-rlo", "x\u202e+1"),
    _r("bidi-isolate", "x\u2066+1\u2069"),
    _r("no-break-space", "x\u00a0+ 1"),
    _r("ideographic-space", "x\u3000+1"),
    _r("combining-accent", "x\u0301"),
    _r("emoji", "\U0001f600"),
    _r("lone-high-surrogate", "\ud800"),
    _r("lone-low-surrogate-after-x", "x+\udfff"),
    _r("surrogate-pair-max", "x+\U0010ffff"),
    # --- control characters -------------------------------------------------------------
    _r("nul", "x\x00"),
    _r("only-nul", "\x00"),
    _r("newline", "x\n+1"),
    _r("crlf", "x\r\n"),
    _r("tab", "x\t+1"),
    _r("ansi-escape", "\x1b[31mx"),
    _r("delete", "\x7f"),
    _r("vertical-tab", "x\x0b"),
    _r("form-feed", "x\x0c+1"),
    _r("next-line-c1", "x\x85"),
    _r("backspace", "x\x08"),
    # --- length and nesting bombs -------------------------------------------------------
    _r("10000-nested-parens", "(" * 10_000 + "x" + ")" * 10_000),
    _r("499-nested-parens", "(" * 499 + "x" + ")" * 499),
    _r("150KB-sum", "+".join(["x"] * 75_000)),  # over the 64 KiB body limit: 413
    _r("60KB-sum", "x+" * 30_000 + "x"),
    _r("100000-digit-literal", "1" * 100_000),  # over the body limit: 413
    _r("60000-digit-literal", "1" * 60_000),
    _r("999-digit-literal", "9" * 999),
    _r("huge-index", "x[" + "9" * 900 + "]"),
    _r("deep-unary-minus", "-" * 30_000 + "x"),
    _r("deep-sin", "sin(" * 5_000 + "x" + ")" * 5_000),
    _r("power-tower", "x**" * 5_000 + "x"),
    _r("501-nodes", "+".join(["x"] * 251)),
    Attack("1000-char-name", "x" * 1000, "ok"),
    # --- grammar errors -----------------------------------------------------------------
    _r("empty", ""),
    _r("blank", "   "),
    _r("lone-plus", "+"),
    _r("implicit-mult", "2x"),
    _r("juxtaposition", "x y"),
    _r("call-without-parens", "sin x"),
    _r("no-argument", "sin()"),
    _r("too-few-arguments", "atan2(x)"),
    _r("unclosed", "(x"),
    _r("unopened", "x)"),
    _r("comma", "x,y"),
    _r("digit-separator", "1_000"),
    _r("hex", "0x1F"),
    _r("complex-literal", "1j"),
    _r("two-dots", "1.2.3"),
    _r("bad-exponent", "1e"),
    _r("floor-division", "x // y"),
    _r("modulo", "x % y"),
    _r("tilde", "~x"),
    _r("comparison", "x == y"),
    _r("unknown-function", "sine(x)"),
    _r("constant-called", "pi(x)"),
    _r("double-index", "x[0][1]"),
    _r("nan-name", "nan"),
    _r("inf-name", "-inf"),
    _r("infinity-name", "Infinity"),
    _r("true", "True"),
    _r("none", "None"),
    _r("literal-1e309", "1e309"),
    # --- numeric edge cases: 200, the number sent as null -------------------------------
    Attack("power-tower-constant", "9**9**9", "null"),
    Attack("inf-minus-inf", "exp(1000)-exp(1000)", "null"),
    Attack("cube-root-of-negative-by-pow", "(-8)**(1/3)", "null"),
    Attack("one-over-zero", "1/0", "null"),
    Attack("zero-over-zero", "0/0", "null"),
    Attack("log-zero", "log(0)", "null"),
    Attack("sqrt-negative", "sqrt(-1)", "null"),
    Attack("acos-out-of-domain", "acos(2)", "null"),
    Attack("atanh-one", "atanh(1)", "null"),
    Attack("overflow-product", "1e308*10", "null"),
    Attack("x-over-zero", "x/0", "null"),
    Attack("exp-exp-overflow", "exp(exp(10*x))", "null"),
    Attack("log-of-negative-x", "log(-x)", "null"),
    Attack("zero-to-minus-one", "0**-1", "null"),
    # --- controls: ordinary input is accepted -------------------------------------------
    Attack("sphere", "x**2 + y**2", "ok"),
    Attack("rosenbrock", "(1 - x)**2 + 100*(y - x**2)**2", "ok"),
    Attack("caret-power", "x^2 + sin(y)", "ok"),
    Attack("indexed", "x[0]**2 + x[1]", "ok"),
    Attack("two-arg-functions", "atan2(y, x) + hypot(x, y) + min(x, y) + max(x, y)", "ok"),
    Attack("50-nested-parens", "(" * 50 + "x" + ")" * 50, "ok"),
    Attack("tiny-literal", "0." + "0" * 300 + "1*x", "ok"),
    Attack("underflowing-literal", "1e-400 + x", "any"),
    Attack("big-integer-power", "pow(x, 10**10)", "any"),
]

ENDPOINTS = ["/gradient", "/field", "/descent"]

#: Known engine bugs, each a strict xfail in process and skipped on the real server: none
#: today (a negative base to a fractional power on /descent was one; fixed).
KNOWN_ENGINE_BUGS: dict[tuple[str, str], str] = {}


def _cases() -> list[Any]:
    cases = []
    for attack in CORPUS:
        for path in ENDPOINTS:
            reason = KNOWN_ENGINE_BUGS.get((attack.name, path))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            cases.append(pytest.param(attack, path, marks=marks, id=f"{attack.name}-{path}"))
    return cases


def _variables(text: str) -> list[str] | None:
    try:
        return list(engine.parse(text).variables)
    except engine.ExpressionError:
        return None


def body_for(path: str, text: str) -> dict[str, Any]:
    """A sensible request for ``path`` around ``text`` (variables from the engine's
    parse when it parses; a one-variable guess otherwise)."""
    names = _variables(text)
    extra: dict[str, Any] = {}
    if not names:  # a constant (or a refused text): give it a variable x
        names = ["x"]
        extra["variables"] = ["x"]
    point = [1.0] * len(names)
    if path == "/gradient":
        return {"expr": text, "point": point, **extra}
    if path == "/descent":
        return {"expr": text, "start": point, "steps": 50, "lr": 0.01, **extra}
    body = {"expr": text, "x_range": [-2, 2], "n": 11, **extra}
    if len(names) == 2:
        body["y_range"] = [-2, 2]
    return body


def check(path: str, attack: Attack, status: int, data: Any) -> None:
    """The expectation of ``attack`` on ``path`` (the generic checks have passed)."""
    if attack.expect == "reject":
        assert status >= 400, (attack.name, path, data)
        if status == 413:
            assert "max_body_size" in data["detail"]
        return
    if attack.expect == "any":
        return
    many = len(_variables(attack.expr) or ["x"]) > 2
    if path == "/field" and many:
        assert status == 422, data
        return
    assert status == 200, (attack.name, path, data)
    if attack.expect == "null" and path == "/gradient":
        assert data["value"] is None or None in data["gradient"], data
        assert data["message"] != "ok"


def test_corpus_is_large_and_covers_every_category():
    assert len(CORPUS) >= 80
    assert len({a.name for a in CORPUS}) == len(CORPUS)
    assert len({a.expr for a in CORPUS}) == len(CORPUS)
    assert sum(a.expect == "null" for a in CORPUS) >= 4
    assert sum(a.expect == "reject" for a in CORPUS) >= 80


@pytest.fixture(scope="module", autouse=True)
def canary():
    """No payload may run code: the canary file must never appear."""
    assert not os.path.exists(CANARY)
    yield CANARY
    assert not os.path.exists(CANARY), "a payload ran code: the canary file exists"


def _timed_post(post: Any, path: str, content: bytes) -> tuple[Any, float]:
    best, response = float("inf"), None
    for _ in range(2):
        start = time.perf_counter()
        response = post(path, content)
        best = min(best, time.perf_counter() - start)
        if best < HANG_GUARD:
            break
    return response, best


@pytest.mark.parametrize("attack,path", _cases())
def test_attack_in_process(client, helpers, attack, path):
    content = helpers.raw_json(body_for(path, attack.expr))

    def post(path: str, content: bytes) -> Any:
        return client.post(path, content=content, headers={"content-type": "application/json"})

    response, seconds = _timed_post(post, path, content)
    data = helpers.check_answer(response.status_code, response.content)
    check(path, attack, response.status_code, data)
    assert seconds < HANG_GUARD, f"{seconds:.2f} s"
    if response.status_code >= 400:  # an error never dumps the input back
        assert len(response.content) < 2000
    assert not os.path.exists(CANARY)


def test_healthz_answers_after_the_corpus(client):
    start = time.perf_counter()
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert time.perf_counter() - start < HANG_GUARD


SAMPLE = [a for a in CORPUS if a.name in {
    "import-system", "class-bases-subclasses", "lambda-call", "f-string",
    "fullwidth-dunder-class", "math-bold-class", "minus-sign", "bidi-rlo",
    "lone-high-surrogate", "nul", "10000-nested-parens", "150KB-sum", "60KB-sum",
    "100000-digit-literal", "deep-unary-minus", "unknown-function", "power-tower-constant",
    "inf-minus-inf", "cube-root-of-negative-by-pow", "one-over-zero", "rosenbrock",
}]


@pytest.mark.server
def test_attack_sample_against_a_real_server(real_server, helpers):
    assert len(SAMPLE) == 21
    with httpx.Client(base_url=real_server.url, timeout=10) as http:

        def post(path: str, content: bytes) -> Any:
            return http.post(path, content=content,
                             headers={"content-type": "application/json"})

        for attack in SAMPLE:
            for path in ENDPOINTS:
                if (attack.name, path) in KNOWN_ENGINE_BUGS:
                    continue
                content = helpers.raw_json(body_for(path, attack.expr))
                response, seconds = _timed_post(post, path, content)
                data = helpers.check_answer(response.status_code, response.content)
                check(path, attack, response.status_code, data)
                assert seconds < HANG_GUARD, (attack.name, path, seconds)
        assert http.get("/healthz").json() == {"status": "ok"}
    assert real_server.process.poll() is None
    assert not os.path.exists(CANARY)
