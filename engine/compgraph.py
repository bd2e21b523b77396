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

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import ExpressionError
from .evaluate import forward_values
from .expression import Expression
from .forward import DUAL, Dual
from .numeric import as_columns
from .ops import FUNCTIONS, NUMPY, PRIMITIVES
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
    partials: tuple[float, ...] = ()
    """The local derivatives ∂node/∂input, one per input (the edges' labels): the chain
    rule's factors; NaN where the node is undefined."""
    tangent: float = 0.0
    """Forward mode: d node / dt along the direction (the node's dual part)."""


@dataclass(frozen=True)
class GraphResult:
    variables: tuple[str, ...]
    point: np.ndarray
    nodes: list[GraphNode]
    output: int
    direction: np.ndarray
    """The direction of the forward-mode tangents (the output's tangent is the directional
    derivative of f along it)."""


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


def _local_partials(node: Any, out: Any, args: list[Any]) -> tuple[float, ...]:
    """∂node/∂input for each input of ``node`` (NaN for all where the node is undefined)."""
    if not node.inputs:
        return ()
    if node.value is not None:  # powi's exponent
        args = [*args, node.value]
    rule = PRIMITIVES[node.op].partials(NUMPY, out, *args)
    partials = np.broadcast_arrays(*(np.asarray(p, dtype=np.float64) for p in rule))
    if np.isnan(out):
        return tuple(float("nan") for _ in node.inputs)
    return tuple(float(p) for p in partials[: len(node.inputs)])


def computation_graph(expr: Expression, point: PointLike,
                      direction: Sequence[float] | None = None) -> GraphResult:
    """Every node of ``expr``'s graph with its value and reverse-mode adjoint at ``point``,
    the local derivatives on its edges, and its forward-mode tangent along ``direction``
    (default: along the first variable, so the output's tangent is ∂f/∂x)."""
    x = resolve_point(expr, point)
    graph = expr.graph
    count = len(expr.variables)
    if direction is None:
        d = np.zeros(count)
        d[:1] = 1.0
    else:
        d = np.array([float(v) for v in direction], dtype=np.float64)
        if d.shape != (count,) or not np.all(np.isfinite(d)):
            raise ExpressionError(f"direction must be {count} finite numbers, one per "
                                  "variable", code="bad_point", field="direction")
    with np.errstate(all="ignore"):
        values = forward_values(graph, dict(zip(expr.variables, as_columns(x), strict=True)))
        cts = backward(graph, values, every_node=True)
        duals = [Dual(np.float64(v), np.float64(t)) for v, t in zip(x, d, strict=True)]
        traced = forward_values(graph, dict(zip(expr.variables, duals, strict=True)), DUAL)
        partials = [_local_partials(node, values[i], [values[j] for j in node.inputs])
                    for i, node in enumerate(graph.nodes)]
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
            partials=partials[i],
            tangent=_tangent(traced[i]),
        )
        for i, node in enumerate(graph.nodes)
    ]
    return GraphResult(expr.variables, x, nodes, graph.output, d)


def _tangent(value: Any) -> float:
    if isinstance(value, Dual):
        return 0.0 if value.tangent is None else float(value.tangent)
    return 0.0  # a constant, or a node no variable reaches
