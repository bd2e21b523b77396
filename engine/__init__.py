"""Slopescope's engine: a safe expression language and its derivatives, in pure numpy.

Text goes through our own parser into an immutable graph; every differentiation mode
(reverse, forward, numerical, second order) uses one table of primitives
(:mod:`engine.ops`).  The engine knows nothing of HTTP.

>>> from engine import parse, gradient, tangent, descend
>>> f = parse("x**2 + y**2")
>>> gradient(f, [3, 4]).gradient.tolist()
[6.0, 8.0]
>>> tangent(parse("3*x**2 - 4*x"), 1).equation
'y = 2x - 3'
>>> descend(f, [-3, 4], lr=0.1, steps=100).status
'completed'

Neural networks (backpropagation over arrays, gradient checks, mini-batch training) are
in :mod:`engine.network`.
"""

from . import network
from .allocator import keep_freed_memory
from .calculus import (
    FieldResult,
    SweepResult,
    TangentResult,
    gradient_field,
    step_sweep,
    tangent,
)
from .compgraph import GraphNode, GraphResult, computation_graph
from .differentiate import (
    METHODS,
    NUMERICAL_METHODS,
    GradientResult,
    gradient,
    gradient_columns,
    hessian,
)
from .errors import DeadlineExceeded, ExpressionError
from .evaluate import evaluate, evaluate_many
from .explain import StepExplained, explain_step
from .expression import Expression
from .gradcheck import GradientCheck, PointCheck, gradcheck
from .limits import DEFAULT_LIMITS, Limits
from .methods import GRADIENT_METHODS, GradientMethod
from .optimize import DescentResult, descend
from .optimizers import OPTIMIZERS, Optimizer, Setting
from .outcomes import DIVERGENCE_FACTOR, OUTCOMES, REASONS, STATUSES
from .parser import parse
from .points import resolve_point
from .stability import Stability, stability
from .sweep import BatchResult, SweepRuns, descend_batch, sweep_learning_rate

__all__ = [
    "BatchResult",
    "DEFAULT_LIMITS",
    "DIVERGENCE_FACTOR",
    "GRADIENT_METHODS",
    "METHODS",
    "NUMERICAL_METHODS",
    "OPTIMIZERS",
    "OUTCOMES",
    "REASONS",
    "STATUSES",
    "DeadlineExceeded",
    "DescentResult",
    "Expression",
    "ExpressionError",
    "FieldResult",
    "GradientCheck",
    "GradientMethod",
    "GradientResult",
    "GraphNode",
    "GraphResult",
    "Limits",
    "Optimizer",
    "PointCheck",
    "Setting",
    "Stability",
    "StepExplained",
    "SweepRuns",
    "SweepResult",
    "TangentResult",
    "computation_graph",
    "descend",
    "descend_batch",
    "evaluate",
    "evaluate_many",
    "explain_step",
    "gradcheck",
    "gradient",
    "gradient_columns",
    "gradient_field",
    "hessian",
    "keep_freed_memory",
    "network",
    "parse",
    "resolve_point",
    "stability",
    "step_sweep",
    "sweep_learning_rate",
    "tangent",
]

__version__ = "0.1.0"
