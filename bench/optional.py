"""Optional comparison libraries (the ``bench`` extra): loaded if present, else a note.

``pip install -e ".[bench]"`` installs jax, numdifftools and scipy.
"""

from __future__ import annotations

import importlib
import warnings
from types import ModuleType
from typing import Any

__all__ = ["load_jax", "load_numdifftools", "load_scipy_differentiate"]

_CACHE: dict[str, tuple[Any, str]] = {}


_OFF = "turned off in this configuration"


def _load(name: str, loader: Any, enabled: bool) -> tuple[Any, str]:
    if not enabled:
        return None, f"{name} {_OFF}"
    if name not in _CACHE:
        try:
            _CACHE[name] = (loader(), "")
        except Exception as exc:  # ImportError, or a broken install: skip with the reason
            _CACHE[name] = (None, f"{name} unavailable ({type(exc).__name__}: {exc}); "
                                  f'install with `pip install -e ".[bench]"`')
    return _CACHE[name]


def load_jax(enabled: bool = True) -> tuple[ModuleType | None, str]:
    """jax configured for float64 on the CPU, or (None, why not)."""

    def loader() -> ModuleType:
        jax = importlib.import_module("jax")
        jax.config.update("jax_enable_x64", True)
        jax.config.update("jax_platforms", "cpu")
        return jax

    return _load("jax", loader, enabled)


def load_numdifftools(enabled: bool = True) -> tuple[ModuleType | None, str]:
    def loader() -> ModuleType:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return importlib.import_module("numdifftools")

    return _load("numdifftools", loader, enabled)


def load_scipy_differentiate(enabled: bool = True) -> tuple[ModuleType | None, str]:
    """``scipy.differentiate`` (scipy >= 1.15)."""
    return _load("scipy.differentiate", lambda: importlib.import_module("scipy.differentiate"),
                 enabled)
