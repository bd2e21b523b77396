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
from .precedence import ATOM, FORMS, UNARY, write

__all__ = ["to_text", "format_number"]


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
    pieces: list[tuple[str, int]] = []  # (text, binding level) of every node
    for node in graph.nodes:
        pieces.append(_node_text(node, [pieces[i] for i in node.inputs]))
    return pieces[graph.output][0]


def _node_text(node: Node, operands: list[tuple[str, int]]) -> tuple[str, int]:
    """The text and binding level of ``node``, given its operands' (text, level)."""
    if node.op == "const":
        assert node.value is not None
        return node.name or format_number(node.value), ATOM
    if node.op == "var":
        assert node.name is not None
        return node.name, ATOM
    if node.op == "powi":  # the integer exponent is a parameter, printed as a number
        assert node.value is not None
        operands = operands + [(format_number(node.value), UNARY if node.value < 0 else ATOM)]
    if node.op in FORMS:
        return write(node.op, operands)
    return f"{node.op}({','.join(text for text, _ in operands)})", ATOM
