"""Accuracy against 50-digit truth, and the per-derivative cost of Richardson.

Truth: the corpus text is parsed by *our* parser; its graph is walked once with sympy
operations (constants as exact rationals of their float64 values), differentiated by
sympy and evaluated with mpmath at 50 digits at the exact float64 point.  sympy is
only an oracle here.  The same graph walk with numpy or jax.numpy operations gives
the functions handed to numdifftools, scipy.differentiate and ``jax.grad``, so every
method differentiates the same float64 function.

Relative error of a gradient: per component ``|g - t| / |t|`` (``|g - t| / max|t|``
where ``t == 0``), the largest over components; NaN or inf where the truth is finite
counts as an infinite error.
"""

from __future__ import annotations

import math
import statistics
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
import sympy

import engine
from engine.ops import FUNCTIONS as LANGUAGE_FUNCTIONS
from engine.ops import PRIMITIVES

from .config import Config
from .corpus import AccuracyCase, build_corpus
from .optional import load_jax, load_numdifftools, load_scipy_differentiate
from .report import Section, Target, table
from .timing import Case, fmt_ratio, fmt_seconds, interleaved, ratio

__all__ = ["run_accuracy", "lower", "relative_error", "truth"]

DIGITS = 50
BAD = 1e-6
OURS = ("autodiff", "dual", "central", "richardson", "complex-step")

Namespace = dict[str, Callable[..., Any]]


def lower(expr: engine.Expression, ops: Namespace, constant: Callable[[float], Any] = float
          ) -> Callable[..., Any]:
    """``f(*variables)`` computing ``expr``'s graph with the operations ``ops``."""
    missing = sorted(p for p in expr.graph.primitives if p not in ops)
    if missing:
        raise KeyError(f"no benchmark rule for primitive(s) {', '.join(missing)}")
    nodes, output, names = expr.graph.nodes, expr.graph.output, expr.variables

    def f(*args: Any) -> Any:
        inputs = dict(zip(names, args, strict=True))
        values: list[Any] = []
        for node in nodes:
            if node.op == "const":
                values.append(constant(float(node.value or 0.0)))
            elif node.op == "var":
                values.append(inputs[str(node.name)])
            else:
                operands = [values[i] for i in node.inputs]
                if node.value is not None:  # powi's integer exponent
                    operands.append(node.value)
                values.append(ops[node.op](*operands))
        return values[output]

    return f


_ARITHMETIC: Namespace = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b, "neg": lambda a: -a, "pow": lambda a, b: a**b,
}

SYMPY: Namespace = _ARITHMETIC | {
    "powi": lambda x, n: x ** sympy.Integer(int(n)),
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "asin": sympy.asin,
    "acos": sympy.acos, "atan": sympy.atan, "sinh": sympy.sinh, "cosh": sympy.cosh,
    "tanh": sympy.tanh, "asinh": sympy.asinh, "acosh": sympy.acosh, "atanh": sympy.atanh,
    "exp": sympy.exp, "expm1": lambda x: sympy.exp(x) - 1, "log": sympy.log,
    "log1p": lambda x: sympy.log(1 + x), "log2": lambda x: sympy.log(x) / sympy.log(2),
    "log10": lambda x: sympy.log(x) / sympy.log(10), "sqrt": sympy.sqrt,
    "cbrt": lambda x: sympy.sign(x) * sympy.Abs(x) ** sympy.Rational(1, 3),
    "abs": sympy.Abs, "sigmoid": lambda x: 1 / (1 + sympy.exp(-x)),
    "relu": lambda x: sympy.Max(0, x), "softplus": lambda x: sympy.log(1 + sympy.exp(x)),
    "atan2": sympy.atan2, "hypot": lambda a, b: sympy.sqrt(a**2 + b**2),
    "min": sympy.Min, "max": sympy.Max,
}


def _np_sigmoid(x: Any) -> Any:
    z = np.exp(-np.abs(x))
    return np.where(np.asarray(x) >= 0, 1 / (1 + z), z / (1 + z))


