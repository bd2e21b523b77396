"""The batched descent loop as generated array code: a sweep's steps with no calls but
numpy's.

:func:`engine.sweep.descend_batch` advances R runs together, one array operation per
step for all of them.  Done through the generic path, each step also costs a dozen
Python calls (the gradient function, the update closure, the checks), each creating
arrays -- for 200 runs, more than the arithmetic.  This module writes, once per
(expression, optimizer), a function that runs many steps inline on preallocated
arrays, every run a lane of them:

* the update: the optimizer table's rule (:data:`engine.optimizers.OPTIMIZERS`), run
  over :class:`engine.loopgen.Emitter` terms as for the single-run loop
  (:func:`engine.loopgen.update_lines`);
* the gradient: :mod:`engine.codegen`'s reverse sweep for arrays, the very source
  :func:`engine.codegen.array_gradient_function` runs
  (:func:`engine.loopgen.reverse_gradient_lines`);
* both rewritten so that every ``+ - * /``, negation and square root on arrays is a
  ufunc writing into a buffer of its own (``_uf_multiply(lr, gr0, _t0)``): the same
  operation on the same floats, with no array allocated.  Powers and the table's other
  functions keep their own form (``v ** 3.0``, ``_sin(v)``), as the generic path
  writes them;
* the checks: one sum over the new coordinates, partials and values (finite exactly
  when every one is, unless it merely overflowed) and one maximum of ``|f - f(start)|``
  (and, when ``tol > 0``, one minimum of the squared gradient norms) say whether any
  run must stop -- and when one may, the loop returns and the caller decides this step
  run by run exactly as the generic path does (:mod:`engine.outcomes`), the arrays of
  the step before being kept intact: the next step is written into a second set of
  arrays and the two swap places once it is accepted.

The source is generated from our own validated graph and the optimizer table -- node
numbers, table names and ``repr`` of finite floats, never text a user typed; the
lines :mod:`engine.codegen` and :mod:`engine.loopgen` wrote are read back with
Python's own ``ast`` (our text, not the user's) to be rewritten.  Methods other than
``autodiff`` run the generic path.

>>> from engine import parse
>>> from engine.optimizers import OPTIMIZERS
>>> loop = batch_loop(parse("x**2"), OPTIMIZERS["gd"], ())
>>> x, g, f = np.array([[1.0], [1.0]]), np.array([[2.0], [2.0]]), np.array([1.0, 1.0])
>>> lanes = loop.lanes(x, g, f, [], np.array([0.25, 0.5]), {}, f, np.array([1e10, 1e10]), 0.0)
>>> lanes.advance(1, 4)      # steps 1, 2, 3; none stopped a run
(4, False)
>>> lanes.current()[0][:, 0].tolist()   # x halves each step at lr 0.25; lr 0.5 lands on 0
[0.125, 0.0]
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np

from .codegen import ARRAY_GLOBALS, compiled
from .expression import Expression
from .loopgen import Emitter, graph_key, remembered_source, reverse_gradient_lines, update_lines
from .optimizers import ARRAYS, Optimizer
from .types import Array

__all__ = ["BatchLoop", "Lanes", "batch_loop", "generated_batch_source"]

Advance = Callable[..., tuple[int, Array, Array, Array, Array, bool]]


def _sqrt(a: Emitter) -> Emitter:
    return a.call("_np_sqrt", a)


def _lerp(start: Emitter, end: Any, weight: Any) -> Emitter:
    # the generic path's lerp on arrays (each lane takes the branch its weight selects)
    return start.call("_np_lerp", start, end, weight)


ARRAY_EMITTERS = SimpleNamespace(sqrt=_sqrt, lerp=_lerp)
"""The operations an update rule needs, writing array code (:data:`ARRAYS`' own)."""

_BINARY = {ast.Add: "_uf_add", ast.Sub: "_uf_subtract", ast.Mult: "_uf_multiply",
           ast.Div: "_uf_divide"}
"""Operators whose numpy ufunc writes into a given array (``**`` keeps its own form:
numpy's ``a ** 2.0`` and ``power(a, 2.0)`` need not round alike)."""
_UNARY_CALLS = {"_np_sqrt": "_uf_sqrt"}


class _ArrayWriter:
    """Rewrites assignments ``name = expression`` (source we generated) into lines where
    each operation on arrays writes into a buffer: a name's own buffer (``_q{i}``), the
    given one for the names carried from step to step, or a temporary (``_t{i}``, free
    again once its line is done).  Operations on numbers only are kept as they are.

    >>> writer = _ArrayWriter({"a", "g", "lr"}, set())
    >>> writer.assign("a", "a - lr * (2.0 * g)", into="_b")
    >>> writer.lines
    ['_uf_multiply(_k0, g, _t0)', '_uf_multiply(lr, _t0, _t1)', '_uf_subtract(a, _t1, _b)']
    """

    def __init__(self, arrays: set[str], invariant: set[str]) -> None:
        self.arrays = set(arrays)
        self.invariant = invariant  # numbers that do not change in the loop (settings)
        self.binding: dict[str, str] = {}
        self.buffers: dict[str, str] = {}
        self.owned = 0  # buffers _q0, _q1, ... of names
        self.constants: dict[str, str] = {}
        self.temporaries = 0
        self.fresh = 0
        self.used_in_line = 0
        self.lines: list[str] = []

    def assign(self, target: str, text: str, into: str | None = None) -> None:
        """``target = text``; an array result is written into ``into`` when given."""
        node = ast.parse(text, mode="eval").body  # source we generated, never user text
        self.used_in_line = 0
        if not self._is_array(node):
            value = ast.unparse(node)
            if into is None:
                self.lines.append(f"{target} = {value}")
                self.binding.pop(target, None)
                self.arrays.discard(target)
                return
            self.lines.append(f"_copyto({into}, {value})")
            self.binding[target] = into
            self.arrays.add(target)
            return
        buffer = into or self.buffers.get(target) or self._buffer(target)
        result, owned = self._array(node, buffer)
        if result != buffer and (into is not None or not owned):
            # a carried name lives in its buffer; a copy of another name gets its own
            # buffer (that name may later be updated in place)
            self.lines.append(f"_copyto({buffer}, {result})")
            result = buffer
        self.binding[target] = result
        self.arrays.add(target)

    def _buffer(self, target: str) -> str:
        self.buffers[target] = f"_q{self.owned}"
        self.owned += 1
        return self.buffers[target]

    def alias(self, target: str, local: str) -> None:
        """``target`` is written into ``local`` from now on (see :func:`_step_lines`)."""
        self.buffers[target] = local

    # --- typing and writing -------------------------------------------------------------

    def _is_array(self, node: ast.AST) -> bool:
        return any(isinstance(n, ast.Name) and n.id in self.arrays for n in ast.walk(node))

    def _temporary(self) -> str:
        name = f"_t{self.used_in_line}"
        self.used_in_line += 1
        self.temporaries = max(self.temporaries, self.used_in_line)
        return name

    def _fresh(self) -> str:
        self.fresh += 1
        return f"_u{self.fresh - 1}"

    def _operand(self, node: ast.AST, as_array: bool) -> str:
        """The text of an operand; a number given to a ufunc (``as_array``) becomes a 0-d
        array made once before the loop (numpy takes those faster than Python floats,
        and computes the same float)."""
        if self._is_array(node):
            return self._array(node, None)[0]
        if as_array and _number(node) is not None:
            text = repr(_number(node))
            return self.constants.setdefault(text, f"_k{len(self.constants)}")
        if as_array and isinstance(node, ast.Name) and node.id in self.invariant:
            return self.constants.setdefault(node.id, f"_k{len(self.constants)}")
        return f"({ast.unparse(node)})"

    def _array(self, node: ast.AST, into: str | None) -> tuple[str, bool]:
        """Write the array ``node`` (into ``into`` if its last operation can); returns
        the local holding it and whether that local is its own (not another name's)."""
        if isinstance(node, ast.Name):
            return self.binding.get(node.id, node.id), False
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left = self._operand(node.left, True)
            right = self._operand(node.right, True)
            out = into or self._temporary()
            self.lines.append(f"{_BINARY[type(node.op)]}({left}, {right}, {out})")
            return out, True
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            left, right = self._operand(node.left, False), self._operand(node.right, False)
            fresh = self._fresh()
            self.lines.append(f"{fresh} = {left} ** {right}")
            return fresh, True
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            operand = self._operand(node.operand, True)
            out = into or self._temporary()
            self.lines.append(f"_uf_negative({operand}, {out})")
            return out, True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            args = [self._operand(a, False) for a in node.args]
            if node.func.id in _UNARY_CALLS and len(args) == 1:
                out = into or self._temporary()
                self.lines.append(f"{_UNARY_CALLS[node.func.id]}({args[0]}, {out})")
                return out, True
            fresh = self._fresh()
            self.lines.append(f"{fresh} = {node.func.id}({', '.join(args)})")
            return fresh, True
        raise ValueError(f"no array form for {ast.unparse(node)!r}")


def _number(node: ast.AST) -> float | None:
    """The value of a number literal (``2.0``, ``-2.0``), else None."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _number(node.operand)
        return None if inner is None else -inner
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) \
            and not isinstance(node.value, bool):
        return float(node.value)
    return None


def _split(line: str) -> tuple[str, str]:
    target, text = line.split(" = ", 1)
    return target.strip(), text


@dataclass(frozen=True)
class _Layout:
    """The names of one step's arrays: ``a{k}``, ``gr{k}``, ``fv`` and ``st{j}_{k}``
    hold the accepted step, ``_b{k}``, ``_gn{k}``, ``_fn`` and ``_su{j}_{k}`` the next."""

    count: int
    slots: int

    @property
    def now(self) -> list[str]:
        return [*(f"a{k}" for k in range(self.count)), *(f"gr{k}" for k in range(self.count)),
                "fv"]

    @property
    def next(self) -> list[str]:
        return [*(f"_b{k}" for k in range(self.count)),
                *(f"_gn{k}" for k in range(self.count)), "_fn"]

    @property
    def state(self) -> list[str]:
        return [f"st{j}_{k}" for j in range(self.slots) for k in range(self.count)]

    @property
    def next_state(self) -> list[str]:
        return [f"_su{j}_{k}" for j in range(self.slots) for k in range(self.count)]

    def carried(self) -> dict[str, str]:
        return dict(zip(self.now + self.state, self.next + self.next_state, strict=True))


def _source(expr: Expression, row: Optimizer, array_settings: Sequence[str]) -> str:
    count = len(expr.variables)
    layout = _Layout(count, len(row.state))
    carried = layout.carried()
    settings = [f"s_{s.name}" for s in row.settings]
    arrays = {*carried, "lr", *(f"s_{name}" for name in array_settings)}
    before, each = update_lines(row, count, ARRAY_EMITTERS)
    invariant = {name for name in settings if name not in arrays}
    prelude = []
    for line in before:  # terms of lr and the settings: once per call, as written
        target, text = _split(line)
        if _names(text) & arrays:
            arrays.add(target)
        else:
            invariant.add(target)
        prelude.append(line)
    writer = _ArrayWriter(arrays, invariant)
    gradient = reverse_gradient_lines(expr, arrays=True)
    steps = [_split(line) for line in each + gradient]
    # a state slot copied from a term computed once in this step: the term is written
    # straight into the slot's next array
    assigned = [target for target, _ in steps]
    for target, text in steps:
        if target in carried and text.isidentifier() and assigned.count(text) == 1 \
                and text not in carried:
            writer.alias(text, carried[target])
    done = set()
    for target, text in steps:
        writer.assign(target, text, into=carried.get(target))
        done.add(target)
    if set(carried) - done:
        raise ValueError("a carried array is not written in the step")
    scratch = [*(f"_q{i}" for i in range(writer.owned)),
               *(f"_t{i}" for i in range(writer.temporaries)), "_d", "_e"]
    checks = _check_lines(layout)
    swaps = [f"{old}, {new} = {new}, {old}"
             for old, new in zip(layout.now + layout.state, layout.next + layout.next_state,
                                 strict=True)]
    unpack = [f"    {', '.join(layout.now)}, = B", f"    {', '.join(layout.next)}, = C"]
    if layout.slots:
        unpack += [f"    {', '.join(layout.state)}, = S",
                   f"    {', '.join(layout.next_state)}, = T"]
    body = [
        "def advance(B, C, S, T, W, lr, settings, f0, limit, shared, threshold, first, last):",
        *unpack,
        f"    {', '.join(scratch)}, = W",
        *(f"    {name} = settings['{name[2:]}']" for name in settings),
        *(f"    {line}" for line in prelude),
        *(f"    {local} = _constant({text})" for text, local in writer.constants.items()),
        "    for t in range(first, last):",
        "        try:",
        *(f"            {line}" for line in writer.lines),
        "        except (ArithmeticError, ValueError):  # the generic path goes on from here",
        "            return t, B, C, S, T, True",
        *(f"        {line}" for line in checks),
        *(f"        {line}" for line in swaps),
        "        B, C = C, B",
        "        S, T = T, S",
        "    return last, B, C, S, T, False",
    ]
    return "\n".join(body) + "\n"


def _names(text: str) -> set[str]:
    return {n.id for n in ast.walk(ast.parse(text, mode="eval")) if isinstance(n, ast.Name)}


def _check_lines(layout: _Layout) -> list[str]:
    """Whether the step may be accepted for every run at once; if not, return it to the
    caller, who decides run by run.  A sum of finite numbers is finite unless it
    overflows (then the caller decides too); ``|f - f(start)|`` is finite here, and its
    maximum (``fmax``: no NaN to hide another lane) tells whether any run grew past its
    limit; ``tol > 0`` stops no run while every squared norm is above ``threshold``
    (tol² with room for the rounding of both forms of the norm)."""
    event = "return t, B, C, S, T, False"
    squares = ["_uf_multiply(_gn0, _gn0, _d)"]
    for k in range(1, layout.count):
        squares += [f"_uf_multiply(_gn{k}, _gn{k}, _e)", "_uf_add(_d, _e, _d)"]
    return [
        "_total = _sum(C, None)",
        "if _total - _total != 0.0:",
        f"    {event}",
        "_uf_subtract(_fn, f0, _d)",
        "_uf_absolute(_d, _d)",
        "if shared:",
        "    if _fmax(_d) > limit:",
        f"        {event}",
        "else:",
        "    _uf_subtract(_d, limit, _d)",
        "    if _fmax(_d) > 0.0:",
        f"        {event}",
        "if threshold is not None:",
        *(f"    {line}" for line in squares),
        "    if _min(_d) <= threshold:",
        f"        {event}",
    ]


_GLOBALS: dict[str, Any] = {
    **ARRAY_GLOBALS,
    "_uf_add": np.add, "_uf_subtract": np.subtract, "_uf_multiply": np.multiply,
    "_uf_divide": np.divide, "_uf_negative": np.negative, "_uf_sqrt": np.sqrt,
    "_uf_absolute": np.absolute, "_np_sqrt": ARRAYS.sqrt, "_np_lerp": ARRAYS.lerp,
    "_copyto": np.copyto, "_sum": np.add.reduce, "_fmax": np.fmax.reduce,
    "_min": np.minimum.reduce, "_constant": lambda value: np.array(value, dtype=np.float64),
}


def generated_batch_source(expr: Expression, row: Optimizer,
                           array_settings: Sequence[str] = ()) -> str:
    """The source of the batched loop (for readers and tests): generated from our own
    validated graph and the optimizer table only, never from user text."""
    return _source(expr, row, tuple(sorted(array_settings)))


_TOL_ROOM = 1.0 + 2.0**-30
"""How far above tol² a squared norm must be for the loop to know that no form of the
norm (``hypot``'s, the sum's square root) is <= tol: both round by a few units in the
last place, far less than this."""


class Lanes:
    """The runs of a pack as the generated loop keeps them: row k of ``B`` is coordinate
    k of every run, then come the partials and f; ``S`` holds the state slots (slot j,
    coordinate k in row ``j·count + k``); ``C`` and ``T`` receive the next step."""

    def __init__(self, advance: Advance, scratch: int, x: Array, grad: Array, value: Array,
                 state: Sequence[Array], lr: Array, settings: Mapping[str, Any],
                 first: Array, limit: Array, tol: float) -> None:
        runs, count = x.shape
        self.count = count
        self.B = np.empty((2 * count + 1, runs))
        self.B[:count], self.B[count:2 * count], self.B[2 * count] = x.T, grad.T, value
        self.C = np.empty_like(self.B)
        self.S = np.empty((len(state) * count, runs))
        for j, slot in enumerate(state):
            self.S[j * count:(j + 1) * count] = slot.T
        self.T = np.empty_like(self.S)
        self.W = np.empty((scratch, runs))
        self._advance = advance
        self.lr = np.ascontiguousarray(lr, dtype=np.float64)
        self.settings = dict(settings)
        shared = bool(runs) and bool(np.all(first == first[0]) and np.all(limit == limit[0]))
        self.shared = shared
        self.f0 = np.array(first[0]) if shared else np.ascontiguousarray(first)
        self.limit = float(limit[0]) if shared else np.ascontiguousarray(limit)
        bound = tol * tol * _TOL_ROOM
        # below the normal floats a square loses relative precision: every step is asked
        self.threshold = None if tol <= 0 else (bound if bound >= 2.3e-308 else np.inf)

    def advance(self, first: int, last: int) -> tuple[int, bool]:
        """Run steps ``first`` to ``last - 1``.  Returns the step at which the loop
        stopped (``last`` if none) and whether an operation raised there; the arrays of
        the step before it are :meth:`current`, its own :meth:`candidate`."""
        step, self.B, self.C, self.S, self.T, raised = self._advance(
            self.B, self.C, self.S, self.T, self.W, self.lr, self.settings, self.f0,
            self.limit, self.shared, self.threshold, first, last)
        return step, raised

    def _unpack(self, B: Array, S: Array) -> tuple[Array, Array, Array, list[Array]]:
        n = self.count
        state = [S[j * n:(j + 1) * n].T.copy() for j in range(S.shape[0] // n if n else 0)]
        return B[:n].T.copy(), B[n:2 * n].T.copy(), B[2 * n].copy(), state

    def current(self) -> tuple[Array, Array, Array, list[Array]]:
        """The accepted step: x (runs × variables), gradient, f and the state slots."""
        return self._unpack(self.B, self.S)

    def candidate(self) -> tuple[Array, Array, Array, list[Array]]:
        """The step the loop stopped at, as computed (for the caller to decide on)."""
        return self._unpack(self.C, self.T)


@dataclass(frozen=True)
class BatchLoop:
    """The generated loop of one expression and optimizer."""

    advance: Advance
    scratch: int

    def lanes(self, x: Array, grad: Array, value: Array, state: Sequence[Array], lr: Array,
              settings: Mapping[str, Any], first: Array, limit: Array, tol: float) -> Lanes:
        """Lay out runs for this loop: ``x`` and ``grad`` (runs × variables), ``value``,
        the state slots (each runs × variables), ``lr`` per run, the settings (numbers,
        or arrays of one entry per run), f at the start, the divergence limit per run
        (inf: none) and ``tol`` (0: never stop early)."""
        return Lanes(self.advance, self.scratch, x, grad, value, state, lr, settings, first,
                     limit, tol)


def batch_loop(expr: Expression, row: Optimizer, array_settings: Sequence[str]
               ) -> BatchLoop | None:
    """The generated loop for ``expr`` and ``row`` with ``array_settings`` given per run,
    memoized per expression; None where the expression has no variables or the rewrite
    does not cover a form its source uses (the generic path runs then).

    The source compiled here comes only from our own validated graph and the optimizer
    table's rule; ``lr``, the settings and the points are arguments at run time."""
    names = tuple(sorted(array_settings))

    def build() -> tuple[BatchLoop | None]:
        if not expr.variables:
            return (None,)
        try:
            source = remembered_source((graph_key(expr), "batch", row.name, names),
                                       lambda: _source(expr, row, names))
        except ValueError:
            return (None,)
        namespace = dict(_GLOBALS)
        # Source generated above from our own validated graph and the optimizer table's
        # rule (node numbers, table names, repr of finite floats) -- never user text.
        exec(compiled(source, "<slopescope-batch>"), namespace)  # our own graph only
        return (BatchLoop(namespace["advance"], _scratch_rows(source)),)

    return expr.memoized(f"batch-loop:{row.name}:{','.join(names)}", build)[0]  # type: ignore


def _scratch_rows(source: str) -> int:
    """How many scratch arrays the loop unpacks from ``W``."""
    for line in source.splitlines():
        if line.strip().endswith(", = W"):
            return line.count(",")
    raise ValueError("generated source without scratch arrays")
