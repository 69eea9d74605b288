"""Browser security headers, as a plain ASGI middleware (like :class:`RequestContext`).

Every response says ``nosniff``, a referrer policy and that only this site may frame it, and
carries the Content-Security-Policy of the pages: scripts, styles and everything else from this
site only (no inline script, no eval, no inline style), plus the two other origins the live
rooms use: the video server (``SUNLIT_VIDEO_URL``) and the live rooms' WebSocket server. A
route may send its own policy instead (the API documentation does); it is left alone.

What may be stored is decided by one rule (:func:`must_not_store`), not a list of addresses:
a page that only signed-in people may see (its ``allow(...)`` is not ``"public"``), any answer
to a signed-in person, and any answer to a form or other write is ``Cache-Control: no-store``.
Public pages for visitors (home, products, findings) stay cacheable, and so do the stored
files, which declare their own policy.

In production (``SUNLIT_ENV=production``) every response also carries HSTS."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sunlit.settings import Environment, Settings

SELF = "'self'"
REFERRER_POLICY = "same-origin"
HSTS = "max-age=31536000; includeSubDomains"
NO_STORE = "no-store"
#: The request state key a route's access guard sets when only signed-in people may see it.
NO_STORE_STATE = "no_store"
SAFE_METHODS = frozenset({"GET", "HEAD"})
#: A host name as CSP can name it (no IPv6 literal, nothing that could end a directive).
HOSTNAME = re.compile(r"^[A-Za-z0-9.-]{1,253}$")


def origin_of(url: str | None) -> str | None:
    """``scheme://host[:port]`` of an absolute URL; None for a relative one (``'self'``)."""
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc or not HOSTNAME.match(parts.hostname or ""):
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def content_security_policy(*, connect: tuple[str, ...] = (), media: tuple[str, ...] = ()) -> str:
    """The policy of every page. ``connect`` and ``media`` are the other origins that scripts
    may fetch from (hls.js: the video server; live.js: the WebSocket server) and that video may
    play from. hls.js plays through a MediaSource (a ``blob:`` URL) and transmuxes in a worker
    it starts from a ``blob:`` URL."""
    directives = {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF, *connect],
        "media-src": [SELF, "blob:", *media],
        "worker-src": [SELF, "blob:"],
        "frame-src": [SELF],  # the sandbox pay page inside the live room's buy sheet
        "child-src": [SELF, "blob:"],  # frames and workers, for browsers before worker-src
        "frame-ancestors": [SELF],
        "object-src": ["'none'"],
        "base-uri": [SELF],
        "form-action": [SELF],
        "manifest-src": [SELF],
    }
    return _joined(directives)


