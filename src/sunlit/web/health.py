"""``/healthz`` answered in front of the framework (issue 20): a load balancer polls it many
times a second, and FastAPI's own layers and Sunlit's middleware cost more than twice what a
bare endpoint does (docs/benchmarks.md). :class:`HealthFront` answers it alone, with what every
answer carries: a request id (the caller's, if it sent one), the security headers
(:class:`~sunlit.web.security_headers.HeaderRules`), a count in the request metrics and a line
in the access log, under the route ``/healthz``. The application puts it before FastAPI's stack
(``sunlit.app.app.SunlitAPI``). The FastAPI route of the same path
(``sunlit.app.pages.healthz``) describes it in the API schema."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

import orjson
import structlog
from starlette.types import ASGIApp, Receive, Scope, Send

from sunlit.core.logging import log_request
from sunlit.web.middleware import HttpMetrics, RequestIds
from sunlit.web.security_headers import HeaderRules

PATH = "/healthz"
log = structlog.get_logger("sunlit.http")


class HealthFront:
    def __init__(
        self,
        app: ASGIApp,
        *,
        check: Callable[[], Awaitable[None]],
        version: str,
        rules: HeaderRules | None = None,
        metrics: HttpMetrics | None = None,
        request_id: RequestIds | None = None,
    ) -> None:
        self.app = app
        self.check = check
        self.rules = rules
        self.metrics = metrics
        self.request_id = request_id or RequestIds()
        self.ok = orjson.dumps({"status": "ok", "version": version})
        self.down = orjson.dumps({"status": "unavailable", "version": version})

    @staticmethod
    def answers(scope: Scope) -> bool:
        if scope["type"] != "http":
            return False
        path: str = scope["path"]
        method: str = scope["method"]
        return path == PATH and method == "GET"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.answers(scope):
            await self.answer(scope, send)
        else:
            await self.app(scope, receive, send)

    async def answer(self, scope: Scope, send: Send) -> None:
        started = time.perf_counter()
        incoming = next((v for k, v in scope["headers"] if k == b"x-request-id"), b"")
        request_id = self.request_id(incoming.decode("latin-1"))
        status, body = 200, self.ok
        try:
            await self.check()
        except Exception:  # the database did not answer: say so, and why in the log
            log.exception("health.database_unreachable", request_id=request_id)
            status, body = 503, self.down
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"x-request-id", request_id.encode()),
        ]
        if self.rules is not None:
            headers = self.rules.secured(scope, headers)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        elapsed = time.perf_counter() - started
        if self.metrics is not None:
            self.metrics.observe("GET", PATH, status, elapsed)
        log_request(request_id, "GET", PATH, PATH, status, round(elapsed * 1000, 2))
