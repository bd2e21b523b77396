"""Every row of the network operation table, checked against central differences.

An operation added to engine.network.ops is tested here the moment it is added: its
inputs are drawn by name (X, W, b, Z, T), its output is weighted by a random cotangent
G, and each differentiable input's cotangent from the row's vjp must match central
differences of sum(G * output), element by element.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine.network.ops import OPERATIONS, softmax
from engine.network.reverse import Program, Step, backward, forward

N, D, K = 4, 3, 5


def _inputs(row, rng):
    """Example inputs by name, away from relu's corner."""
    def away_from_zero(shape):
        values = rng.uniform(0.2, 1.5, shape)
        return values * rng.choice([-1.0, 1.0], shape)

    examples = {
        "X": lambda: away_from_zero((N, D)),
        "W": lambda: rng.normal(0.0, 0.7, (D, K)),
        "b": lambda: rng.normal(0.0, 0.7, K),
        "Z": lambda: rng.normal(0.0, 2.0, (N, K)),
        "T": lambda: np.eye(K)[rng.integers(0, K, N)],
    }
    missing = [name for name in row.inputs if name not in examples]
    assert not missing, f"add example inputs for {missing} to this test"
    if row.inputs == ("X",):  # elementwise: any shape
        return [away_from_zero((N, K))]
    return [examples[name]() for name in row.inputs]


def _weighted(row, inputs, G):
    out, _ = row.evaluate(*inputs)
    return float(np.sum(G * out))


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_vjp_matches_central_differences(name):
    row = OPERATIONS[name]
    rng = np.random.default_rng(sum(map(ord, name)))
    inputs = _inputs(row, rng)
    out, saved = row.evaluate(*inputs)
    G = rng.normal(size=np.shape(out))
    cotangents = row.cotangents(G, saved, *inputs)
    assert len(cotangents) == len(row.inputs) == len(row.vjp) == len(row.differentiable)
    h = 1e-6
    for k, (ct, wanted) in enumerate(zip(cotangents, row.differentiable, strict=True)):
        if not wanted:
            assert ct is None, (name, row.inputs[k])
            continue
        assert np.shape(ct) == np.shape(inputs[k]), (name, row.inputs[k])
        numerical = np.zeros_like(inputs[k])
        for index in np.ndindex(inputs[k].shape):
            up = [a.copy() for a in inputs]
            down = [a.copy() for a in inputs]
            up[k][index] += h
            down[k][index] -= h
            numerical[index] = (_weighted(row, up, G) - _weighted(row, down, G)) / (2 * h)
        np.testing.assert_allclose(ct, numerical, rtol=1e-6, atol=1e-8,
                                   err_msg=f"{name}: d/d{row.inputs[k]}")


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_every_row_states_its_rules(name):
    row = OPERATIONS[name]
    assert row.name == name
    assert row.forward and row.backward and row.description
    assert all(name in row.forward or name in row.backward for name in row.inputs)


def test_textbook_rules_in_the_table():
    assert OPERATIONS["affine"].backward == "dX = G·Wᵀ, dW = Xᵀ·G, db = Σₙ G"
    assert "(Y − T)/N" in OPERATIONS["softmax_cross_entropy"].backward


def test_softmax_cross_entropy_is_finite_for_huge_scores():
    Z = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]])
    T = np.eye(2)
    loss, Y = OPERATIONS["softmax_cross_entropy"].evaluate(Z, T)
    assert loss == 0.0 and np.array_equal(Y, np.eye(2))
    loss, _ = OPERATIONS["softmax_cross_entropy"].evaluate(Z, T[::-1])
    assert loss == 2000.0
    assert np.allclose(softmax(np.zeros((1, 10))), 0.1)


def test_sigmoid_saturates_without_nan():
    with np.errstate(over="ignore"):
        Y, _ = OPERATIONS["sigmoid"].evaluate(np.array([-1000.0, 0.0, 1000.0]))
    assert Y.tolist() == [0.0, 0.5, 1.0]


def test_a_value_used_twice_gets_both_cotangents():
    """The same W and b serve two layers: their cotangents from both accumulate."""
    program = Program((
        Step("affine", ("X", "W", "b"), "Z1"),
        Step("tanh", ("Z1",), "A"),
        Step("affine", ("A", "W", "b"), "Z2"),
        Step("softmax_cross_entropy", ("Z2", "T"), "L"),
    ))
    rng = np.random.default_rng(0)
    env = {"X": rng.normal(size=(2, 3)), "W": rng.normal(size=(3, 3)),
           "b": rng.normal(size=3), "T": np.eye(3)[[1, 2]]}
    values, saved = forward(program, env)
    grads = backward(program, values, saved, ("X", "W", "b"))

    def loss(**changed):
        return forward(program, {**env, **changed})[0]["L"]

    for name in ("X", "W", "b"):
        numerical = np.zeros_like(env[name])
        for index in np.ndindex(env[name].shape):
            up, down = env[name].copy(), env[name].copy()
            up[index] += 1e-6
            down[index] -= 1e-6
            numerical[index] = (loss(**{name: up}) - loss(**{name: down})) / 2e-6
        np.testing.assert_allclose(grads[name], numerical, rtol=1e-6, atol=1e-9)


def test_backward_computes_no_cotangent_for_the_data():
    """Nothing asks for dX = G·Wᵀ, so W.T is never taken (dW and db do not need it)."""

    class NoTranspose(np.ndarray):
        @property
        def T(self):
            raise AssertionError("dX was computed")

    program = Program((Step("affine", ("X", "W", "b"), "Z"),
                       Step("softmax_cross_entropy", ("Z", "T"), "L")))
    W = np.ones((4, 3)).view(NoTranspose)
    values, saved = forward(program, {"X": np.ones((2, 4)), "W": W, "b": np.zeros(3),
                                      "T": np.eye(3)[[0, 1]]})
    grads = backward(program, values, saved, ("W", "b"))
    assert list(grads) == ["W", "b"]
    with pytest.raises(AssertionError, match="dX was computed"):
        backward(program, values, saved, ("X",))


def test_an_unknown_operation_is_refused_by_name():
    from engine import ExpressionError

    with pytest.raises(ExpressionError, match="no operation 'conv'"):
        Program((Step("conv", ("X",), "Y"),))
