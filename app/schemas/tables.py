"""The tables behind the page's menus: presets and gradient methods.

(The optimizer table's schema lives beside the request fields it generates, in
:mod:`app.schemas.optimizers`.)
"""

from __future__ import annotations

from pydantic import Field

from .base import Reply


class FunctionPreset(Reply):
    name: str
    expr: str
    x_range: list[float]
    y_range: list[float] | None = Field(description="null for one-variable functions.")
    start: list[float] = Field(description="The start of descent, or for one variable the "
                               "point x₀ of the tangent.")
    lr: float | None = Field(description="A learning rate for gd (null for one variable: "
                             "the 1-D view has no descent).")
    steps: int | None = Field(description="A number of gd steps that shows the behaviour well "
                              "(null for one variable).")
    description: str


class MethodInfo(Reply):
    name: str = Field(description="The value of `method` in a request.")
    label: str
    numerical: bool = Field(description="True for the finite-difference methods, which take `h`.")
    needs_analytic: bool = Field(
        description="True when the method is refused for functions with kinks (abs, relu, "
        "min, max): the complex step.")
    description: str
