"""Per-request context as a plain ASGI middleware: request id, language, CSRF cookie, access
log and Prometheus metrics."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from http.cookies import SimpleCookie
from typing import Any

import structlog
from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sunlit.core.i18n import current_language, pick_language
from sunlit.core.ids import new_token
from sunlit.core.logging import log_request
from sunlit.settings import Settings

LANGUAGE_COOKIE = "sunlit_lang"
CSRF_COOKIE = "sunlit_csrf"
#: The request headers this middleware reads (the rest are left to the application).
WANTED_HEADERS = frozenset({b"x-request-id", b"content-length", b"content-type"})
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
log = structlog.get_logger("sunlit.http")


class HttpMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "sunlit_http_requests",
            "HTTP requests answered",
            ["method", "route", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "sunlit_http_request_duration_seconds",
            "Time to answer an HTTP request",
            ["method", "route"],
            registry=registry,
        )
        # ``labels()`` checks its arguments on every call (a fifth of a small request's time
        # in py-spy): each (method, route, status) is looked up once. Routes are templates and
        # statuses few, so this stays small.
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            children = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(method, route),
            )
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)


class RequestIds:
    """Request ids unique without a system call each: a random prefix for this process and a
    counter (an id names a request in the log and in a support call; it is no secret). A
    caller's own id is kept when it looks like one."""

    def __init__(self) -> None:
        self._prefix = new_token(9)  # 12 characters
        self._counter = itertools.count(1)

    def __call__(self, incoming: str = "") -> str:
        if incoming and REQUEST_ID.match(incoming):
            return incoming
        return f"{self._prefix}{next(self._counter):x}"


def _cookies(scope: Scope) -> dict[str, str]:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header is treated as no cookies
                return {}
            return {key: morsel.value for key, morsel in jar.items()}
    return {}


def upload_limit(settings: Settings) -> int:
    """The body size an upload route accepts: the largest file and the form around it."""
    return max(settings.max_request_bytes, settings.max_upload_bytes + 65536)


def _declared_length(headers: dict[str, str]) -> int:
    try:
        return int(headers.get("content-length", "0"))
    except ValueError:
        return 0


class RequestContext:
    def __init__(
        self,
        app: ASGIApp,
        *,
        settings: Settings,
        metrics: HttpMetrics,
        request_ids: RequestIds,
        on_error: Callable[[Request, Exception], Awaitable[Response]],
        on_too_large: Callable[[Request], Awaitable[Response]],
        upload_paths: Sequence[re.Pattern[str]] = (),
    ) -> None:
        self.app = app
        self.settings = settings
        self.metrics = metrics  # shared with the health front: one series per process
        self.on_error = on_error
        self.on_too_large = on_too_large
        self.upload_paths = tuple(upload_paths)
        self.request_id = request_ids

    def _limit(self, headers: dict[str, str], path: str) -> int:
        """An upload route's multipart form may be as large as a file allows; the rest is
        small."""
        if headers.get("content-type", "").startswith("multipart/form-data") and any(
            pattern.match(path) for pattern in self.upload_paths
        ):
            return upload_limit(self.settings)
        return self.settings.max_request_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = WANTED_HEADERS
        headers = {
            k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"] if k in wanted
        }
        request_id = self.request_id(headers.get("x-request-id", ""))
        cookies = _cookies(scope)
        language = pick_language(
            cookies.get(LANGUAGE_COOKIE), default=self.settings.default_language
        )
        state: dict[str, Any] = scope.setdefault("state", {})
        # The CSRF cookie, if the visitor has one. A page that shows a form and finds none
        # makes one (``sunlit.web.rendering``, in ``new_csrf``), set below with the answer:
        # a page without a form sets no cookie, so it can be kept by a cache.
        state.update(request_id=request_id, csrf_cookie=cookies.get(CSRF_COOKIE), language=language)
        token = current_language.set(language)
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500
        answered = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                answered = True
                status = message["status"]
                response_headers = MutableHeaders(scope=message)
                response_headers.append("x-request-id", request_id)
                new_csrf = state.get("new_csrf")
                if new_csrf is not None:
                    secure = "; Secure" if self.settings.secure_cookies else ""
                    response_headers.append(
                        "set-cookie",
                        f"{CSRF_COOKIE}={new_csrf}; Path=/; HttpOnly; SameSite=Lax{secure}",
                    )
            await send(message)

        try:
            if _declared_length(headers) > self._limit(headers, scope["path"]):
                # Refused before reading, in the user's language and the API's error shape.
                # (FastAPI's own limit, set to the same size, still stops undeclared bodies.)
                # The unread body is still on the connection, so the server closes it: the
                # answer says so, or a client would send its next request down a closed one.
                response = await self.on_too_large(Request(scope))
                response.headers["connection"] = "close"
                await response(scope, receive, send_wrapper)
            else:
                await self.app(scope, receive, send_wrapper)
        except Exception as exc:
            # Answered here, inside the request's context, so that the page is in the user's
            # language and carries the request id that the log line below also carries.
            log.exception("unhandled error", method=scope["method"], path=scope["path"])
            if answered:
                raise
            response = await self.on_error(Request(scope), exc)
            await response(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", "unmatched")
            method = scope["method"]
            self.metrics.observe(method, route, status, elapsed)
            log_request(request_id, method, scope["path"], route, status, round(elapsed * 1000, 2))
            structlog.contextvars.unbind_contextvars("request_id")
            current_language.reset(token)
