"""Gradient checking for a network: backpropagation against the numerical gradient.

For every parameter tensor the check reports the largest and the mean absolute
difference and the relative error ``‖b − n‖ / max(‖b‖, ‖n‖)`` (norms over the whole
tensor; 0 when both are 0), with the verdict bands of :mod:`engine.gradcheck`
(``pass`` up to 1e-7, or when the largest difference is within the rounding error
of central differences, 4·eps·|L|/h; ``warn`` up to 1e-4; ``fail`` beyond), and the
two costs side by side: one forward and one backward pass against ``2 × parameters``
loss evaluations.

>>> from engine.network import TwoLayerNet, load_dataset
>>> data = load_dataset("digits", seed=0)
>>> net = TwoLayerNet(64, 10, 10, "sigmoid")
>>> check = check_gradients(net, net.init("xavier", seed=0), data.X_train[:3],
...                         data.T_train[:3])
>>> [(t.name, t.verdict) for t in check.tensors]
[('W1', 'pass'), ('b1', 'pass'), ('W2', 'pass'), ('b2', 'pass')]
>>> check.evaluations == 2 * net.parameters
True
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..errors import ExpressionError
from ..gradcheck import verdict_of
from ..types import Array
from .net import PARAMETERS, Params, TwoLayerNet

__all__ = ["NetworkCheck", "TensorCheck", "check_gradients"]

EPS = float(np.finfo(np.float64).eps)
_ORDER = {"pass": 0, "warn": 1, "fail": 2}
_REPEATS = 5
"""Backpropagation is timed as the fastest of this many runs (one is a few µs)."""


@dataclass(frozen=True)
class TensorCheck:
    name: str
    shape: tuple[int, ...]
    max_abs_diff: float
    mean_abs_diff: float
    rel_error: float
    verdict: str


@dataclass(frozen=True)
class NetworkCheck:
    tensors: list[TensorCheck]
    loss: float
    evaluations: int
    """Loss evaluations the numerical gradient needed (2 per parameter)."""
    backprop_seconds: float
    numerical_seconds: float
    verdict: str
    """The worst tensor's verdict."""
    message: str
    backprop: Params
    numerical: Params


def _compare(name: str, b: Array, n: Array, bound: float) -> TensorCheck:
    diff = np.abs(b - n)
    scale = max(float(np.linalg.norm(b)), float(np.linalg.norm(n)))
    distance = float(np.linalg.norm(b - n))
    relative = 0.0 if distance == 0 else distance / scale
    largest = float(diff.max()) if diff.size else 0.0
    return TensorCheck(name, b.shape, largest, float(diff.mean()) if diff.size else 0.0,
                       relative, verdict_of(relative, largest, bound))


def check_gradients(net: TwoLayerNet, params: Params, X: Array, T: Array, h: float = 1e-4,
                    deadline: float | None = None) -> NetworkCheck:
    """Compare backpropagation's gradients with central differences of step ``h`` on
    the batch (X, one-hot T), tensor by tensor."""
    if not (np.isfinite(h) and h > 0):
        raise ExpressionError("h must be a positive number", code="bad_step", field="h")
    if len(X) < 1:
        raise ExpressionError("the batch needs at least one example", code="bad_size",
                              field="batch")
    with np.errstate(all="ignore"):
        times = []
        for _ in range(_REPEATS):
            began = time.perf_counter()
            loss, backprop = net.gradients(params, X, T)
            times.append(time.perf_counter() - began)
        began = time.perf_counter()
        numerical, evaluations = net.numerical_gradient(params, X, T, h, deadline=deadline)
        numerical_seconds = time.perf_counter() - began
    bound = 4.0 * EPS * abs(loss) / h
    tensors = [_compare(name, backprop[name], numerical[name], bound) for name in PARAMETERS]
    worst = max((t.verdict for t in tensors), key=_ORDER.__getitem__)
    largest = max(tensors, key=lambda t: t.rel_error)
    if worst == "pass":
        message = (f"backpropagation matches the numerical gradient in every tensor "
                   f"(largest relative error {largest.rel_error:.2g}, in {largest.name})")
    else:
        said = "is off" if worst == "fail" else "agrees only roughly"
        message = (f"{largest.name} {said}: relative error {largest.rel_error:.2g}, largest "
                   f"difference {largest.max_abs_diff:.2g}")
    return NetworkCheck(tensors, loss, evaluations, min(times), numerical_seconds, worst,
                        message, backprop, numerical)
