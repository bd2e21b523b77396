"""``POST /network/train`` and ``POST /network/gradcheck``: a two-layer network on a
dataset, trained by mini-batch descent or checked against the numerical gradient."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
from pydantic import Field, create_model

import engine
from engine.network import DATASETS, INITS, Dataset, NetworkCheck, TrainResult

from ..limits import limit
from ..responses import as_array
from .base import (
    Encoding,
    NonNegativeNumber,
    Optimizer,
    OutNumber,
    PositiveNumber,
    Reply,
    Request,
    TypedArray,
    encoding_field,
    examples_config,
)
from .gradcheck import Verdict
from .optimizers import setting_fields

if TYPE_CHECKING:
    DatasetName = str
    Activation = str
    Init = str
else:
    DatasetName = Literal[tuple(DATASETS)]
    Activation = Literal[tuple(engine.network.ACTIVATIONS)]
    Init = Literal[tuple(INITS)]

Fraction = Annotated[float, Field(strict=True, allow_inf_nan=False, gt=0, lt=1)]
TrainStatus = Literal["completed", "diverged"]

#: Test images a digits answer carries for the page's grid (the first of the test set).
IMAGES_SHOWN = 60

_DATASETS_DOC = ", ".join(f"`{name}`" for name in DATASETS)


class _NetworkFields(Request):
    """The dataset and the network: what both endpoints share."""

    dataset: DatasetName = Field(
        description=f"{_DATASETS_DOC}: five two-class sets in the plane generated "
        "from `seed`, `samples` and `noise`, or `digits` (1,797 8x8 handwritten digits, "
        "ten classes, shipped with the package).")
    samples: int = Field(400, strict=True, ge=2, description="Points of a planar set "
                         "(ignored by `digits`).", json_schema_extra=limit("max_samples"))
    noise: NonNegativeNumber = Field(
        0.1, le=1, description="Standard deviation of the Gaussian noise added to a planar "
        "set's points (ignored by `digits`).")
    test_fraction: Fraction = Field(0.2, description="Share of the samples held out for "
                                    "testing, drawn by `seed`.")
    hidden: int = Field(10, strict=True, ge=1, description="Hidden units.",
                        json_schema_extra=limit("max_hidden"))
    activation: Activation = Field("sigmoid", description="The hidden layer's activation: "
                                   "`sigmoid` (as in the textbook), `tanh` or `relu`.")
    init: Init = Field("std", description="Initial weights: `std` (normal with `init_std`, "
                       "as in the textbook), `xavier` (std √(1/fan-in)) or `he` "
                       "(√(2/fan-in)); biases 0.")
    init_std: PositiveNumber = Field(0.01, le=10, description="Standard deviation of the "
                                     "`std` initialisation (the textbook's 0.01).")
    seed: int = Field(0, strict=True, ge=0, le=2**63 - 1, description="Seeds the data, the "
                      "split, the initial weights and the shuffles: the same request gives the "
                      "same numbers.")

    def load(self) -> Dataset:
        return engine.network.load_dataset(self.dataset, samples=self.samples,
                                           noise=self.noise, test_fraction=self.test_fraction,
                                           seed=self.seed)

    def net(self) -> engine.network.TwoLayerNet:
        row = DATASETS[self.dataset]
        return engine.network.TwoLayerNet(row.features, self.hidden, row.classes,
                                          self.activation)

    @property
    def sample_count(self) -> int:
        return engine.network.sample_count(self.dataset, self.samples)


class _TrainFields(_NetworkFields):
    """Train a two-layer network by mini-batch gradient descent (or any optimizer)."""

    EXAMPLES = {
        "spiral": {"summary": "The contract's example: a spiral, 16 tanh units",
                   "value": {"dataset": "spiral", "hidden": 16, "activation": "tanh",
                             "init": "xavier", "optimizer": "gd", "lr": 0.3, "batch_size": 10,
                             "epochs": 50, "seed": 0}},
        "digits": {"summary": "Handwritten digits, 64-50-10, Xavier: about 94% in 20 epochs",
                   "value": {"dataset": "digits", "hidden": 50, "init": "xavier", "lr": 0.5,
                             "batch_size": 100, "epochs": 20}},
        "textbook": {"summary": "The textbook's init (std 0.01) and lr 0.1: learns slowly",
                     "value": {"dataset": "digits", "hidden": 50, "init": "std",
                               "init_std": 0.01, "lr": 0.1, "batch_size": 100, "epochs": 20}},
        "circle": {"summary": "A circle with 8 tanh units and Adam",
                   "value": {"dataset": "circle", "hidden": 8, "activation": "tanh",
                             "init": "xavier", "optimizer": "adam", "lr": 0.02,
                             "batch_size": 10, "epochs": 30}},
        "diverged": {"summary": "Far too large a learning rate: status diverged",
                     "value": {"dataset": "digits", "hidden": 20, "activation": "relu",
                               "init": "he", "lr": 1000, "batch_size": 50, "epochs": 5}},
    }
    model_config = examples_config(EXAMPLES)

    optimizer: Optimizer = Field("gd", description="The update rule applied to every "
                                 "parameter array, as in `/descent`; `GET /optimizers` lists "
                                 "them with their settings.")
    lr: PositiveNumber = Field(0.1, description="Learning rate.")
    batch_size: int = Field(100, strict=True, ge=1, description="Examples per mini-batch; "
                            "each epoch shuffles the training set and walks it in batches "
                            "(the last may be smaller).", json_schema_extra=limit("max_batch"))
    epochs: int = Field(20, strict=True, ge=0, description="Passes over the training set. "
                        "Also capped by epochs x samples x parameters <= network_budget.",
                        json_schema_extra=limit("max_epochs"))
    max_points: int | None = Field(
        None, strict=True, ge=2, description="Most entries of `iterations`/`loss` (the "
        "mini-batch loss is thinned evenly beyond; the last is kept). Default: the "
        "max_points setting.", json_schema_extra=limit("max_points"))
    grid: int = Field(50, strict=True, ge=2, description="Points per axis of the decision "
                      "boundary (planar sets).", json_schema_extra=limit("max_boundary_grid"))
    divergence_factor: PositiveNumber | None = Field(
        1e4, description="Also stop (`diverged`) when a loss exceeds divergence_factor x "
        "(1 + the first mini-batch loss); null: only a loss that is not finite stops a run.")
    encoding: Encoding = encoding_field()


NetworkTrainRequest = create_model(  # the optimizer settings come from the engine's table
    "NetworkTrainRequest", __base__=_TrainFields, __doc__=_TrainFields.__doc__,
    **setting_fields(),  # type: ignore[call-overload]
)


class NetworkGradcheckRequest(_NetworkFields):
    """Compare backpropagation with the numerical gradient for a fresh network."""

    EXAMPLES = {
        "digits": {"summary": "The textbook's check: digits, a batch of 3, h = 1e-4",
                   "value": {"dataset": "digits", "hidden": 50, "batch": 3, "h": 1e-4}},
        "xavier": {"summary": "Xavier's larger weights, tanh units",
                   "value": {"dataset": "digits", "hidden": 20, "activation": "tanh",
                             "init": "xavier", "batch": 5}},
        "planar": {"summary": "A small net on the spiral: a handful of parameters",
                   "value": {"dataset": "spiral", "hidden": 4, "activation": "relu",
                             "init": "he", "batch": 10}},
    }
    model_config = examples_config(EXAMPLES)

    batch: int = Field(3, strict=True, ge=1, description="Training examples the loss is "
                       "taken over (the first of the shuffled training set).",
                       json_schema_extra=limit("max_check_batch"))
    h: PositiveNumber = Field(1e-4, description="The central-difference step, as in the "
                              "textbook.")


# --- responses ---------------------------------------------------------------------------


class DatasetInfoReply(Reply):
    name: str = Field(description="The value of `dataset` in a request.")
    label: str
    description: str
    classes: int
    features: int = Field(description="Numbers per sample: the network's inputs.")
    planar: bool = Field(description="True for the generated two-class sets in the plane, "
                         "which take `samples` and `noise` and have a decision boundary.")
    samples: int | None = Field(description="The fixed number of samples of a stored set "
                                "(digits: 1797); null for the planar sets.")


class ChoiceInfo(Reply):
    name: str
    label: str
    description: str
    forward: str | None = Field(default=None, description="An operation's rule, e.g. "
                                "`Y = tanh(X)`.")
    backward: str | None = Field(default=None, description="Its vector-Jacobian rule.")
    uses_init_std: bool | None = Field(default=None, description="An initialisation: "
                                       "whether `init_std` sets its spread.")


class NumberFieldInfo(Reply):
    """A number field of `/network/train` or `/network/gradcheck` and its bounds, as the
    request schema states them, so that a form bounds its inputs without a copy of them.

    >>> (h,) = [f for f in NumberFieldInfo.of_models(NetworkGradcheckRequest) if f.name == "h"]
    >>> h.minimum, h.exclusive_minimum, h.maximum
    (0.0, True, None)
    """

    name: str = Field(description="The field of the request body.")
    integer: bool
    minimum: float | None = Field(description="The lowest value; null: none.")
    exclusive_minimum: bool = Field(description="True: `minimum` itself is refused.")
    maximum: float | None = Field(description="The highest value on a default server; "
                                  "null: none.")
    exclusive_maximum: bool = Field(description="True: `maximum` itself is refused.")
    limit: str | None = Field(description="The setting that is the maximum (its value on "
                              "this server: `GET /limits`); null: a fixed maximum or none.")

    @classmethod
    def of_models(cls, *models: type[Request]) -> list[NumberFieldInfo]:
        """The number fields of `models`' JSON schemas, each once, in declaration order."""
        fields: dict[str, NumberFieldInfo] = {}
        for model in models:
            for name, schema in model.model_json_schema()["properties"].items():
                branch = next((b for b in schema.get("anyOf", [schema])
                               if b.get("type") in ("integer", "number")), None)
                if branch is None or name in fields:
                    continue
                fields[name] = cls(
                    name=name, integer=branch["type"] == "integer",
                    minimum=branch.get("exclusiveMinimum", branch.get("minimum")),
                    exclusive_minimum="exclusiveMinimum" in branch,
                    maximum=branch.get("exclusiveMaximum", branch.get("maximum")),
                    exclusive_maximum="exclusiveMaximum" in branch,
                    limit=schema.get("x-limit", branch.get("x-limit")))
        return list(fields.values())


