"""Reverse mode over arrays: a program of steps, one forward loop, one backward loop.

A :class:`Program` is a straight-line list of :class:`Step` s (an operation of
:data:`engine.network.ops.OPERATIONS`, the names of its inputs and of its output) in
evaluation order -- which is already a topological order, so the reverse pass is
the steps backwards.  Values live in an environment ``{name: array}``; the backward
loop gives every differentiable input its cotangent and **accumulates** with ``+``,
so a value used by two steps gets both contributions.  Nothing here names an
operation: the rules are the table's.

>>> import numpy as np
>>> program = Program((Step("affine", ("X", "W", "b"), "Z"),
...                    Step("softmax_cross_entropy", ("Z", "T"), "L")))
>>> env = {"X": np.eye(2), "W": np.zeros((2, 2)), "b": np.zeros(2), "T": np.eye(2)}
>>> values, saved = forward(program, env)
>>> round(values["L"], 6)                 # uniform scores: ln 2
0.693147
>>> grads = backward(program, values, saved, ("W", "b"))
>>> grads["W"].tolist(), grads["b"].tolist()
([[-0.25, 0.25], [0.25, -0.25]], [0.0, 0.0])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ExpressionError
from .ops import OPERATIONS

__all__ = ["Step", "Program", "forward", "backward"]


@dataclass(frozen=True)
class Step:
    """``output = op(*inputs)``, by name."""

    op: str
    inputs: tuple[str, ...]
    output: str


@dataclass(frozen=True)
class Program:
    """Steps in evaluation order; the last step's output is the program's result."""

    steps: tuple[Step, ...]
    _rules: tuple[tuple[Any, ...], ...] = field(init=False, repr=False, compare=False)
    """Per step, looked up once: (evaluate, per-input vjp rules, inputs, output)."""
    _plans: dict[tuple[str, ...], tuple[Any, ...]] = field(
        init=False, repr=False, compare=False, default_factory=dict)
    """Per ``wrt``: the reverse sweep with only the rules it needs (worked out once)."""

    def __post_init__(self) -> None:
        rules = []
        for step in self.steps:
            row = OPERATIONS.get(step.op)
            if row is None:
                raise ExpressionError(f"no operation {step.op!r} in the table; the "
                                      f"operations are {', '.join(OPERATIONS)}",
                                      code="unknown_operation", field="op")
            if len(step.inputs) != len(row.inputs):
                raise ExpressionError(f"{step.op} takes {len(row.inputs)} inputs "
                                      f"({', '.join(row.inputs)}), got {len(step.inputs)}",
                                      code="bad_program", field="op")
            rules.append((row.evaluate, row.vjp, step.inputs, step.output))
        object.__setattr__(self, "_rules", tuple(rules))

    def plan(self, wrt: tuple[str, ...]) -> tuple[Any, ...]:
        """The reverse sweep for ``wrt``: per step, the last first, ``(k, inputs,
        output, ((input, rule), ...))`` keeping only the inputs that have a rule and
        whose cotangents lead to ``wrt`` (``wrt`` and every value depending on it)."""
        found = self._plans.get(wrt)
        if found is None:
            needed = set(wrt)
            for _, _, inputs, output in self._rules:
                if not needed.isdisjoint(inputs):
                    needed.add(output)
            sweep = []
            for k in range(len(self._rules) - 1, -1, -1):
                _, rules, inputs, output = self._rules[k]
                kept = tuple((name, rule) for name, rule in zip(inputs, rules, strict=True)
                             if rule is not None and name in needed)
                sweep.append((k, inputs, output, kept))
            found = self._plans[wrt] = tuple(sweep)
        return found

    @property
    def output(self) -> str:
        return self.steps[-1].output

    def upto(self, name: str) -> Program:
        """The steps up to the one that computes ``name`` (e.g. the scores, no loss)."""
        for k, step in enumerate(self.steps):
            if step.output == name:
                return Program(self.steps[: k + 1])
        raise ExpressionError(f"no step computes {name!r}", code="bad_program", field="op")


def forward(program: Program, env: Mapping[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    """Evaluate every step; returns all values by name and what each step saved."""
    values = dict(env)
    saved = []
    for evaluate, _, inputs, output in program._rules:
        value, keep = evaluate(*[values[name] for name in inputs])
        values[output] = value
        saved.append(keep)
    return values, saved


def backward(program: Program, values: Mapping[str, Any], saved: list[Any],
             wrt: Iterable[str], seed: Any = 1.0) -> dict[str, Any]:
    """Cotangents of ``wrt`` for the program's output, whose own cotangent is ``seed``.

    One loop over the steps in reverse; each step's rules turn its output's cotangent
    into the cotangents of those inputs that lead to ``wrt`` (no others are computed:
    not the data's) and they accumulate (a value no step reaches comes back as 0).
    """
    wanted = tuple(wrt)
    cotangents: dict[str, Any] = {program.output: seed}
    for k, inputs, output, rules in program.plan(wanted):
        G = cotangents.pop(output, None)
        if G is None or not rules:  # nothing downstream depends on it, or nothing wanted
            continue
        keep = saved[k]
        arguments = [values[name] for name in inputs]
        for name, rule in rules:
            ct = rule(G, keep, *arguments)
            cotangents[name] = cotangents[name] + ct if name in cotangents else ct
    return {name: cotangents[name] if name in cotangents else 0.0 * values[name]
            for name in wanted}
