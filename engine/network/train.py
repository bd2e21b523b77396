"""Mini-batch training: a seeded shuffle each epoch, any optimizer of the table.

Each epoch shuffles the training set (seeded), walks it in mini-batches of
``batch_size`` (the last one may be smaller), and after every batch applies the
optimizer's rule (:data:`engine.optimizers.OPTIMIZERS`, the same rules as
``/descent``) to each parameter array.  The mini-batch loss of every iteration is
kept (thinned evenly to ``max_points``), and before training (epoch 0) and after
every epoch the loss on the whole training set and the train and test accuracies.

A run whose loss stops being finite -- or, unless ``divergence_factor`` is None, grows
past ``divergence_factor × (1 + the first mini-batch loss)`` (as ``/descent`` decides) --
ends ``diverged``, with a message, keeping the last parameters whose loss was within
bounds.  ``on_epoch`` is called with each
:class:`EpochRecord` as it is finished (a server streams them); past ``deadline``
(a ``time.monotonic()`` value) the run stops with :class:`~engine.DeadlineExceeded`, and
once ``stop()`` is true, with :class:`Stopped`.

>>> from engine.network import load_dataset
>>> data = load_dataset("circle", samples=400, seed=0)
>>> result = train(data, hidden=8, activation="tanh", init="xavier", lr=0.5,
...                batch_size=10, epochs=20, seed=0)
>>> result.status, len(result.epochs), bool(result.test_accuracy[-1] >= 0.9)
('completed', 21, True)
>>> bool(result.train_loss[0] > result.train_loss[-1])
True
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from ..errors import DeadlineExceeded, ExpressionError
from ..optimizers import ARRAYS, check_optimizer, resolve_settings
from ..types import Array
from .data import Dataset, one_hot, random_stream
from .net import PARAMETERS, Params, TwoLayerNet

__all__ = ["Boundary", "EpochRecord", "Snapshot", "Stopped", "TrainResult", "iteration_count",
           "train"]


class Stopped(Exception):
    """``stop()`` asked a run to end (e.g. the page that was watching it has gone)."""


@dataclass(frozen=True)
class Boundary:
    """The predicted probability of class 1 on an n×n grid over the data:
    ``p[j][i]`` at ``(x[i], y[j])``."""

    x: Array
    y: Array
    p: Array


@dataclass(frozen=True)
class Snapshot:
    """What the network predicts on the test set at one moment, for drawing."""

    test_predicted: np.ndarray
    confusion: np.ndarray
    """classes × classes: rows the true class, columns the predicted one."""
    boundary: Boundary | None
    """For the planar sets."""


@dataclass(frozen=True)
class EpochRecord:
    """The figures of one finished epoch (0: before training)."""

    epoch: int
    train_loss: float
    train_accuracy: float
    test_accuracy: float
    iterations: np.ndarray
    """The (thinned) iterations of this epoch, counted from 1 over the run."""
    loss: Array
    """Their mini-batch losses."""
    snapshot: Snapshot | None
    """Present every few epochs (and at the first and last)."""


@dataclass(frozen=True)
class TrainResult:
    net: TwoLayerNet
    params: Params
    """The final parameters (the last ones whose loss was finite)."""
    iterations: np.ndarray
    loss: Array
    """The mini-batch loss per iteration, thinned to at most ``max_points``."""
    epochs: np.ndarray
    train_loss: Array
    train_accuracy: Array
    test_accuracy: Array
    snapshot: Snapshot
    """The final parameters' predictions: confusion matrix, boundary."""
    iterations_run: int
    seconds: float
    status: str
    """``completed`` or ``diverged``."""
    message: str