class NetworkTables(Reply):
    """What `/network/train` accepts, for menus: datasets, activations, initialisations,
    the operations the network is made of with their forward and backward rules, and the
    bounds of the number fields of both network endpoints (a form's inputs)."""

    datasets: list[DatasetInfoReply]
    activations: list[ChoiceInfo]
    inits: list[ChoiceInfo]
    operations: list[ChoiceInfo]
    fields: list[NumberFieldInfo]

    @classmethod
    def build(cls) -> NetworkTables:
        ops = engine.network.OPERATIONS
        return cls(
            datasets=[DatasetInfoReply(
                name=row.name, label=row.label, description=row.description,
                classes=row.classes, features=row.features, planar=row.planar,
                samples=None if row.planar else engine.network.sample_count(row.name))
                for row in DATASETS.values()],
            activations=[ChoiceInfo(name=name, label=ops[name].label, description=text,
                                    forward=ops[name].forward, backward=ops[name].backward)
                         for name, text in engine.network.ACTIVATIONS.items()],
            inits=[ChoiceInfo(name=row.name, label=row.label, description=row.description,
                              uses_init_std=row.uses_init_std) for row in INITS.values()],
            operations=[ChoiceInfo(name=row.name, label=row.label, description=row.description,
                                   forward=row.forward, backward=row.backward)
                        for row in ops.values()],
            fields=NumberFieldInfo.of_models(NetworkTrainRequest, NetworkGradcheckRequest),
        )


