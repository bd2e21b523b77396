"""Printing a graph back as text that parses to the same graph.

Parentheses are added only where precedence needs them; numbers are printed in their
shortest form that reads back as the same float64.  Spaces are left out, so the text is
never longer than what was typed (but for the parentheses that ``pow(a + 1, b)`` needs
as ``(a+1)**b``) and stays within the same limits.  The walk is iterative over the
topological order (no recursion, whatever the depth).

>>> from engine import parse
>>> str(parse("(a + b) - (c - d)"))
'a+b-(c-d)'
>>> str(parse("-(x*y)**2 + 2**-x * pi"))
'-(x*y)**2+2**-x*pi'
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
    """Shortest text that reads back as ``value``: ``2``, ``0.1``, ``1e-05``, ``1e15``.

    >>> [format_number(v) for v in (2.0, 0.1, 1e-5, 1e15, 1e22, 123456.0, 2.5e-7)]
    ['2', '0.1', '1e-05', '1e15', '1e+22', '123456', '2.5e-07']
    """
    text = repr(value)
    if text.endswith(".0"):
        text = text[:-2]
    if "e" not in text and "." not in text:  # an integer: try "digits e exponent"
        digits = text.lstrip("-").rstrip("0")
        exponent = len(text.lstrip("-")) - len(digits)
        if exponent > 2:
            mantissa = digits if len(digits) == 1 else f"{digits[0]}.{digits[1:]}"
            short = f"{'-' if value < 0 else ''}{mantissa}e{exponent + len(digits) - 1}"
            text = short if len(short) < len(text) else text
    return text


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
        return node.name or format_number(node.value), _ATOM
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
        symbol = primitive.symbol
        return f"{wrap(inputs[0], level)}{symbol}{wrap(inputs[1], level + 1)}", level
    arguments = ",".join(wrap(i, 0) for i in inputs)
    return f"{node.op}({arguments})", level
