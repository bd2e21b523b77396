"""What every JSON endpoint shares: its validated body, the compute access, its errors.

:func:`checked` is the request body of a model, with the model's ``EXAMPLES`` as its
``/docs`` examples and the app's settings-bound limits enforced, so no handler repeats
a guard.  (This module has no ``from __future__ import annotations``: FastAPI must see
the real model class in the dependency's signature.)
"""

from typing import Annotated, Any, TypeVar

from fastapi import Body, Depends, Request
from fastapi.openapi.models import Example

from .compute import Compute, get_compute
from .limits import enforce_limits
from .schemas import Message, ValidationErrors
from .schemas.base import Request as RequestModel

M = TypeVar("M", bound=RequestModel)

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


def checked(model: type[M]) -> Any:
    """Dependency: the request body of type ``model``, within this app's limits."""
    examples = {key: Example(summary=example["summary"], value=example["value"])
                for key, example in model.EXAMPLES.items()}

    async def dependency(  # async: a cheap check, not worth a thread handoff
        body: Annotated[model, Body(openapi_examples=examples)],  # type: ignore[valid-type]
        request: Request,
    ) -> M:
        return enforce_limits(body, request.app.state.settings)  # type: ignore[no-any-return]

    return Depends(dependency)
