"""The computation graph with values and adjoints."""

import math

import pytest

from engine import computation_graph, gradient, parse


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
