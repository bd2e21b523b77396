"""Request and response models of the JSON API (``shared/API.md``), named by role.

Requests are strict: numbers must be finite JSON numbers (``NaN``, ``Infinity``,
``1e999`` and booleans are refused; integers are accepted where a float is expected),
unknown fields are refused, and every bound is declared here so ``/openapi.json``
documents it.  Bounds that are settings (``n`` ≤ ``max_grid``, ...) are declared with
:func:`app.limits.limit` and enforced with the app's own settings.

Responses may hold NaN/±inf internally; they serialise as ``null`` and a ``status`` or
``message`` field says why.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from .limits import limit

# --- building blocks ----------------------------------------------------------------

#: A finite JSON number; integers are accepted, booleans and strings are not.
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
PositiveNumber = Annotated[float, Field(strict=True, allow_inf_nan=False, gt=0)]
NonNegativeNumber = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0)]
Fraction = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0, lt=1)]
#: A response number: NaN/±inf are sent as ``null``.
OutNumber = float | None

Method = Literal["autodiff", "dual", "central", "forward", "backward", "richardson",
                 "complex-step"]
NumericalMethod = Literal["central", "forward", "backward", "richardson", "complex-step"]
Optimizer = Literal["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]
DescentStatus = Literal["completed", "converged", "diverged"]

VariableName = Annotated[
    str, Field(strict=True, min_length=1, max_length=64, pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
]


def _point_kind(value: Any) -> str | None:
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "number"
    return None


#: A point: a list in variable order, an object by name, or a bare number.
Point = Annotated[
    Annotated[list[Number], Tag("list")]
    | Annotated[dict[VariableName, Number], Tag("object")]
    | Annotated[Number, Tag("number")],
    Discriminator(
        _point_kind,
        custom_error_type="point_type",
        custom_error_message="Input should be a list of numbers, an object of numbers "
        "by variable name, or a number",
    ),
]
Range = Annotated[list[Number], Field(min_length=2, max_length=2)]

_POINT_DOC = (
    "Where to evaluate: a list in variable order (`[3, 4]`), an object by name "
    "(`{\"x\": 3, \"y\": 4}`), or a bare number for a one-variable function."
)
_METHOD_DOC = (
    "`autodiff` (reverse mode, exact up to rounding), `dual` (forward mode), or a "
    "numerical method: `central`, `forward`, `backward` (finite differences), "
    "`richardson` (extrapolated central differences, with an error estimate), "
    "`complex-step` (Im f(x+ih)/h; refused for abs, relu, min, max...)."
)
_H_DOC = (
    "Absolute step for every coordinate, used exactly as written. Omitted: each method "
    "uses its own step: about eps^(1/2)·max(1,|x|) for forward/backward, eps^(1/3)·max(1,|x|) "
    "for central, a geometric sequence for richardson, 1e-20 for complex-step."
)


def _expr_field(example: str) -> Any:
    return Field(
        strict=True,
        description=(
            "The function, in Slopescope's expression language: `+ - * / ** ^`, "
            "`sin cos exp log sqrt abs sigmoid relu...`, `atan2 hypot pow min max`, "
            "`pi`, `e`; printable ASCII only."
        ),
        examples=[example],
        json_schema_extra=limit("max_length", "length"),
    )


def _variables_field() -> Any:
    return Field(
        None,
        description=(
            "Optional variable order. May name variables the text does not use "
            "(their partials are 0). Default: x, y, z, then other names alphabetically."
        ),
        examples=[["x", "y"]],
        json_schema_extra=limit("max_nodes", "items"),
    )


class Request(BaseModel):
    """Base of every request: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class Reply(BaseModel):
    """Base of every response: NaN/±inf serialise as ``null``."""

    model_config = ConfigDict(ser_json_inf_nan="null")


# --- /gradient ----------------------------------------------------------------------

