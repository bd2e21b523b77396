"""The app's parsed expressions: kept by text and variable order, least recently used out,
each request given its own expression (the kept graph, an empty memo), errors never
kept, the app's limits applied, safe from several threads."""

from __future__ import annotations

import threading

import pytest

import engine
from app.parsed import EXPRESSION_CACHE, ParsedExpressions


def test_the_same_text_is_parsed_once():
    parsed = ParsedExpressions(engine.Limits())
    first = parsed.get("x**2 + y**2")
    again = parsed.get("x**2 + y**2", None)
    assert again.graph is first.graph  # not parsed again
    assert again == first and again.variables == ("x", "y")
    assert parsed.get("x**2+y**2").graph is not first.graph  # the key is the text as typed
    assert len(parsed) == 2


def test_each_request_gets_an_expression_of_its_own():
    """What the engine memoizes for one request (generated code) is not kept: the
    memory of what is kept does not grow with what requests do."""
    parsed = ParsedExpressions(engine.Limits())
    first = parsed.get("sin(x)*y")
    engine.gradient_field(first, (0, 1), (0, 1), nx=20)  # generates code, in first's memo
    assert first._memo
    again = parsed.get("sin(x)*y")
    peeked = parsed.peek("sin(x)*y")
    assert again is not first and peeked is not first and peeked is not again
    assert again._memo == {} and peeked is not None and peeked._memo == {}
    assert again.graph is first.graph and again.columns == first.columns


def test_variable_orders_are_kept_apart():
    parsed = ParsedExpressions(engine.Limits())
    plain = parsed.get("x - y")
    swapped = parsed.get("x - y", ["y", "x"])
    assert plain.variables == ("x", "y") and swapped.variables == ("y", "x")
    assert parsed.get("x - y", ("y", "x")).graph is swapped.graph  # list or tuple: one key
    assert parsed.peek("x - y", ["x", "y"]) is None  # named in order: another key
    assert parsed.get("x - y", ["x", "y"]).graph is not plain.graph
    assert len(parsed) == 3


def test_peek_never_parses():
    parsed = ParsedExpressions(engine.Limits())
    assert parsed.peek("x**2") is None
    assert len(parsed) == 0
    expr = parsed.get("x**2")
    peeked = parsed.peek("x**2")
    assert peeked is not None and peeked.graph is expr.graph


def test_the_least_recently_used_goes_first():
    parsed = ParsedExpressions(engine.Limits(), size=3)
    for text in ("a", "b", "c"):
        parsed.get(text)
    assert parsed.peek("a") is not None  # a is now the most recently used
    parsed.get("d")
    assert parsed.peek("b") is None  # b was the least recently used
    assert parsed.peek("a") is not None and parsed.peek("c") is not None
    assert len(parsed) == 3


def test_the_default_size_is_the_named_constant():
    parsed = ParsedExpressions(engine.Limits())
    assert parsed.size == EXPRESSION_CACHE
    for k in range(EXPRESSION_CACHE + 10):
        parsed.get(f"x + {k}")
    assert len(parsed) == EXPRESSION_CACHE
    assert parsed.peek("x + 0") is None and parsed.peek(f"x + {EXPRESSION_CACHE + 9}")


def test_text_that_fails_is_not_kept_and_fails_again():
    parsed = ParsedExpressions(engine.Limits())
    for _ in range(2):
        with pytest.raises(engine.ExpressionError) as caught:
            parsed.get("x +* y")
        assert caught.value.column == 4
    assert len(parsed) == 0
    with pytest.raises(engine.ExpressionError):
        parsed.get("x + y", ["x"])  # a variable order that leaves y out
    assert len(parsed) == 0


def test_the_limits_are_the_ones_given():
    parsed = ParsedExpressions(engine.Limits(max_length=5))
    with pytest.raises(engine.ExpressionError) as caught:
        parsed.get("x + y + z")
    assert caught.value.code == "too_long"
    assert parsed.get("x + y").variables == ("x", "y")


def test_many_threads_get_equal_expressions():
    parsed = ParsedExpressions(engine.Limits(), size=8)
    texts = [f"sin(x) * {k} + y" for k in range(12)]
    found: list[tuple[str, engine.Expression]] = []
    lock = threading.Lock()
    start = threading.Barrier(4)

    def worker(shift: int) -> None:
        start.wait()
        for round_ in range(20):
            text = texts[(shift + round_) % len(texts)]
            expr = parsed.get(text)
            with lock:
                found.append((text, expr))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(found) == 80
    for text, expr in found:
        assert expr.text == text and str(expr) == str(engine.parse(text))
    assert len(parsed) == 8
