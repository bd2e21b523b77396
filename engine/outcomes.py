"""How a descent run ends: every reason, the status it gives, and what it means.

The one table of outcomes, read by the generic loop (:mod:`engine.optimize`), the
generated one (:mod:`engine.loopgen`, whose code ends with one of these reasons), the
batched runs (:mod:`engine.sweep`) and the HTTP schemas (``status`` and ``reason`` of
``/descent`` and ``/sweep``).

>>> OUTCOMES["tol"].status, status_of("value_grew")
('converged', 'diverged')
>>> STATUSES
('completed', 'converged', 'diverged')
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DIVERGENCE_FACTOR", "OUTCOMES", "REASONS", "STATUSES", "Outcome", "status_of"]

#: A run diverges when |f - f(start)| > DIVERGENCE_FACTOR·(1 + |f(start)|) (the default).
DIVERGENCE_FACTOR = 1e10


@dataclass(frozen=True)
class Outcome:
    """One way a run ends: its ``status`` and, for the non-finite ones, ``what`` stopped
    being finite (as the message words it)."""

    status: str
    meaning: str
    what: str | None = None


OUTCOMES: dict[str, Outcome] = {
    "all_steps": Outcome("completed", "every step ran"),
    "tol": Outcome("converged", "the gradient norm reached tol (> 0)"),
    "start_not_finite": Outcome("diverged", "f or its gradient is not finite at the start"),
    "coordinate_not_finite": Outcome("diverged", "a coordinate stopped being finite",
                                     "a coordinate"),
    "value_not_finite": Outcome("diverged", "f stopped being finite", "f"),
    "gradient_not_finite": Outcome("diverged", "the gradient stopped being finite",
                                   "the gradient"),
    "value_grew": Outcome("diverged", "|f - f(start)| passed divergence_factor·(1 + |f(start)|)"),
}

#: Every reason, in the table's order.
REASONS = tuple(OUTCOMES)
#: Every status, in order of first appearance in the table.
STATUSES = tuple(dict.fromkeys(outcome.status for outcome in OUTCOMES.values()))


def status_of(reason: str) -> str:
    """The status a run ending for ``reason`` has.

    >>> status_of("all_steps")
    'completed'
    """
    return OUTCOMES[reason].status
