"""Schemas built from the engine's optimizer table (:data:`engine.OPTIMIZERS`).

``GET /optimizers`` serves the table itself; :func:`setting_fields` gives every request
that runs an optimizer (``/descent``, ``/sweep`` and ``/network/train``) one
optional field per optimizer setting, with its bounds and defaults taken from the table
-- so a new optimizer or setting needs no edit here.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

import engine

from .base import Reply


class SettingInfo(Reply):
    name: str = Field(description="The request field that sets it, e.g. `momentum`.")
    default: float
    label: str
    description: str
    minimum: float
    exclusive_minimum: bool = Field(description="True when `minimum` itself is refused.")
    maximum: float | None = Field(description="Exclusive upper bound, or null.")


class OptimizerInfo(Reply):
    name: str = Field(description="The value of `optimizer` in a request.")
    label: str
    short: str = Field(description="A short label for legends, e.g. `GD`.")
    description: str
    rule: str = Field(description="The update rule as a formula.")
    settings: list[SettingInfo]
    lr_bound: str | None = Field(
        description="The stability bound on a quadratic (`2/λmax`), or null for the "
        "adaptive optimizers, which have none."
    )

    @classmethod
    def of(cls, row: engine.Optimizer) -> OptimizerInfo:
        return cls(
            name=row.name, label=row.label, short=row.short, description=row.description,
            rule=row.rule,
            settings=[SettingInfo(name=s.name, default=s.default, label=s.label,
                                  description=s.description, minimum=s.minimum,
                                  exclusive_minimum=s.open_below, maximum=s.maximum)
                      for s in row.settings],
            lr_bound=row.bound_formula,
        )


def _setting_field(name: str) -> tuple[Any, Any]:
    """One optional request field for the setting ``name``, shared by every optimizer
    that has it: bounds from the table, the default where all users agree on one."""
    users = [(row, s) for row in engine.OPTIMIZERS.values() for s in row.settings
             if s.name == name]
    setting = users[0][1]
    defaults = {s.default for _, s in users}
    bounds: dict[str, float] = {"gt" if setting.open_below else "ge": setting.minimum}
    if setting.maximum is not None:
        bounds["lt"] = setting.maximum
    used_by = ", ".join(f"`{row.name}`" for row, _ in users)
    if len(defaults) == 1:
        default: float | None = setting.default
        said = f"Default {setting.default:g} (PyTorch's)."
    else:
        default = None
        said = "Default (PyTorch's): " + ", ".join(
            f"{s.default:g} for `{row.name}`" for row, s in users) + "."
    kind = Annotated[float, Field(strict=True, allow_inf_nan=False, **bounds)]
    return kind | None, Field(default, description=f"{setting.description} Used by "
                              f"{used_by}; ignored by the others. {said}")


SETTING_NAMES: tuple[str, ...] = tuple(dict.fromkeys(
    s.name for row in engine.OPTIMIZERS.values() for s in row.settings))
"""Every optimizer setting's name, in table order."""


def setting_fields() -> dict[str, tuple[Any, Any]]:
    """``{name: (type, Field)}`` for every optimizer setting, for ``create_model``."""
    return {name: _setting_field(name) for name in SETTING_NAMES}


def settings_of(body: Any) -> dict[str, float | None]:
    """The optimizer settings a request carries, by name (None: the default)."""
    return {name: getattr(body, name) for name in SETTING_NAMES}
