"""The page's files over the wire: versioned URLs cached for a year, validators always.

``static/`` is served twice:

* at ``/assets/<version>/`` -- the URLs the page uses.  ``<version>`` is a hash of every
  file under ``static/``, so any change to any of them is a new URL; these answers are
  ``Cache-Control: public, max-age=31536000, immutable``, and a browser that has the
  page's files never asks for them again.  ``main.js`` imports its modules by relative
  URL, so they are under the same version.  The version is worked out again whenever a
  file's size or time changes (a developer editing a module gets a new URL with the
  next page load), and any version serves the current files.
* at ``/static/`` -- the stable URLs (for anything that links to a file by name), with
  ``Cache-Control: no-cache``: a browser asks each time, and gets ``304 Not Modified``
  when its copy is current.

Both answer with ``ETag`` and ``Last-Modified`` (Starlette's ``StaticFiles``) and honour
``If-None-Match`` / ``If-Modified-Since``.  Compression is the app's gzip middleware.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from starlette.responses import Response
from starlette.staticfiles import StaticFiles

__all__ = ["IMMUTABLE", "REVALIDATE", "CachedStaticFiles", "tree_version"]

#: For URLs whose content never changes (the version is in the URL).
IMMUTABLE = "public, max-age=31536000, immutable"
#: For stable URLs: keep a copy, but ask (with its validators) before using it.
REVALIDATE = "no-cache"


_versions: dict[Path, tuple[Any, str]] = {}


def tree_version(directory: Path, length: int = 12) -> str:
    """A short hash of every file's relative path and content under ``directory``
    (hashed again only when a file's size or modification time has changed).

    >>> from app.assets import asset_dir
    >>> len(tree_version(asset_dir("static")))
    12
    """
    files = sorted(p for p in directory.rglob("*") if p.is_file())
    signature = [(p, p.stat().st_size, p.stat().st_mtime_ns) for p in files]
    known = _versions.get(directory)
    if known is not None and known[0] == signature:
        return known[1]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(directory).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    version = digest.hexdigest()[:length]
    _versions[directory] = (signature, version)
    return version


class CachedStaticFiles(StaticFiles):
    """Starlette's ``StaticFiles`` with a ``Cache-Control`` header on every answer."""

    def __init__(self, *, cache_control: str, **options: Any) -> None:
        super().__init__(**options)
        self.cache_control = cache_control

    def file_response(self, full_path: str | os.PathLike[str], stat_result: os.stat_result,
                      scope: Any, status_code: int = 200) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = self.cache_control
        return response
