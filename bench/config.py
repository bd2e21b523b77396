"""How big a run is: ``full`` (``python -m bench``), ``quick`` (``--quick``, CI) and
``tiny`` (the smoke test).  All three run the same code paths; only counts differ."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Config"]


@dataclass(frozen=True)
class Config:
    mode: str
    rounds: int
    """Interleaved rounds per timed comparison (ratios get their min-max over these)."""
    sizes: tuple[int, ...]
    """Grid sizes N (N x N points)."""
    textbook_points: int
    """Grid points the textbook loop is timed on (then scaled to N x N)."""
    first_field_n: int
    descent_steps: int
    corpus_limit: int | None
    """Accuracy cases to run (None: the whole corpus)."""
    cost_cases: int
    """1-D cases timed for the per-derivative cost of richardson vs numdifftools."""
    http_requests: int
    """Sequential requests per throughput sample."""
    field_n_http: int
    memory_n: int
    target: float = 0.01
    """Seconds each timing sample lasts at least (fast calls are repeated)."""
    optional: bool = True
    """Use jax, numdifftools and scipy when installed (the smoke test turns them off)."""
    server: bool = True
    """Start the HTTP server (the smoke test turns it off)."""
    memory_functions: int = 3
    """How many benchmark functions get a peak-memory subprocess."""

    @classmethod
    def full(cls) -> Config:
        return cls("full", rounds=7, sizes=(50, 200, 400, 1000), textbook_points=1000,
                   first_field_n=200, descent_steps=10_000, corpus_limit=None, cost_cases=60,
                   http_requests=400, field_n_http=400, memory_n=1000)

    @classmethod
    def quick(cls) -> Config:
        return cls("quick", rounds=3, sizes=(50, 200), textbook_points=300,
                   first_field_n=200, descent_steps=10_000, corpus_limit=None, cost_cases=20,
                   http_requests=100, field_n_http=400, memory_n=1000, target=0.005)

    @classmethod
    def tiny(cls) -> Config:
        return cls("tiny", rounds=2, sizes=(20,), textbook_points=20, first_field_n=20,
                   descent_steps=200, corpus_limit=12, cost_cases=3, http_requests=5,
                   field_n_http=20, memory_n=50, target=0.001,
                   optional=False, server=False, memory_functions=1)
