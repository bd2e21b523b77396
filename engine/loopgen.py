"""The whole descent loop as generated straight-line Python.

Per step, :func:`engine.optimize.run_optimizer` calls an update closure, a gradient
function and a few checks -- each a Python call, which costs more than the arithmetic.
This module writes one function per (expression, optimizer, method) that runs every step
inline: the gradient (:mod:`engine.codegen`'s reverse sweep for ``autodiff``; f at the
stencil's points for ``forward``, ``backward`` and ``central`` differences), the optimizer
table's update rule written out by running it over :class:`Emitter` terms, the checks
of the generic loop, and the recording of path, values and gradient norms.  All of it is
generated from our own validated graph and the optimizer table -- node numbers, table
names and ``repr`` of finite floats, never text a user typed.

The floats are those of the generic loop, operation for operation, so both give the same
run to the last bit: the update rule's operations in the table's order; the finite
differences as :mod:`engine.numeric` computes them (the default step made exact in
``x + h``, the point itself evaluated unshifted so that ``-0.0`` stays ``-0.0``, and a
coordinate so large that ``x + h`` rounds to ``x`` giving a difference of exactly 0).
Only where math functions are involved may ``math`` and numpy differ in the last bit.

Where the generated gradient raises (a Python float error) or is not finite (where the
numpy path's rules decide: 0 times NaN is 0 there, and no derivative exists where f is
undefined), that point is redone by the numpy path, as in the generic loop.

>>> from engine import parse
>>> from engine.optimizers import OPTIMIZERS
>>> loop = descent_loop(parse("x**2 + y**2"), OPTIMIZERS["gd"], "autodiff")
>>> reason, steps, path, values, norms = loop([-3.0, 4.0], 0.1, 3, 0.0, None, None, {},
...                                          lambda x: None)
>>> reason, steps, [round(v, 12) for v in values]
('all_steps', 3, [25.0, 16.0, 10.24, 6.5536])
>>> central = descent_loop(parse("x**2"), OPTIMIZERS["gd"], "central", h=0.5)
>>> central([1.0], 0.25, 2, 0.0, None, None, {}, lambda x: None, h=0.5)[2]
[[1.0, 0.5, 0.25]]
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from .codegen import (
    CODE_CACHE,
    SCALAR_GLOBALS,
    UndefinedGradient,
    compiled,
    generate_source,
    value_lines,
)
from .errors import DeadlineExceeded
from .expression import Expression
from .numeric import EPS
from .optimizers import Optimizer

__all__ = ["EMITTERS", "Emitter", "STENCILS", "descent_loop", "generated_loop_source",
           "generates", "graph_key", "remembered_source", "reverse_gradient_lines",
           "update_lines"]

Loop = Callable[..., tuple[str, int, list[list[float]], list[float], list[float]]]

BLOCK = 1024
"""Steps between two looks at the clock (the deadline)."""

MAX_STENCIL_LINES = 4000
"""Finite differences write f out once per stencil point: beyond this many lines of it
per step (many variables, a long expression) the generic loop runs instead, whose numpy
path evaluates the whole stencil in one pass."""


class Lines(list[str]):
    """Lines of generated code, remembering which name already holds which term."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: dict[str, str] = {}

    def forget(self, names: Sequence[str]) -> None:
        """Forget the terms that read ``names`` (they are about to be assigned anew)."""
        for text in [text for text in self.seen if set(_NAME.findall(text)) & set(names)]:
            del self.seen[text]


class Emitter:
    """A term of generated code: each operation on emitters appends one line
    ``w{k} = ...`` to ``lines`` and returns the emitter naming its result -- or the name
    of the same term written before (the same operation on the same names gives the
    same float: ``1 - β₁ᵗ`` is computed once per step, not once per coordinate)."""

    __slots__ = ("name", "lines")

    def __init__(self, name: str, lines: Lines) -> None:
        self.name = name
        self.lines = lines

    def _emit(self, text: str) -> Emitter:
        name = self.lines.seen.get(text)
        if name is None:
            name = self.lines.seen[text] = f"w{len(self.lines)}"
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

    def call(self, function: str, *args: Any) -> Emitter:
        """A call ``function(args)`` of the generated code's namespace, as one term."""
        return self._emit(f"{function}({', '.join(_text(a) for a in args)})")


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


_TEMPORARY = re.compile(r"\bw\d+\b")
_NAME = re.compile(r"\b[A-Za-z_]\w*\b")


