"""The computation graph with values and adjoints."""

import math

import numpy as np
import pytest

from engine import ExpressionError, computation_graph, gradient, parse


def test_contract_example():
    result = computation_graph(parse("(2*x**2 + 2*y) / 4"), [1, 2])
    nodes = {n.id: n for n in result.nodes}
    output = nodes[result.output]
    assert output.value == 1.5 and output.adjoint == 1.0 and output.label == "/"
    by_label = {n.label: n for n in result.nodes}
    assert by_label["x"].adjoint == 1.0  # d/dx (2x^2 + 2y)/4 = x
    assert by_label["y"].adjoint == 0.5
    assert by_label["x"].inputs == () and by_label["2"].inputs == ()
    assert by_label["**2"].value == 1.0
    for node in result.nodes:
        assert all(i < node.id for i in node.inputs)


def test_shared_node_accumulates_both_contributions():
    result = computation_graph(parse("x*x"), [3])
    x = next(n for n in result.nodes if n.op == "var")
    assert x.adjoint == 6.0


def test_constants_get_their_adjoint_too():
    result = computation_graph(parse("3*x"), [2])
    three = next(n for n in result.nodes if n.op == "const")
    assert three.adjoint == pytest.approx(2.0)


def test_no_adjoint_flows_through_an_undefined_node():
    # x - log(x) at -0.5: 1 - 1/x would say 3, but log(-0.5) is undefined
    result = computation_graph(parse("x - log(x)"), [-0.5])
    by_label = {n.label: n for n in result.nodes}
    assert math.isnan(by_label["log"].value) and math.isnan(by_label["log"].adjoint)
    assert math.isnan(by_label["x"].adjoint)
    assert by_label["-"].adjoint == 1.0  # the output's own


@pytest.mark.parametrize(("text", "point"), [
    ("x - log(x)", [-0.5]), ("x - log(x)", [2.0]), ("relu(y) + log(x)", [-1.0, -1.0]),
    ("pow(x, relu(y))", [-2.0, -1.0]), ("x**y", [-2.0, 2.0]), ("x**y", [-2.0, 2.5]),
    ("sqrt(x)*y", [-1.0, 0.0]), ("log(x)**0 + y", [-1.0, 3.0]), ("x*y + sin(x)", [0.0, 2.0]),
])
def test_variable_adjoint_is_nan_exactly_when_the_partial_is(text, point):
    expr = parse(text)
    adjoints = {n.label: n.adjoint for n in computation_graph(expr, point).nodes
                if n.op == "var"}
    partials = gradient(expr, point).gradient
    for name, partial in zip(expr.variables, partials, strict=True):
        assert math.isnan(adjoints[name]) == math.isnan(partial), name
        if not math.isnan(partial):
            assert adjoints[name] == partial


def _paths_sum(result, variable_id: int) -> float:
    """The chain rule as the textbooks draw it: over every path from the variable to
    the output, the product of the edges' local derivatives; then the sum."""
    consumers: dict[int, list[tuple[int, float]]] = {}
    for node in result.nodes:
        for slot, j in enumerate(node.inputs):
            consumers.setdefault(j, []).append((node.id, node.partials[slot]))

    def total(i: int) -> float:
        if i == result.output:
            return 1.0
        return sum(p * total(k) for k, p in consumers.get(i, []))

    return total(variable_id)


def test_edges_multiply_along_paths_to_the_adjoints():
    for text, point in (("(2*x**2 + 2*y) / 4", [1, 2]), ("x*x + sin(x*y)", [0.3, -1.2]),
                        ("exp(x) * log(1 + x*y) - y/x", [0.7, 2.0])):
        result = computation_graph(parse(text), point)
        for node in result.nodes:
            if node.op == "var":
                assert _paths_sum(result, node.id) == pytest.approx(node.adjoint, rel=1e-13)


def test_forward_trace_gives_the_directional_derivative():
    expr = parse("x*x + sin(x*y)")
    grad = gradient(expr, [0.3, -1.2]).gradient
    for direction in ([1, 0], [0, 1], [0.6, -0.8]):
        result = computation_graph(expr, [0.3, -1.2], direction=direction)
        out = next(n for n in result.nodes if n.id == result.output)
        assert out.tangent == pytest.approx(float(np.dot(grad, direction)), rel=1e-14)
    with pytest.raises(ExpressionError) as err:
        computation_graph(expr, [0.3, -1.2], direction=[1])
    assert err.value.field == "direction"


def test_local_partials_are_the_tables_rules():
    result = computation_graph(parse("sin(x) * x**3"), [0.5])
    by_label = {n.label: n for n in result.nodes}
    assert by_label["sin"].partials == (pytest.approx(np.cos(0.5), rel=1e-15),)
    assert by_label["**3"].partials == (pytest.approx(3 * 0.25),)
    assert by_label["*"].partials == (pytest.approx(0.125), pytest.approx(np.sin(0.5)))