def iteration_count(train_size: int, batch_size: int, epochs: int) -> int:
    """Mini-batch steps of a run: ``epochs × ⌈train_size / batch_size⌉``.

    >>> iteration_count(320, 10, 50), iteration_count(1438, 100, 20)
    (1600, 300)
    """
    return epochs * -(-train_size // batch_size)


def _keep_every(total: int, max_points: int) -> int:
    """The stride that keeps at most ``max_points - 1`` iterations (plus the last)."""
    return max(1, -(-total // max(max_points - 1, 1)))


def _grid(data: Dataset, n: int) -> tuple[Array, Array, Array]:
    """An n×n grid over the data with a 10 % margin; its points as rows."""
    X = np.vstack([data.X_train, data.X_test])
    low, high = X.min(axis=0), X.max(axis=0)
    margin = 0.1 * np.maximum(high - low, 1e-9)
    xs = np.linspace(low[0] - margin[0], high[0] + margin[0], n)
    ys = np.linspace(low[1] - margin[1], high[1] + margin[1], n)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.column_stack([gx.ravel(), gy.ravel()])


class _Evaluator:
    """The figures of a parameter set: losses, accuracies and what to draw."""

    def __init__(self, net: TwoLayerNet, data: Dataset, grid: int) -> None:
        self.net = net
        self.data = data
        self.T_train = one_hot(data.y_train, data.classes)
        self.grid = _grid(data, grid) if data.planar and grid >= 2 else None

    def figures(self, params: Params) -> tuple[float, float, float, np.ndarray]:
        """Training loss, train accuracy, test accuracy and the test predictions."""
        net, data = self.net, self.data
        loss, scores = net.loss_and_scores(params, data.X_train, self.T_train)
        train_accuracy = float(np.mean(np.argmax(scores, axis=1) == data.y_train))
        predicted = np.argmax(net.scores(params, data.X_test), axis=1)
        return loss, train_accuracy, float(np.mean(predicted == data.y_test)), predicted

    def snapshot(self, params: Params, predicted: np.ndarray) -> Snapshot:
        classes = self.data.classes
        confusion = np.bincount(self.data.y_test * classes + predicted,
                                minlength=classes * classes).reshape(classes, classes)
        boundary = None
        if self.grid is not None:
            xs, ys, points = self.grid
            p = self.net.predict(params, points)[:, 1].reshape(len(ys), len(xs))
            boundary = Boundary(xs, ys, p)
        return Snapshot(predicted, confusion, boundary)


def _check(lr: float, batch_size: int, epochs: int, max_points: int,
           divergence_factor: float | None) -> None:
    if not (isinstance(lr, int | float) and math.isfinite(lr) and lr > 0):
        raise ExpressionError("lr must be a positive number", code="bad_setting", field="lr")
    if divergence_factor is not None and not (math.isfinite(divergence_factor)
                                              and divergence_factor > 0):
        raise ExpressionError("divergence_factor must be a positive number or None",
                              code="bad_setting", field="divergence_factor")
    for name, value, least in (("batch_size", batch_size, 1), ("epochs", epochs, 0),
                               ("max_points", max_points, 2)):
        if value < least:
            raise ExpressionError(f"{name} must be at least {least}", code="bad_size",
                                  field=name)


def train(data: Dataset, hidden: int = 10, activation: str = "sigmoid", init: str = "std",
          init_std: float = 0.01, optimizer: str = "gd", lr: float = 0.1,
          batch_size: int = 100, epochs: int = 20, seed: int = 0,
          settings: Mapping[str, float | None] | None = None, max_points: int = 10_001,
          grid: int = 50, snapshots: int = 20, divergence_factor: float | None = 1e4,
          deadline: float | None = None,
          on_epoch: Callable[[EpochRecord], None] | None = None,
          stop: Callable[[], bool] | None = None) -> TrainResult:
    """Train a :class:`TwoLayerNet` of ``hidden`` units on ``data`` by mini-batch descent.

    ``optimizer`` and ``settings`` are a row of the optimizer table and its settings
    (defaults: PyTorch's); ``seed`` draws the initial weights and every epoch's shuffle;
    ``grid`` is the side of the decision-boundary grid (planar sets) and ``snapshots``
    about how many epochs carry a :class:`Snapshot`.
    """
    began = time.perf_counter()
    _check(lr, batch_size, epochs, max_points, divergence_factor)
    row = check_optimizer(optimizer)
    s = resolve_settings(row, settings or {})
    net = TwoLayerNet(data.X_train.shape[1], hidden, data.classes, activation)
    params = net.init(init, seed=seed, init_std=init_std)
    shuffle = random_stream(seed, "shuffle")
    X, T, n = data.X_train, one_hot(data.y_train, data.classes), len(data.y_train)
    evaluator = _Evaluator(net, data, grid)
    total = iteration_count(n, batch_size, epochs)
    stride = _keep_every(total, max_points)
    every = max(1, -(-epochs // max(snapshots, 1)))
    state = {name: tuple(np.zeros_like(params[name]) for _ in row.state) for name in PARAMETERS}
    kept_iterations: list[int] = []
    kept_loss: list[float] = []
    records: list[EpochRecord] = []
    status, message, t, last_loss = "completed", "", 0, math.nan
    limit: float | None = None
    previous = params

    def record(epoch: int, first_kept: int) -> bool:
        """Record the epoch; False (and no record, but for epoch 0) when its training
        loss is not finite or too large."""
        with np.errstate(all="ignore"):
            loss, train_accuracy, test_accuracy, predicted = evaluator.figures(params)
        bad = not math.isfinite(loss) or (limit is not None and loss > limit)
        if bad and epoch > 0:
            return False
        snapshot = None
        if epoch % every == 0 or epoch == epochs:
            with np.errstate(all="ignore"):
                snapshot = evaluator.snapshot(params, predicted)
        entry = EpochRecord(epoch, loss, train_accuracy, test_accuracy,
                            np.array(kept_iterations[first_kept:], dtype=np.int64),
                            np.array(kept_loss[first_kept:]), snapshot)
        records.append(entry)
        if on_epoch is not None:
            on_epoch(entry)
        return not bad

    if not record(0, 0):
        status, epochs = "diverged", 0
        message = "the untrained network's loss is not finite (is init_std too large?)"
    with np.errstate(all="ignore"):
        for epoch in range(1, epochs + 1):
            first_kept = len(kept_iterations)
            order = shuffle.permutation(n)
            for start in range(0, n, batch_size):
                if deadline is not None and time.monotonic() > deadline:
                    raise DeadlineExceeded(f"training ran out of time in epoch {epoch}",
                                           field="epochs")
                if stop is not None and stop():
                    raise Stopped(f"stopped in epoch {epoch}")
                batch = order[start:start + batch_size]
                loss, grads = net.gradients(params, X[batch], T[batch])
                if limit is None and math.isfinite(loss) and divergence_factor is not None:
                    limit = divergence_factor * (1.0 + abs(loss))
                if not math.isfinite(loss) or (limit is not None and loss > limit):
                    status = "diverged"
                    message = (f"the mini-batch loss stopped being finite at iteration "
                               f"{t + 1} (epoch {epoch})" if not math.isfinite(loss) else
                               f"the mini-batch loss grew past {limit:.3g} (divergence_factor "
                               f"{divergence_factor:g} × (1 + the first loss)) at iteration "
                               f"{t + 1} (epoch {epoch})")
                    params = previous
                    break
                t, last_loss = t + 1, loss
                if (t - 1) % stride == 0 or t == total:
                    kept_iterations.append(t)
                    kept_loss.append(loss)
                updated = {}
                for name in PARAMETERS:
                    stepped = row.step(ARRAYS, params[name], grads[name], t, lr, s, *state[name])
                    updated[name] = stepped[0]
                    state[name] = stepped[1:]
                previous, params = params, updated
            if status == "completed" and not record(epoch, first_kept):
                status = "diverged"
                message = (f"the training loss stopped being finite or grew past "
                           f"divergence_factor × (1 + the first loss) after epoch {epoch}")
                params = previous
            if status == "diverged":
                break
    if status == "diverged":
        if t and (not kept_iterations or kept_iterations[-1] != t):
            kept_iterations.append(t)  # the last finite loss, never thinned away
            kept_loss.append(last_loss)
        if t > 0:
            message += (f"; lr {lr:g} is too large for this network and optimizer: try a "
                        f"smaller learning rate")
    else:
        last = records[-1]
        message = (f"ran all {epochs} epoch{'s' if epochs != 1 else ''} ({t} iterations): "
                   f"train accuracy {100 * last.train_accuracy:.1f}%, test accuracy "
                   f"{100 * last.test_accuracy:.1f}%")
    final = records[-1].snapshot if status == "completed" else None
    if final is None:
        with np.errstate(all="ignore"):
            *_, predicted = evaluator.figures(params)
            final = evaluator.snapshot(params, predicted)
    return TrainResult(
        net, params, np.array(kept_iterations, dtype=np.int64), np.array(kept_loss),
        np.array([r.epoch for r in records], dtype=np.int64),
        np.array([r.train_loss for r in records]),
        np.array([r.train_accuracy for r in records]),
        np.array([r.test_accuracy for r in records]),
        final, t, time.perf_counter() - began, status, message)