class GradientRequest(Request):
    """The gradient of ``expr`` at ``point`` by one method."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"expr": "x**2 + y**2", "point": [3, 4], "method": "central", "h": 1e-4}
            ]
        }
    )

    expr: str = _expr_field("x**2 + y**2")
    point: Point = Field(description=_POINT_DOC, examples=[[3, 4]],
                         json_schema_extra=limit("max_nodes", "items"))
    method: Method = Field("autodiff", description=_METHOD_DOC)
    h: PositiveNumber | None = Field(None, description=_H_DOC, examples=[1e-4])
    variables: list[VariableName] | None = _variables_field()


class GradientResponse(Reply):
    """Value, gradient, and for numerical methods the exact gradient and the error."""

    expr: str = Field(description="The expression as given.")
    variables: list[str] = Field(description="Variable order of every vector below.")
    point: list[float] = Field(description="The point, in variable order.")
    value: OutNumber = Field(description="f(point); null when not finite.")
    gradient: list[OutNumber] = Field(description="The gradient; null where not finite.")
    method: Method
    h: list[float] | None = Field(
        None, description="Step used per coordinate (numerical methods only)."
    )
    exact: list[OutNumber] | None = Field(
        None, description="Autodiff gradient (numerical methods only)."
    )
    error: list[OutNumber] | None = Field(
        None, description="gradient - exact (numerical methods only)."
    )
    error_estimate: list[OutNumber] | None = Field(
        None, description="Richardson's own error estimate (richardson only)."
    )
    message: str = Field(description="Says which numbers are null and why; 'ok' if none.")


# --- /descent -----------------------------------------------------------------------

class DescentRequest(Request):
    """Run an optimizer on ``expr`` from ``start``."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"expr": "x**2 + y**2", "start": [-3, 4], "lr": 0.1, "steps": 100,
                 "optimizer": "gd", "method": "autodiff"}
            ]
        }
    )

    expr: str = _expr_field("x**2 + y**2")
    start: Point = Field(description=_POINT_DOC, examples=[[-3, 4]],
                         json_schema_extra=limit("max_nodes", "items"))
    lr: PositiveNumber = Field(0.1, description="Learning rate (step size).")
    steps: int = Field(
        100, strict=True, ge=0,
        description=(
            "Number of steps. Also capped by steps x expression nodes <= step_budget "
            "(default 5,000,000)."
        ),
        json_schema_extra=limit("max_steps"),
    )
    optimizer: Optimizer = Field("gd", description="The update rule.")
    method: Method = Field("autodiff", description="How each gradient is computed.")
    h: PositiveNumber | None = Field(None, description=_H_DOC)
    tol: NonNegativeNumber = Field(
        0.0, description="Stop (status `converged`) when the gradient norm is <= tol."
    )
    divergence_factor: PositiveNumber | None = Field(
        1e10,
        description=(
            "Stop (status `diverged`) when |f(x_k) - f(x_0)| > divergence_factor·(1+|f(x_0)|); "
            "null turns the check off."
        ),
    )
    momentum: Fraction = Field(0.9, description="Momentum coefficient (momentum, nesterov).")
    beta1: Fraction = Field(0.9, description="Adam's first-moment decay.")
    beta2: Fraction = Field(0.999, description="Adam's second-moment decay.")
    rho: Fraction = Field(0.9, description="RMSprop's decay.")
    eps: PositiveNumber = Field(1e-8, description="Denominator guard (adagrad, rmsprop, adam).")
    max_points: int | None = Field(
        None, strict=True, ge=2,
        description=(
            "Most path entries returned (longer runs are thinned evenly, first and last "
            "kept). Default and cap: the max_points setting (10001)."
        ),
        json_schema_extra=limit("max_points"),
    )
    variables: list[VariableName] | None = _variables_field()


class DescentResponse(Reply):
    """The optimizer's path; entries are thinned when longer than ``max_points``."""

    variables: list[str]
    path: list[list[OutNumber]] = Field(description="Points visited, start first.")
    values: list[OutNumber] = Field(description="f at each path entry.")
    grad_norms: list[OutNumber] = Field(description="Gradient norm at each path entry.")
    iterations: list[int] = Field(description="Step number of each path entry.")
    final: list[OutNumber] = Field(description="The last finite point.")
    final_value: OutNumber
    steps: int = Field(description="Steps actually taken.")
    status: DescentStatus = Field(
        description="`completed`: all steps ran; `converged`: gradient norm <= tol; "
        "`diverged`: stopped at the last finite point."
    )
    message: str


# --- /tangent -----------------------------------------------------------------------

class TangentRequest(Request):
    """Tangent line (one variable) or tangent plane (several) at ``point``."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"expr": "3*x**2 - 4*x", "point": 1, "secants": [0.1, 0.01, 0.001]}]
        }
    )

    expr: str = _expr_field("3*x**2 - 4*x")
    point: Point = Field(description=_POINT_DOC, examples=[1],
                         json_schema_extra=limit("max_nodes", "items"))
    secants: list[PositiveNumber] = Field(
        [0.1, 0.01, 0.001],
        description="Steps h of the forward-difference secants (one variable only).",
        json_schema_extra=limit("max_secants", "items"),
    )
    variables: list[VariableName] | None = _variables_field()


class Secant(Reply):
    h: float
    slope: OutNumber


class TangentResponse(Reply):
    variables: list[str]
    point: list[float]
    value: OutNumber
    gradient: list[OutNumber]
    slope: OutNumber = Field(None, description="f'(point) (one variable only).")
    intercept: OutNumber = Field(None, description="Where the tangent line meets x = 0.")
    equation: str = Field(description="`y = 2x - 3` or `z = 6x + 8y - 25`.")
    secants: list[Secant] = Field([], description="Secant slopes (one variable only).")
    message: str


# --- /field -------------------------------------------------------------------------

class FieldRequest(Request):
    """f and its partial derivatives on a grid."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"expr": "x**2 + y**2", "x_range": [-2, 2], "y_range": [-2, 2], "n": 21}
            ]
        }
    )

    expr: str = _expr_field("x**2 + y**2")
    x_range: Range = Field(description="[min, max] of x, min < max.", examples=[[-2, 2]])
    y_range: Range | None = Field(None, description="[min, max] of y (two variables).")
    n: int = Field(21, strict=True, ge=2, description="Grid points per axis.",
                   json_schema_extra=limit("max_grid"))
    nx: int | None = Field(None, strict=True, ge=2, description="Points along x (default n).",
                           json_schema_extra=limit("max_grid"))
    ny: int | None = Field(None, strict=True, ge=2, description="Points along y (default n).",
                           json_schema_extra=limit("max_grid"))
    method: Method = Field("autodiff", description=_METHOD_DOC)
    h: PositiveNumber | None = Field(None, description=_H_DOC)
    variables: list[VariableName] | None = _variables_field()

    @model_validator(mode="after")
    def _increasing(self) -> FieldRequest:
        for name in ("x_range", "y_range"):
            bounds = getattr(self, name)
            if bounds is not None and not bounds[0] < bounds[1]:
                raise ValueError(f"{name} must be [min, max] with min < max")
        return self


