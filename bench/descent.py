"""Descent: 10,000 gd steps on Rosenbrock from (-1.5, 2) with lr 1e-3.

Issue 15's targets: ``engine.descend`` (the generated loop) within 1.5x of a hand-written
Python loop doing the same gradient, update and recording; the same with central
differences (h = 1e-4) against a hand-written loop doing the same differences on floats,
and the numpy calls of a run counted at 1,000 and 10,000 steps (equal: none per step).
``POST /descent`` end to end is in :mod:`bench.http` (it needs the server).

``engine.descend`` (parse outside the timing; code generation, loop and result arrays
inside) against the same loop driven by a hand-written pure-Python gradient.  When
the engine exposes its loop as ``engine.optimize.run_optimizer(value_and_gradient,
start, update, steps)`` the hand gradient drives *that* loop, so the ratio isolates
the gradient function; otherwise a hand-written copy of the loop is timed and the
report says so.  A bare loop (update and gradient only, no bookkeeping) is shown for
scale.
"""

from __future__ import annotations

import functools
import math
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

import engine
from engine import optimize as engine_optimize

from .config import Config
from .functions import FUNCTIONS
from .report import Section, Target, table
from .timing import Case, fmt_ratio, fmt_seconds, interleaved, ratio

__all__ = ["run_descent", "rosenbrock_value_and_gradient"]

START = (-1.5, 2.0)
LR = 1e-3
_TARGET = 1.3
_RECORDING_TARGET = 1.5


def rosenbrock_value_and_gradient(x: list[float]) -> tuple[float, list[float]]:
    """Hand-written Rosenbrock value and gradient on plain floats."""
    x0, x1 = x
    a = 1.0 - x0
    b = x1 - x0 * x0
    return a * a + 100.0 * b * b, [-2.0 * a - 400.0 * x0 * b, 200.0 * b]


def _copied_loop(value_and_gradient: Callable[[list[float]], tuple[float, list[float]]],
                 steps: int) -> list[float]:
    """A copy of ``descend``'s loop (update, finiteness checks, norms, path, divergence)."""
    update = engine_optimize.make_update("gd", LR)
    x = list(START)
    value, grad = value_and_gradient(x)
    path, values, norms = [x], [value], [math.sqrt(sum(g * g for g in grad))]
    limit = 1e10 * (1.0 + abs(value))
    first = value
    for step in range(1, steps + 1):
        x_next = update(x, grad, step)
        if not all(math.isfinite(v) for v in x_next):
            break
        value_next, grad_next = value_and_gradient(x_next)
        if not (math.isfinite(value_next) and all(math.isfinite(g) for g in grad_next)):
            break
        x, value, grad = x_next, value_next, grad_next
        path.append(x)
        values.append(value)
        norms.append(math.sqrt(sum(g * g for g in grad)))
        if abs(value - first) > limit:
            break
    np.asarray(path)  # descend returns arrays
    return x


def _recording_loop(steps: int) -> list[float]:
    """The textbook's loop by hand: gradient, update, and the record descend keeps (the
    path, f and the gradient norm at every step) -- the baseline of issue 15's target."""
    x0, x1 = START
    path0, path1, values, norms = [x0], [x1], [], []
    for _ in range(steps):
        value, (g0, g1) = rosenbrock_value_and_gradient([x0, x1])
        values.append(value)
        norms.append(math.hypot(g0, g1))
        x0, x1 = x0 - LR * g0, x1 - LR * g1
        path0.append(x0)
        path1.append(x1)
    return [x0, x1]


H = 1e-4
"""The step of the central-difference runs."""


def _rosenbrock(x0: float, x1: float) -> float:
    a = 1.0 - x0
    b = x1 - x0 * x0
    return a * a + 100.0 * b * b


def _central_recording_loop(steps: int) -> list[float]:
    """The textbook's loop with central differences by hand on floats (f at the point
    for the record, at x ± h per coordinate), and the same recording."""
    x0, x1 = START
    path0, path1, values, norms = [x0], [x1], [], []
    f = _rosenbrock
    for _ in range(steps):
        values.append(f(x0, x1))
        g0 = (f(x0 + H, x1) - f(x0 - H, x1)) / (2 * H)
        g1 = (f(x0, x1 + H) - f(x0, x1 - H)) / (2 * H)
        norms.append(math.hypot(g0, g1))
        x0, x1 = x0 - LR * g0, x1 - LR * g1
        path0.append(x0)
        path1.append(x1)
    return [x0, x1]


def numpy_calls(run: Callable[[], Any]) -> int:
    """How many calls into numpy one ``run()`` makes (its functions and the methods of its
    arrays and ufuncs), counted by a profiler hook."""
    count = 0

    def hook(frame: Any, event: str, arg: Any) -> None:
        nonlocal count
        if event == "c_call":
            owner = getattr(arg, "__self__", None)
            module = getattr(arg, "__module__", None) or type(owner).__module__ or ""
            if module.startswith("numpy") or isinstance(owner, np.ndarray | np.ufunc):
                count += 1
        elif event == "call" and frame.f_globals.get("__name__", "").startswith("numpy"):
            count += 1

    previous = sys.getprofile()
    sys.setprofile(hook)
    try:
        run()
    finally:
        sys.setprofile(previous)
    return count


def _bare_loop(steps: int) -> list[float]:
    x0, x1 = START
    for _ in range(steps):
        _, (g0, g1) = rosenbrock_value_and_gradient([x0, x1])
        x0, x1 = x0 - LR * g0, x1 - LR * g1
    return [x0, x1]


