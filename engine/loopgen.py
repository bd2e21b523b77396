"""The whole descent loop as generated straight-line Python.

Per step, :func:`engine.optimize.run_optimizer` calls an update closure, a gradient
function and a few checks -- each a Python call, which costs more than the arithmetic.
This module writes one function per (expression, optimizer, method) that runs every step
inline: the gradient lines of the reverse sweep (:mod:`engine.codegen`, generated from our
own validated graph -- never from user text), the optimizer table's update rule written
out by running it over :class:`Emitter` terms (each operation becomes one line, so nothing
is computed twice), the finiteness and divergence checks, and the recording of path,
values and gradient norms.  The floats are those of the generic loop, operation for
operation, so both give the same run to the last bit.

Where the generated gradient raises (a Python float error, or a NaN that the careful chain
rule treats differently), that point is redone by the numpy path, as in the generic loop.

>>> from engine import parse
>>> from engine.optimizers import OPTIMIZERS
>>> loop = descent_loop(parse("x**2 + y**2"), OPTIMIZERS["gd"], "autodiff", None)
>>> reason, steps, path, values, norms = loop([-3.0, 4.0], 0.1, 3, 0.0, None, None, {},
...                                          lambda x: None)
>>> reason, steps, [round(v, 12) for v in values]
('all_steps', 3, [25.0, 16.0, 10.24, 6.5536])
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

from .codegen import SCALAR_GLOBALS, UndefinedGradient, generate_source
from .errors import DeadlineExceeded
from .expression import Expression
from .optimizers import Optimizer

__all__ = ["Emitter", "descent_loop"]

Loop = Callable[..., tuple[str, int, list[list[float]], list[float], list[float]]]


class Emitter:
    """A term of generated code: each operation on emitters appends one line
    ``w{k} = ...`` to ``lines`` and returns the emitter naming its result."""

    __slots__ = ("name", "lines")

    def __init__(self, name: str, lines: list[str]) -> None:
        self.name = name
        self.lines = lines

    def _emit(self, text: str) -> Emitter:
        name = f"w{len(self.lines)}"
        self.lines.append(f"{name} = {text}")
        return Emitter(name, self.lines)

    def _binary(self, other: Any, symbol: str, flipped: bool = False) -> Emitter:
        a, b = self.name, _text(other)
        return self._emit(f"{b} {symbol} {a}" if flipped else f"{a} {symbol} {b}")

    def __add__(self, other: Any) -> Emitter:
        return self._binary(other, "+")

    def __radd__(self, other: Any) -> Emitter:
        return self._binary(other, "+", True)

    def __sub__(self, other: Any) -> Emitter:
        return self._binary(other, "-")

    def __rsub__(self, other: Any) -> Emitter:
        return self._binary(other, "-", True)

    def __mul__(self, other: Any) -> Emitter:
        return self._binary(other, "*")

    def __rmul__(self, other: Any) -> Emitter:
        return self._binary(other, "*", True)

    def __truediv__(self, other: Any) -> Emitter:
        return self._binary(other, "/")

    def __rtruediv__(self, other: Any) -> Emitter:
        return self._binary(other, "/", True)

    def __pow__(self, other: Any) -> Emitter:
        return self._binary(other, "**")

    def __rpow__(self, other: Any) -> Emitter:
        return self._binary(other, "**", True)

    def __neg__(self) -> Emitter:
        return self._emit(f"-{self.name}")


def _text(value: Any) -> str:
    if isinstance(value, Emitter):
        return value.name
    number = float(value)
    if not math.isfinite(number):  # the rules hold only finite constants
        raise ValueError("non-finite constant in an update rule")
    return repr(number)


def _sqrt(a: Emitter) -> Emitter:
    return a._emit(f"_sqrt({a.name})")


def _lerp(start: Emitter, end: Emitter, weight: Any) -> Emitter:
    """``torch.lerp`` exactly as the float rules compute it (the branch on the weight)."""
    s, e, w = start.name, _text(end), _text(weight)
    return start._emit(f"({s} + {w} * ({e} - {s})) if {w} < 0.5 else "
                       f"({e} - ({e} - {s}) * (1 - {w}))")


EMITTERS = SimpleNamespace(sqrt=_sqrt, lerp=_lerp)
"""The operations an update rule needs, writing code."""


def _gradient_block(expr: Expression) -> tuple[list[str], str, list[str]]:
    """The reverse sweep's lines (inputs ``a0, a1, ...``), and the expressions of f and of
    each partial, from :func:`engine.codegen.generate_source`."""
    # no guard: the loop tests f and the gradient for finiteness anyway, and redoes a point
    # that is not finite on the numpy path, whose chain rule takes 0 times NaN as 0
    source = generate_source(expr, "reverse", guard=False).splitlines()
    body = [line[4:] for line in source[1:-1]]
    returned = source[-1].strip()
    if not returned.startswith("return ") or ", [" not in returned:
        raise ValueError("unexpected generated source")
    value, partials = returned[len("return "):].split(", [", 1)
    return body, value, [p.strip() for p in partials.rstrip("]").split(",") if p.strip()]


def _update_lines(row: Optimizer, count: int) -> list[str]:
    """The optimizer table's rule for every coordinate, as lines: coordinate k moves from
    ``a{k}`` with partial ``gr{k}`` to ``n{k}``; its state slots are ``st{j}_{k}``."""
    lines: list[str] = []
    settings = SimpleNamespace(**{s.name: Emitter(f"s_{s.name}", lines) for s in row.settings})
    for k in range(count):
        new, *state = row.step(EMITTERS, Emitter(f"a{k}", lines), Emitter(f"gr{k}", lines),
                               Emitter("t", lines), Emitter("lr", lines), settings,
                               *(Emitter(f"st{j}_{k}", lines) for j in range(len(row.state))))
        lines.append(f"n{k} = {new.name}")
        lines += [f"st{j}_{k} = {slot.name}" for j, slot in enumerate(state)]
    return lines


def _not_finite(names: Sequence[str]) -> str:
    """A test that is true when one of ``names`` is not finite: x - x is 0.0 exactly when
    x is finite (inf - inf and nan - nan are nan), and a sum of such terms is 0.0 exactly
    when every term is -- one comparison for all."""
    return " + ".join(f"({name} - {name})" for name in names) + " != 0.0"


def _source(expr: Expression, row: Optimizer) -> str:
    count = len(expr.variables)
    grad_lines, value, partials = _gradient_block(expr)
    coords = [f"a{k}" for k in range(count)]
    grads = [f"gr{k}" for k in range(count)]
    redo = f"    fv, ({', '.join(grads)},) = _fallback([{', '.join(coords)}])"
    gradient = ["try:"]
    gradient += [f"    {line}" for line in grad_lines]
    gradient += [f"    fv = {value}"] + [f"    gr{k} = {p}" for k, p in enumerate(partials)]
    gradient += ["except (ArithmeticError, ValueError):", redo]
    # a value or partial that is not finite: the numpy path decides (0 times NaN is 0 there)
    gradient += [f"if {_not_finite(['fv', *grads])}:", redo]
    norm = f"_hypot({', '.join(grads)})" if count else "0.0"
    settings = "".join(f"    s_{s.name} = settings['{s.name}']\n" for s in row.settings)
    state = "".join(f"    st{j}_{k} = 0.0\n" for j in range(len(row.state)) for k in range(count))
    start = "".join(f"    a{k} = start[{k}]\n" for k in range(count))
    paths = ", ".join(f"[a{k}]" for k in range(count))
    indent = "        "
    loop = [
        *_update_lines(row, count),
        f"if {_not_finite([f'n{k}' for k in range(count)])}:",
        "    reason = 'coordinate_not_finite'",
        "    break",
        *(f"a{k} = n{k}" for k in range(count)),
        *gradient,
        f"if {_not_finite(['fv', *grads])}:",  # rare: then say which
        "    reason = 'value_not_finite' if fv - fv != 0.0 else 'gradient_not_finite'",
        "    break",
        *(f"path[{k}].append(a{k})" for k in range(count)),
        "values.append(fv)",
        f"norm = {norm}",
        "norms.append(norm)",
        "if abs(fv - f0) > limit:",
        "    reason = 'value_grew'",
        "    break",
        "if norm <= tol and tol > 0:",  # tol = 0 (the default) never stops a run
        "    reason = 'tol'",
        "    break",
    ]
    return (
        "def loop(start, lr, steps, tol, divergence_factor, deadline, settings, _fallback):\n"
        f"{settings}{state}{start}"
        f"    path = [{paths}]\n"
        + "".join(f"    {line}\n" for line in gradient)
        + f"    norm = {norm}\n"
        "    values = [fv]\n"
        "    norms = [norm]\n"
        f"    if {_not_finite(['fv', *grads])}:\n"
        "        return 'start_not_finite', 0, path, values, norms\n"
        "    if tol > 0 and norm <= tol:\n"
        "        return 'tol', 0, path, values, norms\n"
        "    f0 = fv\n"
        "    limit = _inf if divergence_factor is None else divergence_factor * (1.0 + abs(fv))\n"
        "    t = 0\n"
        "    reason = 'all_steps'\n"
        "    for block in range(1, steps + 1, 1024):  # the deadline is checked per block\n"
        "        if deadline is not None and _monotonic() > deadline:\n"
        "            raise _Deadline(f'descent took longer than its time limit after {t} steps; "
        "use fewer steps', field='steps')\n"
        "        for t in range(block, min(block + 1024, steps + 1)):\n"
        + "".join(f"{indent}    {line}\n" for line in loop)
        + "        if reason != 'all_steps':\n"
        "            break\n"
        "    return reason, t, path, values, norms\n"
    )


_GLOBALS: dict[str, Any] = {**SCALAR_GLOBALS, "_sqrt": math.sqrt, "_hypot": math.hypot,
                            "_inf": math.inf,
                            "_monotonic": time.monotonic, "_Deadline": DeadlineExceeded,
                            "_Undefined": UndefinedGradient}


def generated_loop_source(expr: Expression, row: Optimizer) -> str:
    """The source of the loop (for readers and tests)."""
    return _source(expr, row)


def descent_loop(expr: Expression, row: Optimizer, method: str, h: float | None) -> Loop:
    """The generated loop for ``expr`` and ``row`` (reverse-mode gradients; memoized per
    expression), called as ``loop(start, lr, steps, tol, divergence_factor, deadline,
    settings, fallback)`` where ``fallback(x) -> (f, gradient)`` redoes a point on the numpy
    path.
    Returns ``(reason, steps taken or the step that stopped it, path per coordinate,
    values, gradient norms)``."""

    def build() -> Loop:
        namespace = dict(_GLOBALS)
        # Source generated above from our own validated graph and the optimizer table's
        # rule (node numbers, table names, repr of finite floats) -- never user text.
        code = compile(_source(expr, row), "<slopescope-loop>", "exec")  # our graph only
        exec(code, namespace)  # generated from our own validated graph, never user text
        return namespace["loop"]  # type: ignore[no-any-return]

    return expr.memoized(f"descent-loop:{row.name}", build)  # type: ignore[no-any-return]
