"""The computation graph at a point: every node's value and adjoint.

This is what the page draws to show reverse mode at work: the forward sweep fills in
values, the backward sweep fills in each node's adjoint ``d f / d node`` (the engine's
reverse-mode internals call it the cotangent, ``ct``).  The adjoints are exactly those
of :func:`engine.gradient`'s reverse mode: no adjoint flows through a node whose value
is undefined (NaN), and where f itself is undefined no node has an adjoint (NaN) but
the output's own, 1 -- so a variable's adjoint is NaN exactly when its partial is.

>>> from engine import parse
>>> graph = computation_graph(parse("(2*x**2 + 2*y) / 4"), [1, 2])
>>> [(n.label, n.value, n.adjoint) for n in graph.nodes if n.op in ("var", "div")]
[('x', 1.0, 1.0), ('y', 2.0, 0.5), ('/', 1.5, 1.0)]
>>> [(n.label, n.adjoint) for n in computation_graph(parse("x - log(x)"), [-0.5]).nodes]
[('x', nan), ('log', nan), ('-', 1.0)]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .evaluate import forward_values
from .expression import Expression
from .numeric import as_columns
from .ops import FUNCTIONS
from .points import resolve_point
from .precedence import FORMS
from .printer import format_number
from .reverse import backward
from .types import PointLike

__all__ = ["GraphNode", "GraphResult", "computation_graph"]


@dataclass(frozen=True)
class GraphNode:
    """One node as the page shows it: its value and its adjoint ``d f / d node``."""

    id: int
    op: str
    label: str
    inputs: tuple[int, ...]
    value: float
    adjoint: float


@dataclass(frozen=True)
class GraphResult:
    variables: tuple[str, ...]
    point: np.ndarray
    nodes: list[GraphNode]
    output: int


def _label(op: str, value: float | None, name: str | None) -> str:
    if op == "const":
        return format_number(value if value is not None else 0.0)
    if op == "var":
        return name or "?"
    if op == "powi":
        return f"**{format_number(value if value is not None else 0.0)}"
    if op == "neg":
        return "neg"
    if op in FORMS and op not in FUNCTIONS:  # an operator: its symbol (pow is a function)
        return FORMS[op].symbol
    return op


def computation_graph(expr: Expression, point: PointLike) -> GraphResult:
    """Every node of ``expr``'s graph with its value and reverse-mode adjoint at ``point``."""
    x = resolve_point(expr, point)
    graph = expr.graph
    with np.errstate(all="ignore"):
        values = forward_values(graph, dict(zip(expr.variables, as_columns(x), strict=True)))
        cts = backward(graph, values, every_node=True)
    if np.isnan(values[graph.output]):  # f undefined: so is every d f / d node
        cts = [1.0 if i == graph.output else np.nan for i in range(len(cts))]
    nodes = [
        GraphNode(
            id=i,
            op=node.op,
            label=_label(node.op, node.value, node.name),
            inputs=node.inputs,
            value=float(values[i]),
            adjoint=0.0 if cts[i] is None else float(cts[i]),
        )
        for i, node in enumerate(graph.nodes)
    ]
    return GraphResult(expr.variables, x, nodes, graph.output)
