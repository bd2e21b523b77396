"""``POST /network/train`` and ``POST /network/gradcheck``: a two-layer network.

``/network/train`` answers with one JSON object, or -- sent with ``Accept:
application/x-ndjson`` -- with a stream of one JSON line per finished epoch, then the
full object.  The stream's training runs in a worker thread inside a compute slot
(:class:`EpochStream`): the thread puts each line on a queue that the response reads,
the slot is held until the thread ends, and the thread ends with the run, at
``network_deadline`` (its own setting: longer than ``deadline``, since a training shows
its progress and can be stopped), or at the next mini-batch once the client has gone.
Anything wrong with the request (a bad size, the budget, a busy server) is found before
the first line, so it is still an ordinary 422 or 503; an error after that (the time
limit) is the stream's last line, with the body the error would have had.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Header, Request
from starlette.responses import Response, StreamingResponse

import engine
from engine.network import Dataset, EpochRecord

from ..compute import Compute
from ..dependencies import ERRORS, ComputeDep, checked
from ..limits import LimitExceeded, check_network_budget
from ..responses import ModelResponse
from ..schemas.network import (
    NetworkGradcheckRequest,
    NetworkGradcheckResponse,
    NetworkTables,
    NetworkTrainRequest,
    NetworkTrainResponse,
    epoch_line,
)
from ..schemas.optimizers import settings_of
from ..settings import Settings

router = APIRouter(tags=["network"])

NDJSON = "application/x-ndjson"
_STREAM_DOC: dict[int | str, dict[str, Any]] = {
    200: {"description": "The run; with `Accept: application/x-ndjson`, one JSON line per "
          "finished epoch (`epoch`, `train_loss`, `train_accuracy`, `test_accuracy`, the "
          "mini-batch `iterations` and `loss` since the previous line, and every few epochs "
          "`confusion`, `test_predicted` and, for planar sets, `boundary`; the first line "
          "also the points or images to draw on), then this object as the last line. An "
          "error after the first line (the time limit) is a last line with the error "
          "body, `{\"detail\": [...]}`.",
          "content": {NDJSON: {"schema": {"type": "string"}}}},
}
_TABLES = NetworkTables.build()
#: Stream tasks still running, kept referenced until they end (asyncio holds tasks weakly).
_RUNNING: set[asyncio.Task[None]] = set()


def _line(value: Any) -> bytes:
    """One NDJSON line: strict JSON (NaN as null), ASCII, newline-terminated."""
    return bytes(ModelResponse(value).body) + b"\n"


class NetworkDeadline(LimitExceeded):
    """A network computation ran past ``network_deadline`` (→ 422 naming the setting)."""

    def __init__(self, field: str, limit: float, elapsed: float) -> None:
        super().__init__(field, "network_deadline", math.ceil(limit), math.ceil(elapsed),
                         "seconds")
        self.message = (
            f"the computation ran {elapsed:.3g} s, past the time limit network_deadline = "
            f"{limit:g} s (set by {Settings.env_name('network_deadline')}); ask for fewer "
            "epochs, samples or hidden units")
        self.args = (self.message,)


@contextmanager
def _network_deadline(compute: Compute, field: str) -> Iterator[float]:
    """The ``time.monotonic()`` value the work must end by (``network_deadline``
    seconds from now); past it, :class:`NetworkDeadline`."""
    limit = compute.settings.network_deadline
    began = time.monotonic()
    try:
        yield began + limit
    except engine.DeadlineExceeded:
        raise NetworkDeadline(field, limit, time.monotonic() - began) from None


def check_training(body: Any, settings: Settings) -> None:
    """Refuse a training run over ``network_budget`` or ``max_network_iterations``."""
    net = body.net()
    samples = body.sample_count
    train_size, _ = engine.network.data.split_sizes(samples, body.test_fraction)
    check_network_budget(body.epochs, samples, net.parameters, settings,
                         iterations=engine.network.iteration_count(
                             train_size, body.batch_size, body.epochs))


def _prepare(body: Any, compute: Compute) -> Dataset:
    """Check the run against the budget, then load its data (all before any training)."""
    check_training(body, compute.settings)
    return body.load()  # type: ignore[no-any-return]


def _train(body: Any, compute: Compute, data: Dataset,
           on_epoch: Callable[[EpochRecord], None] | None = None,
           stop: Callable[[], bool] | None = None) -> engine.network.TrainResult:
    settings = compute.settings
    with _network_deadline(compute, "epochs") as deadline:
        return _run_training(body, settings, data, deadline, on_epoch, stop)


def _run_training(body: Any, settings: Any, data: Dataset, deadline: float,
                  on_epoch: Callable[[EpochRecord], None] | None,
                  stop: Callable[[], bool] | None) -> engine.network.TrainResult:
    return engine.network.train(
        data, hidden=body.hidden, activation=body.activation, init=body.init,
        init_std=body.init_std, optimizer=body.optimizer, lr=body.lr,
        batch_size=body.batch_size, epochs=body.epochs, seed=body.seed,
        settings=settings_of(body),
        max_points=body.max_points if body.max_points is not None else settings.max_points,
        grid=body.grid, divergence_factor=body.divergence_factor,
        deadline=deadline, on_epoch=on_epoch, stop=stop)


class EpochStream:
    """A training run in a worker thread inside a compute slot, feeding lines to a queue."""

    def __init__(self, body: Any, compute: Compute, request: Request) -> None:
        self.body = body
        self.compute = compute
        self.request = request
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue[bytes | BaseException | None] = asyncio.Queue()
        self.gone = threading.Event()

    def _put(self, item: bytes | BaseException | None) -> None:
        self.loop.call_soon_threadsafe(self.queue.put_nowait, item)

    def _work(self) -> None:
        """The thread: every epoch a line, then the full object (or the error)."""
        data = _prepare(self.body, self.compute)

        def on_epoch(record: EpochRecord) -> None:
            self._put(_line(epoch_line(record, data)))

        result = _train(self.body, self.compute, data, on_epoch, self.gone.is_set)
        answer = ModelResponse(NetworkTrainResponse.of(result, data),
                               typed=self.body.encoding == "typed")
        self._put(bytes(answer.body) + b"\n")

    async def _supervise(self) -> None:
        """Hold a slot while the thread runs; pass any error on; then end the queue."""
        try:
            async with self.compute.slot():
                await anyio.to_thread.run_sync(self._work)
        except Exception as exc:
            self.queue.put_nowait(exc)
        finally:
            self.queue.put_nowait(None)

    async def _error_line(self, exc: BaseException) -> bytes:
        """The body the app's own exception handler gives ``exc``, as the last line."""
        if isinstance(exc, engine.network.Stopped):  # nobody is listening
            return b""
        handlers = self.request.app.exception_handlers
        handler = next((handlers[cls] for cls in type(exc).__mro__ if cls in handlers), None)
        if handler is None:  # pragma: no cover - the app registers one for Exception
            return _line({"detail": "internal server error"})
        response = await handler(self.request, exc)
        return bytes(response.body).rstrip(b"\n") + b"\n"

    async def start(self) -> Response:
        """Start the run; raise what stops it before its first line, else stream."""
        task = asyncio.create_task(self._supervise())
        _RUNNING.add(task)
        task.add_done_callback(_RUNNING.discard)
        try:
            first = await self.queue.get()
        except BaseException:  # the request itself was cancelled
            self.gone.set()
            raise
        if isinstance(first, BaseException):
            raise first
        if first is None:  # pragma: no cover - the thread always puts a line or an error
            raise RuntimeError("the training stream ended without a line")
        return StreamingResponse(self._lines(first), media_type=NDJSON)

    async def _lines(self, first: bytes) -> AsyncIterator[bytes]:
        try:
            yield first
            while (item := await self.queue.get()) is not None:
                if isinstance(item, BaseException):
                    yield await self._error_line(item)
                    break
                yield item
        finally:
            self.gone.set()  # the client has all it will read: the thread may stop


