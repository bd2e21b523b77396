"""Building blocks shared by every schema: strict numbers, points, the base models.

Requests are strict: numbers must be finite JSON numbers (``NaN``, ``Infinity``,
``1e999`` and booleans are refused; integers are accepted where a float is expected),
unknown fields are refused, and every bound is declared on the field so ``/openapi.json``
documents it.  Bounds that are settings (``n`` ≤ ``max_grid``, ...) are declared with
:func:`app.limits.limit` and enforced with the app's own settings.

Responses may hold NaN/±inf internally; they serialise as ``null`` and a ``status`` or
``message`` field says why.

Each request model declares its examples once, as ``EXAMPLES`` (summary → body): they
are the ``/docs`` examples of its endpoint and the model's JSON-schema examples.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

import engine

from ..limits import limit

#: A finite JSON number; integers are accepted, booleans and strings are not.
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
PositiveNumber = Annotated[float, Field(strict=True, allow_inf_nan=False, gt=0)]
NonNegativeNumber = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0)]
#: A response number: NaN/±inf are sent as ``null``.
OutNumber = float | None

#: The names the engine's tables accept, and nothing else (built from the tables, so
#: the type checker sees plain strings).
if TYPE_CHECKING:
    Method = str
    NumericalMethod = str
    Optimizer = str
    DescentStatus = str
    DescentReason = str
else:
    Method = Literal[engine.METHODS]
    NumericalMethod = Literal[engine.NUMERICAL_METHODS]
    Optimizer = Literal[tuple(engine.OPTIMIZERS)]
    DescentStatus = Literal[engine.STATUSES]
    DescentReason = Literal[engine.REASONS]

#: How ``/descent``, ``/sweep`` and the notebook's runs describe the divergence check.
DIVERGENCE_DOC = ("Stop (status `diverged`) when |f(x_k) - f(x_0)| > "
                  "divergence_factor·(1+|f(x_0)|); null turns the check off.")

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

POINT_DOC = (
    "Where to evaluate: a list in variable order (`[3, 4]`), an object by name "
    "(`{\"x\": 3, \"y\": 4}`), or a bare number for a one-variable function."
)
METHOD_DOC = (
    "`autodiff` (reverse mode, exact up to rounding), `dual` (forward mode), or a "
    "numerical method: `central`, `forward`, `backward` (finite differences), "
    "`richardson` (extrapolated central differences, with an error estimate), "
    "`complex-step` (Im f(x+ih)/h; refused for the functions with kinks: abs, relu, min, "
    "max). `GET /methods` lists them."
)
H_DOC = (
    "Absolute step for every coordinate, used exactly as written. Omitted: each method "
    "uses its own step: about eps^(1/2)·max(1,|x|) for forward/backward, eps^(1/3)·max(1,|x|) "
    "for central, a geometric sequence for richardson, 1e-20 for complex-step."
)


def expr_field(example: str) -> Any:
    """The ``expr`` field of a request."""
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


def point_field(example: Any, description: str = POINT_DOC) -> Any:
    """A ``point`` / ``start`` field: at most ``max_nodes`` coordinates."""
    return Field(description=description, examples=[example],
                 json_schema_extra=limit("max_nodes", "items"))


def variables_field() -> Any:
    """The optional ``variables`` order of a request."""
    return Field(
        None,
        description=(
            "Optional variable order. May name variables the text does not use "
            "(their partials are 0). Default: x, y, z, then other names alphabetically."
        ),
        examples=[["x", "y"]],
        json_schema_extra=limit("max_nodes", "items"),
    )


Encoding = Literal["json", "typed"]


def encoding_field() -> Any:
    """The ``encoding`` of a response with large arrays."""
    return Field(
        "json",
        description="`json` (default): arrays as JSON lists, NaN as null. `typed`: every "
        "numeric array as Plotly's typed-array object `{\"dtype\": \"f8\", \"bdata\": "
        "base64 of little-endian float64 (i4 for integers), \"shape\": \"rows, cols\"}` "
        "(shape for two or more dimensions), which Plotly.js takes as it is; a missing "
        "value is NaN inside the bytes. Scalars stay JSON numbers.",
    )


class TypedArray(BaseModel):
    """A numeric array as Plotly.js's typed-array object (``"encoding": "typed"``)."""

    dtype: Literal["f8", "i4"]
    bdata: str = Field(description="Base64 of the little-endian values.")
    shape: str | None = Field(None, description="`\"rows, cols\"` for 2-D arrays.")


def examples_config(examples: dict[str, dict[str, Any]]) -> ConfigDict:
    """``model_config`` whose JSON-schema examples are the bodies of ``examples``."""
    return ConfigDict(extra="forbid",
                      json_schema_extra={"examples": [e["value"] for e in examples.values()]})


class Request(BaseModel):
    """Base of every request: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")

    EXAMPLES: ClassVar[dict[str, dict[str, Any]]] = {}
    """``{key: {"summary": ..., "value": body}}``, shown in ``/docs`` and run by the tests."""


class Reply(BaseModel):
    """Base of every response: NaN/±inf serialise as ``null``."""

    model_config = ConfigDict(ser_json_inf_nan="null")


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
