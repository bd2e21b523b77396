"""Slopescope's HTTP service: the JSON API of ``shared/API.md``, the page and the CLI.

:func:`app.main.create_app` builds the ASGI application from :class:`app.settings.Settings`
(a factory: ``uvicorn --factory app.main:create_app``).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("slopescope")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
