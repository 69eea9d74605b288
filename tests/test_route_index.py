"""The route index (sunlit.web.route_index, issue 20 item 3) asks FastAPI's own matching over
fewer routes; it must never leave out a route that FastAPI would have chosen. Every route of the
application is asked for, with its parameters filled in, and the route FastAPI picks from the
index's short list must be the one it picks from all of them; slash redirects, 404 and 405
answer over HTTP as they did."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.routing import Match, Mount

from sunlit.app.app import create_app
from sunlit.settings import Settings
from sunlit.web.route_index import RouteIndex, may_match, request_key, route_key
from tests.support import LiveServer
from tests.test_web import client

PARAM = re.compile(r"\{([^}:]+)(:[^}]+)?\}")


def concrete(template: str) -> str:
    """A path the template matches: each parameter given a plain value."""
    return PARAM.sub(lambda m: "x-1" if m.group(2) != ":path" else "a/b", template)


def scope_for(app: FastAPI, path: str, method: str) -> dict[str, Any]:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "app": app,
    }


def first_match(routes: Any, scope: dict[str, Any]) -> Any:
    """The route FastAPI's router runs for the scope: the first full match, else the first
    partial one (a route of the path with another method)."""
    partial = None
    for route in routes:
        match, _ = route.matches(dict(scope))
        if match == Match.FULL:
            return route
        if match == Match.PARTIAL and partial is None:
            partial = route
    return partial


@pytest.fixture(scope="module")
def app() -> FastAPI:
    return create_app(Settings(background_jobs=False, live_server=False))


def all_templates(app: FastAPI) -> list[tuple[str, str]]:
    """Every route's path (a mount's with a file under it) with each of its methods."""
    out = []
    for route in _leaves(app.router):
        path = str(route.path) + ("/sunlit.css" if isinstance(route, Mount) else "")
        out += [(path, m) for m in sorted(getattr(route, "methods", None) or {"GET"})]
    return out


def _leaves(router: Any) -> list[Any]:
    found = []
    for r in router.routes:
        inner = getattr(r, "original_router", None)
        found += _leaves(inner) if inner is not None else [r]
    return found


def test_every_route_is_found_through_the_index_as_without_it(app: FastAPI) -> None:
    index = RouteIndex(app.router)
    templates = all_templates(app)
    assert len(templates) > 250  # the whole application, not a handful
    shorter = 0
    for template, method in templates:
        path = concrete(template)
        scope = scope_for(app, path, method)
        everyone = first_match(app.router.routes, scope)
        listed = index.candidates(path)
        assert everyone is not None, (template, method)
        assert first_match(listed, scope) is everyone, (template, method, path)
        shorter += len(listed) < len(app.router.routes)
    assert shorter == len(templates)  # and the lists are shorter than all the routes


def test_keys_stop_at_a_parameter_and_look_deeper_under_api() -> None:
    assert request_key("/") == ("",)
    assert request_key("/products/p-1") == ("products",)
    assert request_key("/api/v1/products/p-1/reviews") == ("api", "v1", "products")
    assert request_key("/api") == ("api", "", "")
    assert route_key("/products/{product_id}") == ("products",)
    assert route_key("/{anything:path}") == ("\x00*",)
    assert route_key("/api/v1/{kind}/x") == ("api", "v1", "\x00*")
    assert may_match(route_key("/api/v1/{kind}/x"), request_key("/api/v1/orders/1"))
    assert not may_match(route_key("/api/v1/orders"), request_key("/api/v1/order"))
    assert may_match(route_key("/static"), request_key("/static/app.css"))


def test_redirects_404_and_405_answer_as_before(served: LiveServer) -> None:
    with client(served, "en") as c:
        slash = c.get("/findings/", follow_redirects=False)
        assert slash.status_code == 307 and slash.headers["location"].endswith("/findings")
        api_slash = c.get("/api/v1/products/", follow_redirects=False)
        assert api_slash.status_code == 307
        assert api_slash.headers["location"].endswith("/api/v1/products")
        page = c.get("/no-such-page")
        assert page.status_code == 404 and "text/html" in page.headers["content-type"]
        api = c.get("/api/v1/no-such-thing")
        assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
        wrong = c.delete("/api/v1/products")
        assert wrong.status_code == 405
        assert wrong.json()["error"]["code"] == "method_not_allowed"
        assert c.get("/static/sunlit.css").status_code == 200  # a mount
        assert c.get("/openapi.json").json()["info"]["title"].startswith("Sunlit")
