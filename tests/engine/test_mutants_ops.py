"""engine/ops.py, engine/forward.py, engine/reverse.py: edges the other tests let through
(scripts/mutation.py) -- the plain-float rows at zeros, ties, NaN and infinities, the
complex continuations' branches, the chain rule's shortcuts, dual numbers' operators
and one-sided corners, and Hessians through subtraction, arrays and undefined points.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine import hessian, parse
from engine.forward import (
    DUAL,
    Dual,
    _dual_function,
    _piecewise_constant,
    apply_dual,
    directional_derivatives,
    jvp_gradient,
)
from engine.ops import NUMPY, PRIMITIVES, chain
from engine.reverse import backward, hessian_columns, vjp_gradient

NAN, INF = math.nan, math.inf


def same(a, b) -> bool:  # type: ignore[no-untyped-def]
    """Equal as floats, NaN equal to NaN, and the sign of a zero counted."""
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


# --- the plain-float rows (generated code) agree with numpy at the edges ---------------------

EDGES = {
    1: [(0.0,), (-0.0,), (1.0,), (-1.0,), (2.0,), (-3.5,), (1e300,), (-1e300,), (INF,), (-INF,),
        (NAN,), (-800.0,), (800.0,)],
    2: [(a, b) for a in (0.0, -0.0, 1.0, -2.0, 2.0, INF, -INF, NAN, 0.5)
        for b in (0.0, -0.0, 1.0, -2.0, 3.0, 0.5, INF, -INF, NAN)],
}


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
def test_the_float_row_is_numpys_row_at_the_edges(name):
    primitive = PRIMITIVES[name]
    rows = EDGES[primitive.arity]
    params = (0.0, 1.0, 2.0, 3.0, -1.0, -2.0) if primitive.has_param else (None,)
    for args in rows:
        for n in params:
            extra = () if n is None else (n,)
            with np.errstate(all="ignore"):
                want = primitive.evaluate(*[np.float64(a) for a in args], *extra)
            got = primitive.scalar(*args, *extra)
            if name in ("atan2", "hypot") or not np.isfinite(want) or not math.isfinite(got):
                assert same(got, want), (name, args, n, got, want)
            else:
                assert got == pytest.approx(float(want), rel=1e-14, abs=1e-300), (name, args)


def test_ties_and_nan_in_min_and_max():
    lo, hi = PRIMITIVES["min"].scalar, PRIMITIVES["max"].scalar
    assert same(lo(0.0, -0.0), 0.0) and same(lo(-0.0, 0.0), -0.0)  # the first of a tie
    assert same(hi(0.0, -0.0), 0.0) and same(hi(-0.0, 0.0), -0.0)
    assert same(lo(NAN, 1.0), NAN) and same(lo(1.0, NAN), NAN)
    assert same(hi(NAN, 1.0), NAN) and same(hi(1.0, NAN), NAN)
    assert lo(2.0, 3.0) == 2.0 and lo(3.0, 2.0) == 2.0 and hi(2.0, 3.0) == 3.0


def test_helpers_sign_and_heaviside_on_floats_and_arrays():
    from engine.ops import _NUMPY_HELPERS, _heaviside_scalar, _sign_scalar

    for x in (-2.0, -0.0, 0.0, 3.0):  # (at NaN the rows see out = NaN, so chain() decides)
        assert same(_sign_scalar(x), np.sign(x)) or (x == 0 and _sign_scalar(x) == 0.0)
        for at_zero in (0.0, 0.5, 1.0):
            assert same(_heaviside_scalar(x, at_zero), np.heaviside(x, at_zero)), (x, at_zero)
    assert _sign_scalar(-0.5) == -1.0 and _sign_scalar(0.25) == 1.0 and _sign_scalar(0.0) == 0.0
    assert _heaviside_scalar(0.0, 0.5) == 0.5 and _heaviside_scalar(2.0, 0.5) == 1.0
    assert _heaviside_scalar(-2.0, 0.5) == 0.0 and _heaviside_scalar(1.0, 0.0) == 1.0
    assert _heaviside_scalar(0.5, 0.0) == 1.0
    assert set(_NUMPY_HELPERS) >= {"sign", "heaviside"}


# --- numpy rows: branches and complex continuations --------------------------------------------


def test_sigmoid_and_softplus_at_zero_and_on_both_sides():
    sigmoid, softplus = PRIMITIVES["sigmoid"].evaluate, PRIMITIVES["softplus"].evaluate
    assert float(sigmoid(np.float64(0.0))) == 0.5
    assert float(sigmoid(np.float64(0.5))) == pytest.approx(1 / (1 + math.exp(-0.5)), rel=1e-15)
    assert float(sigmoid(np.float64(-0.5))) == pytest.approx(1 / (1 + math.exp(0.5)), rel=1e-15)
    # far out on the left sigmoid is e**x, down to the subnormals, never 1/(1 + inf)
    assert float(sigmoid(np.float64(-740.0))) == pytest.approx(math.exp(-740.0), rel=1e-12,
                                                                abs=0)
    assert float(softplus(np.float64(0.0))) == math.log(2.0)
    assert float(softplus(np.float64(0.5))) == pytest.approx(math.log1p(math.exp(0.5)),
                                                              rel=1e-15)
    for x in (0.0, 0.5, -0.5, 800.0, -800.0):
        z = np.complex128(x)
        assert complex(sigmoid(z)) == pytest.approx(float(sigmoid(np.float64(x))), rel=1e-15,
                                                    abs=1e-300)
        assert complex(softplus(z)) == pytest.approx(float(softplus(np.float64(x))),
                                                     rel=1e-15, abs=1e-300)
    # complex step through them: the derivative
    h = 1e-20
    assert sigmoid(np.complex128(0.0 + h * 1j)).imag / h == pytest.approx(0.25, rel=1e-15)
    assert softplus(np.complex128(0.0 + h * 1j)).imag / h == pytest.approx(0.5, rel=1e-15)
    assert softplus(np.complex128(0.5 + h * 1j)).imag / h == pytest.approx(
        1 / (1 + math.exp(-0.5)), rel=1e-14)


def test_cbrt_continuation_at_and_around_zero():
    cbrt = PRIMITIVES["cbrt"].evaluate
    for x in (-8.0, -0.0, 0.0, 27.0):
        assert complex(cbrt(np.complex128(x))) == pytest.approx(np.cbrt(x), rel=1e-15,
                                                                abs=1e-300)
    assert cbrt(np.complex128(-8 + 1e-20j)).imag / 1e-20 == pytest.approx(1 / 12, rel=1e-14)


@pytest.mark.parametrize("y, x", [(1.0, 2.0), (-1.0, 2.0), (1.0, -2.0), (-1.0, -2.0),
                                  (2.0, 1.0), (-2.0, -1.0), (0.5, 0.0), (-0.5, 0.0),
                                  (1.0, -1.0), (-1.0, -1.0), (0.0, -2.0)])
@pytest.mark.parametrize("complex_side", ["y", "x", "both"])
def test_atan2_continuation_whichever_argument_is_complex(y, x, complex_side):
    atan2 = PRIMITIVES["atan2"].evaluate
    cy = np.complex128(y) if complex_side in ("y", "both") else np.float64(y)
    cx = np.complex128(x) if complex_side in ("x", "both") else np.float64(x)
    assert complex(atan2(cy, cx)).real == pytest.approx(math.atan2(y, x), rel=1e-15)
    # and its complex step is the partial
    if complex_side == "y":
        slope = atan2(np.complex128(y + 1e-20j), np.float64(x)).imag / 1e-20
        assert slope == pytest.approx(x / (x * x + y * y), rel=1e-14, abs=1e-300)


@pytest.mark.parametrize("complex_side", ["a", "b", "both"])
def test_hypot_continuation_whichever_argument_is_complex(complex_side):
    hypot = PRIMITIVES["hypot"].evaluate
    for a, b in ((3.0, 4.0), (-3.0, 4.0), (1e200, 1e200), (0.0, 2.0)):
        ca = np.complex128(a) if complex_side in ("a", "both") else np.float64(a)
        cb = np.complex128(b) if complex_side in ("b", "both") else np.float64(b)
        assert complex(hypot(ca, cb)).real == pytest.approx(math.hypot(a, b), rel=1e-15)


def test_relu_keeps_zero_signed_and_nan():
    relu = PRIMITIVES["relu"].evaluate
    out = relu(np.array([-2.0, -0.0, 0.0, 3.0, NAN, -INF]))
    assert [same(v, w) for v, w in zip(out, [-0.0, -0.0, 0.0, 3.0, NAN, NAN], strict=True)]
    assert same(out[2], 0.0) and same(out[0], -0.0) and np.isnan(out[4])
    assert same(PRIMITIVES["relu"].scalar(0.0), 0.0) and same(PRIMITIVES["relu"].scalar(-2.0),
                                                               -0.0)


@pytest.mark.parametrize("n, want", [(0.0, 0.0), (1.0, 1.0), (2.0, 6.0), (3.0, 27.0),
                                     (-1.0, -1 / 9)])
def test_powi_partial(n, want):
    (partial,) = PRIMITIVES["powi"].partials(NUMPY, np.float64(3.0) ** n, np.float64(3.0), n)
    assert float(partial) == pytest.approx(want, rel=1e-15)
    (at_zero,) = PRIMITIVES["powi"].partials(NUMPY, np.float64(0.0), np.float64(0.0), n)
    assert float(at_zero) == {0.0: 0.0, 1.0: 1.0, 2.0: 0.0, 3.0: 0.0}.get(n, -INF) or n < 0


def test_the_exponent_partial_of_pow():
    pow_ = PRIMITIVES["pow"]
    for a, b in ((2.0, 3.0), (0.5, 2.0), (0.0, 2.0), (3.0, 0.0)):
        out = np.float64(a) ** b
        _, d_b = pow_.partials(NUMPY, out, np.float64(a), np.float64(b))
        want = 0.0 if a == 0 else out * math.log(a)
        assert float(d_b) == pytest.approx(want, rel=1e-15, abs=1e-300), (a, b)


# --- the chain rule's shortcuts -----------------------------------------------------------


@pytest.mark.parametrize("partial", [1.0, -1.0, 2.0, -2.0, 0.5])
def test_chain_with_a_constant_partial(partial):
    ct = np.array([3.0, -4.0, 0.0])
    assert chain(ct, partial, np.array([1.0, 1.0, 1.0])).tolist() == (partial * ct).tolist()
    assert np.isnan(chain(ct, partial, np.array([1.0, NAN, 1.0]))[1])
    partials = np.array([partial, 1.0, -1.0])
    assert chain(ct, partials, np.ones(3)).tolist() == (partials * ct).tolist()


# --- dual numbers ---------------------------------------------------------------------------


def test_dual_operators():
    x = Dual(np.float64(2.0), np.float64(1.0))
    cases = [(x + 1, 3.0, 1.0), (1 + x, 3.0, 1.0), (x - 0.5, 1.5, 1.0), (5 - x, 3.0, -1.0),
             (x * 3, 6.0, 3.0), (3 * x, 6.0, 3.0), (x / 4, 0.5, 0.25), (4 / x, 2.0, -1.0),
             (-x, -2.0, -1.0), (x**3, 8.0, 12.0), (x**0.5, math.sqrt(2), 0.5 / math.sqrt(2)),
             (2**x, 4.0, 4 * math.log(2))]
    for dual, primal, tangent in cases:
        assert isinstance(dual, Dual)
        assert float(dual.primal) == pytest.approx(primal, rel=1e-15)
        assert float(dual.tangent) == pytest.approx(tangent, rel=1e-15)


def test_apply_dual_without_a_tangent_gives_a_plain_value():
    out = apply_dual(PRIMITIVES["sin"], np.float64(0.5))
    assert not isinstance(out, Dual) and float(out) == math.sin(0.5)
    assert not isinstance(apply_dual(PRIMITIVES["add"], 1.0, Dual(2.0, None)), Dual)


def test_dual_functions_built_fresh():
    """The namespaces are built at import; build their functions here too."""
    powi = _dual_function(PRIMITIVES["powi"])
    cube = powi(Dual(np.float64(2.0), np.float64(1.0)), 3.0)
    assert (float(cube.primal), float(cube.tangent)) == (8.0, 12.0)
    atan2 = _dual_function(PRIMITIVES["atan2"])
    angle = atan2(Dual(np.float64(1.0), np.float64(1.0)), np.float64(1.0))
    assert float(angle.tangent) == pytest.approx(0.5, rel=1e-15)
    # at a corner: both sides of abs by default; the side the tangent moves to if asked
    symmetric = _dual_function(PRIMITIVES["abs"])(Dual(np.float64(0.0), np.float64(-1.0)))
    sided = _dual_function(PRIMITIVES["abs"], one_sided=True)(
        Dual(np.float64(0.0), np.float64(-1.0)))
    assert float(symmetric.tangent) == 0.0 and float(sided.tangent) == 1.0
    sign = _piecewise_constant(np.sign)
    assert sign(Dual(np.float64(-2.0), np.float64(1.0))) == -1.0
    assert float(DUAL.sign(Dual(np.float64(3.0), None))) == 1.0


def test_one_sided_corners_with_constant_and_tangentless_arguments():
    expr = parse("max(x, 0) + min(y, 1)", variables=["x", "y"])
    directions = np.array([[1.0, 0.0], [-1.0, 0.0], [0.5, 0.0], [0.0, 1.0], [0.0, -1.0]])
    value, slopes, corners = directional_derivatives(expr.graph, expr.variables, [0.0, 1.0],
                                                     directions)
    assert value == 1.0 and slopes.tolist() == [1.0, 0.0, 0.5, 0.0, -1.0]
    kinks = [i for i, node in enumerate(expr.graph.nodes) if node.op in ("max", "min")]
    assert corners == kinks
    constant = parse("0*x + 2", variables=["x"])
    value, slopes, corners = directional_derivatives(constant.graph, ["x"], [1.0],
                                                     np.array([[1], [-2]]))
    assert value == 2.0 and slopes.tolist() == [0.0, 0.0] and corners == []
    with pytest.raises(ValueError):
        directional_derivatives(expr.graph, ["x"], [0.0, 1.0], directions)


def test_jvp_gradient_of_arrays_constants_and_no_variables():
    expr = parse("x*y - y**2", variables=["x", "y"])
    x, y = np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.0, 2.0])
    value, gradient = jvp_gradient(expr.graph, expr.variables, [x, y])
    assert value.tolist() == (x * y - y**2).tolist()
    assert gradient.tolist() == [y.tolist(), (x - 2 * y).tolist()]
    constant = parse("0*x + 2", variables=["x"])
    value, gradient = jvp_gradient(constant.graph, ["x"], [x])
    assert value.tolist() == [2.0, 2.0, 2.0] and gradient.tolist() == [[0.0, 0.0, 0.0]]
    assert value.dtype == gradient.dtype == np.float64
    value, gradient = jvp_gradient(parse("3").graph, [], [])
    assert value.shape == () and float(value) == 3.0 and gradient.shape == (0,)
    with pytest.raises(ValueError):
        jvp_gradient(expr.graph, ["x", "y"], [x])


# --- reverse mode -----------------------------------------------------------------------------


def test_backward_skips_what_no_variable_reaches_unless_asked():
    expr = parse("x * (2 + 3)")
    from engine.evaluate import forward_values

    values = forward_values(expr.graph, {"x": np.float64(4.0)})
    constants = [i for i, node in enumerate(expr.graph.nodes) if node.op == "const"]
    cts = backward(expr.graph, values)
    assert constants and all(cts[i] is None for i in constants)
    every = backward(expr.graph, values, every_node=True)
    assert all(every[i] is not None for i in constants)
    stored = backward(expr.graph, values, store=lambda j, ct: ("kept", j))
    assert all(ct == ("kept", i) for i, ct in enumerate(stored) if ct is not None and
               i != expr.graph.output)


def test_vjp_and_hessian_refuse_columns_that_do_not_match_the_names():
    expr = parse("x*y")
    with pytest.raises(ValueError):
        vjp_gradient(expr.graph, ["x", "y"], [np.array(1.0)])
    with pytest.raises(ValueError):
        hessian_columns(expr.graph, ["x", "y"], [np.array(1.0)])


def test_hessian_columns_on_arrays_linear_parts_and_constants():
    expr = parse("2*x**2 - x*y - (y - x) + y**3", variables=["x", "y"])
    x, y = np.array([1.0, -2.0, 0.5]), np.array([3.0, 1.0, -1.0])
    value, gradient, hess = hessian_columns(expr.graph, expr.variables, [x, y])
    assert value.tolist() == (2 * x**2 - x * y - (y - x) + y**3).tolist()
    assert gradient.tolist() == [(4 * x - y + 1).tolist(), (-x - 1 + 3 * y**2).tolist()]
    assert hess.tolist() == [[[4.0] * 3, [-1.0] * 3], [[-1.0] * 3, (6 * y).tolist()]]
    linear = parse("x - 2*y + 1", variables=["x", "y"])
    value, gradient, hess = hessian_columns(linear.graph, linear.variables,
                                            [np.array(1.0), np.array(2.0)])
    assert float(value) == -2.0 and gradient.tolist() == [1.0, -2.0]
    assert hess.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    value, gradient, hess = hessian_columns(parse("3").graph, [], [])
    assert float(value) == 3.0 and gradient.shape == (0,) and hess.shape == (0, 0)


@pytest.mark.parametrize("text", ["x - y**2", "-(x*y) + x", "x**2 - log(x)*y"])
def test_hessians_through_subtraction_and_negation(text):
    h = hessian(parse(text, variables=["x", "y"]), [2.0, 3.0])
    want = {"x - y**2": [[0.0, 0.0], [0.0, -2.0]], "-(x*y) + x": [[0.0, -1.0], [-1.0, 0.0]],
            "x**2 - log(x)*y": [[2 + 3 / 4, -0.5], [-0.5, 0.0]]}[text]
    np.testing.assert_allclose(h, want, rtol=1e-15)


def test_nothing_flows_through_an_undefined_point_of_a_hessian():
    """f is undefined at x = -1 (log): there its gradient and Hessian are undefined too;
    at x = 1 they are numbers."""
    expr = parse("log(x) + y**2", variables=["x", "y"])
    x, y = np.array([-1.0, 1.0]), np.array([2.0, 2.0])
    value, gradient, hess = hessian_columns(expr.graph, expr.variables, [x, y])
    assert np.isnan(value[0]) and value[1] == 4.0
    assert np.all(np.isnan(gradient[:, 0])) and gradient[:, 1].tolist() == [1.0, 4.0]
    assert np.isnan(hess[0, 0, 0]) and np.isnan(hess[1, 1, 0])
    assert hess[:, :, 1].tolist() == [[-1.0, 0.0], [0.0, 2.0]]
    assert np.all(np.isnan(hessian(expr, [-1.0, 2.0])))
    assert hessian(expr, [1.0, 2.0]).tolist() == [[-1.0, 0.0], [0.0, 2.0]]
