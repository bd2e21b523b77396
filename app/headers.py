"""Headers on every answer: no sniffing, no framing, and a Content-Security-Policy.

* ``X-Content-Type-Options: nosniff`` -- a browser takes each answer as the type it says.
* ``X-Frame-Options: DENY`` and CSP ``frame-ancestors 'none'`` -- no other page may
  show ours in a frame (clickjacking).
* ``Content-Security-Policy`` -- for HTML pages, :data:`PAGE_POLICY`: scripts,
  stylesheets, fonts, pictures and requests from this server only, no inline script or
  ``<style>`` block (the page's templates have none: behaviour lives in ``static/js/``,
  looks in ``static/css/``; Plotly's own rules come as a stylesheet too, see
  :mod:`app.routers.pages`).  Pictures may also be ``data:`` and ``blob:`` URLs
  (Plotly's "download as PNG").  Style *attributes* are allowed (``style-src-attr``):
  Plotly sets some with ``setAttribute("style", ...)``; they cannot run script, and with
  pictures and fonts from this server only they cannot reach another host either.
  Everything else gets :data:`API_POLICY` (nothing may load from a JSON answer).
* The API manual (``/docs``, ``/redoc``): their HTML, built by FastAPI from this app's
  settings (never from a request), has inline blocks; their SHA-256 hashes are added to
  the page policy of those paths alone, and ReDoc's stylesheet engine needs inline
  styles there.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["API_POLICY", "PAGE_POLICY", "SecurityHeadersMiddleware", "policy_for_inline"]

PAGE_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
API_POLICY = "default-src 'none'; frame-ancestors 'none'"

_COMMON = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
           (b"referrer-policy", b"no-referrer")]
_INLINE = re.compile(rb"<(script|style)(?![^>]*\bsrc=)[^>]*>(.*?)</\1>", re.DOTALL | re.I)


def _sha256(block: bytes) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(block).digest()).decode() + "'"


def policy_for_inline(html: bytes) -> str:
    """:data:`PAGE_POLICY` with the hashes of ``html``'s inline scripts added, and
    inline styles allowed (for the manual's pages only).

    >>> "'sha256-" in policy_for_inline(b"<script>go()</script>")
    True
    """
    scripts = [_sha256(body) for kind, body in _INLINE.findall(html) if kind.lower() == b"script"]
    policy = PAGE_POLICY.replace("script-src 'self'", " ".join(["script-src 'self'", *scripts]))
    return policy.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class SecurityHeadersMiddleware:
    """Add the headers above to every HTTP answer; ``inline_paths`` are the pages whose
    own inline blocks are allowed by hash (their policy is worked out once, from the
    first answer, and kept)."""

    def __init__(self, app: ASGIApp, inline_paths: Iterable[str] = ()) -> None:
        self.app = app
        self.inline_paths = frozenset(inline_paths)
        self.policies: dict[str, str] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path in self.inline_paths and path not in self.policies:
            await self._learn(path, scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                html = any(name == b"content-type" and value.startswith(b"text/html")
                           for name, value in headers)
                policy = self.policies.get(path) or (PAGE_POLICY if html else API_POLICY)
                headers += [*_COMMON, (b"content-security-policy", policy.encode())]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _learn(self, path: str, scope: Scope, receive: Receive, send: Send) -> None:
        """The first answer of an ``inline_paths`` page: held whole (a few KB) to hash
        its inline blocks, then sent with the policy that allows them."""
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        await self.app(scope, receive, hold)
        start = next((m for m in held if m["type"] == "http.response.start"), None)
        body = b"".join(m.get("body", b"") for m in held if m["type"] == "http.response.body")
        headers = list(start.get("headers", [])) if start is not None else []
        policy = API_POLICY
        if start is not None and start["status"] == 200 and any(
                name == b"content-type" and value.startswith(b"text/html")
                for name, value in headers):
            policy = self.policies[path] = policy_for_inline(body)
        for message in held:
            if message is start:
                message = {**message, "headers": [
                    *headers, *_COMMON, (b"content-security-policy", policy.encode())]}
            await send(message)
