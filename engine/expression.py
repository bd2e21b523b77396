"""The parsed expression that every computation takes.

>>> from engine import parse
>>> expr = parse("x*y + sin(x)")
>>> expr.variables, expr.node_count
(('x', 'y'), 5)
>>> str(expr)
'x*y+sin(x)'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .graph import Graph
from .printer import to_text

__all__ = ["Expression"]


@dataclass(frozen=True)
class Expression:
    """A user's text, its graph, and the order of its variables.

    ``variables`` may name variables the text does not use (their partials are 0);
    ``columns`` maps each primitive used to the first column where it appears, for
    messages such as "complex step needs an analytic function; abs at column 3".
    """

    text: str
    graph: Graph
    variables: tuple[str, ...]
    columns: Mapping[str, int] = field(default_factory=dict, compare=False)
    _memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def memoized(self, key: str, build: Callable[[], Any]) -> Any:
        """What ``build()`` derives from this (immutable) expression, built once.

        The memo lives on the expression, so nothing is shared between requests.
        """
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = build()
        return found

    @property
    def node_count(self) -> int:
        """Nodes of the graph: the unit of work of one evaluation."""
        return len(self.graph.nodes)

    def __str__(self) -> str:
        return to_text(self.graph)