def _inline_once_used(lines: list[str]) -> list[str]:
    """Lines ``w{k} = expr`` whose name is used exactly once, substituted (in
    parentheses) where it is used: the same operations in the same order of rounding,
    without storing and loading a name per operation.  The terms are plain float
    arithmetic on local names, which cannot have side effects, so computing one where it
    is used rather than a line earlier changes nothing but the time -- unless a name it
    reads is assigned in between (a coordinate or a state slot): then it is written out
    as a line before that assignment.

    >>> _inline_once_used(["w0 = lr * g", "w1 = a - w0", "a = w1"])
    ['a = (a - (lr * g))']
    >>> _inline_once_used(["w0 = s * v", "v = g", "a = a - w0"])
    ['w0 = s * v', 'v = g', 'a = a - w0']
    """
    uses: dict[str, int] = {}
    for line in lines:
        for name in _TEMPORARY.findall(line.split(" = ", 1)[1]):
            uses[name] = uses.get(name, 0) + 1
    kept: list[str] = []
    pending: dict[str, str] = {}
    for line in lines:
        target, text = line.split(" = ", 1)
        text = _TEMPORARY.sub(lambda m: f"({pending.pop(m.group())})"
                              if m.group() in pending else m.group(), text)
        if _TEMPORARY.fullmatch(target) and uses.get(target, 0) == 1:
            pending[target] = text
            continue
        reads = re.compile(rf"\b{re.escape(target)}\b")
        for name in [name for name, waiting in pending.items() if reads.search(waiting)]:
            kept.append(f"{name} = {pending.pop(name)}")  # it reads what is assigned now
        kept.append(f"{target} = {text}")
    return kept


def update_lines(row: Optimizer, count: int, operations: SimpleNamespace = EMITTERS
                 ) -> tuple[list[str], list[str]]:
    """The optimizer table's rule for every coordinate, as lines: coordinate k moves in
    place from ``a{k}`` with partial ``gr{k}``; its state slots are ``st{j}_{k}``.  (Each
    coordinate's rule reads only its own coordinate, partial and state.)  ``operations``
    writes the rule's ``sqrt`` and ``lerp`` (:data:`EMITTERS`: for plain floats).

    Returns the lines to run before the loop (terms of the settings and ``lr`` alone,
    the same at every step) and the lines of one step."""
    lines = Lines()
    settings = SimpleNamespace(**{s.name: Emitter(f"s_{s.name}", lines) for s in row.settings})
    for k in range(count):
        new, *state = row.step(operations, Emitter(f"a{k}", lines), Emitter(f"gr{k}", lines),
                               Emitter("t", lines), Emitter("lr", lines), settings,
                               *(Emitter(f"st{j}_{k}", lines) for j in range(len(row.state))))
        assigned = [f"st{j}_{k}" for j in range(len(row.state))] + [f"a{k}"]
        lines.forget(assigned)
        lines += [f"st{j}_{k} = {slot.name}" for j, slot in enumerate(state)]
        lines.append(f"a{k} = {new.name}")
    invariant = {"lr", *(f"s_{s.name}" for s in row.settings)}
    before, each = [], []
    for line in lines:
        target, text = line.split(" = ", 1)
        if _TEMPORARY.fullmatch(target) and set(_NAME.findall(text)) <= invariant:
            invariant.add(target)
            before.append(line)
        else:
            each.append(line)
    return before, _inline_once_used(each)


def reverse_gradient_lines(expr: Expression, arrays: bool = False) -> list[str]:
    """``fv`` and ``gr{k}`` at ``a0, a1, ...`` by :mod:`engine.codegen`'s reverse sweep,
    written for plain floats or, with ``arrays``, for numpy arrays (as
    :func:`engine.codegen.array_gradient_function` runs it).

    The sweep's own names for f and the partials are renamed ``fv`` and ``gr{k}`` where
    they are temporaries of their own (a pure renaming: no copies per step); a partial
    that is a coordinate, a number or a name already taken is copied."""
    # no guard: the loop tests f and the gradient for finiteness anyway, and redoes a point
    # that is not finite on the numpy path, whose chain rule takes 0 times NaN as 0
    source = generate_source(expr, "reverse", guard=False, arrays=arrays).splitlines()
    body = [line[4:] for line in source[1:-1]]
    returned = source[-1].strip()
    if not returned.startswith("return ") or ", [" not in returned:
        raise ValueError("unexpected generated source")
    value, partials = returned[len("return "):].split(", [", 1)
    outputs = [value] + [p.strip() for p in partials.rstrip("]").split(",") if p.strip()]
    targets = ["fv"] + [f"gr{k}" for k in range(len(outputs) - 1)]
    renamed: dict[str, str] = {}
    copies = []
    for name, target in zip(outputs, targets, strict=True):
        if _SWEEP_TEMPORARY.fullmatch(name) and name not in renamed:
            renamed[name] = target
        else:
            copies.append(f"{target} = {renamed.get(name, name)}")
    if renamed:
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, renamed)) + r")\b")
        body = [pattern.sub(lambda m: renamed[m.group()], line) for line in body]
    return body + copies


