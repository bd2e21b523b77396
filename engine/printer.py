"""Printing a graph back as text that parses to the same graph.

Parentheses are added only where precedence needs them; numbers are printed with
``repr`` so they read back as the same float64.  The walk is iterative over the
topological order (no recursion, whatever the depth).

>>> from engine import parse
>>> str(parse("(a + b) - (c - d)"))
'a + b - (c - d)'
>>> str(parse("-(x*y)**2 + 2**-x"))
'-(x*y)**2 + 2**-x'
"""

from __future__ import annotations

from .graph import Graph, Node
from .ops import PRIMITIVES

__all__ = ["to_text", "format_number"]

# Binding strength of each form; higher binds tighter.
_SUM, _PRODUCT, _UNARY, _POWER, _ATOM = 1, 2, 3, 4, 5
_LEVEL = {"add": _SUM, "sub": _SUM, "mul": _PRODUCT, "div": _PRODUCT, "neg": _UNARY,
          "powi": _POWER, "pow": _POWER}


def format_number(value: float) -> str:
    """Shortest text that reads back as ``value``: ``2``, ``0.1``, ``1e-05``.

    >>> format_number(2.0), format_number(0.1), format_number(1e-5), format_number(1e22)
    ('2', '0.1', '1e-05', '1e+22')
    """
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def to_text(graph: Graph) -> str:
    """The canonical text of ``graph``."""
    texts: list[str] = []
    levels: list[int] = []

    def wrap(index: int, minimum: int) -> str:
        text = texts[index]
        return text if levels[index] >= minimum else f"({text})"

    for node in graph.nodes:
        text, level = _node_text(node, wrap)
        texts.append(text)
        levels.append(level)
    return texts[graph.output]


def _node_text(node: Node, wrap) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    if node.op == "const":
        assert node.value is not None
        return format_number(node.value), _ATOM
    if node.op == "var":
        assert node.name is not None
        return node.name, _ATOM
    primitive = PRIMITIVES[node.op]
    level = _LEVEL.get(node.op, _ATOM)
    inputs = node.inputs
    if node.op == "neg":
        return f"-{wrap(inputs[0], _UNARY)}", level
    if node.op == "powi":
        assert node.value is not None
        exponent = format_number(node.value)
        return f"{wrap(inputs[0], _ATOM)}**{exponent}", level
    if node.op == "pow":
        return f"{wrap(inputs[0], _ATOM)}**{wrap(inputs[1], _UNARY)}", level
    if primitive.symbol is not None:  # add, sub, mul, div: left-associative
        spaced = f" {primitive.symbol} " if level == _SUM else primitive.symbol
        return f"{wrap(inputs[0], level)}{spaced}{wrap(inputs[1], level + 1)}", level
    arguments = ", ".join(wrap(i, 0) for i in inputs)
    return f"{node.op}({arguments})", level
