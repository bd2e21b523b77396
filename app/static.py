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

A file is read once and kept in memory (read again when its size or time changes), and
answered in one piece: a first load asks for some fifty files at once, and Starlette's
way -- a worker thread to find the file, then one to open it and one per 64 kB read --
makes each of them wait for the thread pool and the event loop several times over, which
on a busy machine is most of the time they take.  Finding the file is a ``stat`` of local
package data (microseconds), done in the event loop; a file is read in a worker thread,
once.  Files larger than :data:`KEPT_MAX_BYTES` are streamed from disk as before.  Ranges
are not served from memory (the whole file is, ``200``), so those answers do not offer
them.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import Any

import anyio
from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

__all__ = ["IMMUTABLE", "KEPT_MAX_BYTES", "REVALIDATE", "CachedStaticFiles", "tree_version"]

#: For URLs whose content never changes (the version is in the URL).
IMMUTABLE = "public, max-age=31536000, immutable"
#: For stable URLs: keep a copy, but ask (with its validators) before using it.
REVALIDATE = "no-cache"
#: Files up to this size are kept in memory once read (all of ``static/`` is ~2 MB).
KEPT_MAX_BYTES = 8 * 1024 * 1024


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
    """Starlette's ``StaticFiles`` with a ``Cache-Control`` header on every answer, its
    files kept in memory (see the module's notes).

    >>> import asyncio
    >>> from app.assets import asset_dir
    >>> files = CachedStaticFiles(directory=asset_dir("static"), cache_control=IMMUTABLE)
    >>> scope = {"type": "http", "method": "GET", "headers": []}
    >>> answer = asyncio.run(files.get_response("js/util.js", scope))
    >>> answer.status_code, answer.body == (asset_dir("static") / "js/util.js").read_bytes()
    (200, True)
    >>> answer.headers["cache-control"] == IMMUTABLE, "etag" in answer.headers
    (True, True)
    """

    def __init__(self, *, cache_control: str, kept_max_bytes: int = KEPT_MAX_BYTES,
                 **options: Any) -> None:
        super().__init__(**options)
        self.cache_control = cache_control
        self.kept_max_bytes = kept_max_bytes
        #: path -> ((size, mtime_ns), bytes) of the files read so far
        self.kept: dict[str, tuple[tuple[int, int], bytes]] = {}

    async def get_response(self, path: str, scope: Scope) -> Response:
        if scope["method"] in ("GET", "HEAD"):
            try:
                full_path, stat_result = self.lookup_path(path)
            except (OSError, ValueError):  # no such file, a name too long, a NUL byte...
                stat_result = None
            if (stat_result is not None and stat.S_ISREG(stat_result.st_mode)
                    and stat_result.st_size <= self.kept_max_bytes):
                return await self.kept_response(full_path, stat_result, scope)
        return await super().get_response(path, scope)  # 404, 405, a directory, a big file

    async def kept_response(self, full_path: str, stat_result: os.stat_result,
                            scope: Scope) -> Response:
        """The file's answer from memory (or ``304``): the same headers as Starlette's."""
        headers = FileResponse(full_path, stat_result=stat_result).headers
        headers["Cache-Control"] = self.cache_control
        if self.is_not_modified(headers, Headers(scope=scope)):
            return NotModifiedResponse(headers)
        del headers["accept-ranges"]
        signature = (stat_result.st_size, stat_result.st_mtime_ns)
        known = self.kept.get(full_path)
        if known is None or known[0] != signature:
            known = (signature, await anyio.to_thread.run_sync(Path(full_path).read_bytes))
            self.kept[full_path] = known
        return Response(known[1], headers=dict(headers))

    def file_response(self, full_path: str | os.PathLike[str], stat_result: os.stat_result,
                      scope: Any, status_code: int = 200) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = self.cache_control
        return response