_SWEEP_TEMPORARY = re.compile(r"[vcg]\d+")
"""The names :mod:`engine.codegen` gives intermediate values, cotangents and partials."""


@dataclass(frozen=True)
class Stencil:
    """A finite difference on plain floats, as :mod:`engine.numeric` computes it on
    arrays: f at the point (unshifted) and at ``x_i + sign·h_i`` for each sign, combined
    by ``formula`` (``{f}``: f at the point; ``{p}``, ``{m}``: f at the shifted points;
    ``{h}``: the step)."""

    relative: float
    """The default step relative to ``max(1, |x_i|)``, made exact in ``x_i + h_i``."""
    shifts: tuple[str, ...]
    """``"+"`` and/or ``"-"``: the shifted points, in numeric's order."""
    formula: str


STENCILS: dict[str, Stencil] = {
    "forward": Stencil(float(math.sqrt(EPS)), ("+",), "({p} - {f}) / {h}"),
    "backward": Stencil(float(math.sqrt(EPS)), ("-",), "({f} - {m}) / {h}"),
    "central": Stencil(EPS ** (1.0 / 3.0), ("+", "-"), "({p} - {m}) / (2 * {h})"),
}
"""The numerical methods the generated loop computes itself (others run the generic loop)."""


def _variables_of(expr: Expression) -> list[frozenset[str]]:
    """For each node of ``expr``'s graph, the variables its value depends on."""
    found: list[frozenset[str]] = []
    for node in expr.graph.nodes:
        if node.op == "var":
            found.append(frozenset([node.name or ""]))
        else:
            found.append(frozenset().union(*(found[j] for j in node.inputs)))
    return found


def _stencil_gradient(expr: Expression, stencil: Stencil, default_h: bool) -> list[str]:
    """``fv`` and ``gr{k}`` at ``a0, a1, ...`` by finite differences: f's lines once at
    the point and, per shifted point, only those of the nodes that depend on the shifted
    coordinate (the others are the point's own: the same operations on the same floats)."""
    count = len(expr.variables)
    coords = [f"a{k}" for k in range(count)]
    lines, value = value_lines(expr, coords, "v")
    variables = _variables_of(expr)
    computed = [i for i, node in enumerate(expr.graph.nodes) if node.op not in ("var", "const")]
    lines.append(f"fv = {value}")
    for k in range(count):
        if default_h:  # numeric's default: relative·max(1, |x|), made exact in x + h
            # max(1, |a|) for a finite coordinate (one that is not was refused already)
            lines.append(f"hk = {stencil.relative!r} * (a{k} if a{k} > 1.0 else "
                         f"(-a{k} if a{k} < -1.0 else 1.0))")
            lines.append(f"hk = (a{k} + hk) - a{k}")
        else:
            lines.append("hk = h")
        found = {}
        for sign in stencil.shifts:
            # -hk, as numeric adds the shift (-1.0)·h: x + (-h) is x - h exactly
            lines.append(f"b{k} = a{k} {sign} hk")
            shifted = [f"b{k}" if j == k else name for j, name in enumerate(coords)]
            same = {i: f"v{i}" for i in computed if expr.variables[k] not in variables[i]}
            more, found[sign] = value_lines(expr, shifted, "p" if sign == "+" else "m", same)
            lines += more
            if found[sign] == f"b{k}":  # f is the shifted coordinate itself: keep it
                lines.append(f"{'p' if sign == '+' else 'm'}f = {found[sign]}")
                found[sign] = f"{'p' if sign == '+' else 'm'}f"
        lines.append(f"gr{k} = " + stencil.formula.format(
            f="fv", p=found.get("+", ""), m=found.get("-", ""), h="hk"))
    return lines


def generates(expr: Expression, method: str) -> bool:
    """Whether the generated loop serves ``method`` for ``expr`` (else the generic loop)."""
    if not expr.variables:
        return False
    if method == "autodiff":
        return True
    stencil = STENCILS.get(method)
    return stencil is not None and \
        (1 + len(stencil.shifts) * len(expr.variables)) * expr.node_count <= MAX_STENCIL_LINES


