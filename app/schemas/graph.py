"""``POST /graph``: the computation graph with values and adjoints."""

from __future__ import annotations

from pydantic import Field

import engine

from ..limits import limit
from ..responses import as_list
from .base import (
    Number,
    OutNumber,
    Point,
    Reply,
    Request,
    VariableName,
    examples_config,
    expr_field,
    point_field,
    variables_field,
)


class GraphRequest(Request):
    """The expression graph with forward values and reverse-mode adjoints."""

    EXAMPLES = {
        "small": {"summary": "The graph of a small expression",
                  "value": {"expr": "(2*x**2 + 2*y) / 4", "point": [1, 2]}},
    }
    model_config = examples_config(EXAMPLES)

    expr: str = expr_field("(2*x**2 + 2*y) / 4")
    point: Point = point_field([1, 2])
    direction: list[Number] | None = Field(
        None, description="Direction of the forward-mode (dual-number) trace, one number per "
        "variable; default: along the first variable, so the output's `tangent` is ∂f/∂x.",
        examples=[[0, 1]], json_schema_extra=limit("max_nodes", "items"))
    variables: list[VariableName] | None = variables_field()


class GraphNode(Reply):
    id: int
    op: str = Field(description="The primitive, e.g. `add`, `mul`, `var`, `const`.")
    label: str = Field(description="Variable name, constant's number, or the operation.")
    inputs: list[int] = Field(description="Ids of the operands.")
    value: OutNumber = Field(description="Forward value.")
    grad: OutNumber = Field(
        description="The adjoint ∂f/∂node; null where it does not exist (a node whose "
        "value is undefined passes no adjoint on).")
    partials: list[OutNumber] = Field(
        description="The local derivative ∂node/∂input for each of `inputs` (the edges' "
        "labels): the chain rule's factors. The adjoint of a node is the sum, over every "
        "path from it to the output, of the product of these along the path.")
    tangent: OutNumber = Field(
        description="Forward mode: the node's dual part along `direction`; the output's "
        "is the directional derivative of f.")


class GraphResponse(Reply):
    variables: list[str]
    point: list[float]
    nodes: list[GraphNode]
    output: int = Field(description="Id of the root node (f itself).")
    direction: list[float] = Field(description="The direction of the tangents.")

    @classmethod
    def of(cls, result: engine.GraphResult) -> GraphResponse:
        return cls(
            variables=list(result.variables),
            point=as_list(result.point),
            nodes=[GraphNode(id=node.id, op=node.op, label=node.label,
                             inputs=list(node.inputs), value=node.value, grad=node.adjoint,
                             partials=list(node.partials), tangent=node.tangent)
                   for node in result.nodes],
            output=result.output,
            direction=as_list(result.direction),
        )
