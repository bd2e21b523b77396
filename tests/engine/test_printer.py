"""Printing graphs back to text that parses to the same graph."""

import pytest

from engine import parse


@pytest.mark.parametrize(
    "text",
    [
        "3*x**2 - 4*x",
        "x - (y - z)",
        "x/(y/z)",
        "x/y/z",
        "-(x + y)",
        "(-x)**2",
        "-x**2",
        "x**y**z",
        "(x**y)**z",
        "2**-x",
        "-(-x)",
        "atan2(y, x) + hypot(x, 1)",
        "0.1 + 1e-05*x + 1e+22",
        "x[0]*x[1] - x[2]",
        "sin(cos(tan(x)))/exp(-x)",
        "100*(y - x**2)**2 + (1 - x)**2",
        "x**-1",
        "pow(x, 0.5)",
    ],
)
def test_round_trip(text):
    expr = parse(text)
    again = parse(str(expr))
    assert again.graph == expr.graph
    assert str(again) == str(expr)


def test_canonical_text_is_minimal():
    assert str(parse("((x))+((y))*(2)")) == "x+y*2"
    assert str(parse("x - (y - z)")) == "x-(y-z)"
