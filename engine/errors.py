"""The engine's one error hierarchy.

Every problem with user input -- malformed text, a limit exceeded, a point of the
wrong shape, a method that does not apply -- is an :class:`ExpressionError`.  The
HTTP layer turns it into a 422 in one place; nothing in the engine knows about HTTP.

>>> err = ExpressionError("unknown function 'foo'", column=1, code="unknown_function")
>>> str(err)
"unknown function 'foo' at column 1"
>>> err.column, err.code, err.field
(1, 'unknown_function', 'expr')
>>> err.reason
"unknown function 'foo'"
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["ExpressionError", "DeadlineExceeded", "deadline_check"]


class ExpressionError(ValueError):
    """A user input the engine refuses, with a message that says what and where.

    Parameters
    ----------
    message : str
        What is wrong, for a person.  `` at column N`` is appended when a column is known.
    column : int, optional
        1-based column in the expression text.
    code : str
        Short machine-readable reason, e.g. ``"unknown_function"``, ``"too_long"``.
    field : str
        Which argument is wrong: ``"expr"`` (default), ``"point"``, ``"method"``, ...
    hint : str, optional
        A suggestion appended after the column, e.g. ``"did you mean sin?"``.
    """

    def __init__(
        self,
        message: str,
        *,
        column: int | None = None,
        code: str = "invalid",
        field: str = "expr",
        hint: str | None = None,
    ) -> None:
        self.reason = f"{message} ({hint})" if hint else message
        """The message without its column: for showing away from the expression's text."""
        if column is not None:
            message = f"{message} at column {column}"
        if hint:
            message = f"{message} ({hint})"
        super().__init__(message)
        self.message = message
        self.column = column
        self.code = code
        self.field = field

    def __str__(self) -> str:
        return self.message


class DeadlineExceeded(ExpressionError):
    """A computation ran past the deadline it was given (a work backstop)."""

    def __init__(self, message: str, *, field: str = "expr") -> None:
        super().__init__(message, code="deadline", field=field)


def deadline_check(deadline: float | None, advice: str, field: str = "expr"
                   ) -> Callable[[], None] | None:
    """A check to run between blocks of work: it raises :class:`DeadlineExceeded` once
    ``time.monotonic()`` is past ``deadline`` (None: no check).

    >>> deadline_check(None, "use a smaller grid") is None
    True
    >>> check = deadline_check(0.0, "use less")  # long passed
    >>> check()
    Traceback (most recent call last):
    ...
    engine.errors.DeadlineExceeded: the computation took longer than its time limit; use less
    """
    if deadline is None:
        return None

    def check() -> None:
        if time.monotonic() > deadline:
            raise DeadlineExceeded(f"the computation took longer than its time limit; {advice}",
                                   field=field)

    return check
