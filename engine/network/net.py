"""The two-layer network: affine → activation → affine → softmax with cross-entropy.

:class:`TwoLayerNet` is a composition of the operations of :mod:`engine.network.ops`
written as a :class:`~engine.network.reverse.Program`; its gradients come from the
reverse pass over that program, not from a hand-written ``gradient`` method.  The
net holds no parameters: they are a dict ``{"W1", "b1", "W2", "b2"}`` passed in and
returned, so one net serves any number of parameter sets at once (and requests).

>>> import numpy as np
>>> net = TwoLayerNet(inputs=2, hidden=3, classes=2, activation="tanh")
>>> params = net.init("xavier", seed=0)
>>> net.shapes
{'W1': (2, 3), 'b1': (3,), 'W2': (3, 2), 'b2': (2,)}
>>> X, T = np.array([[0.5, -1.0]]), np.array([[0.0, 1.0]])
>>> loss, grads = net.gradients(params, X, T)
>>> numerical, evaluations = net.numerical_gradient(params, X, T)
>>> evaluations, bool(np.allclose(grads["W1"], numerical["W1"], atol=1e-9))
(34, True)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from ..errors import DeadlineExceeded, ExpressionError
from ..types import Array
from .data import random_stream
from .ops import OPERATIONS, softmax
from .reverse import Program, Step, backward, forward

__all__ = ["ACTIVATIONS", "INITS", "PARAMETERS", "Params", "TwoLayerNet", "check_choice"]

Params = dict[str, Array]
"""``{"W1": (inputs, hidden), "b1": (hidden,), "W2": (hidden, classes), "b2": (classes,)}``."""

PARAMETERS = ("W1", "b1", "W2", "b2")
"""The parameter tensors, in order."""

ACTIVATIONS: dict[str, str] = {
    name: OPERATIONS[name].description for name in ("sigmoid", "tanh", "relu")
}
"""The hidden layer's activations (rows of the operation table), in menu order."""


@dataclass(frozen=True)
class Init:
    """A way to draw the initial weights: normal with a standard deviation that is
    either given (``init_std``) or computed from the layer's fan-in."""

    name: str
    label: str
    description: str
    std: Callable[[int, float], float]
    """``std(fan_in, init_std)``."""
    uses_init_std: bool = False
    """Whether ``init_std`` sets the spread (else the fan-in does)."""


_INITS = (
    Init("std", "Normal, fixed std",
         "Weights normal with standard deviation init_std (the textbook's 0.01); biases 0.",
         lambda fan_in, init_std: init_std, uses_init_std=True),
    Init("xavier", "Xavier",
         "Weights normal with standard deviation √(1/fan-in), which keeps a sigmoid or "
         "tanh layer's outputs spread out; biases 0.",
         lambda fan_in, init_std: float(np.sqrt(1.0 / fan_in))),
    Init("he", "He",
         "Weights normal with standard deviation √(2/fan-in), for ReLU layers; biases 0.",
         lambda fan_in, init_std: float(np.sqrt(2.0 / fan_in))),
)
INITS: dict[str, Init] = {row.name: row for row in _INITS}
"""Every initialisation by name, in menu order."""


def check_choice(value: str, table: Mapping[str, object], what: str, field: str) -> str:
    """``value`` if it names a row of ``table``, else an error listing the rows."""
    if value not in table:
        raise ExpressionError(f"unknown {what} {value!r}; choose one of {', '.join(table)}",
                              code=f"unknown_{field}", field=field)
    return value


