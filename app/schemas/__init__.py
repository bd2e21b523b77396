"""Request and response models of the JSON API (``shared/API.md``), named by role,
one module per endpoint family (mirroring :mod:`app.routers`)."""

from .base import (
    ErrorItem,
    Health,
    Message,
    Method,
    NumericalMethod,
    Optimizer,
    Reply,
    Request,
    ValidationErrors,
)
from .descent import DescentRequest, DescentResponse, StabilityReply
from .field import FieldRequest, FieldResponse
from .gradient import GradientRequest, GradientResponse
from .graph import GraphNode, GraphRequest, GraphResponse
from .network import (
    NetworkGradcheckRequest,
    NetworkGradcheckResponse,
    NetworkTrainRequest,
    NetworkTrainResponse,
)
from .optimizers import OptimizerInfo, SettingInfo
from .steps import StepsRequest, StepsResponse
from .tables import FunctionPreset, MethodInfo
from .tangent import Secant, TangentRequest, TangentResponse

__all__ = [
    "DescentRequest",
    "DescentResponse",
    "ErrorItem",
    "FieldRequest",
    "FieldResponse",
    "FunctionPreset",
    "GradientRequest",
    "GradientResponse",
    "GraphNode",
    "GraphRequest",
    "GraphResponse",
    "Health",
    "Message",
    "Method",
    "MethodInfo",
    "NetworkGradcheckRequest",
    "NetworkGradcheckResponse",
    "NetworkTrainRequest",
    "NetworkTrainResponse",
    "NumericalMethod",
    "Optimizer",
    "OptimizerInfo",
    "Reply",
    "Request",
    "Secant",
    "SettingInfo",
    "StabilityReply",
    "StepsRequest",
    "StepsResponse",
    "TangentRequest",
    "TangentResponse",
    "ValidationErrors",
]
