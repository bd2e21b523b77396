"""Interleaved timing: every case once per round, in rotating order, so drift hits all.

These machines are shared and absolute times drift up to 2x within minutes, so each
figure is the median over rounds, and each ratio is computed *within* a round (both
sides measured seconds apart) and reported with its min-max across rounds.

>>> samples = interleaved({"a": Case(lambda: sum(range(100))),
...                        "b": Case(lambda: sum(range(200)))}, rounds=3, target=1e-4)
>>> sorted(samples), len(samples["a"].times)
(['a', 'b'], 3)
>>> r = ratio(samples["b"], samples["a"])
>>> r.low <= r.median <= r.high
True
"""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Case", "Samples", "Ratio", "interleaved", "ratio", "fmt_seconds", "fmt_ratio",
           "fmt_range", "fmt_bytes"]


@dataclass(frozen=True)
class Case:
    """Something to time.

    ``number`` calls make one sample (None: calibrated so a sample lasts ``target``);
    ``fresh`` cases are timed one call per sample and never warmed up (cold starts).
    ``scale`` multiplies each sample (a subsample scaled up to the full size).
    """

    fn: Callable[[], Any]
    number: int | None = None
    fresh: bool = False
    scale: float = 1.0


@dataclass
class Samples:
    """Seconds per call, one entry per round."""

    name: str
    times: list[float] = field(default_factory=list)
    number: int = 1

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def low(self) -> float:
        return min(self.times)

    @property
    def high(self) -> float:
        return max(self.times)


@dataclass(frozen=True)
class Ratio:
    """A ratio a/b computed within each round: median and min-max across rounds."""

    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)


def _time_once(fn: Callable[[], Any], number: int) -> float:
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        return (time.perf_counter() - start) / number
    finally:
        if enabled:
            gc.enable()


def _calibrate(fn: Callable[[], Any], target: float) -> int:
    fn()  # warm-up: imports, caches, first-touch of memory
    single = _time_once(fn, 1)
    if single >= target:
        return 1
    return min(10_000, max(1, math.ceil(target / max(single, 1e-9))))


def interleaved(cases: dict[str, Case], rounds: int, target: float = 0.01) -> dict[str, Samples]:
    """Time every case once per round, rotating the order each round."""
    names = list(cases)
    results = {name: Samples(name) for name in names}
    for name in names:
        case = cases[name]
        if case.fresh:
            results[name].number = 1
        elif case.number is not None:
            case.fn()
            results[name].number = case.number
        else:
            results[name].number = _calibrate(case.fn, target)
    for r in range(rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            case = cases[name]
            gc.collect()
            seconds = _time_once(case.fn, results[name].number)
            results[name].times.append(seconds * case.scale)
    return results


def ratio(a: Samples, b: Samples) -> Ratio:
    """``a / b`` per round."""
    return Ratio(tuple(x / y for x, y in zip(a.times, b.times, strict=True)))


def fmt_seconds(seconds: float) -> str:
    """``1.23 ms`` style."""
    if not math.isfinite(seconds):
        return "n/a"
    for unit, factor in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= factor:
            return f"{seconds / factor:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def fmt_range(values: Sequence[float], fmt: Callable[[float], str]) -> str:
    """``median (min–max)``."""
    return f"{fmt(statistics.median(values))} ({fmt(min(values))}–{fmt(max(values))})"


def fmt_ratio(r: Ratio) -> str:
    """``3.1× (2.8–3.5)``."""
    return f"{r.median:.3g}× ({r.low:.3g}–{r.high:.3g})"


def fmt_bytes(count: float) -> str:
    """``12.3 MB`` (powers of 1000)."""
    for unit, factor in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= factor:
            return f"{count / factor:.3g} {unit}"
    return f"{count:.0f} B"
