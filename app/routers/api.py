"""The JSON endpoints of ``shared/API.md``.

Each handler is the same few lines: a validated request (limits checked by the
:func:`checked` dependency), one engine call inside ``compute.run`` (a compute slot, a
worker thread), and a response model rendered in that thread.  Routes have no
try/except: errors become HTTP in :mod:`app.errors`.
"""

from typing import Annotated, Any, TypeVar

import numpy as np
from fastapi import APIRouter, Body, Depends, Request
from fastapi.openapi.models import Example
from pydantic import BaseModel

import engine

from ..compute import Compute, get_compute
from ..limits import enforce_limits
from ..presets import FUNCTIONS
from ..responses import ModelResponse, as_array, as_list
from ..schemas import (
    DescentRequest,
    DescentResponse,
    FieldRequest,
    FieldResponse,
    FunctionPreset,
    GradientRequest,
    GradientResponse,
    GraphNode,
    GraphRequest,
    GraphResponse,
    Message,
    Secant,
    StepsRequest,
    StepsResponse,
    TangentRequest,
    TangentResponse,
    ValidationErrors,
)

M = TypeVar("M", bound=BaseModel)

router = APIRouter(tags=["calculus"])
ComputeDep = Annotated[Compute, Depends(get_compute)]

#: Error responses every POST endpoint may give, documented in /openapi.json.
ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"model": Message, "description": "The request body is over max_body_size (64 KiB)."},
    422: {
        "model": ValidationErrors,
        "description": (
            "A bad expression (`type: expression_error`, with `ctx.column`), a schema "
            "violation, a limit exceeded (`type: limit_exceeded`, naming the setting), or a "
            "computation past the time limit (`type: deadline_exceeded`)."
        ),
    },
    503: {
        "model": Message,
        "description": "Every compute slot stayed busy for slot_wait seconds; retry later.",
        "headers": {
            "Retry-After": {
                "description": "Seconds to wait before retrying.",
                "schema": {"type": "integer"},
            }
        },
    },
}


def checked(model: type[M], examples: dict[str, Example]) -> Any:
    """Dependency: the request body of type ``model``, within this app's limits.

    (This module has no ``from __future__ import annotations``: FastAPI must see the
    real ``model`` class in the closure's signature.)
    """

    async def dependency(  # async: a cheap check, not worth a thread handoff
        body: Annotated[model, Body(openapi_examples=examples)],  # type: ignore[valid-type]
        request: Request,
    ) -> M:
        enforce_limits(body, request.app.state.settings)
        return body  # type: ignore[no-any-return]

    return Depends(dependency)


def _example(summary: str, value: dict[str, Any]) -> Example:
    return Example(summary=summary, value=value)


def _null_note(what: str, values: Any, total: int | None = None) -> str | None:
    """``"2 of 441 values of f are not finite (null)"`` or None when all are finite."""
    finite = np.isfinite(np.asarray(values, dtype=float))
    if finite.all():
        return None
    bad = int(finite.size - np.count_nonzero(finite))
    if finite.size == 1:
        return f"{what} is not finite here (sent as null)"
    return f"{what}: {bad} of {finite.size} values are undefined or not finite (sent as null)"


def _message(*notes: str | None) -> str:
    return "; ".join(note for note in notes if note) or "ok"


# --- POST /gradient -----------------------------------------------------------------

GRADIENT_EXAMPLES = {
    "central": _example(
        "Textbook central difference, h = 1e-4",
        {"expr": "x**2 + y**2", "point": [3, 4], "method": "central", "h": 1e-4},
    ),
    "autodiff": _example(
        "Reverse-mode autodiff, point by name",
        {"expr": "sin(x)*exp(y)", "point": {"x": 1, "y": 0}},
    ),
    "richardson": _example(
        "Richardson extrapolation with its error estimate",
        {"expr": "exp(x)", "point": 1, "method": "richardson"},
    ),
}


def _gradient_reply(text: str, result: engine.GradientResult) -> GradientResponse:
    reply: dict[str, Any] = {
        "expr": text,
        "variables": list(result.variables),
        "point": as_list(result.point),
        "value": result.value,
        "gradient": as_list(result.gradient),
        "method": result.method,
        "message": _message(_null_note("f", result.value),
                            _null_note("the gradient", result.gradient)),
    }
    for name in ("h", "exact", "error", "error_estimate"):
        array = getattr(result, name)
        if array is not None:
            reply[name] = as_list(array)
    return GradientResponse(**reply)


@router.post("/gradient", response_model=GradientResponse, responses=ERRORS,
             summary="Gradient at a point, by any method")
async def gradient(
    body: Annotated[GradientRequest, checked(GradientRequest, GRADIENT_EXAMPLES)],
    compute: ComputeDep,
) -> ModelResponse:
    """The value and gradient of `expr` at `point`. Numerical methods also return the
    exact (autodiff) gradient and their `error`; `richardson` adds `error_estimate`."""

    def work() -> ModelResponse:
        expr = compute.parse(body.expr, body.variables)
        result = engine.gradient(expr, body.point, body.method, body.h)
        return ModelResponse(_gradient_reply(body.expr, result))

    return await compute.run(work)