class BoundaryReply(Reply):
    """The predicted probability of class 1 on a grid over the data."""

    x: list[float] | TypedArray = Field(description="n grid values along the first axis.")
    y: list[float] | TypedArray = Field(description="n grid values along the second axis.")
    p: list[list[OutNumber]] | TypedArray = Field(description="n×n: `p[j][i]` at (x[i], y[j]).")

    @classmethod
    def of(cls, boundary: engine.network.Boundary) -> BoundaryReply:
        return cls.model_construct(x=as_array(boundary.x), y=as_array(boundary.y),
                                   p=as_array(boundary.p))


class NetworkTrainResponse(Reply):
    """The run: loss per iteration, figures per epoch, what the trained net predicts."""

    dataset: str
    classes: int
    train_size: int
    test_size: int
    parameters: int = Field(description="Numbers in W1, b1, W2, b2.")
    shapes: dict[str, list[int]] = Field(
        description='`{"W1": [in, hidden], "b1": [hidden], "W2": [hidden, classes], '
        '"b2": [classes]}`.')
    iterations: list[int] | TypedArray = Field(
        description="Iteration (mini-batch step, from 1) of each `loss` entry.")
    loss: list[OutNumber] | TypedArray = Field(
        description="The mini-batch loss, thinned to max_points.")
    iterations_run: int = Field(description="Mini-batch steps taken.")
    epochs: list[int] | TypedArray = Field(description="0 (before training) … E.")
    train_loss: list[OutNumber] | TypedArray = Field(
        description="Loss on the whole training set, per epoch.")
    train_accuracy: list[float] | TypedArray
    test_accuracy: list[float] | TypedArray
    confusion: list[list[int]] | TypedArray = Field(
        description="Test set, classes × classes: rows the true class, columns the predicted "
        "one.")
    test_labels: list[int] | TypedArray
    test_predicted: list[int] | TypedArray = Field(
        description="The trained net's class for each test sample.")
    boundary: BoundaryReply | None = Field(
        None, description="Planar sets: the decision boundary.")
    train_points: list[list[float]] | TypedArray | None = Field(
        None, description="Planar sets: the training points.")
    train_labels: list[int] | TypedArray | None = None
    test_points: list[list[float]] | TypedArray | None = Field(
        None, description="Planar sets: the test points.")
    test_images: list[list[list[float]]] | TypedArray | None = Field(
        None, description=f"Digits: the first {IMAGES_SHOWN} test images (8×8, pixels in "
        "[0, 1]), in the order of `test_labels`.")
    seconds: float = Field(description="Time the training took.")
    status: TrainStatus = Field(description="`completed`, or `diverged` when the loss stopped "
                                "being finite (or grew past divergence_factor).")
    message: str

    @classmethod
    def of(cls, result: TrainResult, data: Dataset) -> NetworkTrainResponse:
        snapshot = result.snapshot
        reply: dict[str, Any] = dict(
            dataset=data.name, classes=data.classes, train_size=len(data.y_train),
            test_size=len(data.y_test), parameters=result.net.parameters,
            shapes={name: list(shape) for name, shape in result.net.shapes.items()},
            iterations=as_array(result.iterations, np.int64), loss=as_array(result.loss),
            iterations_run=result.iterations_run,
            epochs=as_array(result.epochs, np.int64), train_loss=as_array(result.train_loss),
            train_accuracy=as_array(result.train_accuracy),
            test_accuracy=as_array(result.test_accuracy),
            confusion=as_array(snapshot.confusion, np.int64),
            test_predicted=as_array(snapshot.test_predicted, np.int64),
            seconds=result.seconds, status=result.status, message=result.message)
        if snapshot.boundary is not None:
            reply["boundary"] = BoundaryReply.of(snapshot.boundary)
        reply.update(data_fields(data))
        return cls.model_construct(**reply)


