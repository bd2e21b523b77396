"""The computation graph with values and adjoints."""

import pytest

from engine import computation_graph, parse


def test_contract_example():
    result = computation_graph(parse("(2*x**2 + 2*y) / 4"), [1, 2])
    nodes = {n.id: n for n in result.nodes}
    output = nodes[result.output]
    assert output.value == 1.5 and output.grad == 1.0 and output.label == "/"
    by_label = {n.label: n for n in result.nodes}
    assert by_label["x"].grad == 1.0  # d/dx (2x^2 + 2y)/4 = x
    assert by_label["y"].grad == 0.5
    assert by_label["x"].inputs == () and by_label["2"].inputs == ()
    assert by_label["**2"].value == 1.0
    for node in result.nodes:
        assert all(i < node.id for i in node.inputs)


def test_shared_node_accumulates_both_contributions():
    result = computation_graph(parse("x*x"), [3])
    x = next(n for n in result.nodes if n.op == "var")
    assert x.grad == 6.0


def test_constants_get_their_adjoint_too():
    result = computation_graph(parse("3*x"), [2])
    three = next(n for n in result.nodes if n.op == "const")
    assert three.grad == pytest.approx(2.0)