@dataclass(frozen=True)
class TwoLayerNet:
    """``inputs`` → ``hidden`` units with ``activation`` → ``classes`` scores → loss."""

    inputs: int
    hidden: int
    classes: int
    activation: str = "sigmoid"
    program: Program = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_choice(self.activation, ACTIVATIONS, "activation", "activation")
        for name in ("inputs", "hidden", "classes"):
            if getattr(self, name) < 1:
                raise ExpressionError(f"{name} must be at least 1", code="bad_size",
                                      field=name)
        object.__setattr__(self, "program", Program((
            Step("affine", ("X", "W1", "b1"), "Z1"),
            Step(self.activation, ("Z1",), "A1"),
            Step("affine", ("A1", "W2", "b2"), "Z2"),
            Step("softmax_cross_entropy", ("Z2", "T"), "L"),
        )))

    @property
    def shapes(self) -> dict[str, tuple[int, ...]]:
        return {"W1": (self.inputs, self.hidden), "b1": (self.hidden,),
                "W2": (self.hidden, self.classes), "b2": (self.classes,)}

    @property
    def parameters(self) -> int:
        """How many numbers the parameters hold."""
        return sum(int(np.prod(shape)) for shape in self.shapes.values())

    def init(self, init: str = "std", seed: int = 0, init_std: float = 0.01,
             rng: np.random.Generator | None = None) -> Params:
        """Fresh parameters: weights normal with the ``init`` row's standard deviation
        (fan-in: the layer's number of inputs), biases 0; drawn from ``seed`` (the
        same weights :func:`~engine.network.train` starts from with that seed) or
        from ``rng``."""
        row = INITS[check_choice(init, INITS, "initialisation", "init")]
        if not (np.isfinite(init_std) and init_std > 0):
            raise ExpressionError("init_std must be a positive number", code="bad_setting",
                                  field="init_std")
        rng = random_stream(seed, "init") if rng is None else rng
        params: Params = {}
        for name, shape in self.shapes.items():
            if name.startswith("W"):
                params[name] = rng.normal(0.0, row.std(shape[0], init_std), size=shape)
            else:
                params[name] = np.zeros(shape)
        return params

    def scores(self, params: Params, X: Array) -> Array:
        """The class scores Z2 (before the softmax) for the rows of X."""
        values, _ = forward(self.program.upto("Z2"), {"X": X, **params})
        return values["Z2"]  # type: ignore[no-any-return]

    def predict(self, params: Params, X: Array) -> Array:
        """Class probabilities, one row per row of X."""
        return softmax(self.scores(params, X))

    def loss(self, params: Params, X: Array, T: Array) -> float:
        """The mean cross-entropy loss on the batch (X, one-hot T)."""
        values, _ = forward(self.program, {"X": X, "T": T, **params})
        return float(values["L"])

    def loss_and_scores(self, params: Params, X: Array, T: Array) -> tuple[float, Array]:
        """The loss and the class scores in one forward pass."""
        values, _ = forward(self.program, {"X": X, "T": T, **params})
        return float(values["L"]), values["Z2"]

    def gradients(self, params: Params, X: Array, T: Array) -> tuple[float, Params]:
        """The loss and its gradient for every parameter: one forward and one reverse
        pass over the program (backpropagation)."""
        values, saved = forward(self.program, {"X": X, "T": T, **params})
        return float(values["L"]), backward(self.program, values, saved, PARAMETERS)

    def numerical_gradient(self, params: Params, X: Array, T: Array, h: float = 1e-4,
                           deadline: float | None = None) -> tuple[Params, int]:
        """The textbook's numerical gradient: central differences, one parameter at a
        time, two loss evaluations each.  Returns the gradients and the number of loss
        evaluations (2 × parameters) -- that cost is the lesson.  Past ``deadline`` (a
        ``time.monotonic()`` value) it stops with :class:`~engine.DeadlineExceeded`."""
        grads: Params = {}
        evaluations = 0
        for name in PARAMETERS:
            value = params[name].copy()
            trial = {**params, name: value}
            grad = np.zeros_like(value)
            flat, out = value.reshape(-1), grad.reshape(-1)
            for i in range(flat.size):
                if deadline is not None and time.monotonic() > deadline:
                    raise DeadlineExceeded(
                        f"the numerical gradient ran out of time after {evaluations} loss "
                        "evaluations", field="batch")
                kept = flat[i]
                flat[i] = kept + h
                up = self.loss(trial, X, T)
                flat[i] = kept - h
                down = self.loss(trial, X, T)
                flat[i] = kept
                out[i] = (up - down) / (2.0 * h)
                evaluations += 2
            grads[name] = grad
        return grads, evaluations
