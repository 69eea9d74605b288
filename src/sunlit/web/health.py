"""``/healthz`` answered before the framework's routing (issue 20): a load balancer polls it
many times a second, and FastAPI's routing and dependencies alone cost more than half of what
a bare endpoint does (docs/benchmarks.md). It sits inside :class:`RequestContext` and
:class:`SecurityHeaders`, so the answer still carries a request id and the security headers,
and is logged and counted under the route ``/healthz``. The FastAPI route of the same path
(``sunlit.app.pages.healthz``) describes it in the API schema and answers the same."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import orjson
import structlog
from starlette.types import ASGIApp, Receive, Scope, Send

PATH = "/healthz"
log = structlog.get_logger("sunlit.http")


@dataclass(frozen=True, slots=True)
class _Route:
    """What the request metrics and the access log name the answer's route."""

    path: str = PATH


class HealthFront:
    def __init__(self, app: ASGIApp, *, check: Callable[[], Awaitable[None]], version: str) -> None:
        self.app = app
        self.check = check
        self.ok = orjson.dumps({"status": "ok", "version": version})
        self.down = orjson.dumps({"status": "unavailable", "version": version})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        scope["route"] = _Route()
        status, body = 200, self.ok
        try:
            await self.check()
        except Exception:  # the database did not answer: say so, and why in the log
            log.exception("health.database_unreachable")
            status, body = 503, self.down
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
