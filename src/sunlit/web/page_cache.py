"""The page cache (issue 20): public pages and lists, as a visitor who is not signed in sees
them, kept in memory for ``SUNLIT_PAGE_CACHE_SECONDS`` and sent again without asking the
application, the database or the templates.

What may be kept is decided by what the answer is, not by a list of addresses alone: a ``GET``
from someone with no sign-in cookie and no API token, to one of the routes the application
names, answered ``200`` with no cookie set and no cache policy of its own (a page that needed a
form token sets the CSRF cookie, so it is never kept; a page for signed-in people only is
``no-store``). Kept answers say so: ``Cache-Control: public, max-age=N`` (so a proxy in front,
such as the nginx site ``sunlit nginx-site`` writes, may keep them as long), an ``ETag``, and
``Vary: Cookie`` (the language and the elder mode are cookies, and part of the key here). A
request whose ``If-None-Match`` names the answer's ETag is answered ``304``.

A change shows to visitors within the lifetime, on every worker: nothing is invalidated early.
Signed-in people (the producer who changed a price, say) never see a kept page."""

from __future__ import annotations

import hashlib
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_COOKIE = b"sunlit_session"
#: The cookies that change a page for a visitor who is not signed in.
KEYED_COOKIES = (b"sunlit_lang", b"sunlit_elder")
#: Headers never kept with a page: they belong to the request that made it.
PERSONAL = frozenset({b"x-request-id", b"set-cookie", b"date", b"server"})
#: What a 304 carries of the page's headers (a kept page has no request id: that is dropped).
REVALIDATION = frozenset({b"etag", b"cache-control", b"vary", b"x-request-id"})
#: The largest page kept, in bytes.
MAX_BODY = 1 << 20

Key = tuple[bytes, ...]


@dataclass(slots=True)
class Kept:
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes
    expires: float


def _visitor_key(scope: Scope) -> Key | None:
    """What the page depends on for a visitor; None for a signed-in person or an API token."""
    host = hx = b""
    cookies: list[bytes] = []
    for name, value in scope["headers"]:
        if name == b"cookie":
            cookies.append(value)
        elif name == b"authorization":
            return None
        elif name == b"host":
            host = value
        elif name == b"hx-request":
            hx = value
    keyed = dict.fromkeys(KEYED_COOKIES, b"")
    for header in cookies:
        for part in header.split(b";"):
            name, _, value = part.strip().partition(b"=")
            if name == SESSION_COOKIE:
                return None
            if name in keyed:
                keyed[name] = value
    return (scope["path"].encode(), scope["query_string"], host, hx, *keyed.values())


def _if_none_match(scope: Scope) -> bytes | None:
    for name, value in scope["headers"]:
        if name == b"if-none-match":
            return bytes(value)
    return None


def _matches(condition: bytes | None, etag: bytes) -> bool:
    if condition is None:
        return False
    return condition.strip() == b"*" or etag in (tag.strip() for tag in condition.split(b","))


class PageCache:
    def __init__(
        self,
        app: ASGIApp,
        *,
        seconds: int,
        entries: int,
        routes: frozenset[str],
        registry: CollectorRegistry,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.seconds = seconds
        self.size = entries
        self.routes = routes
        # The routes' paths as one pattern, so that any other request passes straight on.
        self.paths = re.compile(
            "|".join(f"(?:{re.sub(r'{[^}]+}', '[^/]+', route)})" for route in sorted(routes))
        )
        self.clock = clock
        self.kept: OrderedDict[Key, Kept] = OrderedDict()
        self.policy = f"public, max-age={seconds}".encode()
        self.answers = Counter(
            "sunlit_page_cache_answers",
            "Answers of the page cache: hit, revalidated (a 304) and stored (made and kept)",
            ["outcome"],
            registry=registry,
        )
        self.hits = self.answers.labels("hit")
        self.revalidated = self.answers.labels("revalidated")
        self.stored = self.answers.labels("stored")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or self.seconds <= 0
            or not self.paths.fullmatch(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        key = _visitor_key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        kept = self.kept.get(key)
        if kept is not None:
            if kept.expires > self.clock():
                self.kept.move_to_end(key)
                if not await self._answer(scope, send, kept.headers, kept.body, kept.etag):
                    self.hits.inc()
                return
            del self.kept[key]
        await self._make(scope, receive, send, key)

    async def _answer(
        self, scope: Scope, send: Send, headers: list[tuple[bytes, bytes]], body: bytes, etag: bytes
    ) -> bool:
        """Send the page, or a 304 if the request names its ETag; whether it was a 304."""
        if _matches(_if_none_match(scope), etag):
            self.revalidated.inc()
            small = [(n, v) for n, v in headers if n in REVALIDATION]
            await send({"type": "http.response.start", "status": 304, "headers": small})
            await send({"type": "http.response.body", "body": b""})
            return True
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return False

    async def _make(self, scope: Scope, receive: Receive, send: Send, key: Key) -> None:
        """Ask the application; keep its answer if it may be kept."""
        start: Message | None = None
        passing = answered = False

        async def capture(message: Message) -> None:
            nonlocal start, passing, answered
            if passing:
                await send(message)
            elif message["type"] == "http.response.start":
                start = message
            elif message.get("more_body") or start is None or not self._keepable(scope, start):
                passing = True  # streamed, or not to be kept: as it came
                if start is not None:
                    await send(start)
                await send(message)
            else:
                answered = True
                await self._keep(scope, send, key, start, message.get("body", b""))

        await self.app(scope, receive, capture)
        if start is not None and not (passing or answered):
            await send(start)  # a start with no body message after it (none in practice)

    def _keepable(self, scope: Scope, start: Message) -> bool:
        route = getattr(scope.get("route"), "path", None)
        if start["status"] != 200 or route not in self.routes:
            return False
        names = {name for name, _ in start["headers"]}
        return b"set-cookie" not in names and b"cache-control" not in names

    async def _keep(self, scope: Scope, send: Send, key: Key, start: Message, body: bytes) -> None:
        etag = b'"' + hashlib.blake2b(body, digest_size=12).hexdigest().encode() + b'"'
        added = [(b"cache-control", self.policy), (b"etag", etag), (b"vary", b"Cookie")]
        headers = [(n, v) for n, v in start["headers"] if n not in (b"vary",)] + added
        if len(body) <= MAX_BODY:
            kept_headers = [(n, v) for n, v in headers if n not in PERSONAL]
            self.kept[key] = Kept(kept_headers, body, etag, self.clock() + self.seconds)
            self.kept.move_to_end(key)
            while len(self.kept) > self.size:
                self.kept.popitem(last=False)
            self.stored.inc()
        await self._answer(scope, send, headers, body, etag)
