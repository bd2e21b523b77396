"""The expressions an app has parsed lately, kept by text and variable order.

A page asks about one function many times -- a field, a descent, a gradient at each
point the pointer visits -- and parsing costs as much as a gradient at a point.  So an
app keeps the :class:`engine.Expression` of the last :data:`EXPRESSION_CACHE` texts it
parsed (least recently used out) and hands the same object to every request that asks
for the same text and variable order again.  Sharing it is safe: an ``Expression`` is
immutable, and what it memoizes (its generated code, see
:meth:`engine.Expression.memoized`) is derived from its graph alone.  Text that fails to
parse is not kept: the next request gets the same error from the parser again.

>>> import engine
>>> parsed = ParsedExpressions(engine.Limits(), size=2)
>>> first = parsed.get("x**2 + y**2")
>>> parsed.get("x**2 + y**2") is first, parsed.peek("x**2 + y**2") is first
(True, True)
>>> parsed.peek("x**2 + y**2", ["y", "x"]) is None  # another variable order
True
>>> parsed.get("x*y", ["y", "x"]).variables
('y', 'x')
>>> _ = parsed.get("sin(x)")  # a third one: the least recently used goes
>>> parsed.peek("x**2 + y**2") is None, len(parsed)
(True, 2)
"""

from __future__ import annotations

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
        """The kept expression of ``text`` in this variable order, or None (no parsing)."""
        key = _key(text, variables)
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
            return found

    def get(self, text: str, variables: Sequence[str] | None = None) -> engine.Expression:
        """``text`` parsed (:func:`engine.parse` under ``limits``), or the kept result of
        parsing it before; raises :class:`engine.ExpressionError` as the parser does."""
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
        return expr


def _key(text: str, variables: Sequence[str] | None) -> _Key:
    return text, None if variables is None else tuple(variables)