def run_descent(config: Config) -> Section:
    steps = config.descent_steps
    section = Section(f"Descent ({steps:,} gd steps on Rosenbrock from {START}, lr {LR:g})")
    expr = engine.parse(FUNCTIONS["rosenbrock"].text)
    run_optimizer = getattr(engine_optimize, "run_optimizer", None)

    def ours() -> Any:
        return engine.descend(expr, list(START), lr=LR, steps=steps)

    if run_optimizer is not None:
        def hand() -> Any:
            return run_optimizer(rosenbrock_value_and_gradient, list(START),
                                 engine_optimize.make_update("gd", LR), steps)
        how = ("`engine.optimize.run_optimizer` (the loop `descend` runs) driven by the "
               "hand-written gradient")
    else:
        def hand() -> Any:
            return _copied_loop(rosenbrock_value_and_gradient, steps)
        how = ("a copy of `descend`'s loop (engine.optimize exposes no loop taking a "
               "gradient callable) driven by the hand-written gradient")
    cases = {"engine.descend": Case(ours), "same loop, hand gradient": Case(hand),
             "hand-written loop with recording": Case(lambda: _recording_loop(steps)),
             "bare loop, hand gradient": Case(lambda: _bare_loop(steps))}
    samples = interleaved(cases, max(2 * config.rounds + 1, 5), 10 * config.target)
    r = ratio(samples["engine.descend"], samples["same loop, hand gradient"])
    recording = ratio(samples["engine.descend"], samples["hand-written loop with recording"])
    bare = ratio(samples["engine.descend"], samples["bare loop, hand gradient"])
    section.body += table(["variant", "median time", "per step", "engine.descend / variant"], [
        [name, fmt_seconds(s.median), fmt_seconds(s.median / max(steps, 1)),
         fmt_ratio(ratio(samples["engine.descend"], s))]
        for name, s in samples.items()])
    final = ours().final
    expected = _bare_loop(steps)
    section.body += ["", f"Sanity: engine final point {final.tolist()}, hand loop "
                         f"{expected}; max difference "
                         f"{float(np.max(np.abs(final - expected))):.2g}."]
    section.notes.append(f"\"Same loop\" is {how}.")
    section.notes.append("The bare loop (gradient and update only, no path, checks or "
                         f"arrays) is for scale: engine.descend / bare = {fmt_ratio(bare)}.")
    section.profiles["descent"] = (f"`engine.descend(rosenbrock, {list(START)}, lr={LR:g}, "
                                   f"steps={steps})`", ours)
    section.targets.append(Target(
        f"descent {steps:,} steps (the whole loop generated): ≤ {_RECORDING_TARGET}× a "
        "hand-written Python loop doing the same gradient, update and recording",
        fmt_ratio(recording), recording.median <= _RECORDING_TARGET if steps >= 10_000 else None,
        note="" if steps >= 10_000 else "fewer steps than the target's 10,000",
        profile="descent"))
    _central(section, config, expr)
    section.targets.append(Target(
        f"descent {steps:,} steps: ≤ {_TARGET}× the same loop with a hand-written gradient",
        fmt_ratio(r), r.median <= _TARGET if steps >= 10_000 else None,
        note="" if steps >= 10_000 else "fewer steps than the target's 10,000",
        profile="descent"))
    return section


def _central(section: Section, config: Config, expr: engine.Expression) -> None:
    """Central differences (h = 1e-4) in the generated loop, against the hand loop."""
    steps = config.descent_steps

    def ours(n: int = steps) -> Any:
        return engine.descend(expr, list(START), lr=LR, steps=n, method="central", h=H)

    samples = interleaved({"engine.descend, central": Case(ours),
                           "hand-written central loop with recording":
                               Case(lambda: _central_recording_loop(steps))},
                          max(2 * config.rounds + 1, 5), 10 * config.target)
    r = ratio(samples["engine.descend, central"],
              samples["hand-written central loop with recording"])
    short, long = max(steps // 10, 1), steps
    calls = {n: numpy_calls(functools.partial(ours, n)) for n in (short, long)}
    final, expected = ours().final.tolist(), _central_recording_loop(steps)
    section.body += ["", f"Central differences (h = {H:g}), {steps:,} steps, same start and "
                         "rate:", ""]
    section.body += table(["variant", "median time", "per step", "engine / variant"], [
        [name, fmt_seconds(s.median), fmt_seconds(s.median / max(steps, 1)),
         fmt_ratio(ratio(samples["engine.descend, central"], s))]
        for name, s in samples.items()])
    section.body += ["", f"Numpy calls in one `engine.descend(..., method=\"central\")`: "
                         f"{calls[short]} at {short:,} steps, {calls[long]} at {long:,} steps. "
                         f"Final point {final} (hand loop {expected}; the engine's stencil "
                         "subtracts the same floats, so they agree to rounding)."]
    section.profiles["descent-central"] = (
        f"`engine.descend(rosenbrock, {list(START)}, lr={LR:g}, steps={steps}, "
        f"method='central', h={H:g})`", ours)
    full = steps >= 10_000
    section.targets.append(Target(
        f"descent {steps:,} steps with central differences (h = {H:g}) in the generated "
        f"loop: ≤ {_RECORDING_TARGET}× a hand-written float loop doing the same differences, "
        "update and recording", fmt_ratio(r), r.median <= _RECORDING_TARGET if full else None,
        note="" if full else "fewer steps than the target's 10,000",
        profile="descent-central"))
    section.targets.append(Target(
        "numerical methods in descent run on plain floats: no numpy call per step "
        f"(numpy calls at {short:,} and at {long:,} steps equal)",
        f"{calls[short]} and {calls[long]}", calls[short] == calls[long],
        profile="descent-central"))