# --- POST /descent ------------------------------------------------------------------

DESCENT_EXAMPLES = {
    "gd": _example(
        "Plain gradient descent on the sphere",
        {"expr": "x**2 + y**2", "start": [-3, 4], "lr": 0.1, "steps": 100,
         "optimizer": "gd", "method": "autodiff"},
    ),
    "adam": _example(
        "Adam on Rosenbrock's valley",
        {"expr": "(1 - x)**2 + 100*(y - x**2)**2", "start": [-1.5, 2], "lr": 0.05,
         "steps": 2000, "optimizer": "adam"},
    ),
    "diverged": _example(
        "Too large a learning rate: status diverged",
        {"expr": "x**2 + y**2", "start": [-3, 4], "lr": 10, "steps": 100},
    ),
    "converged": _example(
        "Stop early with tol: status converged",
        {"expr": "x**2 + y**2", "start": [-3, 4], "lr": 0.1, "steps": 1000, "tol": 1e-6},
    ),
}


def _descent_reply(result: engine.DescentResult) -> DescentResponse:
    # model_construct with numpy arrays: up to 10,001 x n floats, written by orjson
    return DescentResponse.model_construct(
        variables=list(result.variables),
        path=as_array(result.path),
        values=as_array(result.values),
        grad_norms=as_array(result.grad_norms),
        iterations=as_array(result.iterations, np.int64),
        final=as_array(result.final),
        final_value=float(result.final_value),
        steps=int(result.steps),
        status=result.status,
        message=result.message,
    )


@router.post("/descent", response_model=DescentResponse, responses=ERRORS,
             summary="Run an optimizer and return its path")
async def descent(
    body: Annotated[DescentRequest, checked(DescentRequest, DESCENT_EXAMPLES)],
    compute: ComputeDep,
) -> ModelResponse:
    """Gradient descent (or momentum, nesterov, adagrad, rmsprop, adam) from `start`.
    `status` is `completed`, `converged` (gradient norm <= `tol`) or `diverged`."""

    def work() -> ModelResponse:
        expr = compute.parse(body.expr, body.variables)
        compute.check_budget(expr, body.steps)
        result = engine.descend(
            expr, body.start, lr=body.lr, steps=body.steps, optimizer=body.optimizer,
            method=body.method, h=body.h, tol=body.tol,
            divergence_factor=body.divergence_factor, momentum=body.momentum,
            beta1=body.beta1, beta2=body.beta2, rho=body.rho, eps=body.eps,
            max_points=body.max_points or compute.settings.max_points,
            deadline=compute.deadline(),
        )
        return ModelResponse(_descent_reply(result))

    return await compute.run(work)


# --- POST /tangent ------------------------------------------------------------------

TANGENT_EXAMPLES = {
    "line": _example(
        "Tangent line and the secant table",
        {"expr": "3*x**2 - 4*x", "point": 1, "secants": [0.1, 0.01, 0.001]},
    ),
    "plane": _example(
        "Tangent plane of a two-variable function",
        {"expr": "x**2 + y**2", "point": [3, 4]},
    ),
}


def _tangent_reply(result: engine.TangentResult) -> TangentResponse:
    reply: dict[str, Any] = {
        "variables": list(result.variables),
        "point": as_list(result.point),
        "value": result.value,
        "gradient": as_list(result.gradient),
        "equation": result.equation,
        "message": _message(_null_note("f", result.value),
                            _null_note("the gradient", result.gradient)),
    }
    if len(result.variables) == 1:
        reply["slope"] = result.slope
        reply["intercept"] = result.intercept
        reply["secants"] = [Secant(h=h, slope=slope) for h, slope in result.secants]
    return TangentResponse(**reply)


@router.post("/tangent", response_model=TangentResponse, responses=ERRORS,
             summary="Tangent line or plane, with secant slopes")
async def tangent(
    body: Annotated[TangentRequest, checked(TangentRequest, TANGENT_EXAMPLES)],
    compute: ComputeDep,
) -> ModelResponse:
    """One variable: `slope`, `intercept`, `equation` (`y = 2x - 3`) and forward-difference
    `secants`. Several variables: `gradient` and the tangent plane `equation`."""

    def work() -> ModelResponse:
        expr = compute.parse(body.expr, body.variables)
        result = engine.tangent(expr, body.point, body.secants)
        return ModelResponse(_tangent_reply(result))

    return await compute.run(work)


# --- POST /field --------------------------------------------------------------------

