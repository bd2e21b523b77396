"""Every row of the primitive table, checked against central differences and complex step.

A new function added to engine.ops is tested here the moment it is added.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from engine.forward import DUAL, Dual
from engine.ops import FUNCTIONS, NUMPY, PRIMITIVES, chain, mul_no_nan

EPS = float(np.finfo(np.float64).eps)
LIBM = 8 * EPS
"""How far apart two float64 implementations of one function may be: glibc's libm and
numpy's own loops (which on some CPUs are vectorised code documented to within 4 ulps)
are each within 4 ulps of the exact value, and an ulp is at most EPS relative."""

# Points inside every primitive's domain, away from kinks (abs, relu, min, max at ties).
ARGUMENTS = {1: [(0.3,), (0.7,), (-0.4,)], 2: [(0.3, 0.8), (0.9, -0.4), (-0.6, -0.2)]}
DOMAIN_SHIFT = {"acosh": 1.5, "log": 1.0, "log2": 1.0, "log10": 1.0, "sqrt": 1.0, "pow": 1.0}


def _arguments(primitive):
    shift = DOMAIN_SHIFT.get(primitive.name, 0.0)
    rows = ARGUMENTS[primitive.arity]
    if primitive.name == "pow":
        return [(a + shift, b) for a, b in rows]
    return [tuple(v + shift for v in row) for row in rows]


def _evaluate(primitive, args):
    extra = (3.0,) if primitive.has_param else ()
    return primitive.evaluate(*[np.float64(a) for a in args], *extra)


def _extra(primitive):
    return (3.0,) if primitive.has_param else ()  # powi's exponent


def _partials(primitive, args):
    extra = _extra(primitive)
    out = _evaluate(primitive, args)
    return primitive.partials(NUMPY, out, *[np.float64(a) for a in args], *extra)


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
def test_partials_match_central_differences(name):
    primitive = PRIMITIVES[name]
    for args in _arguments(primitive):
        partials = _partials(primitive, args)
        assert len(partials) == primitive.arity
        for k in range(primitive.arity):
            h = 1e-6
            up = list(args)
            down = list(args)
            up[k] += h
            down[k] -= h
            numeric = (_evaluate(primitive, up) - _evaluate(primitive, down)) / (2 * h)
            assert float(partials[k]) == pytest.approx(float(numeric), rel=1e-7, abs=1e-8), \
                (name, args, k)


@pytest.mark.parametrize("name", sorted(n for n, p in PRIMITIVES.items() if p.analytic))
def test_analytic_rows_work_with_complex_step(name):
    primitive = PRIMITIVES[name]
    for args in _arguments(primitive):
        partials = _partials(primitive, args)
        for k in range(primitive.arity):
            shifted = [complex(a) for a in args]
            shifted[k] += 1e-20j
            value = primitive.evaluate(*[np.complex128(a) for a in shifted], *_extra(primitive))
            assert float(np.imag(value) / 1e-20) == pytest.approx(float(partials[k]),
                                                                  rel=1e-13, abs=1e-15)


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
def test_scalar_matches_numpy(name):
    primitive = PRIMITIVES[name]
    for args in _arguments(primitive):
        extra = (3.0,) if primitive.has_param else ()
        # math's and numpy's own function, plus a few roundings for the composite rows
        # (sigmoid, softplus) that are written differently on each side
        assert primitive.scalar(*args, *extra) == pytest.approx(
            float(_evaluate(primitive, args)), rel=2 * LIBM, abs=1e-300)


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
def test_dual_namespace_gives_the_derivative(name):
    primitive = PRIMITIVES[name]
    for args in _arguments(primitive):
        partials = _partials(primitive, args)
        for k in range(primitive.arity):
            duals = [Dual(np.float64(a), np.float64(1.0 if j == k else 0.0))
                     for j, a in enumerate(args)]
            result = getattr(DUAL, name)(*duals, *_extra(primitive))
            assert float(result.tangent) == pytest.approx(float(partials[k]), rel=1e-14)


def test_every_user_function_is_in_the_table_with_the_contract_arity():
    one = ("sin cos tan asin acos atan sinh cosh tanh asinh acosh atanh exp expm1 log log1p "
           "log2 log10 sqrt cbrt abs sigmoid relu softplus").split()
    two = ["atan2", "hypot", "pow", "min", "max"]
    assert sorted(FUNCTIONS) == sorted(one + two)
    assert all(FUNCTIONS[n].arity == 1 for n in one)
    assert all(FUNCTIONS[n].arity == 2 for n in two)


def test_only_the_kink_functions_are_refused_the_complex_step():
    refused = sorted(name for name, p in PRIMITIVES.items() if not p.analytic)
    assert refused == ["abs", "max", "min", "relu"]


@pytest.mark.parametrize("name", ["atan2", "hypot"])
@pytest.mark.parametrize("args", [(1.0, 2.0), (-1.0, 2.0), (-1.0, -2.0), (1.0, -2.0),
                                  (3.0, 0.5), (-3.0, 0.5), (-3.0, -0.5), (0.0, 2.0),
                                  (-2.0, 0.0), (1e200, 3e199), (-1e-200, 2e-200)])
def test_complex_continuations_reduce_to_the_real_function(name, args):
    primitive = PRIMITIVES[name]
    real = primitive.evaluate(*[np.float64(a) for a in args])
    on_axis = primitive.evaluate(*[np.complex128(a) for a in args])
    assert float(np.imag(on_axis)) == 0.0
    # the continuation is numpy's complex arctan or sqrt of well-conditioned arguments,
    # the real function numpy's arctan2 or hypot: a few ulps each way
    assert float(np.real(on_axis)) == pytest.approx(float(real), rel=LIBM)
    with mpmath.workdps(30):
        exact = float((mpmath.atan2 if name == "atan2" else mpmath.hypot)(*args))
    assert float(real) == pytest.approx(exact, rel=LIBM)


def test_complex_continuations_are_nan_at_the_origin():
    zero = np.complex128(0.0)
    for name in ("atan2", "hypot"):
        assert np.isnan(PRIMITIVES[name].evaluate(zero + 1e-20j, zero))


def test_stable_rules_where_naive_ones_fail():
    # tanh' = sech^2 keeps full relative accuracy where 1 - tanh^2 cancels to 0
    x = np.float64(20.0)
    (d,) = PRIMITIVES["tanh"].partials(NUMPY, np.tanh(x), x)
    assert float(d) == pytest.approx(4 / (math.exp(20) + math.exp(-20)) ** 2, rel=1e-14)
    # sigmoid' = s(x) s(-x) stays positive where s(1 - s) is 0
    x = np.float64(40.0)
    out = PRIMITIVES["sigmoid"].evaluate(x)
    (d,) = PRIMITIVES["sigmoid"].partials(NUMPY, out, x)
    assert float(d) == pytest.approx(math.exp(-40), rel=1e-14)
    # sigmoid and softplus do not overflow
    assert float(PRIMITIVES["sigmoid"].evaluate(np.float64(-1000.0))) == 0.0
    assert float(PRIMITIVES["softplus"].evaluate(np.float64(1000.0))) == 1000.0


@pytest.mark.parametrize("x", [-1000.0, -400.0, -30.0, -0.5, 1e-8, 0.0, 0.3, 10.0, 20.0, 360.0,
                               711.0, 1e300])
def test_tanh_rule_has_a_finite_accurate_derivative_everywhere(x):
    # The rule's own derivative is tanh'' (what Hessians differentiate): it must stay
    # finite where cosh overflows and keep its relative accuracy near 0.
    seeded = Dual(np.float64(x), np.float64(1.0))
    (d,) = PRIMITIVES["tanh"].partials(DUAL, DUAL.tanh(seeded), seeded)
    with mpmath.workdps(50):
        exact_first = float(mpmath.sech(x) ** 2)
        exact_second = float(-2 * mpmath.tanh(x) * mpmath.sech(x) ** 2)
    # a chain of a few products of exp values: a few ulps per factor
    assert float(d.primal) == pytest.approx(exact_first, rel=LIBM, abs=1e-320)
    # (below the normal range, past |x| ~ 355, intermediate underflow may give 0)
    assert float(d.tangent) == pytest.approx(exact_second, rel=2 * LIBM, abs=1e-300)


def test_integer_power_is_clean_at_negative_base():
    x = np.float64(-2.0)
    (d,) = PRIMITIVES["powi"].partials(NUMPY, x**2, x, 2.0)
    assert float(d) == -4.0


def test_mul_no_nan_zero_beats_nan_but_not_inf():
    a = np.array([0.0, 0.0, np.nan, np.nan, 2.0, 0.0, np.inf])
    b = np.array([np.nan, 3.0, 0.0, 1.0, np.nan, np.inf, 0.0])
    with np.errstate(invalid="ignore"):  # 0 * inf
        got, swapped = mul_no_nan(a, b), mul_no_nan(b, a)
    np.testing.assert_array_equal(got, [0.0, 0.0, 0.0, np.nan, np.nan, np.nan, np.nan])
    np.testing.assert_array_equal(swapped, got)
    # tangents with a leading axis, one partial per point
    np.testing.assert_array_equal(mul_no_nan(np.array([[1.0], [0.0]]), np.array([np.nan])),
                                  [[np.nan], [0.0]])


def test_chain_passes_nothing_through_an_undefined_node():
    nan = np.float64(np.nan)
    assert np.isnan(chain(np.float64(2.0), 1.0, nan))  # even a constant partial
    assert np.isnan(chain(np.float64(2.0), np.float64(0.5), nan))
    assert chain(np.float64(0.0), np.float64(0.5), nan) == 0.0  # a zero cotangent stays 0
    assert chain(np.float64(3.0), -1.0, np.float64(1.0)) == -3.0


@pytest.mark.parametrize("name", sorted(n for n, p in PRIMITIVES.items() if p.kink is not None))
def test_kink_partials_depend_only_on_the_side_of_the_switch(name):
    # what forward.directional_derivatives relies on: at the corner the rule evaluated
    # at the tangents gives the partials on the side they move towards
    primitive = PRIMITIVES[name]
    rng = np.random.default_rng(0)
    for _ in range(50):
        args = rng.normal(size=primitive.arity)
        moved = args * rng.uniform(0.1, 10.0) + rng.normal()  # same side of the switch?
        if primitive.arity == 1 and np.sign(moved[0]) != np.sign(args[0]):
            continue
        if primitive.arity == 2 and np.sign(moved[0] - moved[1]) != np.sign(args[0] - args[1]):
            continue
        for k in range(primitive.arity):
            assert float(_partials(primitive, args)[k]) == float(_partials(primitive, moved)[k])
        assert primitive.kink(*args) * primitive.kink(*moved) > 0


def test_only_the_kink_functions_have_corners():
    assert sorted(n for n, p in PRIMITIVES.items() if p.kink is not None) == \
        sorted(n for n, p in PRIMITIVES.items() if not p.analytic)
