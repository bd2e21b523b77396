"""Smoke test of the benchmark suite: a tiny run, checked for structure only.

No timing is asserted anywhere; the suite reports met / not met in bench/RESULTS.md.
"""

from __future__ import annotations

import doctest
import math

import pytest

import bench
import bench.corpus
import bench.functions
import bench.timing
import engine
from bench.__main__ import main
from bench.accuracy import relative_error, truth
from bench.report import VERDICTS


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[bench.report.Section], str]:
    output = tmp_path_factory.mktemp("bench") / "RESULTS.md"
    sections, text = bench.run_suite(bench.Config.tiny(), output, log=lambda _: None)
    assert output.read_text() == text
    return sections, text


def test_tiny_run_has_every_part_and_none_failed(tiny_run):
    sections, _ = tiny_run
    assert len(sections) == len(bench.PARTS)
    assert [s.title for s in sections if s.failed] == []


def test_report_has_machine_versions_and_a_verdict_per_target(tiny_run):
    sections, text = tiny_run
    for heading in ("## Machine", "## Versions", "## Targets", "| cpu |", "| python |"):
        assert heading in text
    targets = [t for s in sections for t in s.targets]
    assert targets
    for t in targets:
        assert t.met in VERDICTS
        assert t.target in text


def test_ratios_carry_min_and_max_across_rounds():
    samples = bench.timing.interleaved(
        {"a": bench.timing.Case(lambda: None), "b": bench.timing.Case(lambda: sum(range(50)))},
        rounds=3, target=1e-4)
    r = bench.timing.ratio(samples["b"], samples["a"])
    assert len(r.values) == 3
    assert r.low <= r.median <= r.high
    assert "×" in bench.timing.fmt_ratio(r)


def test_corpus_is_large_and_covers_the_language():
    cases = bench.corpus.build_corpus()
    assert len(cases) >= 250
    used = set().union(*(engine.parse(c.text).graph.primitives for c in cases))
    assert set(engine.ops.FUNCTIONS) <= used


def test_truth_is_the_exact_derivative():
    exact = truth(engine.parse("sin(x)"), [0.5])
    assert exact is not None
    assert relative_error([math.cos(0.5)], exact) < 2e-16
    assert relative_error([float("nan")], exact) == math.inf
    assert truth(engine.parse("1/x"), [0.0]) is None


@pytest.mark.parametrize("module", [bench.timing, bench.functions, bench.corpus])
def test_doctests(module):
    failed, _ = doctest.testmod(module)
    assert failed == 0


def test_command_line_writes_the_report(tmp_path):
    output = tmp_path / "out.md"
    assert main(["--tiny", "--only", "descent", "--output", str(output)]) == 0
    assert "## Descent" in output.read_text()
