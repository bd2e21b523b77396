"""``POST /descent``: one optimizer run, its path and the curvature at the start."""

from __future__ import annotations

import numpy as np
from pydantic import Field, create_model

import engine

from ..limits import limit
from ..responses import as_array, as_list
from .base import (
    DIVERGENCE_DOC,
    H_DOC,
    METHOD_DOC,
    DescentReason,
    DescentStatus,
    Encoding,
    Method,
    NonNegativeNumber,
    Optimizer,
    OutNumber,
    Point,
    PositiveNumber,
    Reply,
    Request,
    TypedArray,
    VariableName,
    encoding_field,
    examples_config,
    expr_field,
    point_field,
    variables_field,
)
from .optimizers import setting_fields


class _RunFields(Request):
    """What defines a run: the function, the start, the rate, the optimizer, the method."""

    expr: str = expr_field("x**2 + y**2")
    start: Point = point_field([-3, 4], "The start point; the same forms as `point`.")
    lr: PositiveNumber = Field(0.1, description="Learning rate (step size).")
    optimizer: Optimizer = Field(
        "gd", description="The update rule; `GET /optimizers` lists them with their settings.")
    method: Method = Field("autodiff", description=f"How each gradient is computed: {METHOD_DOC}")
    h: PositiveNumber | None = Field(None, description=H_DOC)
    variables: list[VariableName] | None = variables_field()


class _DescentFields(_RunFields):
    """Run an optimizer on ``expr`` from ``start``."""

    EXAMPLES = {
        "gd": {"summary": "Plain gradient descent on the sphere",
               "value": {"expr": "x**2 + y**2", "start": [-3, 4], "lr": 0.1, "steps": 100,
                         "optimizer": "gd", "method": "autodiff"}},
        "adam": {"summary": "Adam on Rosenbrock's valley",
                 "value": {"expr": "(1 - x)**2 + 100*(y - x**2)**2", "start": [-1.5, 2],
                           "lr": 0.05, "steps": 2000, "optimizer": "adam"}},
        "diverged": {"summary": "Above the stability bound: status diverged",
                     "value": {"expr": "x**2 + 10*y**2", "start": [-3, 4], "lr": 0.5,
                               "steps": 100}},
        "textbook": {"summary": "The textbook's lr = 10 with central differences, unchecked",
                     "value": {"expr": "x**2 + y**2", "start": [-3, 4], "lr": 10,
                               "steps": 100, "method": "central", "h": 1e-4,
                               "divergence_factor": None}},
        "converged": {"summary": "Stop early with tol: status converged",
                      "value": {"expr": "x**2 + y**2", "start": [-3, 4], "lr": 0.1,
                                "steps": 1000, "tol": 1e-6}},
    }
    model_config = examples_config(EXAMPLES)

    steps: int = Field(
        100, strict=True, ge=0,
        description=(
            "Number of steps. Also capped by steps x (expression nodes + variables) <= "
            "step_budget (default 5,000,000)."
        ),
        json_schema_extra=limit("max_steps"),
    )
    tol: NonNegativeNumber = Field(
        0.0, description="Stop (status `converged`) when the gradient norm is <= tol; "
        "0 (the default) never stops a run early."
    )
    divergence_factor: PositiveNumber | None = Field(engine.DIVERGENCE_FACTOR,
                                                     description=DIVERGENCE_DOC)
    max_points: int | None = Field(
        None, strict=True, ge=2,
        description=(
            "Most path entries returned (longer runs are thinned evenly, first and last "
            "kept). Default and cap: the max_points setting (10001), and at most "
            "max_path_values / variables."
        ),
        json_schema_extra=limit("max_points"),
    )
    encoding: Encoding = encoding_field()


DescentRequest = create_model(  # the optimizer settings come from the engine's table
    "DescentRequest", __base__=_DescentFields, __doc__=_DescentFields.__doc__,
    **setting_fields(),  # type: ignore[call-overload]
)


class StabilityReply(Reply):
    """The curvature at the start point and the learning rates it allows."""

    hessian: list[list[OutNumber]] = Field(description="The exact Hessian at the start.")
    eigenvalues: list[float] | None = Field(
        description="Its eigenvalues, ascending; null where the Hessian is not finite.")
    lr_bound: OutNumber = Field(
        description="The largest stable learning rate on the local quadratic: 2/λmax for "
        "`gd`, (2 + 2β)/λmax for `momentum` and (2 + 2β)/((1 + 2β)·λmax) for `nesterov` "
        "(the exact bound of PyTorch's Nesterov step); null when λmax ≤ 0 or for the "
        "adaptive optimizers.")
    lr_optimal: OutNumber = Field(
        description="2/(λmin + λmax), the best fixed step on the quadratic; null unless the "
        "Hessian is positive definite.")
    condition_number: OutNumber = Field(
        description="λmax/λmin; null unless the Hessian is positive definite.")
    bound_formula: str | None = Field(description="How lr_bound is computed, e.g. `2/λmax`.")

    @classmethod
    def of(cls, curvature: engine.Stability) -> StabilityReply:
        eigenvalues = curvature.eigenvalues
        return cls(hessian=as_list(curvature.hessian),
                   eigenvalues=None if eigenvalues is None else as_list(eigenvalues),
                   lr_bound=curvature.lr_bound, lr_optimal=curvature.lr_optimal,
                   condition_number=curvature.condition_number,
                   bound_formula=curvature.bound_formula)