NUMPY: Namespace = _ARITHMETIC | {
    "powi": lambda x, n: x**n, "pow": np.power,
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "asin": np.arcsin, "acos": np.arccos,
    "atan": np.arctan, "sinh": np.sinh, "cosh": np.cosh, "tanh": np.tanh,
    "asinh": np.arcsinh, "acosh": np.arccosh, "atanh": np.arctanh, "exp": np.exp,
    "expm1": np.expm1, "log": np.log, "log1p": np.log1p, "log2": np.log2,
    "log10": np.log10, "sqrt": np.sqrt, "cbrt": np.cbrt, "abs": np.abs,
    "sigmoid": _np_sigmoid, "relu": lambda x: np.maximum(x, 0.0),
    "softplus": lambda x: np.logaddexp(0.0, x), "atan2": np.arctan2, "hypot": np.hypot,
    "min": np.minimum, "max": np.maximum,
}


def _jax_namespace(jax: Any) -> Namespace:
    jnp = jax.numpy
    return _ARITHMETIC | {
        "powi": lambda x, n: x ** int(n), "pow": jnp.power,
        "sin": jnp.sin, "cos": jnp.cos, "tan": jnp.tan, "asin": jnp.arcsin,
        "acos": jnp.arccos, "atan": jnp.arctan, "sinh": jnp.sinh, "cosh": jnp.cosh,
        "tanh": jnp.tanh, "asinh": jnp.arcsinh, "acosh": jnp.arccosh, "atanh": jnp.arctanh,
        "exp": jnp.exp, "expm1": jnp.expm1, "log": jnp.log, "log1p": jnp.log1p,
        "log2": jnp.log2, "log10": jnp.log10, "sqrt": jnp.sqrt, "cbrt": jnp.cbrt,
        "abs": jnp.abs, "sigmoid": jax.nn.sigmoid, "relu": jax.nn.relu,
        "softplus": jax.nn.softplus, "atan2": jnp.arctan2, "hypot": jnp.hypot,
        "min": jnp.minimum, "max": jnp.maximum,
    }


def truth(expr: engine.Expression, point: Sequence[float]) -> list[mpmath.mpf] | None:
    """The exact gradient at the float64 point, to 50 digits; None if not finite/real."""
    symbols = [sympy.Symbol(f"v{k}", real=True) for k in range(len(expr.variables))]
    f = lower(expr, SYMPY, constant=lambda v: sympy.Rational(v))(*symbols)
    at = {s: sympy.Rational(v) for s, v in zip(symbols, point, strict=True)}
    found = []
    with mpmath.workdps(DIGITS + 10):
        for s in symbols:
            value = sympy.N(sympy.diff(f, s).subs(at), DIGITS)
            if not (value.is_real and value.is_finite) or value.is_Float is False and \
                    not value.is_Number:
                return None
            number = mpmath.mpf(sympy.Float(value, DIGITS)._mpf_)
            if not mpmath.isfinite(number) or abs(number) > 1.7e308:
                return None
            found.append(number)
    return found


EPS = 2.220446049250313e-16
RESOLVABLE = 1e-8
"""Largest sampling condition at which a finite-difference method can still reach 1e-6."""


def sampling_condition(expr: engine.Expression, point: Sequence[float],
                       exact: Sequence[mpmath.mpf]) -> float:
    """``max_i eps |f(x)| / (|df/dx_i| max(1, |x_i|))``: the rounding of f's float64
    values against the change the derivative makes over the coordinate's scale.

    Components whose derivative is 0 use the gradient's largest entry (as
    :func:`relative_error` does).
    """
    value = abs(engine.evaluate(expr, list(point)))
    if not math.isfinite(value):
        return math.inf
    scale = max(abs(float(t)) for t in exact)
    worst = 0.0
    for x, t in zip(point, exact, strict=True):
        slope = abs(float(t)) or scale
        if slope == 0:
            continue
        worst = max(worst, EPS * value / (slope * max(1.0, abs(x))))
    return worst


def relative_error(approx: Sequence[float], exact: Sequence[mpmath.mpf]) -> float:
    """Largest componentwise relative error (``inf`` for a NaN or inf estimate)."""
    scale = max(abs(t) for t in exact)
    worst = 0.0
    with mpmath.workdps(DIGITS + 10):
        for g, t in zip(approx, exact, strict=True):
            g = float(g)
            if not math.isfinite(g):
                return math.inf
            if t != 0:
                error = abs(mpmath.mpf(g) - t) / abs(t)
            elif scale != 0:
                error = abs(mpmath.mpf(g)) / scale
            else:
                error = mpmath.mpf(abs(g))
            worst = max(worst, float(error))
    return worst


