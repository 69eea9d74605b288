"""FastAPI's router, reached through an index of its routes by the path's first segments.

FastAPI (0.165) keeps each included router as a unit and, for every request, asks each of them
in turn whether one of its routes matches; each asks its own routes, twice (to choose the
route, then to run it), and the 404 path asks them all a third time. With Sunlit's 62 routers
and 279 routes that cost 140 µs a request for ``/api/v1/products`` and 400 µs for
``/findings``, and the whole of a 404 (docs/benchmarks.md, "Routing").

:class:`RouteIndex` sits where FastAPI's router sat, innermost in the middleware stack. For a
request it looks up the routes that can match the path's first segment (for ``/api/…`` the
first three), in their order, and hands the request to a router of just those, so that
FastAPI's own matching, precedence, slash redirects, 404 and 405 run as before over fewer
routes. A route whose leading segments are parameters is in every list. Over-including is
harmless; a route left out of a list it could match would be a bug, so the keys are built from
the same path templates FastAPI compiles, and ``tests/test_route_index.py`` asks the index and
FastAPI the same questions for every route."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from fastapi.routing import APIRouter
from starlette._utils import get_route_path
from starlette.routing import BaseRoute
from starlette.types import Receive, Scope, Send

#: A key's segments: ``/api/v1/products/{id}`` → ("api", "v1", "products"), ``/findings`` →
#: ("findings",), a parameter → WILD (and the key ends there).
WILD = "\x00*"
#: The lists kept for paths seen, at most this many (paths are chosen by the visitor).
KEEP = 512


def request_key(path: str) -> tuple[str, ...]:
    """The key of a request's path: its first segment, or the first three under ``/api``."""
    parts = path.lstrip("/").split("/", 3)
    if parts[0] == "api":
        return tuple([*parts, "", ""][:3])
    return (parts[0],)


def route_key(path: str) -> tuple[str, ...]:
    """The key of a route's path template, ending at its first parameter (as WILD)."""
    parts = path.lstrip("/").split("/", 3)
    depth = 3 if parts[0] == "api" else 1
    key: list[str] = []
    for part in parts[:depth]:
        if "{" in part:
            key.append(WILD)
            break
        key.append(part)
    return tuple(key)


def may_match(key: tuple[str, ...], asked: tuple[str, ...]) -> bool:
    """Whether a route with ``key`` may match a path with key ``asked``: a prefix of it, a
    parameter standing for any segment. (A route shorter than the key, such as a mount at
    ``/api/files``, is a prefix: it is kept.)"""
    for mine, theirs in zip(key, asked, strict=False):
        if mine == WILD:
            return True
        if mine != theirs:
            return False
    return True


def leaf_paths(route: BaseRoute) -> Iterator[str]:
    """The path templates a top-level route answers: its own, or those of the routes of an
    included router (with their prefixes, which FastAPI's routers keep in each route)."""
    inner = getattr(route, "original_router", None)
    if inner is not None:
        for child in inner.routes:
            yield from leaf_paths(child)
        return
    yield str(getattr(route, "path", ""))


class RouteIndex:
    """An ASGI app in the router's place: see the module's docstring."""

    def __init__(self, router: APIRouter) -> None:
        self.router = router
        self._keys: list[tuple[BaseRoute, frozenset[tuple[str, ...]]]] = []
        self._seen = -1  # the router's length when the keys were made
        self._subs: dict[tuple[str, ...], APIRouter] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.router(scope, receive, send)
            return
        scope.setdefault("router", self.router)  # url_path_for sees every route
        # The path as the routes see it, less root_path: Starlette's own reading of it.
        await self.router_for(request_key(get_route_path(scope)))(scope, receive, send)

    def router_for(self, asked: tuple[str, ...]) -> APIRouter:
        # A route added to the application since: index again. (Routes added later to a router
        # it already includes would not be seen; Sunlit builds every route before serving.)
        if len(self.router.routes) != self._seen:
            self._index()
        sub = self._subs.get(asked)
        if sub is None:
            sub = self._router_of(
                r for r, keys in self._keys if any(may_match(k, asked) for k in keys)
            )
            if len(self._subs) < KEEP:
                self._subs[asked] = sub
        return sub

    def _index(self) -> None:
        routes = list(self.router.routes)
        self._keys = [(r, frozenset(route_key(p) for p in leaf_paths(r))) for r in routes]
        self._subs = {}
        self._seen = len(routes)

    def _router_of(self, routes: Iterable[BaseRoute]) -> APIRouter:
        whole = self.router
        sub = APIRouter(
            redirect_slashes=whole.redirect_slashes,
            default=whole.default,
            max_body_size=getattr(whole, "max_body_size", None),
            form_limits=getattr(whole, "form_limits", None),
        )
        sub.routes = list(routes)
        return sub

    def candidates(self, path: str) -> Sequence[Any]:
        """The routes a request for ``path`` is matched against (for the tests)."""
        return self.router_for(request_key(path)).routes