class DescentResponse(Reply):
    """The optimizer's path; entries are thinned when longer than ``max_points``."""

    variables: list[str]
    path: list[list[OutNumber]] | TypedArray = Field(description="Points visited, start first.")
    values: list[OutNumber] | TypedArray = Field(description="f at each path entry.")
    grad_norms: list[OutNumber] | TypedArray = Field(
        description="Gradient norm at each path entry.")
    iterations: list[int] | TypedArray = Field(description="Step number of each path entry.")
    final: list[OutNumber] | TypedArray = Field(description="The last finite point.")
    final_value: OutNumber
    steps: int = Field(description="Steps actually taken.")
    status: DescentStatus = Field(
        description="`completed`: all steps ran; `converged`: tol > 0 and the gradient norm "
        "reached it (a numerical gradient that is 0 only because x ± h rounds to x does not "
        "count while f's exact gradient is not 0); `diverged`: stopped at the last finite "
        "point."
    )
    reason: DescentReason = Field(
        description="Why the run ended, for programs: "
        + "; ".join(f"`{name}`: {row.meaning} ({row.status})"
                    for name, row in engine.OUTCOMES.items()) + "."
    )
    stop_step: int | None = Field(
        description="The step at which an early stop was decided; null when all ran.")
    stalled_at: int | None = Field(
        description="The first step whose gradient is exactly 0 (the point stops moving "
        "there; with finite differences also when x + h rounds to x); null if none.")
    message: str = Field(description="The outcome in words, naming the step and the cause.")
    stability: StabilityReply

    @classmethod
    def of(cls, result: engine.DescentResult) -> DescentResponse:
        # model_construct with numpy arrays: up to 10,001 x n floats, written by orjson
        return cls.model_construct(
            variables=list(result.variables),
            path=as_array(result.path),
            values=as_array(result.values),
            grad_norms=as_array(result.grad_norms),
            iterations=as_array(result.iterations, np.int64),
            final=as_array(result.final),
            final_value=float(result.final_value),
            steps=int(result.steps),
            status=result.status,
            reason=result.reason,
            stop_step=result.stop_step,
            stalled_at=result.stalled_at,
            message=result.message,
            stability=StabilityReply.of(result.stability),
        )


# --- POST /descent/step: one step written out -------------------------------------------

class _StepFields(_RunFields):
    """Step ``step`` of a run, written out with the numbers filled in."""

    EXAMPLES = {
        "gd": {"summary": "The textbook's first step: x = x - lr·∂f/∂x",
               "value": {"expr": "x**2 + y**2", "start": [-3, 4], "lr": 0.1, "step": 1}},
        "adam": {"summary": "Adam's third step: m, v, the update, and m̂, v̂",
                 "value": {"expr": "(1 - x)**2 + 100*(y - x**2)**2", "start": [-1.5, 2],
                           "lr": 0.05, "optimizer": "adam", "step": 3}},
    }
    model_config = examples_config(EXAMPLES)

    step: int = Field(1, strict=True, ge=1,
                      description="Which step (1 is the first); the run is replayed up to it.",
                      json_schema_extra=limit("max_steps"))


StepRequest = create_model(  # the optimizer settings come from the engine's table
    "StepRequest", __base__=_StepFields, __doc__=_StepFields.__doc__,
    **setting_fields(),  # type: ignore[call-overload]
)


class StepLine(Reply):
    name: str = Field(description="What the line computes: a state (`v`, `m`) or the coordinate.")
    formula: str = Field(description="In symbols, e.g. `x − lr·∂f/∂x`.")
    numbers: str = Field(description="The same with the numbers in, e.g. `−3 − 0.1·(−6)`.")
    value: OutNumber


class StepResponse(Reply):
    """One step of the optimizer table's rule, written out per coordinate."""

    variables: list[str]
    optimizer: str
    step: int
    before: list[OutNumber] = Field(description="The point the step starts from.")
    value_before: OutNumber = Field(description="f there.")
    gradient: list[OutNumber] = Field(description="The gradient there.")
    after: list[OutNumber] = Field(description="Where the step goes.")
    lines: list[list[StepLine]] = Field(
        description="Per coordinate: the optimizer's state, then the coordinate, then "
        "quantities a textbook names (Adam's m̂, v̂).")

    @classmethod
    def of(cls, result: engine.StepExplained) -> StepResponse:
        return cls(
            variables=list(result.variables), optimizer=result.optimizer, step=result.step,
            before=as_list(result.before), value_before=result.value_before,
            gradient=as_list(result.gradient), after=as_list(result.after),
            lines=[[StepLine(name=line.name, formula=line.formula, numbers=line.numbers,
                             value=line.value) for line in coordinate]
                   for coordinate in result.lines],
        )
