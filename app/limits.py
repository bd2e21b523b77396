"""Limits that depend on the settings: declared on schema fields, enforced per app.

A request field whose bound is a setting (``n`` ≤ ``max_grid``, ``steps`` ≤ ``max_steps``,
...) carries ``json_schema_extra=limit("max_grid")``.  That one declaration

* documents the bound in ``/openapi.json`` (``maximum`` / ``maxItems`` / ``maxLength``,
  plus ``x-limit`` naming the setting), rewritten per app by :func:`document_limits`;
* is enforced by :func:`enforce_limits` with the app's own settings, so an app built with
  ``Settings(max_grid=10)`` refuses ``n = 11`` with a message naming ``max_grid``.

The check is data-driven: no handler repeats a guard.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, TypeVar

from pydantic import BaseModel

from .settings import Settings

LimitKind = Literal["value", "items", "length"]

#: JSON-Schema keyword that states each kind of bound.
_KEYWORD: dict[str, str] = {"value": "maximum", "items": "maxItems", "length": "maxLength"}
_DEFAULTS = Settings()


class LimitExceeded(Exception):
    """A request asks for more work than a setting allows (→ 422)."""

    def __init__(self, field: str, setting: str, limit: int, given: int, what: str) -> None:
        self.field = field
        self.setting = setting
        self.limit = limit
        self.given = given
        self.message = (
            f"{what} is {given}, over the limit {setting} = {limit} "
            f"(set by {Settings.env_name(setting)})"
        )
        super().__init__(self.message)


def limit(setting: str, kind: LimitKind = "value") -> dict[str, Any]:
    """``json_schema_extra`` for a field bounded by ``setting``.

    >>> limit("max_grid")
    {'x-limit': 'max_grid', 'x-limit-kind': 'value', 'maximum': 400}
    """
    return {
        "x-limit": setting,
        "x-limit-kind": kind,
        _KEYWORD[kind]: getattr(_DEFAULTS, setting),
    }


def declared_limits(models: Iterable[type[BaseModel]]) -> list[str]:
    """The settings that bound a field of ``models`` (their ``x-limit``), sorted.

    >>> from app.schemas import FieldRequest
    >>> declared_limits([FieldRequest])
    ['max_grid', 'max_length', 'max_nodes']
    """
    names: dict[str, None] = {}
    for model in models:
        for info in model.model_fields.values():
            extra = info.json_schema_extra
            if isinstance(extra, dict) and "x-limit" in extra:
                names[str(extra["x-limit"])] = None
    return sorted(names)


def _measure(value: Any, kind: str) -> tuple[int, str] | None:
    if kind == "value":
        return int(value), "the value"
    if not hasattr(value, "__len__"):  # a bare number given for a point
        return None
    noun = "characters" if kind == "length" else "items"
    return len(value), f"the number of {noun}"


B = TypeVar("B", bound=BaseModel)


def enforce_limits(body: B, settings: Settings) -> B:
    """``body`` itself, or :class:`LimitExceeded` for its first field over its setting."""
    for name, info in type(body).model_fields.items():
        extra = info.json_schema_extra
        if not isinstance(extra, dict) or "x-limit" not in extra:
            continue
        value = getattr(body, name)
        if value is None:
            continue
        setting = str(extra["x-limit"])
        measured = _measure(value, str(extra["x-limit-kind"]))
        if measured is None:
            continue
        given, what = measured
        bound = int(getattr(settings, setting))
        if given > bound:
            raise LimitExceeded(name, setting, bound, given, f"{name}: {what}")
    return body


def check_budget(steps: int, nodes: int, variables: int, settings: Settings,
                 runs: int | None = None) -> None:
    """Refuse a descent whose ``steps × (nodes + variables)`` exceeds ``step_budget``
    (each step evaluates the graph and updates every coordinate), or a sweep of ``runs``
    runs whose ``runs × steps × (nodes + variables)`` exceeds ``sweep_budget``."""
    work = steps * (nodes + variables)
    what = f"steps x (expression nodes + variables) ({steps} x ({nodes} + {variables}))"
    setting = "step_budget"
    if runs is not None:
        work, setting = runs * work, "sweep_budget"
        what = (f"runs x steps x (expression nodes + variables) "
                f"({runs} x {steps} x ({nodes} + {variables}))")
    limit = getattr(settings, setting)
    if work > limit:
        raise LimitExceeded("steps", setting, limit, work, what)


def check_network_budget(units: int, samples: int, parameters: int, settings: Settings,
                         field: str = "epochs", names: tuple[str, str] = ("epochs", "samples"),
                         iterations: int | None = None) -> None:
    """Refuse network work whose ``units × samples × parameters`` exceeds
    ``network_budget`` (training: epochs × samples × parameters; a gradient check: loss
    evaluations × batch × parameters), or a training run of more than
    ``max_network_iterations`` mini-batch steps, before any of it is done.

    >>> check_network_budget(20, 1797, 3760, Settings(), iterations=300)
    >>> check_network_budget(1000, 1797, 3760, Settings())
    Traceback (most recent call last):
    ...
    app.limits.LimitExceeded: epochs x samples x parameters (1000 x 1797 x 3760) is \
6756720000, over the limit network_budget = 300000000 (set by SLOPESCOPE_NETWORK_BUDGET)
    """
    work = units * samples * parameters
    if work > settings.network_budget:
        first, second = names
        raise LimitExceeded(field, "network_budget", settings.network_budget, work,
                            f"{first} x {second} x parameters ({units} x {samples} x "
                            f"{parameters})")
    if iterations is not None and iterations > settings.max_network_iterations:
        raise LimitExceeded("batch_size", "max_network_iterations",
                            settings.max_network_iterations, iterations,
                            "mini-batch steps (epochs x batches per epoch)")


def path_points(max_points: int | None, variables: int, settings: Settings) -> int:
    """How many path entries a run may return: ``max_points`` (default: the setting),
    within ``max_path_values`` numbers in all.  Asking for more is refused; the default
    shrinks to fit (at least the first and last point).

    >>> path_points(None, 2, Settings()), path_points(None, 500, Settings())
    (10001, 400)
    """
    fit = max(2, settings.max_path_values // max(variables, 1))
    if max_points is None:
        return min(settings.max_points, fit)
    if max_points * variables > settings.max_path_values:
        raise LimitExceeded(
            "max_points",
            "max_path_values",
            settings.max_path_values,
            max_points * variables,
            f"max_points x variables ({max_points} x {variables})",
        )
    return max_points


def document_limits(schema: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Rewrite every ``x-limit`` bound in an OpenAPI document to ``settings``' value."""

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "x-limit" in node and "x-limit-kind" in node:
                keyword = _KEYWORD[str(node["x-limit-kind"])]
                node[keyword] = getattr(settings, str(node["x-limit"]))
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(schema)
    return schema