#: Where FastAPI's Swagger UI page loads its script and style from.
SWAGGER_CDN = "https://cdn.jsdelivr.net"
INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def api_docs_policy(page: bytes) -> str:
    """The API documentation's own policy: Swagger UI from its CDN, the page's inline script
    allowed by its hash (nothing else inline runs), and the styles Swagger UI injects (styles
    only; the page shows nothing but this application's API description)."""
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
        for script in INLINE_SCRIPT.findall(page)
    ]
    directives = {
        "default-src": [SELF],
        "script-src": [SELF, SWAGGER_CDN, *hashes],
        "style-src": [SELF, SWAGGER_CDN, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "https://fastapi.tiangolo.com"],
        "connect-src": [SELF],
        "frame-ancestors": [SELF],
        "object-src": ["'none'"],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
    return _joined(directives)


def _joined(directives: dict[str, list[str]]) -> str:
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def must_not_store(scope: Scope, declared: str | None = None) -> bool:
    """The one rule for ``Cache-Control: no-store``: answers to writes (a form's re-rendered
    values, a new API token), pages for signed-in people only (declared by the route's
    ``allow(...)``, whose guard marks the request), and any other answer to a signed-in person
    (their name in the menu, a form token bound to their session, a live room's signed ticket)
    unless its public route ``declared`` a cache policy of its own (the content-addressed
    files)."""
    if scope.get("method") not in SAFE_METHODS:
        return True
    state: dict[str, Any] = scope.get("state") or {}
    if state.get(NO_STORE_STATE):
        return True
    signed_in = getattr(state.get("principal"), "account", None) is not None
    return signed_in and declared is None


class HeaderRules:
    """What the security headers of an answer are, for this deployment's settings."""

    def __init__(self, *, settings: Settings, live_port: Callable[[], int | None]) -> None:
        self.live_port = live_port
        self.video = origin_of(settings.video_url)
        self.socket = origin_of(settings.live_public_url)
        fixed = [
            ("x-content-type-options", "nosniff"),
            ("referrer-policy", REFERRER_POLICY),
            ("x-frame-options", "SAMEORIGIN"),
        ]
        if settings.env is Environment.PRODUCTION:
            fixed.append(("strict-transport-security", HSTS))
        self.fixed_raw = tuple((n.encode(), v.encode()) for n, v in fixed)
        self.fixed_policy = (
            content_security_policy(connect=self._others(self.socket), media=self._others())
            if self.socket
            else None
        )
        self._encoded: dict[tuple[bytes, Any, int | None], bytes] = {}

    def _others(self, socket: str | None = None) -> tuple[str, ...]:
        return tuple(origin for origin in (self.video, socket) if origin)

    def _socket_origin(self, scope: Scope) -> str | None:
        """Where live.js opens its WebSocket when ``SUNLIT_LIVE_PUBLIC_URL`` is unset: this host,
        on the live server's port (as the live pages' ``ws_url`` builds it)."""
        port = self.live_port()
        host = ""
        for name, value in scope.get("headers", ()):
            if name == b"host":
                host = value.decode("latin-1")
                break
        try:
            hostname = urlsplit("//" + host).hostname if host else None
        except ValueError:  # a malformed Host header ("[::1"): no socket for it
            hostname = None
        if not port or not hostname or not HOSTNAME.match(hostname):
            return None
        scheme = "wss" if scope.get("scheme") in ("https", "wss") else "ws"
        return f"{scheme}://{hostname}:{port}"

    def policy_bytes(self, scope: Scope) -> bytes:
        """:meth:`policy`, encoded, remembered for the few Host headers a deployment sees (the
        policy depends only on the Host, the scheme and the live rooms' port)."""
        host = next((v for k, v in scope.get("headers", ()) if k == b"host"), b"")
        key = (host, scope.get("scheme"), self.live_port())  # the port is known once started
        found = self._encoded.get(key)
        if found is None:
            found = self.policy(scope).encode()
            if len(self._encoded) < 64:  # never grow without bound
                self._encoded[key] = found
        return found

    def policy(self, scope: Scope) -> str:
        if self.fixed_policy is not None:
            return self.fixed_policy
        socket = self._socket_origin(scope)
        return content_security_policy(connect=self._others(socket), media=self._others())

    def secured(self, scope: Scope, raw: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        """An answer's raw header pairs with the security headers added (looked at once: this
        runs on every answer)."""
        present = {name.lower() for name, _ in raw}
        for name, value in self.fixed_raw:
            if name not in present:  # a route may be stricter (no-referrer on a link)
                raw.append((name, value))
        if b"content-security-policy" not in present:
            raw.append((b"content-security-policy", self.policy_bytes(scope)))
        declared = next((v for n, v in raw if n.lower() == b"cache-control"), None)
        if must_not_store(scope, declared.decode("latin-1") if declared else None):
            raw = [(n, v) for n, v in raw if n.lower() != b"cache-control"]
            raw.append((b"cache-control", NO_STORE.encode()))
        return raw


class SecurityHeaders:
    """Adds the security headers (:class:`HeaderRules`) to every answer."""

    def __init__(
        self, app: ASGIApp, *, settings: Settings, live_port: Callable[[], int | None]
    ) -> None:
        self.app = app
        self.rules = HeaderRules(settings=settings, live_port=live_port)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secured = self.rules.secured

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = secured(scope, list(message.get("headers", ())))
            await send(message)

        await self.app(scope, receive, send_wrapper)
