"""Reverse mode: cotangents flow from the output back to every node.

:func:`backward` is the whole algorithm: walk the nodes in reverse topological order,
multiply each node's cotangent ``ct`` by the table's local partials (``F.chain``) and add
it into its inputs' cotangents (``+``, so a node used twice gets both contributions).
It is generic over the operation namespace ``F``: with numpy it gives gradients; run
over dual numbers (forward-over-reverse) it gives Hessian-vector products, hence
:func:`hessian_columns`; run over pieces of source text it writes the generated code's
reverse sweep (:mod:`engine.codegen`).

>>> from engine import parse
>>> expr = parse("x*y + sin(x)")
>>> value, grad = vjp_gradient(expr.graph, expr.variables, [np.array(0.0), np.array(2.0)])
>>> float(value), grad.tolist()
(0.0, [3.0, 0.0])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

import numpy as np

from .evaluate import forward_values
from .forward import DUAL, Dual, seed
from .graph import Graph
from .ops import NUMPY, PRIMITIVES
from .types import Array

__all__ = ["backward", "vjp_gradient", "hessian_columns"]


def backward(
    graph: Graph,
    values: Sequence[Any],
    F: SimpleNamespace = NUMPY,
    every_node: bool = False,
    store: Callable[[int, Any], Any] | None = None,
) -> list[Any]:
    """The cotangent ``d output / d node`` of every node (``None`` where it is zero).

    Each contribution is ``F.chain(ct, partial, value)`` (:func:`engine.ops.chain`: a zero
    factor beats NaN, nothing flows through an undefined value).  Nodes that do not
    depend on a variable are skipped unless ``every_node`` is set (the computation-graph
    view shows the adjoint of constants too).  ``store(j, ct)``, if given, sees every
    updated cotangent of node ``j`` and returns what to keep (the code generator writes
    a line there and keeps the line's name).
    """
    nodes = graph.nodes
    wanted = [True] * len(nodes) if every_node else graph.depends_on_variables()
    cts: list[Any] = [None] * len(nodes)
    cts[graph.output] = 1.0
    for i in range(len(nodes) - 1, -1, -1):
        ct = cts[i]
        node = nodes[i]
        if ct is None:
            continue
        targets = [(k, j) for k, j in enumerate(node.inputs) if wanted[j]]
        if not targets:
            continue
        args = [values[j] for j in node.inputs]
        if node.value is not None:  # powi's exponent
            args.append(node.value)
        partials = PRIMITIVES[node.op].partials(F, values[i], *args)
        for k, j in targets:
            contribution = F.chain(ct, partials[k], values[i])
            total = contribution if cts[j] is None else cts[j] + contribution
            cts[j] = total if store is None else store(j, total)
    return cts


def _variable_cts(graph: Graph, names: Sequence[str], cts: list[Any]) -> list[Any]:
    by_name = {node.name: cts[i] for i, node in enumerate(graph.nodes) if node.op == "var"}
    return [by_name.get(name) for name in names]


def vjp_gradient(graph: Graph, names: Sequence[str], columns: Sequence[Array]
                 ) -> tuple[Array, Array]:
    """Value and gradient by reverse mode at every point of the input columns.

    Returns ``value`` (the shape of the inputs) and ``gradient`` with a leading axis
    of one entry per name in ``names``.
    """
    shape = np.shape(columns[0]) if columns else ()
    values = forward_values(graph, dict(zip(names, columns, strict=True)))
    cts = backward(graph, values)
    gradient = np.zeros((len(names),) + shape)
    for i, ct in enumerate(_variable_cts(graph, names, cts)):
        if ct is not None:
            gradient[i] = ct
    return np.broadcast_to(values[graph.output], shape).astype(np.float64), gradient


def hessian_columns(graph: Graph, names: Sequence[str], columns: Sequence[Array]
                    ) -> tuple[Array, Array, Array]:
    """Value, gradient and exact Hessian: reverse mode over dual numbers.

    The forward sweep runs on duals seeded with the identity, so each cotangent's
    tangent is the derivative of that cotangent along every variable.  Returns
    ``hessian`` with shape ``(n, n) + input shape``.
    """
    count = len(names)
    shape = np.shape(columns[0]) if columns else ()
    values = forward_values(graph, dict(zip(names, seed(columns), strict=True)), DUAL)
    cts = backward(graph, values, DUAL)
    gradient = np.zeros((count,) + shape)
    hessian = np.zeros((count, count) + shape)
    for i, ct in enumerate(_variable_cts(graph, names, cts)):
        if isinstance(ct, Dual):
            gradient[i] = ct.primal
            if ct.tangent is not None:
                hessian[i] = ct.tangent
        elif ct is not None:
            gradient[i] = ct
    out = values[graph.output]
    value = out.primal if isinstance(out, Dual) else out
    return np.broadcast_to(value, shape).astype(np.float64), gradient, hessian
