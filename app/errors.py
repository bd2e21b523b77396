"""Every error becomes HTTP here, and only here.

* :class:`engine.ExpressionError` → 422 ``{"detail": [{"loc": ["body", field], "msg",
  "type": "expression_error", "ctx": {"column", "code", "reason"}}]}`` (``reason``: the
  message without its column, for a page to show away from the expression); a
  :class:`engine.DeadlineExceeded` → 422 naming the ``deadline`` setting; the
  expression limits (length, nodes, depth) name their setting too.
* :class:`app.limits.LimitExceeded` → 422 of the same shape, ``type: "limit_exceeded"``.
* ``RequestValidationError`` → FastAPI's 422 body **without** the ``input`` echo (the
  default echoes it, and a NaN or a lone surrogate there turns the 422 into a 500),
  and without any key the client chose: an unknown field, or a name in a point given
  as an object, stands in ``loc`` as its position among the object's keys (0, 1, ...),
  and the message names the problem, never the key.
* :class:`app.compute.ComputeBusy` → 503 with ``Retry-After``.
* Starlette's HTTP errors (404, 405, 413 from the body limit) → ``{"detail": "..."}``;
  a body that is not UTF-8, is nested too deeply for Python's JSON parser, or holds a
  number Python will not read (an integer of more than 4,300 digits) is invalid JSON:
  422 ``json_invalid`` like any other.
* Anything unexpected → a JSON 500 that says nothing about internals.

All bodies go through :class:`app.responses.SafeJSONResponse`: ASCII-escaped, no NaN.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from starlette.exceptions import HTTPException

import engine

from . import schemas
from .compute import ComputeBusy
from .limits import LimitExceeded
from .responses import SafeJSONResponse
from .settings import Settings

log = logging.getLogger("slopescope")

#: Expression limits the engine enforces (its error code -> the setting that sets it).
EXPRESSION_LIMITS = {"too_long": "max_length", "too_many_nodes": "max_nodes",
                     "too_deep": "max_depth"}

#: Longest piece of a user-chosen name (an unknown field, a point key) quoted in a loc.
MAX_ECHO = 40


def _error(loc: Sequence[Any], msg: str, type_: str, ctx: dict[str, Any] | None = None,
           status: int = 422) -> SafeJSONResponse:
    item: dict[str, Any] = {"loc": list(loc), "msg": msg, "type": type_}
    if ctx is not None:
        item["ctx"] = ctx
    return SafeJSONResponse({"detail": [item]}, status_code=status)


def _short(value: Any) -> Any:
    """A loc element or ctx value that is safe to send: short, JSON-native, finite."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    text = str(value)
    return text if len(text) <= MAX_ECHO else text[:MAX_ECHO] + "..."


def _clean_ctx(ctx: Any) -> dict[str, Any] | None:
    if not isinstance(ctx, dict):
        return None
    clean = {str(key): _short(value) for key, value in ctx.items()}
    return clean or None


def body_loc(field: str) -> list[str | int]:
    """Where in the body an engine error points: ``"claimed.1"`` is ``["body", "claimed", 1]``.

    >>> body_loc("claimed.1"), body_loc("expr")
    (['body', 'claimed', 1], ['body', 'expr'])
    """
    return ["body", *(int(part) if part.isdigit() else part for part in field.split("."))]


async def expression_error(request: Request, exc: Exception) -> SafeJSONResponse:
    assert isinstance(exc, engine.ExpressionError)
    if isinstance(exc, engine.DeadlineExceeded):
        limit = request.app.state.settings.deadline
        msg = (
            f"the computation exceeded the time limit of {limit:g} s (setting deadline); "
            "ask for fewer steps or a smaller grid"
        )
        return _error(body_loc(exc.field), msg, "deadline_exceeded",
                      {"limit": "deadline", "seconds": limit})
    ctx: dict[str, Any] = {"column": exc.column, "code": exc.code, "reason": exc.reason}
    message = exc.message
    setting = EXPRESSION_LIMITS.get(exc.code)
    if setting is not None:  # name the setting, as every other limit's message does
        message += f" (setting {setting}, {Settings.env_name(setting)})"
        ctx["limit"] = setting
    return _error(body_loc(exc.field), message, "expression_error", ctx)


async def limit_exceeded(request: Request, exc: Exception) -> SafeJSONResponse:
    assert isinstance(exc, LimitExceeded)
    return _error(["body", exc.field], exc.message, "limit_exceeded",
                  {"limit": exc.setting, "maximum": exc.limit, "given": exc.given})


