"""engine/outcomes.py: the one table of how a run ends, and every loop keeps to it."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

import engine
from engine import outcomes


def test_every_reason_has_a_status_of_the_three():
    assert outcomes.STATUSES == ("completed", "converged", "diverged")
    assert {row.status for row in outcomes.OUTCOMES.values()} == set(outcomes.STATUSES)
    not_finite = [name for name in outcomes.REASONS if name.endswith("_not_finite")]
    assert all(outcomes.OUTCOMES[name].what for name in not_finite if name != "start_not_finite")


def test_the_generated_and_generic_loops_end_only_with_reasons_of_the_table():
    for module in ("loopgen.py", "optimize.py", "sweep.py"):
        source = (Path(engine.__file__).parent / module).read_text()
        written = set(re.findall(r"reason\w*(?:\[[^\]]*\])? = ['\"](\w+)['\"]", source))
        written |= set(re.findall(r"['\"](\w+_not_finite|value_grew|all_steps)['\"]", source))
        assert written and written <= set(outcomes.REASONS), module


def test_runs_report_the_tables_status_for_their_reason():
    bowl = engine.parse("x**2 + 10*y**2")
    for lr, tol, status in ((0.01, 0.0, "completed"), (0.05, 1e-3, "converged"),
                            (0.5, 0.0, "diverged")):
        run = engine.descend(bowl, [-3, 4], lr=lr, steps=300, tol=tol)
        assert run.status == outcomes.status_of(run.reason) == status
        batch = engine.descend_batch(bowl, np.array([[-3.0, 4.0]]), np.array([lr]), steps=300,
                                     tol=tol)
        assert batch.reason[0] == run.reason and batch.status[0] == run.status