def data_fields(data: Dataset) -> dict[str, Any]:
    """What a page draws the predictions on: the planar sets' points, the digits' first
    test images; and every test label.  (The stream sends them once, on its first line.)"""
    fields: dict[str, Any] = {"test_labels": as_array(data.y_test, np.int64)}
    if data.planar:
        fields.update(train_points=as_array(data.X_train),
                      train_labels=as_array(data.y_train, np.int64),
                      test_points=as_array(data.X_test))
    if data.image_shape is not None:
        fields["test_images"] = as_array(
            data.X_test[:IMAGES_SHOWN].reshape(-1, *data.image_shape))
    return fields


def epoch_line(record: engine.network.EpochRecord, data: Dataset) -> dict[str, Any]:
    """One line of the NDJSON stream: the epoch's figures, the mini-batch losses since
    the last line and, every few epochs, what the net predicts now; the first line
    (epoch 0) also carries the data to draw on (:func:`data_fields`)."""
    line: dict[str, Any] = {
        "epoch": record.epoch, "train_loss": record.train_loss,
        "train_accuracy": record.train_accuracy, "test_accuracy": record.test_accuracy,
        "iterations": as_array(record.iterations, np.int64), "loss": as_array(record.loss),
    }
    snapshot = record.snapshot
    if snapshot is not None:
        if snapshot.boundary is not None:
            line["boundary"] = BoundaryReply.of(snapshot.boundary)
        line["confusion"] = as_array(snapshot.confusion, np.int64)
        line["test_predicted"] = as_array(snapshot.test_predicted, np.int64)
    if record.epoch == 0:
        line.update(data_fields(data))
    return line