FIELD_EXAMPLES = {
    "bowl": _example(
        "Gradient field of a bowl",
        {"expr": "x**2 + y**2", "x_range": [-2, 2], "y_range": [-2, 2], "n": 21},
    ),
    "log": _example(
        "One variable, undefined for x <= 0 (null)",
        {"expr": "log(x)", "x_range": [-1, 3], "n": 9},
    ),
}


def _field_reply(result: engine.FieldResult) -> FieldResponse:
    # model_construct with numpy arrays: up to 3 x 160,000 floats, written by orjson
    reply: dict[str, Any] = {
        "variables": list(result.variables),
        "x": as_array(result.x),
        "z": as_array(result.z),
        "u": as_array(result.u),
        "message": _message(_null_note("f", result.z), _null_note("df/dx", result.u),
                            None if result.v is None else _null_note("df/dy", result.v)),
    }
    if result.y is not None:
        reply["y"] = as_array(result.y)
    if result.v is not None:
        reply["v"] = as_array(result.v)
    return FieldResponse.model_construct(**reply)


@router.post("/field", response_model=FieldResponse, responses=ERRORS,
             summary="f and its partial derivatives on a grid")
async def field(
    body: Annotated[FieldRequest, checked(FieldRequest, FIELD_EXAMPLES)],
    compute: ComputeDep,
) -> ModelResponse:
    """Two variables: `z[j][i] = f(x[i], y[j])`, `u` = df/dx and `v` = df/dy on the same
    layout. One variable: `x`, `z` (f) and `u` (f'). Undefined points are `null`."""

    def work() -> ModelResponse:
        expr = compute.parse(body.expr, body.variables)
        result = engine.gradient_field(
            expr, body.x_range, body.y_range, nx=body.nx or body.n, ny=body.ny or body.n,
            method=body.method, h=body.h, deadline=compute.deadline(),
        )
        return ModelResponse(_field_reply(result))

    return await compute.run(work)


# --- POST /steps --------------------------------------------------------------------

STEPS_EXAMPLES = {
    "exp": _example(
        "Truncation vs rounding error for exp at 1",
        {"expr": "exp(x)", "point": 1, "methods": ["forward", "central"],
         "h_min": 1e-16, "h_max": 0.1, "n": 31},
    ),
    "all": _example(
        "Every numerical method on sin",
        {"expr": "sin(x)", "point": 0.5,
         "methods": ["forward", "backward", "central", "richardson", "complex-step"]},
    ),
}


def _steps_reply(result: engine.SweepResult) -> StepsResponse:
    return StepsResponse(
        variables=list(result.variables),
        point=as_list(result.point),
        h=as_list(result.h),
        exact=as_list(result.exact),
        errors={name: as_list(errors) for name, errors in result.errors.items()},
        best_h=dict(result.best_h),
    )


@router.post("/steps", response_model=StepsResponse, responses=ERRORS,
             summary="Error against step size h for numerical methods")
async def steps(
    body: Annotated[StepsRequest, checked(StepsRequest, STEPS_EXAMPLES)],
    compute: ComputeDep,
) -> ModelResponse:
    """The error of each method against the exact derivative as h sweeps log-spaced from
    `h_max` down to `h_min`: truncation error for large h, rounding error for small h."""

    def work() -> ModelResponse:
        expr = compute.parse(body.expr, body.variables)
        result = engine.step_sweep(expr, body.point, methods=body.methods,
                                   h_min=body.h_min, h_max=body.h_max, n=body.n)
        return ModelResponse(_steps_reply(result))

    return await compute.run(work)


# --- POST /graph --------------------------------------------------------------------

GRAPH_EXAMPLES = {
    "small": _example(
        "The graph of a small expression",
        {"expr": "(2*x**2 + 2*y) / 4", "point": [1, 2]},
    ),
}


def _graph_reply(result: engine.GraphResult) -> GraphResponse:
    return GraphResponse(
        variables=list(result.variables),
        point=as_list(result.point),
        nodes=[
            GraphNode(id=node.id, op=node.op, label=node.label, inputs=list(node.inputs),
                      value=node.value, grad=node.grad)
            for node in result.nodes
        ],
        output=result.output,
    )


@router.post("/graph", response_model=GraphResponse, responses=ERRORS,
             summary="The expression graph with values and adjoints")
async def graph(
    body: Annotated[GraphRequest, checked(GraphRequest, GRAPH_EXAMPLES)],
    compute: ComputeDep,
) -> ModelResponse:
    """Every node with its forward `value` and reverse-mode adjoint `grad` = df/dnode."""

    def work() -> ModelResponse:
        expr = compute.parse(body.expr, body.variables)
        return ModelResponse(_graph_reply(engine.computation_graph(expr, body.point)))

    return await compute.run(work)


# --- GET /functions -----------------------------------------------------------------

@router.get("/functions", response_model=list[FunctionPreset], summary="Preset functions")
async def functions() -> list[FunctionPreset]:
    """Classic test functions with a plot range, a start point and a learning rate that
    make gradient descent show something."""
    return list(FUNCTIONS)