def _models(cls: type[BaseModel]) -> Iterator[type[BaseModel]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _models(sub)


@cache
def declared_names() -> frozenset[str]:
    """Every field name (and alias) of the app's models (:mod:`app.schemas`): the keys a
    body may hold that are ours, not the client's.  (Computed at the first validation
    error.)"""
    names: set[str] = set()
    for model in _models(BaseModel):
        if model.__module__.startswith(schemas.__name__):
            for name, info in model.model_fields.items():
                names.update(n for n in (name, info.alias) if n)
    return frozenset(names)


def clean_loc(loc: Sequence[Any], body: Any,
              positions: dict[int, dict[str, int]] | None = None) -> tuple[list[Any], bool]:
    """``loc`` with every key the client chose replaced by its position among the keys
    of its object, and whether the last part was such a key.

    pydantic's ``loc`` walks the body: field names (ours), list indices, and tags such
    as ``object`` or ``[key]`` (ours); a key of the body that is no field of ours (an
    unknown field, a variable's name in a point) is the client's text.

    >>> clean_loc(["body", "<b>"], {"expr": "x", "<b>": 1})
    (['body', 1], True)
    >>> clean_loc(["body", "point", "object", "<b>", "[key]"], {"point": {"<b>": 1}})
    (['body', 'point', 'object', 0, '[key]'], False)

    ``positions`` caches each object's key positions across the errors of one body.
    """
    positions = {} if positions is None else positions
    cleaned: list[Any] = []
    data = body
    masked = False
    for k, part in enumerate(loc):
        masked = False
        if k == 0 or not isinstance(data, dict | list):
            cleaned.append(part)
            continue
        if isinstance(data, dict) and isinstance(part, str) and part in data:
            if part not in declared_names():
                where = positions.get(id(data))
                if where is None:
                    where = positions[id(data)] = {key: n for n, key in enumerate(data)}
                cleaned.append(where[part])
                masked = True
            else:
                cleaned.append(part)
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            cleaned.append(part)
            data = data[part]
        else:  # a tag of pydantic's (object, [key], a type's name)
            cleaned.append(part)
    return [_short(part) for part in cleaned], masked


async def validation_error(request: Request, exc: Exception) -> SafeJSONResponse:
    assert isinstance(exc, RequestValidationError)
    detail = []
    positions: dict[int, dict[str, int]] = {}
    for err in exc.errors():
        loc, masked = clean_loc(err.get("loc", ()), exc.body, positions)
        msg = str(err.get("msg", "invalid input"))
        if err.get("type") == "value_error":  # our own validators' text, without the prefix
            msg = msg.removeprefix("Value error, ")
        if err.get("type") == "extra_forbidden" and masked:
            msg = ("unknown field: this endpoint takes no field of that name (the fields "
                   "are listed in /docs); loc gives its position among the body's keys")
        item: dict[str, Any] = {
            "loc": loc,
            "msg": msg,
            "type": str(err.get("type", "value_error")),
        }
        ctx = _clean_ctx(err.get("ctx"))
        if ctx is not None:
            item["ctx"] = ctx
        detail.append(item)  # "input" is never echoed
    return SafeJSONResponse({"detail": detail}, status_code=422)


async def compute_busy(request: Request, exc: Exception) -> SafeJSONResponse:
    assert isinstance(exc, ComputeBusy)
    return SafeJSONResponse(
        {"detail": exc.message}, status_code=503,
        headers={"Retry-After": str(exc.retry_after)},
    )


async def http_error(request: Request, exc: Exception) -> SafeJSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
        # FastAPI's 400 for a body that is not UTF-8: JSON must be, so it is invalid JSON
        return _error(["body"], "JSON decode error: the body is not valid UTF-8",
                      "json_invalid")
    if exc.status_code == 400 and isinstance(exc.__cause__, RecursionError):
        # FastAPI's 400 for JSON nested too deeply for Python's parser (100,000 '[')
        return _error(["body"], "JSON decode error: the body is nested too deeply",
                      "json_invalid")
    if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
        # FastAPI's 400 for a body json.loads refused otherwise: an integer of more than
        # 4,300 digits (Python's int limit) is the one way valid JSON gets here
        return _error(["body"], "JSON decode error: a number in the body has too many "
                      "digits to be read (at most 4300)", "json_invalid")
    return SafeJSONResponse(
        {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
    )


async def internal_error(request: Request, exc: Exception) -> SafeJSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return SafeJSONResponse({"detail": "internal server error"}, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    """Register every handler above on ``app``."""
    app.add_exception_handler(engine.ExpressionError, expression_error)
    app.add_exception_handler(LimitExceeded, limit_exceeded)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(ComputeBusy, compute_busy)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, internal_error)
