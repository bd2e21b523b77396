"""How operators are written: binding levels and forms, shared by every text writer.

The printer (canonical text of an expression) and the code generator (Python source)
both write ``add``, ``sub``, ``mul``, ``div``, ``neg``, ``powi`` and ``pow`` as operators.
Both languages bind these the same way -- ``-x**2`` is ``-(x**2)``, ``**`` is
right-associative and takes a signed exponent (``2**-x``) -- so one table serves both;
each writer only chooses its spacing.

>>> write("sub", [("a", ATOM), ("b-c", SUM)])
('a-(b-c)', 1)
>>> write("mul", [("a + b", SUM), ("-c", UNARY)], spaced=True)
('(a + b)*-c', 2)
>>> write("powi", [("-x", UNARY), ("2", ATOM)])
('(-x)**2', 4)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["SUM", "PRODUCT", "UNARY", "POWER", "ATOM", "Form", "FORMS", "wrap", "write"]

SUM, PRODUCT, UNARY, POWER, ATOM = 1, 2, 3, 4, 5
"""Binding levels, loosest first: a piece of text of level L may stand unparenthesized
where an operand of level >= L is expected.  Calls, names and numbers are atoms."""


@dataclass(frozen=True)
class Form:
    """An operator: its symbol, its level, and the least level each operand needs."""

    symbol: str
    level: int
    operands: tuple[int, ...]


FORMS: dict[str, Form] = {
    # left-associative: a - (b - c) keeps its parentheses, (a - b) - c loses them
    "add": Form("+", SUM, (SUM, PRODUCT)),
    "sub": Form("-", SUM, (SUM, PRODUCT)),
    "mul": Form("*", PRODUCT, (PRODUCT, UNARY)),
    "div": Form("/", PRODUCT, (PRODUCT, UNARY)),
    "neg": Form("-", UNARY, (UNARY,)),
    # right-associative, tighter than unary minus on its left, a signed exponent allowed
    "powi": Form("**", POWER, (ATOM, UNARY)),
    "pow": Form("**", POWER, (ATOM, UNARY)),
}
"""The operator forms by primitive name (``pow`` is written ``**`` by the printer)."""


def wrap(text: str, level: int, minimum: int) -> str:
    """``text`` (of binding ``level``), parenthesized if it binds looser than ``minimum``."""
    return text if level >= minimum else f"({text})"


def write(op: str, operands: Sequence[tuple[str, int]], spaced: bool = False
          ) -> tuple[str, int]:
    """The text of operator ``op`` applied to operands given as ``(text, level)``.

    Returns the text and its level.  ``spaced`` puts spaces around ``+`` and ``-``
    (generated source is read by people; canonical text is kept short).
    """
    form = FORMS[op]
    texts = [wrap(text, level, minimum)
             for (text, level), minimum in zip(operands, form.operands, strict=True)]
    if len(texts) == 1:
        return f"{form.symbol}{texts[0]}", form.level
    symbol = f" {form.symbol} " if spaced and form.level == SUM else form.symbol
    return symbol.join(texts), form.level
