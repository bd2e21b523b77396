"""Neural networks from the textbook's last chapter: backpropagation, gradient checking
and mini-batch training, in numpy, next to (not inside) the scalar expression engine.

* :mod:`~engine.network.ops` -- the table of array operations (affine, sigmoid, tanh,
  relu, softmax with cross-entropy), each with its evaluation and its
  vector-Jacobian rule;
* :mod:`~engine.network.reverse` -- a program of steps, evaluated forwards and
  differentiated backwards (reverse mode over arrays);
* :mod:`~engine.network.net` -- :class:`TwoLayerNet`, a composition of those operations,
  and its initialisations;
* :mod:`~engine.network.check` -- backpropagation against the numerical gradient;
* :mod:`~engine.network.data` -- the planar sets and the handwritten digits;
* :mod:`~engine.network.train` -- mini-batch training with any optimizer of
  :data:`engine.OPTIMIZERS`.

A notebook can do what the server does:

>>> from engine.network import TwoLayerNet, check_gradients, load_dataset, train
>>> data = load_dataset("digits", seed=0)
>>> net = TwoLayerNet(inputs=64, hidden=50, classes=10, activation="sigmoid")
>>> params = net.init("xavier", seed=0)
>>> loss, grads = net.gradients(params, data.X_train[:100], data.T_train[:100])
>>> round(loss, 2), grads["W1"].shape
(2.31, (64, 50))
>>> check_gradients(net, params, data.X_train[:3], data.T_train[:3]).verdict
'pass'
>>> result = train(data, hidden=50, init="xavier", lr=0.5, batch_size=100, epochs=20)
>>> result.status, bool(result.test_accuracy[-1] > 0.9)
('completed', True)
"""

from .check import NetworkCheck, TensorCheck, check_gradients
from .data import DATASETS, DIGITS, Dataset, DatasetInfo, load_dataset, one_hot, sample_count
from .net import ACTIVATIONS, INITS, PARAMETERS, Params, TwoLayerNet
from .ops import OPERATIONS, Operation, softmax
from .reverse import Program, Step, backward, forward
from .train import (
    Boundary,
    EpochRecord,
    Snapshot,
    Stopped,
    TrainResult,
    iteration_count,
    train,
)

__all__ = [
    "ACTIVATIONS",
    "DATASETS",
    "DIGITS",
    "INITS",
    "OPERATIONS",
    "PARAMETERS",
    "Boundary",
    "Dataset",
    "DatasetInfo",
    "EpochRecord",
    "NetworkCheck",
    "Operation",
    "Params",
    "Program",
    "Snapshot",
    "Step",
    "Stopped",
    "TensorCheck",
    "TrainResult",
    "TwoLayerNet",
    "backward",
    "check_gradients",
    "forward",
    "iteration_count",
    "load_dataset",
    "one_hot",
    "sample_count",
    "softmax",
    "train",
]
