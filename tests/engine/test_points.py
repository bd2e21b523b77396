"""Reading points given as lists, mappings or bare numbers."""

import pytest

from engine import ExpressionError, parse, resolve_point


def test_forms():
    expr = parse("x*y")
    assert resolve_point(expr, [1, 2]).tolist() == [1.0, 2.0]
    assert resolve_point(expr, {"y": 2, "x": 1}).tolist() == [1.0, 2.0]
    assert resolve_point(parse("x**2"), 3).tolist() == [3.0]


@pytest.mark.parametrize("point", [[1], [1, 2, 3], {"x": 1}, {"x": 1, "y": 2, "q": 3}, 5,
                                   [1, float("nan")], [True, 1], ["1", 2]])
def test_refusals_name_the_field(point):
    with pytest.raises(ExpressionError) as err:
        resolve_point(parse("x*y"), point, field="start")
    assert err.value.field == "start"