def _not_finite(names: Sequence[str]) -> str:
    """A test that is true when one of ``names`` is not finite: x - x is 0.0 exactly when
    x is finite (inf - inf and nan - nan are nan), and a sum of such terms is 0.0 exactly
    when every term is -- one comparison for all."""
    return " + ".join(f"({name} - {name})" for name in names) + " != 0.0"


def _gradient_block(gradient: list[str], count: int, indent: str, on_coordinate: str | None,
                    on_value: str) -> list[str]:
    """The gradient at ``a0, a1, ...`` and its norm, with the generic loop's tests.

    One test serves the common case: a sum of the coordinates, f and the norm is finite
    when each is (a float error makes f NaN; the norm of a gradient with inf or NaN is
    inf or NaN).  Only when it is not (or when the sum merely overflowed) are they
    tested one by one: a coordinate that is not finite ends the run there
    (``on_coordinate``), and a point whose f or gradient is not finite is redone by the
    numpy path, which decides (``on_value`` if it is still not finite)."""
    coords = [f"a{k}" for k in range(count)]
    grads = [f"gr{k}" for k in range(count)]
    norm = f"norm = _hypot({', '.join(grads)})"
    lines = ["try:", *(f"    {line}" for line in gradient),
             "except (ArithmeticError, ValueError):",
             f"    fv = {' = '.join(grads)} = _nan",
             norm,
             f"total = {' + '.join([*(coords if on_coordinate else []), 'fv', 'norm'])}",
             "if total - total != 0.0:"]
    if on_coordinate:
        lines += [f"    if {_not_finite(coords)}:", f"        {on_coordinate}"]
    lines += [f"    if {_not_finite(['fv', *grads])}:",
              f"        fv, ({', '.join(grads)},) = _fallback([{', '.join(coords)}])",
              f"        if {_not_finite(['fv', *grads])}:", f"            {on_value}",
              f"        {norm}"]
    return [f"{indent}{line}" for line in lines]


def _source(expr: Expression, row: Optimizer, method: str, default_h: bool) -> str:
    count = len(expr.variables)
    if method == "autodiff":
        gradient = reverse_gradient_lines(expr)
    else:
        gradient = _stencil_gradient(expr, STENCILS[method], default_h)
    reason_value = "reason = 'value_not_finite' if fv - fv != 0.0 else 'gradient_not_finite'"
    # the start point is finite (resolve_point refuses others), and tested as in the generic
    # loop: f and the gradient only
    start = _gradient_block(gradient, count, "    ", None,
                            "return 'start_not_finite', 0, path, [fv], [_hypot("
                            f"{', '.join(f'gr{k}' for k in range(count))})]")
    step = _gradient_block(gradient, count, "            ",
                           "reason = 'coordinate_not_finite'; break", f"{reason_value}; break")
    invariant, update = update_lines(row, count)
    # asked only once the norm is <= tol: never in the common case
    converged = (f"(converges is None or converges([{', '.join(f'a{k}' for k in range(count))}], "
                 f"[{', '.join(f'gr{k}' for k in range(count))}]))")
    lines = [
        "def loop(start, lr, steps, tol, divergence_factor, deadline, settings, _fallback, "
        "h=None, converges=None):",
        *(f"    s_{s.name} = settings['{s.name}']" for s in row.settings),
        *(f"    st{j}_{k} = 0.0" for j in range(len(row.state)) for k in range(count)),
        *(f"    a{k} = start[{k}]" for k in range(count)),
        f"    path = [{', '.join(f'[a{k}]' for k in range(count))}]",
        *start,
        "    values = [fv]",
        "    norms = [norm]",
        f"    if tol > 0 and norm <= tol and {converged}:",
        "        return 'tol', 0, path, values, norms",
        # the generic loop's tests, with one comparison each: |d| > limit is
        # d > limit or d < -limit exactly, and tol = 0 (the default) never stops a run
        "    f0 = fv",
        "    above = _inf if divergence_factor is None else divergence_factor * (1.0 + abs(fv))",
        "    below = -above",
        "    stop = tol if tol > 0 else -1.0",
        *(f"    record{k} = path[{k}].append" for k in range(count)),
        "    record_value = values.append",
        "    record_norm = norms.append",
        *(f"    {line}" for line in invariant),
        "    t = 0",
        "    reason = 'all_steps'",
        f"    for block in range(1, steps + 1, {BLOCK}):  # the deadline is checked per block",
        "        if deadline is not None and _monotonic() > deadline:",
        # named with the step about to run, as in the generic loop
        "            raise _Deadline(f'descent took longer than its time limit after {block} "
        "steps; use fewer steps', field='steps')",
        f"        for t in range(block, min(block + {BLOCK}, steps + 1)):",
        *(f"            {line}" for line in update),
        *step,
        *(f"            record{k}(a{k})" for k in range(count)),
        "            record_value(fv)",
        "            record_norm(norm)",
        # not below <= d <= above is d > above or d < below: d is not NaN (f and f0
        # are finite), and one chained comparison is cheaper than two
        "            if not below <= fv - f0 <= above:",
        "                reason = 'value_grew'",
        "                break",
        "            if norm <= stop and " + converged + ":",
        "                reason = 'tol'",
        "                break",
        "        if reason != 'all_steps':",
        "            break",
        "    return reason, t, path, values, norms",
    ]
    return "\n".join(lines) + "\n"