class TensorCheckReply(Reply):
    name: str = Field(description="`W1`, `b1`, `W2` or `b2`.")
    shape: list[int]
    max_abs_diff: OutNumber = Field(description="Largest |backprop − numerical|.")
    mean_abs_diff: OutNumber
    rel_error: OutNumber = Field(description="‖b − n‖ / max(‖b‖, ‖n‖) over the tensor "
                                 "(0 when both are 0).")
    verdict: Verdict = Field(description="`pass` (rel_error ≤ 1e-7, or the largest "
                             "difference within the rounding error 4·eps·|L|/h), `warn` "
                             "(≤ 1e-4) or `fail`.")


class NetworkGradcheckResponse(Reply):
    dataset: str
    parameters: int
    shapes: dict[str, list[int]]
    batch: int
    h: float
    loss: OutNumber = Field(description="The loss on the batch.")
    tensors: list[TensorCheckReply] = Field(description="W1, b1, W2, b2.")
    evaluations: int = Field(description="Loss evaluations the numerical gradient needed "
                             "(2 per parameter).")
    backprop_evaluations: int = Field(1, description="Forward passes backpropagation "
                                      "needed (plus one backward pass).")
    backprop_seconds: float
    numerical_seconds: float
    verdict: Verdict = Field(description="The worst tensor's verdict; bands as in "
                             "`/gradcheck`.")
    message: str

    @classmethod
    def of(cls, check: NetworkCheck, net: engine.network.TwoLayerNet, data: Dataset,
           batch: int, h: float) -> NetworkGradcheckResponse:
        return cls.model_validate(dict(
            dataset=data.name, parameters=net.parameters, batch=batch, h=h, loss=check.loss,
            shapes={name: list(shape) for name, shape in net.shapes.items()},
            tensors=[dict(name=t.name, shape=list(t.shape), max_abs_diff=t.max_abs_diff,
                          mean_abs_diff=t.mean_abs_diff, rel_error=t.rel_error,
                          verdict=t.verdict) for t in check.tensors],
            evaluations=check.evaluations, backprop_evaluations=1,
            backprop_seconds=check.backprop_seconds,
            numerical_seconds=check.numerical_seconds, verdict=check.verdict,
            message=check.message))

