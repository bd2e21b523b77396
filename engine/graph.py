"""Immutable expression graphs.

A :class:`Graph` is a tuple of :class:`Node` in topological order (every node's inputs
come before it) and the index of the output node.  Identical subexpressions are stored
once (hash-consing), so a variable used twice is one node with two consumers -- exactly
the computation graph that reverse mode walks.  Nodes hold no values and no gradients:
those are return values of the passes in ``evaluate``, ``forward`` and ``reverse``.

>>> b = GraphBuilder()
>>> x = b.variable("x")
>>> y = b.apply("mul", (x, x))
>>> g = b.build(y)
>>> [node.op for node in g.nodes], g.output
(['var', 'mul'], 1)
>>> g.nodes[1].inputs
(0, 0)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .ops import PRIMITIVES

__all__ = ["Node", "Graph", "GraphBuilder", "variable_sort_key", "is_variable_name"]


@dataclass(frozen=True, slots=True)
class Node:
    """One node: a constant, a variable, or a primitive applied to earlier nodes.

    ``op`` is ``"const"``, ``"var"`` or a primitive name from :data:`engine.ops.PRIMITIVES`.
    ``value`` is the number of a constant, or the integer exponent of ``powi``.
    ``name`` is a variable's name, e.g. ``"x"`` or ``"x[0]"``, or a named constant's
    (``"pi"``).
    """

    op: str
    inputs: tuple[int, ...] = ()
    value: float | None = None
    name: str | None = None


@dataclass(frozen=True)
class Graph:
    """A topologically ordered DAG with one output."""

    nodes: tuple[Node, ...]
    output: int

    @property
    def variables(self) -> tuple[str, ...]:
        """The variable names used, in the contract's order (x, y, z, then by name)."""
        names = {node.name for node in self.nodes if node.op == "var" and node.name}
        return tuple(sorted(names, key=variable_sort_key))

    @property
    def primitives(self) -> frozenset[str]:
        """The primitive names used."""
        return frozenset(node.op for node in self.nodes if node.op in PRIMITIVES)

    def depends_on_variables(self) -> list[bool]:
        """For each node, whether its value depends on some variable ("active")."""
        active: list[bool] = []
        for node in self.nodes:
            active.append(node.op == "var" or any(active[i] for i in node.inputs))
        return active


_INDEXED = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)\[(\d+)\]$")
_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_FIRST = {"x": 0, "y": 1, "z": 2}


def is_variable_name(name: str) -> bool:
    """Whether ``name`` has the form of a variable: ``theta`` or ``x[3]``.

    >>> is_variable_name("w1"), is_variable_name("x[0]"), is_variable_name("1x")
    (True, True, False)
    """
    return bool(_PLAIN.match(name) or _INDEXED.match(name))


def variable_sort_key(name: str) -> tuple[int, str, int]:
    """Sort key giving the contract's variable order.

    ``x``, ``y``, ``z`` first, then other names alphabetically; indexed components by
    name, then index.

    >>> sorted(["theta", "y", "x[1]", "a", "x", "x[0]"], key=variable_sort_key)
    ['x', 'x[0]', 'x[1]', 'y', 'a', 'theta']
    """
    match = _INDEXED.match(name)
    base, index = (match.group(1), int(match.group(2))) if match else (name, -1)
    return (_FIRST.get(base, 3), base, index)


class GraphBuilder:
    """Builds a :class:`Graph` node by node, storing each distinct node once."""

    def __init__(self) -> None:
        self._nodes: list[Node] = []
        self._index: dict[Node, int] = {}

    def __len__(self) -> int:
        return len(self._nodes)

    def _add(self, node: Node) -> int:
        found = self._index.get(node)
        if found is not None:
            return found
        self._nodes.append(node)
        self._index[node] = len(self._nodes) - 1
        return len(self._nodes) - 1

    def constant(self, value: float, name: str | None = None) -> int:
        """Add a finite constant (``-0.0`` is stored as ``0.0``), named if it is ``pi``/``e``."""
        if not math.isfinite(value):
            raise ValueError("constants must be finite")
        return self._add(Node("const", value=float(value) + 0.0, name=name))

    def variable(self, name: str) -> int:
        """Add (or find) the variable ``name``."""
        return self._add(Node("var", name=name))

    def apply(self, op: str, inputs: tuple[int, ...], param: float | None = None) -> int:
        """Add the primitive ``op`` applied to earlier nodes."""
        primitive = PRIMITIVES[op]
        if len(inputs) != primitive.arity or primitive.has_param != (param is not None):
            raise ValueError(f"wrong inputs for {op}")
        return self._add(Node(op, inputs, value=param))

    def node(self, index: int) -> Node:
        return self._nodes[index]

    def build(self, output: int) -> Graph:
        """The graph of the nodes reachable from ``output``, renumbered in order."""
        reachable = [False] * len(self._nodes)
        reachable[output] = True
        for i in range(output, -1, -1):
            if reachable[i]:
                for j in self._nodes[i].inputs:
                    reachable[j] = True
        renumber: dict[int, int] = {}
        nodes: list[Node] = []
        for i, node in enumerate(self._nodes):
            if reachable[i]:
                renumber[i] = len(nodes)
                inputs = tuple(renumber[j] for j in node.inputs)
                nodes.append(Node(node.op, inputs, node.value, node.name))
        return Graph(tuple(nodes), renumber[output])
