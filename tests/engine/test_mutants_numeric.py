"""engine/numeric.py: what the methods promise beyond "close to the derivative", each
test written against mutants the other tests let through (scripts/mutation.py).

The steps (powers of two, positive, as given when given, echoed as float64), the number
of points each method evaluates (what ``evaluations_per_point`` tells the callers that
size their blocks), how Richardson groups coordinates, how it picks a candidate step
where rounding inside f misleads its own estimate, and the complex step's tiny steps.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine import numeric
from engine.numeric import _stacked, evaluations_per_point


def counting(f):  # type: ignore[no-untyped-def]
    """f, and the list of the leading-axis size of each call it gets."""
    sizes: list[int] = []

    def counted(xs):  # type: ignore[no-untyped-def]
        sizes.append(int(np.prod(np.shape(xs[0]))))
        return f(xs)

    return counted, sizes


def total(xs):  # type: ignore[no-untyped-def]
    return sum(xs)


# --- the stacked stencil -----------------------------------------------------------------


def test_stacked_moves_only_the_shifted_coordinates():
    x = [np.array(1.0), np.array(2.0), np.array(3.0)]
    columns = _stacked(x, [(0, np.array(0.5)), (0, np.array(-0.5)), (2, np.array(0.25))])
    assert [c.tolist() for c in columns] == [[1.5, 0.5, 1.0], [2.0, 2.0, 2.0],
                                             [3.0, 3.0, 3.25]]
    # a coordinate no shift moves is a read-only broadcast view, not a copy
    assert not columns[1].flags.writeable and columns[1].base is not None


def test_stacked_promotes_to_what_the_shift_needs():
    (complex_column,) = _stacked([np.array(1.0)], [(0, np.array(1e-20j))])
    assert complex_column.dtype == np.complex128 and complex_column[0].imag == 1e-20
    (keeps_complex,) = _stacked([np.array(1 + 2j)], [(0, np.array(0.5))])
    assert keeps_complex.tolist() == [1.5 + 2j]
    (wider,) = _stacked([np.float32(1.0)], [(0, np.array(1e-10))])
    assert wider.dtype == np.float64 and wider[0] == 1 + 1e-10


# --- steps -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["forward", "backward", "central", "richardson",
                                  "complex-step"])
def test_a_step_given_as_an_int_is_used_and_echoed_as_float64(name):
    square = lambda xs: xs[0] ** 2  # noqa: E731
    points = [np.array([0.5, 3.0])]
    g, h, _ = numeric.NUMERICAL[name](square, points, 1)
    assert h.dtype == np.float64 and h.tolist() == [[1.0, 1.0]]
    want = {"forward": [2.0, 7.0], "backward": [0.0, 5.0]}.get(name, [1.0, 6.0])
    assert g.tolist() == [want]


def test_richardson_uses_a_given_step_per_point():
    hs = np.array([0.5, 0.25])
    g, h, error = numeric.richardson(lambda xs: np.exp(xs[0]), [np.array([0.0, 1.0])], hs)
    assert h.tolist() == [hs.tolist()]
    np.testing.assert_allclose(g[0], np.exp([0.0, 1.0]), rtol=1e-7)
    assert error.dtype == np.float64 and np.all((error > 0) & (error < 1e-6))


@pytest.mark.parametrize("x", [0.0, 1e-300, 3e-7, 0.3, 1.0, 7.5, -123.0, 4e15])
def test_richardson_steps_are_positive_powers_of_two_at_most_the_scale(x):
    """Powers of two from s = max(1, |x|) down by factors of 4, and near 0 from |x| down
    (so a stencil can stay on one side of 0)."""
    _, h, _ = numeric.richardson(lambda xs: np.sin(xs[0]) + xs[0] ** 3, [np.array(x)])
    step = float(h[0])
    assert step > 0 and math.log2(step) == int(math.log2(step))
    scale = max(1.0, abs(x))
    candidates = [2.0 ** math.ceil(math.log2(scale)) * 4.0**-k for k in range(24)]
    if x:
        near = 2.0 ** math.floor(math.log2(abs(x)))
        candidates += [near * 4.0**-k for k in range(1, 9)]
    assert step in candidates


def test_complex_steps_are_tiny_and_scale_down_with_x():
    square = lambda xs: xs[0] ** 2  # noqa: E731
    x = np.array([0.0, 3.0, 0.5, 1e-3, 1e-310, -2e-5])
    g, h, _ = numeric.complex_step(square, [x])
    assert h[0].tolist() == [1e-20, 1e-20, 0.5e-20, 1e-23, 5e-324, 2e-25]
    assert np.all(h > 0)
    np.testing.assert_allclose(g[0][:4], 2 * x[:4], rtol=1e-15)


def test_complex_step_is_nan_only_where_f_is_not_finite():
    g, _, _ = numeric.complex_step(lambda xs: np.log(xs[0]), [np.array([-1.0, 2.0, 0.5])])
    assert np.isnan(g[0][0]) and g[0][1:].tolist() == [0.5, 2.0]


# --- how many points, and in how many calls ------------------------------------------------


@pytest.mark.parametrize("name", ["forward", "backward", "central", "complex-step",
                                  "richardson"])
@pytest.mark.parametrize("count", [1, 3])
def test_evaluations_per_point_is_what_the_method_evaluates(name, count):
    f, sizes = counting(total)
    numeric.NUMERICAL[name](f, [np.array(0.5)] * count, None)
    claimed = evaluations_per_point(name, count)
    if name == "richardson":  # one call for a few coordinates; the claim is per coordinate
        assert len(sizes) == 1 and sizes[0] == claimed * count
    elif name == "complex-step":  # the shifted points, then f itself
        assert sizes == [count, 1] and claimed == count + 1
    else:
        assert sizes == [claimed]
    assert claimed == {"central": 2 * count, "richardson": 256}.get(name, count + 1)


def test_richardson_keeps_each_call_within_its_point_budget():
    f, sizes = counting(total)
    numeric.richardson(f, [np.array(0.5)] * 500, None)
    assert sum(sizes) == 500 * 256 and max(sizes) <= 1 << 16 and len(sizes) == 2
    # a coordinate whose own stencil is over the budget goes alone
    grid = [np.linspace(0.1, 1, 300)] * 3
    f, sizes = counting(total)
    numeric.richardson(f, grid, None)
    assert sizes == [256 * 300] * 3


# --- picking Richardson's step --------------------------------------------------------------


@pytest.mark.parametrize("text, f, df, x, tolerance", [
    # cos(x) - 1 is quantised at eps near 0, not at eps |f|: the estimate alone is misled
    ("cos(x) - 1", lambda x: np.cos(x) - 1, lambda x: -np.sin(x), 1e-5, 1e-9),
    ("cos(x) - 1", lambda x: np.cos(x) - 1, lambda x: -np.sin(x), 1e-6, 1e-7),
    ("cos(x) - 1", lambda x: np.cos(x) - 1, lambda x: -np.sin(x), 3e-4, 1e-10),
    # next to a domain edge: the stencil must stay inside
    ("log(x)", np.log, lambda x: 1 / x, 1e-3, 1e-10),
    ("sqrt(x)", np.sqrt, lambda x: 0.5 / np.sqrt(x), 1e-8, 1e-10),
    # next to a pole
    ("1/(x - 1)", lambda x: 1 / (x - 1), lambda x: -1 / (x - 1) ** 2, 0.999, 1e-9),
    ("exp(x)", np.exp, np.exp, 30.0, 1e-12),
])
def test_richardson_picks_a_step_that_is_right(text, f, df, x, tolerance):
    g, _, error = numeric.richardson(lambda xs: f(xs[0]), [np.array(x)])
    want = df(x)
    assert abs(g[0] - want) <= tolerance * abs(want), (text, x, g[0], want)
    assert 0 < error[0] <= max(100 * abs(g[0] - want), 1e-6 * abs(want)), (text, error[0])


def test_richardson_of_a_constant_is_zero_with_zero_error():
    g, h, error = numeric.richardson(lambda xs: 0 * xs[0] + 4.0, [np.array([0.0, 2.0])])
    assert g.tolist() == [[0.0, 0.0]] and np.all(h > 0)
    assert np.all(np.isfinite(error))


# --- a product bug, found by a surviving mutant (fixed) ------------------------------------
# Forward and backward differences once evaluated f(x) at x[0] + 0.0, which turns -0.0 into
# +0.0: across atan2's branch cut f(x) was +pi there while the shifted points saw -pi, so
# d/dy atan2(x, y) at (-0.0, -1) came out as -4.2e8 (forward) / +4.2e8 (backward), not 0.


@pytest.mark.parametrize("name", ["forward", "backward"])
def test_the_point_itself_keeps_a_negative_zero(name):
    atan2 = lambda xs: np.arctan2(xs[0], xs[1])  # noqa: E731
    g, _, _ = numeric.NUMERICAL[name](atan2, [np.array(-0.0), np.array(-1.0)], None)
    assert g[1] == 0.0
