"""Size limits on expressions, checked before any other work.

>>> DEFAULT_LIMITS.max_length, DEFAULT_LIMITS.max_nodes, DEFAULT_LIMITS.max_depth
(1000, 500, 50)
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Limits", "DEFAULT_LIMITS"]


@dataclass(frozen=True)
class Limits:
    """How large an expression may be.

    ``max_length`` counts characters of text, ``max_nodes`` the nodes of the parse tree
    (every number, name, operator and call), ``max_depth`` the syntactic nesting
    (parentheses, calls, unary signs and powers inside each other).
    """

    max_length: int = 1000
    max_nodes: int = 500
    max_depth: int = 50


DEFAULT_LIMITS = Limits()