@router.get("/network/tables", response_model=NetworkTables, summary="What a network may be")
async def network_tables() -> NetworkTables:
    """The datasets, activations and initialisations `/network/train` accepts (the page's
    menus come from here), and the operations the network is built from, each with its
    forward and backward (vector-Jacobian) rule."""
    return _TABLES


@router.post("/network/train", response_model=NetworkTrainResponse,
             responses={**ERRORS, **_STREAM_DOC},
             summary="Train a two-layer network by mini-batch descent")
async def network_train(body: Annotated[NetworkTrainRequest, checked(NetworkTrainRequest)],
                        compute: ComputeDep, request: Request,
                        accept: Annotated[str | None, Header()] = None) -> Response:
    """Affine → activation → affine → softmax with cross-entropy, gradients by
    backpropagation, trained by any optimizer of `GET /optimizers` on mini-batches drawn
    by a seeded shuffle each epoch. Train loss and train and test accuracy before training
    (epoch 0) and after every epoch; the confusion matrix of the test set; the decision
    boundary for the planar sets. Send `Accept: application/x-ndjson` to receive one line
    per epoch as it finishes."""
    if accept is not None and NDJSON in accept:
        return await EpochStream(body, compute, request).start()

    def work() -> ModelResponse:
        data = _prepare(body, compute)
        return ModelResponse(NetworkTrainResponse.of(_train(body, compute, data), data),
                             typed=body.encoding == "typed")

    return await compute.run(work)


@router.post("/network/gradcheck", response_model=NetworkGradcheckResponse,
             responses=ERRORS, summary="Check backpropagation against numerical gradients")
async def network_gradcheck(
        body: Annotated[NetworkGradcheckRequest, checked(NetworkGradcheckRequest)],
        compute: ComputeDep) -> ModelResponse:
    """For the freshly initialised network, the gradient by backpropagation against the
    numerical one (central differences, one parameter at a time, two loss evaluations
    each), tensor by tensor, and what each cost."""

    def work() -> ModelResponse:
        net = body.net()
        check_network_budget(2 * net.parameters, body.batch, net.parameters,
                             compute.settings, field="batch",
                             names=("loss evaluations", "batch"))
        data = body.load()
        batch = min(body.batch, len(data.y_train))
        params = net.init(body.init, seed=body.seed, init_std=body.init_std)  # as train's
        with _network_deadline(compute, "batch") as deadline:
            check = engine.network.check_gradients(net, params, data.X_train[:batch],
                                                   data.T_train[:batch], h=body.h,
                                                   deadline=deadline)
        return ModelResponse(NetworkGradcheckResponse.of(check, net, data, batch, body.h))

    return await compute.run(work)
