"""Learning-rate sweeps: one ``POST /sweep`` against as many ``POST /descent`` calls.

* 200 rates × 1,000 gd steps on Rosenbrock: one ``/sweep`` (every run a row of one array,
  one array operation per step) against 200 sequential ``/descent`` calls for the same
  rates, end to end over HTTP on 127.0.0.1, interleaved in the same rounds; target ≥ 10×.
* The contract's 60-rate example (``x**2 + 10*y**2``, 200 steps): its time end to end,
  which must be well under a second.

A configuration with the server off (the smoke test) times the engine only:
``engine.sweep_learning_rate`` against 200 ``engine.descend`` calls.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import engine

from .config import Config
from .functions import FUNCTIONS
from .report import Section, Target, table
from .server import LocalServer
from .timing import Case, fmt_ratio, fmt_seconds, interleaved, ratio

__all__ = ["run_sweep"]

START = [-1.5, 2.0]
_TARGET = 10.0
_REQUEST_TIMEOUT = 120.0
EXAMPLE = {"expr": "x**2 + 10*y**2", "start": [-3, 4], "optimizer": "gd", "lr_min": 1e-4,
           "lr_max": 1, "n": 60, "steps": 200, "tol": 1e-8}


def run_sweep(config: Config) -> Section:
    rates, steps = (200, 1000) if config.mode != "tiny" else (20, 100)
    text = FUNCTIONS["rosenbrock"].text
    section = Section(f"Learning-rate sweep ({rates} rates × {steps:,} gd steps on Rosenbrock "
                      f"from {START})")
    body = {"expr": text, "start": START, "lr_min": 1e-5, "lr_max": 1e-2, "n": rates,
            "steps": steps}
    lrs = np.geomspace(1e-5, 1e-2, rates).tolist()
    rounds = max(config.rounds // 2, 2)
    if not config.server:
        expr = engine.parse(text)
        samples = interleaved({
            "engine.sweep_learning_rate": Case(lambda: engine.sweep_learning_rate(
                expr, START, 1e-5, 1e-2, n=rates, steps=steps), number=1),
            f"{rates} × engine.descend": Case(lambda: [engine.descend(
                expr, START, lr=lr, steps=steps, max_points=2) for lr in lrs], number=1),
        }, rounds)
        _report(section, samples, rates, steps, met=None, note="engine only: no server")
        return section
    import httpx

    with LocalServer() as server, httpx.Client(base_url=server.url,
                                               timeout=_REQUEST_TIMEOUT) as client:
        answer = client.post("/sweep", json=body)
        if answer.status_code != 200:
            raise RuntimeError(f"POST /sweep answered {answer.status_code}: {answer.text[:200]}")
        sweep = answer.json()

        def one_sweep() -> Any:
            return client.post("/sweep", json=body).read()

        def descents() -> Any:
            return [client.post("/descent", json={"expr": text, "start": START, "lr": lr,
                                                  "steps": steps, "max_points": 2}).read()
                    for lr in lrs]

        def example() -> Any:
            return client.post("/sweep", json=EXAMPLE).read()

        samples = interleaved({"POST /sweep": Case(one_sweep, number=1),
                               f"{rates} × POST /descent": Case(descents, number=1)}, rounds)
        examples = interleaved({"contract example": Case(example)}, max(config.rounds, 3),
                               config.target)
        check = client.post("/descent", json={"expr": text, "start": START, "lr": lrs[-1],
                                              "steps": steps}).json()
    same = bool(np.allclose(check["final"], sweep["final"][-1], rtol=1e-10))
    counts = {status: sweep["status"].count(status) for status in sorted(set(sweep["status"]))}
    section.body += [f"Sanity: the sweep's last run and `/descent` at lr {lrs[-1]:g} end at "
                     f"{sweep['final'][-1]} and {check['final']} "
                     f"({'the same' if same else 'DIFFERENT'}); statuses {counts}.", ""]
    _report(section, samples, rates, steps, met=True)
    seconds = examples["contract example"].median
    section.body += ["", f"The contract's 60-rate example end to end: {fmt_seconds(seconds)} "
                         f"(median of {len(examples['contract example'].times)} rounds)."]
    section.targets.append(Target("the 60-rate contract example answers well under 1 s",
                                  fmt_seconds(seconds), seconds < 0.5))
    return section


def _report(section: Section, samples: dict[str, Any], rates: int, steps: int,
            met: bool | None, note: str = "") -> None:
    names = list(samples)
    r = ratio(samples[names[1]], samples[names[0]])
    section.body += table(["what", "median time", "per run"], [
        [name, fmt_seconds(s.median), fmt_seconds(s.median / rates)]
        for name, s in samples.items()])
    full = rates >= 200 and steps >= 1000
    section.targets.append(Target(
        f"one sweep of 200 rates × 1,000 Rosenbrock steps ≥ {_TARGET:g}× faster than "
        f"200 /descent calls", fmt_ratio(r),
        (r.median >= _TARGET) if (met and full) else None,
        note=note or ("" if full else f"measured at {rates} × {steps} only")))