_GLOBALS: dict[str, Any] = {**SCALAR_GLOBALS, "_sqrt": math.sqrt, "_hypot": math.hypot,
                            "_inf": math.inf, "_nan": math.nan,
                            "_monotonic": time.monotonic, "_Deadline": DeadlineExceeded,
                            "_Undefined": UndefinedGradient}


_SOURCES: OrderedDict[tuple[Any, ...], str] = OrderedDict()
_SOURCES_LOCK = threading.Lock()


def graph_key(expr: Expression) -> tuple[Any, ...]:
    """Everything generated source depends on in ``expr``: each node (constants by
    ``float.hex``, so that -0.0 and 0.0 differ), the output and the variables."""
    return (tuple((node.op, node.inputs,
                   float.hex(node.value) if isinstance(node.value, float) else node.value,
                   node.name) for node in expr.graph.nodes),
            expr.graph.output, expr.variables)


def remembered_source(key: tuple[Any, ...], build: Callable[[], str]) -> str:
    """``build()``, kept for the next request with the same ``key`` (the last
    :data:`~engine.codegen.CODE_CACHE` of them; ``key`` starts with :func:`graph_key`):
    generating a loop's source costs more than running a short descent.  The source is
    text; each expression still gets its own function."""
    with _SOURCES_LOCK:
        found = _SOURCES.get(key)
        if found is not None:
            _SOURCES.move_to_end(key)
            return found
    found = build()
    with _SOURCES_LOCK:
        _SOURCES[key] = found
        while len(_SOURCES) > CODE_CACHE:
            _SOURCES.popitem(last=False)
    return found


def _loop_source(expr: Expression, row: Optimizer, method: str, default_h: bool) -> str:
    """:func:`_source`, remembered (:func:`remembered_source`)."""
    return remembered_source((graph_key(expr), row.name, method, default_h),
                             lambda: _source(expr, row, method, default_h))


def generated_loop_source(expr: Expression, row: Optimizer, method: str = "autodiff",
                          default_h: bool = True) -> str:
    """The source of the loop (for readers and tests): generated from our own validated
    graph and the optimizer table only, never from user text (see :func:`descent_loop`)."""
    return _source(expr, row, method, default_h)


def descent_loop(expr: Expression, row: Optimizer, method: str, h: float | None = None
                 ) -> Loop:
    """The generated loop for ``expr``, ``row`` and ``method`` (one of ``autodiff`` and
    :data:`STENCILS`; see :func:`generates`), memoized per expression, called as
    ``loop(start, lr, steps, tol, divergence_factor, deadline, settings, fallback, h=h,
    converges=None)`` where ``fallback(x) -> (f, gradient)`` redoes a point on the numpy
    path of ``method``, ``h`` is the finite differences' step (None: the default step) and
    ``converges(x, gradient)``, when given, must agree before a norm <= tol stops the run
    (as in :func:`engine.optimize.run_optimizer`).  The loop for ``h=None`` computes the
    default step itself; a loop built for a given ``h`` takes it as an argument.
    Returns ``(reason, steps taken or the step that stopped it, path per coordinate,
    values, gradient norms)``.

    The source compiled here comes only from our own validated graph (node numbers,
    operation names of :mod:`engine.ops`, ``repr`` of its finite constants) and the
    optimizer table's rule; ``lr``, ``h``, the settings and the start are arguments at
    run time, so no text a user typed is ever part of it."""
    default_h = h is None

    def build() -> Loop:
        namespace = dict(_GLOBALS)
        # Source generated above from our own validated graph and the optimizer table's
        # rule (node numbers, table names, repr of finite floats) -- never user text.
        code = compiled(_loop_source(expr, row, method, default_h), "<slopescope-loop>")
        exec(code, namespace)  # generated from our own validated graph, never user text
        return namespace["loop"]  # type: ignore[no-any-return]

    key = f"descent-loop:{row.name}:{method}:{'default' if default_h else 'given'}-h"
    return expr.memoized(key, build)  # type: ignore[no-any-return]
