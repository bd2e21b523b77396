"""``POST /gradcheck``: check a derivative against central differences."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

import engine

from ..limits import limit
from ..responses import as_list
from .base import (
    METHOD_DOC,
    NumericalMethod,
    OutNumber,
    Point,
    PositiveNumber,
    Range,
    Reply,
    Request,
    VariableName,
    examples_config,
    expr_field,
    point_field,
    variables_field,
)

Verdict = Literal["pass", "warn", "fail"]


class GradcheckRequest(Request):
    """Compare a derivative (claimed, or the exact gradient) with the numerical one."""

    EXAMPLES = {
        "claimed": {"summary": "A derivative worked out by hand",
                    "value": {"expr": "x**2 * exp(y)", "claimed": ["2*x*exp(y)", "x**2*exp(y)"],
                              "point": [1, 2]}},
        "wrong": {"summary": "A mistake in one coordinate: that one fails",
                  "value": {"expr": "x**2 * exp(y)", "claimed": ["2*x", "x**2*exp(y)"],
                            "point": [1, 2]}},
        "random": {"summary": "The exact gradient at 100 random points",
                   "value": {"expr": "sin(x)*cos(y) + x*y**3", "point": [0, 0],
                             "random_points": 100, "seed": 1}},
        "kink": {"summary": "A stencil across relu's corner is flagged",
                 "value": {"expr": "relu(x)", "claimed": ["1"], "point": 2e-6}},
    }
    model_config = examples_config(EXAMPLES)

    expr: str = expr_field("x**2 * exp(y)")
    claimed: list[str] | None = Field(
        None, min_length=1,
        description="One expression per variable, in the answer's `variables` order: the "
        "partial derivatives to check. Omitted: the exact (autodiff) gradient is checked.",
        json_schema_extra=limit("max_nodes", "items"))
    point: Point = point_field([1, 2])
    method: NumericalMethod = Field("central", description=f"The numerical method: {METHOD_DOC}")
    h: PositiveNumber = Field(1e-5, description="The step, as is usual for gradient checks.")
    random_points: int = Field(0, strict=True, ge=0,
                               description="More points drawn uniformly from `box`.",
                               json_schema_extra=limit("max_check_points"))
    box: list[Range] | None = Field(
        None, description="[low, high] per variable for the random points; default [-2, 2].",
        json_schema_extra=limit("max_nodes", "items"))
    seed: int = Field(0, strict=True, ge=0, le=2**63 - 1, description="Seed of the random points.")
    variables: list[VariableName] | None = variables_field()


class PointCheckReply(Reply):
    point: list[float]
    value: OutNumber
    checked: list[OutNumber] = Field(description="The claimed (or exact) partials.")
    exact: list[OutNumber] = Field(description="The autodiff gradient.")
    numerical: list[OutNumber]
    abs_error: list[OutNumber] = Field(description="|checked - numerical| per coordinate.")
    rel_error: list[OutNumber] = Field(
        description="|c - n| / max(|c|, |n|) per coordinate (0 when both are 0).")
    bound: list[OutNumber] = Field(
        description="The numerical method's own error bound per coordinate: a difference "
        "within it passes whatever the relative error (derivatives near 0).")
    verdicts: list[Verdict] = Field(
        description="`pass` (rel_error <= 1e-7 or within bound), `warn` (<= 1e-4) or `fail`.")
    kinks: list[bool] = Field(
        description="Whether the stencil x ± h crosses a corner of abs, relu, min or max.")


class GradcheckResponse(Reply):
    variables: list[str]
    method: str
    h: float
    claimed: bool = Field(description="Whether a claimed derivative was checked.")
    checks: list[PointCheckReply] = Field(description="One per point, the given point first.")
    verdict: Verdict = Field(description="The worst coordinate's verdict.")
    message: str = Field(description="The first failing coordinate and point, in words.")
    evaluations: int = Field(description=(
        "Evaluations of f the check made: the numerical gradient at every point and, for "
        "central, forward and backward differences, the same stencil at 2h for the error "
        "bound."))

    @classmethod
    def of(cls, result: engine.GradientCheck) -> GradcheckResponse:
        # the engine's verdicts are the three words of Verdict; model_validate checks them
        return cls.model_validate(dict(
            variables=list(result.variables), method=result.method, h=result.h,
            claimed=result.claimed, verdict=result.verdict, message=result.message,
            evaluations=result.evaluations,
            checks=[dict(
                point=as_list(c.point), value=c.value, checked=as_list(c.checked),
                exact=as_list(c.exact), numerical=as_list(c.numerical),
                abs_error=as_list(c.abs_error), rel_error=as_list(c.rel_error),
                bound=as_list(c.bound), verdicts=c.verdicts, kinks=c.kinks,
            ) for c in result.points],
        ))
