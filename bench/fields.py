"""Gradient fields on N x N grids, as multiples of one f evaluation ``d``.

Per function and grid size, interleaved in the same rounds:

* ``d`` -- one vectorized numpy evaluation of f on the grid (hand-written);
* ``analytic`` -- a hand-written analytic gradient in numpy (value included);
* ``autodiff`` / ``central`` -- ``engine.gradient_field(..., method=...)``;
* ``jax warm`` -- ``jit(vmap(grad(f)))`` already compiled, float64;
* ``textbook`` -- a Python loop over grid points, each gradient by central
  differences perturbing one coordinate of a small numpy array (the classic
  ``numerical_gradient``), timed on an evenly spaced subsample and scaled to N x N.

And "first field": parse + ``gradient_field`` at N=200 for a freshly typed expression
(a new constant each repetition, so no cache helps) against jax's cold first call
(``jit(vmap(grad(f)))`` built, traced, compiled and run on a new function).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

import engine

from .config import Config
from .functions import FUNCTIONS, RANGE, BenchFunction
from .optional import load_jax
from .report import Section, Target, table
from .timing import Case, Ratio, fmt_ratio, fmt_seconds, interleaved, ratio

__all__ = ["run_fields", "run_first_field", "numerical_gradient"]

_D_TARGETS = {"mix": 3.0, "rosenbrock": 4.0}
_VS_CENTRAL = 0.6
_VS_TEXTBOOK = 300.0
_VS_JAX_COLD = 1 / 20


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    """The textbook central difference gradient, one coordinate at a time (h = 1e-4)."""
    h = 1e-4
    grad = np.zeros_like(x)
    for i in range(x.size):
        keep = x[i]
        x[i] = keep + h
        fxh1 = f(x)
        x[i] = keep - h
        fxh2 = f(x)
        grad[i] = (fxh1 - fxh2) / (2 * h)
        x[i] = keep
    return grad


def _textbook(fn: BenchFunction, points: np.ndarray) -> Callable[[], Any]:
    f2 = fn.make(np)

    def f(v: np.ndarray) -> float:
        return f2(v[0], v[1])

    def loop() -> list[tuple[float, np.ndarray]]:
        out = []
        for p in points:
            x = p.copy()
            out.append((f(x), numerical_gradient(f, x)))
        return out

    return loop


def _grid(n: int) -> tuple[np.ndarray, np.ndarray]:
    axis = np.linspace(*RANGE, n)
    return np.meshgrid(axis, axis)


def _cases(fn: BenchFunction, n: int, config: Config) -> dict[str, Case]:
    X, Y = _grid(n)
    f = fn.make(np)
    expr = engine.parse(fn.text)
    cases = {
        "d": Case(lambda: f(X, Y)),
        "analytic": Case(lambda: (f(X, Y), fn.gradient(X, Y))),
        "autodiff": Case(lambda: engine.gradient_field(expr, RANGE, RANGE, nx=n,
                                                       method="autodiff")),
        "central": Case(lambda: engine.gradient_field(expr, RANGE, RANGE, nx=n,
                                                      method="central")),
    }
    jax, _ = load_jax(config.optional)
    if jax is not None:
        jnp = jax.numpy
        compiled = jax.jit(jax.vmap(jax.grad(fn.make(jnp), argnums=(0, 1))))
        xs, ys = jnp.asarray(X.ravel()), jnp.asarray(Y.ravel())

        def warm() -> Any:
            return [a.block_until_ready() for a in compiled(xs, ys)]

        cases["jax warm"] = Case(warm)
    total = n * n
    count = min(total, config.textbook_points)
    index = np.linspace(0, total - 1, count).round().astype(np.int64)
    points = np.stack([X.ravel()[index], Y.ravel()[index]], axis=1)
    cases["textbook"] = Case(_textbook(fn, points), number=1, scale=total / count)
    return cases


def _check(fn: BenchFunction, n: int) -> float:
    """Largest |engine autodiff - analytic| on the grid (a sanity check, not a target)."""
    X, Y = _grid(n)
    field = engine.gradient_field(engine.parse(fn.text), RANGE, RANGE, nx=n)
    gx, gy = fn.gradient(X, Y)
    return float(max(np.max(np.abs(field.u - gx)), np.max(np.abs(field.v - gy))))


def run_fields(config: Config) -> Section:
    section = Section("Gradient fields (N×N grid on [-2, 2]²)")
    jax, why = load_jax(config.optional)
    if jax is None:
        section.notes.append(f"jax columns skipped: {why}")
    ratios: dict[tuple[str, int, str], Ratio] = {}
    for fn in FUNCTIONS.values():
        time_rows, ratio_rows = [], []
        for n in config.sizes:
            samples = interleaved(_cases(fn, n, config), config.rounds, config.target)
            d = samples["d"]
            names = [k for k in ("analytic", "autodiff", "central", "jax warm", "textbook")
                     if k in samples]
            time_rows.append([str(n)] + [fmt_seconds(samples[k].median)
                                         for k in ["d", *names]])
            row = [str(n)]
            for k in names:
                r = ratio(samples[k], d)
                ratios[(fn.name, n, f"{k}/d")] = r
                row.append(fmt_ratio(r))
            vs_central = ratio(samples["autodiff"], samples["central"])
            vs_textbook = ratio(samples["textbook"], samples["autodiff"])
            ratios[(fn.name, n, "autodiff/central")] = vs_central
            ratios[(fn.name, n, "textbook/autodiff")] = vs_textbook
            row += [fmt_ratio(vs_central), fmt_ratio(vs_textbook)]
            ratio_rows.append(row)
            columns = ["d", *names]
        section.body += [f"### {fn.label}: `{fn.text}`", "", "Median times:", ""]
        section.body += table(["N", *columns], time_rows)
        section.body += ["", "Ratios (multiples of d unless named):", ""]
        section.body += table(["N", *(f"{k}/d" for k in columns[1:]), "autodiff/central",
                               "textbook/autodiff (×faster)"], ratio_rows)
        error = _check(fn, min(config.sizes))
        section.body += ["", f"Sanity: max |autodiff − analytic| on the N={min(config.sizes)} "
                             f"grid = {error:.2g}.", ""]
        _field_targets(section, fn, config, ratios)
    section.notes.append(
        f"The textbook loop is timed on {config.textbook_points} evenly spaced grid points "
        "(fewer when the grid is smaller) and scaled linearly to N×N; it computes f and "
        "the gradient at each point, as the field does.")
    section.notes.append("`jax warm` is `jit(vmap(grad(f, argnums=(0, 1))))` in float64 on "
                         "the flattened grid, compiled before timing; it returns the gradient "
                         "only, while the engine and `analytic` also return f.")
    return section


def _field_targets(section: Section, fn: BenchFunction, config: Config,
                   ratios: dict[tuple[str, int, str], Ratio]) -> None:
    for n in config.sizes:
        if n < 200:
            continue
        expr = engine.parse(fn.text)
        key = f"{fn.name}-{n}"
        section.profiles[key] = (
            f"`gradient_field({fn.text!r}, nx={n}, method='autodiff')`",
            lambda expr=expr, n=n: engine.gradient_field(expr, RANGE, RANGE, nx=n))
        if fn.name in _D_TARGETS:
            r = ratios[(fn.name, n, "autodiff/d")]
            limit = _D_TARGETS[fn.name]
            section.targets.append(Target(
                f"{fn.label} autodiff field, N={n}: ≤ {limit:g} d", fmt_ratio(r) + " d",
                r.median <= limit, profile=key))
        r = ratios[(fn.name, n, "autodiff/central")]
        section.targets.append(Target(
            f"{fn.label} autodiff field, N={n}: ≤ {_VS_CENTRAL}× central differences",
            fmt_ratio(r), r.median <= _VS_CENTRAL, profile=key))
        if n == 200:
            r = ratios[(fn.name, n, "textbook/autodiff")]
            section.targets.append(Target(
                f"{fn.label} autodiff field, N=200: ≥ {_VS_TEXTBOOK:g}× faster than the "
                "textbook loop", fmt_ratio(r) + " faster", r.median >= _VS_TEXTBOOK,
                note="textbook timed on a subsample, scaled", profile=key))
    if 200 not in config.sizes:
        section.notes.append(f"{fn.label}: N=200 not in this run's sizes, so its targets "
                             "are not reported.")


def run_first_field(config: Config) -> Section:
    n = config.first_field_n
    section = Section(f"First field for a freshly typed expression (N={n})")
    jax, why = load_jax(config.optional)
    counter = itertools.count(1)
    rows, targets = [], []
    for fn in FUNCTIONS.values():
        def ours(fn: BenchFunction = fn) -> Any:
            text = fn.with_constant(next(counter) * 1.0000001e-3)
            return engine.gradient_field(engine.parse(text), RANGE, RANGE, nx=n)

        cases = {"ours": Case(ours, fresh=True)}
        if jax is not None:
            jnp = jax.numpy
            X, Y = _grid(n)
            xs, ys = jnp.asarray(X.ravel()), jnp.asarray(Y.ravel())

            def cold(fn: BenchFunction = fn, jnp: Any = jnp, xs: Any = xs, ys: Any = ys) -> Any:
                f = fn.make(jnp, next(counter) * 1.0000001e-3)
                compiled = jax.jit(jax.vmap(jax.grad(f, argnums=(0, 1))))
                return [a.block_until_ready() for a in compiled(xs, ys)]

            cold()  # jax's own one-time start-up (backend, dispatch) is not a first field
            cases["jax cold"] = Case(cold, fresh=True)
        samples = interleaved(cases, max(config.rounds, 3), config.target)
        row = [fn.label, fmt_seconds(samples["ours"].median)]
        if "jax cold" in samples:
            r = ratio(samples["ours"], samples["jax cold"])
            row += [fmt_seconds(samples["jax cold"].median), fmt_ratio(r)]
            key = f"first-{fn.name}"
            section.profiles[key] = (
                f"parse + `gradient_field` of a fresh `{fn.text} + c*x`, nx={n}",
                lambda fn=fn: ours(fn))
            targets.append(Target(
                f"first field ({fn.label}, N={n}): ≤ 1/20 of jax's cold first call",
                fmt_ratio(r) + f" (= 1/{1 / r.median:.3g}) of jax cold", r.median <= _VS_JAX_COLD,
                profile=key))
        else:
            row += ["skipped", "skipped"]
            targets.append(Target(f"first field ({fn.label}, N={n}): ≤ 1/20 of jax's cold "
                                  "first call", fmt_seconds(samples["ours"].median), None,
                                  note=why))
        rows.append(row)
    section.body += table(["function", "ours: parse + field", "jax cold: jit+trace+compile+run",
                           "ours / jax cold"], rows)
    section.targets += targets
    section.notes.append("Each repetition appends `+ c*x` with a new constant c to the text "
                         "(ours) or to the Python function (jax), so neither side can reuse "
                         "a parse, plan or compilation.")
    if jax is None:
        section.notes.append(f"jax skipped: {why}")
    return section