@dataclass
class MethodErrors:
    name: str
    errors: dict[int, float] = field(default_factory=dict)  # case index -> error
    refused: int = 0

    def summary(self) -> tuple[float, float, int]:
        values = list(self.errors.values())
        return (statistics.median(values), max(values), sum(e > BAD for e in values))


def _ours(expr: engine.Expression, point: tuple[float, ...], method: str) -> list[float] | None:
    try:
        return engine.gradient(expr, list(point), method=method).gradient.tolist()
    except engine.ExpressionError:
        return None  # complex step refused on a non-analytic function


def _numdifftools(nd: Any, f: Callable[..., Any], point: tuple[float, ...]) -> list[float]:
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if len(point) == 1:
            return [float(nd.Derivative(f)(point[0]))]
        return np.ravel(nd.Gradient(lambda v: f(*v))(np.asarray(point))).tolist()


def _scipy(differentiate: Any, f: Callable[..., Any], point: tuple[float, ...]) -> list[float]:
    found = []
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for i in range(len(point)):
            def along(t: Any, i: int = i) -> Any:
                args = [t if k == i else np.full(np.shape(t), v) for k, v in enumerate(point)]
                return f(*args)

            found.append(float(differentiate.derivative(along, point[i]).df))
    return found


def _jax(jax: Any, f: Callable[..., Any], point: tuple[float, ...]) -> list[float]:
    args = [jax.numpy.float64(v) for v in point]
    grads = jax.grad(f, argnums=tuple(range(len(point))))(*args)
    return [float(g) for g in grads]


