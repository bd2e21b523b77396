"""The table of array operations: one row per layer with its evaluation and its
vector-Jacobian rule, written as the textbook writes them.

Each :class:`Operation` declares, in one place,

* ``evaluate(*inputs) -> (output, saved)`` -- the numpy forward computation, and what
  the backward rule will need from it (the textbook's layers keep it as ``self.out``);
* ``vjp`` -- one rule per input, ``rule(G, saved, *inputs) -> cotangent``: given the
  cotangent ``G`` of the output (∂loss/∂output), that input's cotangent; ``None`` for
  an input that is data, not a parameter (the targets ``T``).  One rule per input
  (as HIPS/autograd's ``defvjp`` has) lets the reverse pass skip what nobody needs,
  such as the cotangent of the data ``X``;
* ``forward`` and ``backward`` -- the same rules as formulas, for the docs and the page.

The reverse pass (:mod:`engine.network.reverse`) loops over steps and never names an
operation.  ``tests/engine/test_network_ops.py`` checks every row against central
differences, so a new row is tested the moment it is added.

>>> import numpy as np
>>> X, W, b = np.ones((2, 3)), np.full((3, 4), 0.5), np.zeros(4)
>>> Y, saved = OPERATIONS["affine"].evaluate(X, W, b)
>>> Y.tolist()[0]
[1.5, 1.5, 1.5, 1.5]
>>> dX, dW, db = OPERATIONS["affine"].cotangents(np.ones((2, 4)), saved, X, W, b)
>>> dX.shape, dW.shape, db.tolist()          # dX = G·Wᵀ, dW = Xᵀ·G, db = Σₙ G
((2, 3), (3, 4), [2.0, 2.0, 2.0, 2.0])
>>> OPERATIONS["softmax_cross_entropy"].backward
'dZ = G·(Y − T)/N, with Y = softmax(Z)'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..types import Array

__all__ = ["Operation", "OPERATIONS", "softmax"]


@dataclass(frozen=True)
class Operation:
    """One array operation (a layer) and all of its rules."""

    name: str
    label: str
    inputs: tuple[str, ...]
    """The inputs' names, in order: ``("X", "W", "b")``."""
    evaluate: Callable[..., tuple[Any, Any]]
    vjp: tuple[Callable[..., Any] | None, ...]
    """One rule per input, ``rule(G, saved, *inputs)``; None for data (no cotangent)."""
    forward: str
    backward: str
    description: str = ""

    @property
    def differentiable(self) -> tuple[bool, ...]:
        """Per input: whether it gets a cotangent (False for data such as the targets)."""
        return tuple(rule is not None for rule in self.vjp)

    def cotangents(self, G: Any, saved: Any, *inputs: Any) -> tuple[Any, ...]:
        """Every input's cotangent (None for data)."""
        return tuple(None if rule is None else rule(G, saved, *inputs) for rule in self.vjp)


def softmax(Z: Array) -> Array:
    """Row-wise softmax, shifted by each row's maximum so ``exp`` never overflows.

    >>> softmax(np.array([[0.0, 0.0], [1000.0, 0.0]])).round(6).tolist()
    [[0.5, 0.5], [1.0, 0.0]]
    """
    shifted = Z - Z.max(axis=1, keepdims=True)
    E = np.exp(shifted)
    return E / E.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]


def _softmax_cross_entropy(Z: Array, T: Array) -> tuple[float, Array]:
    """Mean cross-entropy of softmax(Z) against one-hot T over the N rows, via the
    log-sum-exp (finite for any finite Z, unlike ``log(softmax + 1e-7)``)."""
    shifted = Z - Z.max(axis=1, keepdims=True)
    E = np.exp(shifted)
    total = E.sum(axis=1, keepdims=True)
    log_Y = shifted - np.log(total)
    loss = -float((T * log_Y).sum()) / Z.shape[0]
    return loss, E / total


def _sigmoid(X: Array) -> tuple[Array, Array]:
    Y = 1.0 / (1.0 + np.exp(-X))  # exp(-X) = inf for X << 0 gives 0, as it should
    return Y, Y


def _tanh(X: Array) -> tuple[Array, Array]:
    Y = np.tanh(X)
    return Y, Y


def _relu(X: Array) -> tuple[Array, np.ndarray]:
    mask = X > 0
    return X * mask, mask


_TABLE = (
    Operation(
        "affine", "Affine", ("X", "W", "b"),
        lambda X, W, b: (X @ W + b, None),
        (lambda G, _, X, W, b: G @ W.T,
         lambda G, _, X, W, b: X.T @ G,
         lambda G, _, X, W, b: G.sum(axis=0)),
        "Y = X·W + b",
        "dX = G·Wᵀ, dW = Xᵀ·G, db = Σₙ G",
        "A fully connected layer: every output is a weighted sum of every input plus a bias.",
    ),
    Operation(
        "sigmoid", "Sigmoid", ("X",), _sigmoid,
        (lambda G, Y, X: G * (1.0 - Y) * Y,),
        "Y = 1/(1 + exp(−X))",
        "dX = G·Y·(1 − Y)",
        "The logistic function, elementwise: smooth, between 0 and 1, flat at both ends.",
    ),
    Operation(
        "tanh", "tanh", ("X",), _tanh,
        (lambda G, Y, X: G * (1.0 - Y * Y),),
        "Y = tanh(X)",
        "dX = G·(1 − Y²)",
        "The hyperbolic tangent, elementwise: a sigmoid centred on 0, between −1 and 1.",
    ),
    Operation(
        "relu", "ReLU", ("X",), _relu,
        (lambda G, mask, X: G * mask,),
        "Y = max(0, X)",
        "dX = G where X > 0, else 0",
        "The rectified linear unit, elementwise: passes positives, zeroes negatives.",
    ),
    Operation(
        "softmax_cross_entropy", "Softmax with cross-entropy", ("Z", "T"), _softmax_cross_entropy,
        (lambda G, Y, Z, T: (Y - T) * (G / Z.shape[0]), None),
        "L = −(1/N)·Σₙ Σₖ Tₙₖ·log Yₙₖ, with Y = softmax(Z)",
        "dZ = G·(Y − T)/N, with Y = softmax(Z)",
        "Softmax of the scores Z, then the mean cross-entropy against the one-hot "
        "targets T over the batch of N: the loss.",
    ),
)

OPERATIONS: dict[str, Operation] = {row.name: row for row in _TABLE}
"""Every operation by name."""