Grid = list[list[OutNumber]]


class FieldResponse(Reply):
    """For two variables ``z[j][i] = f(x[i], y[j])``; for one, ``z[i] = f(x[i])``."""

    variables: list[str]
    x: list[float]
    y: list[float] | None = Field(None, description="Absent for one variable.")
    z: Grid | list[OutNumber] = Field(description="f; null where undefined.")
    u: Grid | list[OutNumber] = Field(description="df/dx (f' for one variable).")
    v: Grid | None = Field(None, description="df/dy; absent for one variable.")
    message: str


# --- /steps -------------------------------------------------------------------------

class StepsRequest(Request):
    """Error of numerical methods against the exact derivative as h sweeps down."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"expr": "exp(x)", "point": 1, "methods": ["forward", "central"],
                 "h_min": 1e-16, "h_max": 0.1, "n": 31}
            ]
        }
    )

    expr: str = _expr_field("exp(x)")
    point: Point = Field(description=_POINT_DOC, examples=[1],
                         json_schema_extra=limit("max_nodes", "items"))
    methods: list[NumericalMethod] = Field(
        ["forward", "central"], min_length=1, max_length=5,
        description="Numerical methods to compare.",
    )
    h_min: PositiveNumber = Field(1e-16, description="Smallest step.")
    h_max: PositiveNumber = Field(0.1, description="Largest step (> h_min).")
    n: int = Field(31, strict=True, ge=2, description="Number of log-spaced steps.",
                   json_schema_extra=limit("max_sweep"))
    variables: list[VariableName] | None = _variables_field()

    @model_validator(mode="after")
    def _ordered(self) -> StepsRequest:
        if not self.h_min < self.h_max:
            raise ValueError("h_min must be smaller than h_max")
        return self


class StepsResponse(Reply):
    variables: list[str]
    point: list[float]
    h: list[float] = Field(description="Steps, from h_max down to h_min.")
    exact: list[OutNumber] = Field(description="The exact (autodiff) gradient.")
    errors: dict[str, list[OutNumber]] = Field(
        description="Per method: max-abs error over coordinates, per h."
    )
    best_h: dict[str, OutNumber] = Field(description="Per method: h with the smallest error.")


# --- /graph -------------------------------------------------------------------------

class GraphRequest(Request):
    """The expression graph with forward values and reverse-mode adjoints."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"expr": "(2*x**2 + 2*y) / 4", "point": [1, 2]}]}
    )

    expr: str = _expr_field("(2*x**2 + 2*y) / 4")
    point: Point = Field(description=_POINT_DOC, examples=[[1, 2]],
                         json_schema_extra=limit("max_nodes", "items"))
    variables: list[VariableName] | None = _variables_field()


class GraphNode(Reply):
    id: int
    op: str = Field(description="The primitive, e.g. `add`, `mul`, `var`, `const`.")
    label: str = Field(description="Variable name, constant's number, or the operation.")
    inputs: list[int] = Field(description="Ids of the operands.")
    value: OutNumber = Field(description="Forward value.")
    grad: OutNumber = Field(description="Adjoint df/dnode.")


class GraphResponse(Reply):
    variables: list[str]
    point: list[float]
    nodes: list[GraphNode]
    output: int = Field(description="Id of the root node (f itself).")


# --- /functions, /healthz, errors ---------------------------------------------------

class FunctionPreset(Reply):
    name: str
    expr: str
    x_range: list[float]
    y_range: list[float] | None = Field(description="null for one-variable functions.")
    start: list[float]
    lr: float
    steps: int = Field(description="A number of gd steps that shows the behaviour well.")
    description: str


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Message(BaseModel):
    """Body of 413 and 503 responses."""

    detail: str


class ErrorItem(BaseModel):
    loc: list[str | int] = Field(description="Where: `[\"body\", field, ...]`.")
    msg: str
    type: str = Field(description="`expression_error`, `limit_exceeded`, pydantic's types...")
    ctx: dict[str, Any] | None = Field(None, description="e.g. `{\"column\": 1}`.")


class ValidationErrors(BaseModel):
    """Body of every 422."""

    detail: list[ErrorItem]