def run_accuracy(config: Config) -> Section:
    section = Section("Accuracy against 50-digit truth")
    corpus = build_corpus()
    if config.corpus_limit is not None:
        corpus = corpus[:: max(1, len(corpus) // config.corpus_limit)][: config.corpus_limit]
    nd, nd_why = load_numdifftools(config.optional)
    differentiate, scipy_why = load_scipy_differentiate(config.optional)
    jax, jax_why = load_jax(config.optional)
    jax_ops = _jax_namespace(jax) if jax is not None else None

    cases: list[tuple[AccuracyCase, engine.Expression, list[mpmath.mpf]]] = []
    dropped = []
    for case in corpus:
        expr = engine.parse(case.text)
        exact = truth(expr, case.point)
        if exact is None:
            dropped.append(case)
        else:
            cases.append((case, expr, exact))

    methods = {m: MethodErrors(m) for m in OURS}
    others: dict[str, MethodErrors] = {}
    if nd is not None:
        others["numdifftools"] = MethodErrors("numdifftools")
    if differentiate is not None:
        others["scipy.differentiate"] = MethodErrors("scipy.differentiate")
    if jax is not None:
        others["jax.grad"] = MethodErrors("jax.grad")
    for index, (case, expr, exact) in enumerate(cases):
        for m in OURS:
            found = _ours(expr, case.point, m)
            if found is None:
                methods[m].refused += 1
            else:
                methods[m].errors[index] = relative_error(found, exact)
        f_np = lower(expr, NUMPY)
        if nd is not None:
            others["numdifftools"].errors[index] = _guarded(
                _numdifftools, (nd, f_np, case.point), exact)
        if differentiate is not None:
            others["scipy.differentiate"].errors[index] = _guarded(
                _scipy, (differentiate, f_np, case.point), exact)
        if jax_ops is not None:
            f_jax = lower(expr, jax_ops)
            others["jax.grad"].errors[index] = _guarded(
                _jax, (jax, f_jax, case.point), exact)

    rows = []
    for result in [*methods.values(), *others.values()]:
        median, worst, bad = result.summary()
        worst_cases = sorted(result.errors.items(), key=lambda kv: -kv[1])[:3]
        rows.append([result.name, str(len(result.errors)), f"{median:.2g}", f"{worst:.2g}",
                     str(bad), "; ".join(f"`{cases[i][0].text}` at {_point(cases[i][0])}: "
                                         f"{e:.2g}" for i, e in worst_cases if e > BAD)])
    section.body += [f"{len(cases)} cases ({len(corpus)} in the corpus, {len(dropped)} dropped "
                     "because their true derivative is not finite or not real).", ""]
    section.body += table(["method", "cases", "median rel. error", "max rel. error",
                           f"cases > {BAD:g}", f"worst cases > {BAD:g}"], rows)
    _coverage(section, cases)
    _accuracy_targets(section, cases, methods, others)
    for name, why in (("numdifftools", nd_why), ("scipy.differentiate", scipy_why),
                      ("jax", jax_why)):
        if why:
            section.notes.append(f"{name} skipped: {why}")
    section.notes.append("`complex-step` runs only where the engine allows it (complex-"
                         f"analytic functions): refused on {methods['complex-step'].refused} "
                         "cases.")
    section.notes.append("numdifftools: `nd.Derivative(f)(x)` (one variable) or "
                         "`nd.Gradient(f)(x)`, defaults; scipy: `scipy.differentiate.derivative`"
                         " per coordinate, defaults; jax: `jax.grad` in float64, eager.")
    _cost(section, config, cases, nd, differentiate, nd_why)
    return section


def _point(case: AccuracyCase) -> str:
    return "(" + ", ".join(f"{v:.10g}" for v in case.point) + ")"


def _guarded(compute: Callable[..., list[float]], args: tuple[Any, ...],
             exact: list[mpmath.mpf]) -> float:
    try:
        return relative_error(compute(*args), exact)
    except Exception:  # a library that raises on a case has failed that case
        return math.inf


def _coverage(section: Section, cases: list[tuple[AccuracyCase, engine.Expression, Any]]
              ) -> None:
    used = set().union(*(expr.graph.primitives for _, expr, _ in cases)) if cases else set()
    missing = sorted(set(LANGUAGE_FUNCTIONS) - used)
    tags: dict[str, int] = {}
    for case, _, _ in cases:
        for tag in case.tags:
            tags[tag] = tags.get(tag, 0) + 1
    section.body += ["", "Cases by tag: " + ", ".join(f"{k} {v}" for k, v in sorted(
        tags.items())) + f". Primitives covered: {len(used & set(PRIMITIVES))} of "
        f"{len(PRIMITIVES)}."]
    if missing:
        section.notes.append(f"functions of the language not in this run's corpus: "
                             f"{', '.join(missing)}")


def _accuracy_targets(section: Section, cases: list[Any], methods: dict[str, MethodErrors],
                      others: dict[str, MethodErrors]) -> None:
    limits = {"autodiff": 1e-16, "dual": 1e-16, "central": 5e-11, "richardson": 1e-12,
              "complex-step": 1e-16}
    for name, limit in limits.items():
        median, worst, bad = methods[name].summary()
        section.targets.append(Target(f"`{name}` median relative error ≤ {limit:g}",
                                      f"{median:.2g} (max {worst:.2g})", median <= limit))
    median, worst, bad = methods["richardson"].summary()
    section.targets.append(Target(f"`richardson`: no case worse than {BAD:g}",
                                  f"{bad} cases worse", bad == 0))
    # Some derivatives cannot be read off float64 samples of f at all: where
    # eps |f(x)| exceeds what f' changes f by over the coordinate's scale, every stencil's
    # differences are rounding (tanh at 20 is 1.0 to the last bit; its slope is 1.7e-17).
    resolvable = [i for i, (case, expr, exact) in enumerate(cases)
                  if sampling_condition(expr, case.point, exact) <= RESOLVABLE]
    bad_resolvable = [i for i in resolvable if methods["richardson"].errors.get(i, 0.0) > BAD]
    section.targets.append(Target(
        f"`richardson`: no case worse than {BAD:g}, among the {len(resolvable)} cases whose "
        f"derivative float64 samples of f resolve (condition ≤ {RESOLVABLE:g})",
        f"{len(bad_resolvable)} cases worse" + "".join(
            f"; `{cases[i][0].text}` at {_point(cases[i][0])}: "
            f"{methods['richardson'].errors[i]:.2g}" for i in bad_resolvable[:5]),
        not bad_resolvable))
    unresolvable = [i for i in range(len(cases)) if i not in set(resolvable)]
    section.body += ["", f"Cases whose derivative float64 samples of f cannot resolve "
                     f"(condition eps·|f(x)| / (|∂f/∂x_i|·max(1, |x_i|)) > {RESOLVABLE:g}; no "
                     f"finite-difference method can reach {BAD:g} there): " + "; ".join(
                         f"`{cases[i][0].text}` at {_point(cases[i][0])} (condition "
                         f"{sampling_condition(cases[i][1], cases[i][0].point, cases[i][2]):.1g})"
                         for i in unresolvable)]
    tanh = [i for i, (c, _, _) in enumerate(cases) if "jax-tanh" in c.tags]
    if tanh and "jax.grad" in others:
        i = tanh[0]
        ours = max(methods["autodiff"].errors[i], methods["dual"].errors[i])
        theirs = others["jax.grad"].errors[i]
        section.targets.append(Target(
            "autodiff/dual beat jax where its rules are poor (tanh' at x=10)",
            f"ours {ours:.2g} vs jax {theirs:.2g}", ours < theirs or ours <= 1.2e-16))
    elif tanh:
        section.targets.append(Target("autodiff/dual beat jax where its rules are poor "
                                      "(tanh' at x=10)", "jax absent", None))
    if "jax.grad" in others:
        worse = [i for i, e in others["jax.grad"].errors.items()
                 if e > 1e-12 and methods["autodiff"].errors.get(i, math.inf) <= 1e-15]
        if worse:
            section.body += ["", "Cases where jax.grad errs > 1e-12 and autodiff ≤ 1e-15: " +
                             "; ".join(f"`{cases[i][0].text}` at {_point(cases[i][0])} "
                                       f"(jax {others['jax.grad'].errors[i]:.2g}, ours "
                                       f"{methods['autodiff'].errors[i]:.2g})"
                                       for i in worse[:12])]


def _cost(section: Section, config: Config, cases: list[Any], nd: Any, differentiate: Any,
          nd_why: str) -> None:
    """Per-derivative cost on one-variable cases that every method gets right."""
    subset = [(c, e) for c, e, _ in cases if len(c.point) == 1][: config.cost_cases]

    def ours() -> None:
        for case, expr in subset:
            engine.gradient(expr, list(case.point), method="richardson")

    timed = {"engine richardson": Case(ours)}
    if nd is not None:
        functions = [(c, lower(e, NUMPY)) for c, e in subset]

        def numdifftools() -> None:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                for case, f in functions:
                    nd.Derivative(f)(case.point[0])

        timed["numdifftools"] = Case(numdifftools)
        if differentiate is not None:
            def scipy_cost() -> None:
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore")
                    for case, f in functions:
                        differentiate.derivative(f, case.point[0])

            timed["scipy.differentiate"] = Case(scipy_cost)
    samples = interleaved(timed, max(config.rounds, 3), config.target)
    count = len(subset)
    section.body += ["", f"Per-derivative cost ({count} one-variable cases, a new "
                         "differentiator per case, as a user calls them):", ""]
    section.body += table(["method", "per derivative", "vs numdifftools"], [
        [name, fmt_seconds(s.median / count),
         fmt_ratio(ratio(s, samples["numdifftools"])) if "numdifftools" in samples else "n/a"]
        for name, s in samples.items()])
    section.profiles["richardson-cost"] = ("`engine.gradient(expr, x, method='richardson')` "
                                           f"over {count} one-variable cases", ours)
    if "numdifftools" in samples:
        r = ratio(samples["engine richardson"], samples["numdifftools"])
        section.targets.append(Target(
            "`richardson` cost per derivative ≤ 1/10 of numdifftools",
            f"{fmt_ratio(r)} (ours {fmt_seconds(samples['engine richardson'].median / count)}, "
            f"numdifftools {fmt_seconds(samples['numdifftools'].median / count)})",
            r.median <= 0.1, profile="richardson-cost"))
    else:
        section.targets.append(Target("`richardson` cost per derivative ≤ 1/10 of numdifftools",
                                      fmt_seconds(samples["engine richardson"].median / count),
                                      None, note=nd_why))
    section.notes.append("Our cost is `engine.gradient(..., method='richardson')`, the public "
                         "call, which also computes the exact gradient to report the error; "
                         "this overstates our cost slightly.")
