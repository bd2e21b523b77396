"""The expressions an app has parsed lately, kept by text and variable order.

A page asks about one function many times -- a field, a descent, a gradient at each
point the pointer visits -- and parsing costs as much as a gradient at a point.  So an
app keeps what parsing the last :data:`EXPRESSION_CACHE` texts gave (least recently
used out), and a request for the same text and variable order again is not parsed again.

Each request still gets an :class:`engine.Expression` of its own: the kept graph, which
is immutable, with an empty memo.  What the engine derives from an expression for one
request (its generated functions, :meth:`engine.Expression.memoized`) goes with that
request, as it always did, so what is kept stays small (a 300-node expression is about
40 kB; 256 of the largest allowed, some 20 MB) whatever requests do with it; the engine
keeps its own bounded caches of generated source and code.  Text that fails to parse is
not kept: the next request gets the same error from the parser again.

>>> import engine
>>> parsed = ParsedExpressions(engine.Limits(), size=2)
>>> first = parsed.get("x**2 + y**2")
>>> again = parsed.get("x**2 + y**2")
>>> again is first, again.graph is first.graph, again == first
(False, True, True)
>>> parsed.peek("x**2 + y**2", ["y", "x"]) is None  # another variable order
True
>>> parsed.get("x*y", ["y", "x"]).variables
('y', 'x')
>>> _ = parsed.get("sin(x)")  # a third one: the least recently used goes
>>> parsed.peek("x**2 + y**2") is None, len(parsed)
(True, 2)
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Sequence

import engine

__all__ = ["EXPRESSION_CACHE", "ParsedExpressions"]

#: Parsed expressions an app keeps (by text and variable order).
EXPRESSION_CACHE = 256

_Key = tuple[str, tuple[str, ...] | None]


class ParsedExpressions:
    """Expressions parsed under ``limits``, the ``size`` most recently used kept.

    Safe to use from several threads: the table is locked only to look up and to
    store; parsing itself runs outside the lock (two threads that parse the same new
    text at once both parse it, and one result is kept).
    """

    def __init__(self, limits: engine.Limits, size: int = EXPRESSION_CACHE) -> None:
        self.limits = limits
        self.size = size
        self._kept: OrderedDict[_Key, engine.Expression] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    def peek(self, text: str, variables: Sequence[str] | None = None
             ) -> engine.Expression | None:
        """``text`` in this variable order as :meth:`get` gives it if it is kept, else
        None (without parsing)."""
        key = _key(text, variables)
        with self._lock:
            found = self._kept.get(key)
            if found is None:
                return None
            self._kept.move_to_end(key)
        return _own(found)

    def get(self, text: str, variables: Sequence[str] | None = None) -> engine.Expression:
        """``text`` parsed (:func:`engine.parse` under ``limits``) -- from what parsing it
        gave before, when that is kept; raises :class:`engine.ExpressionError` as the
        parser does.  The expression is the caller's own (an empty memo)."""
        found = self.peek(text, variables)
        if found is not None:
            return found
        key = _key(text, variables)
        expr = engine.parse(text, variables=key[1], limits=self.limits)
        with self._lock:
            self._kept[key] = expr
            self._kept.move_to_end(key)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return _own(expr)


def _key(text: str, variables: Sequence[str] | None) -> _Key:
    return text, None if variables is None else tuple(variables)


def _own(kept: engine.Expression) -> engine.Expression:
    """A new expression with the kept one's text, graph, variables and columns (all
    immutable, shared) and a memo of its own (empty)."""
    return dataclasses.replace(kept)
