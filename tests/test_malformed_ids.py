"""A malformed id in an address names nothing: every route with an id in its path answers
404 for one, as for an unknown id (not 422), in the page or error shape that route speaks.

The walk takes each route as a role the table of ``test_authz`` lets in, so the answer is
the route's own and not its guard's."""

from __future__ import annotations

import re

import httpx
from fastapi.routing import APIRoute

from sunlit.app.app import ROUTERS
from sunlit.core.ids import ID_PATTERN
from tests.support import LiveServer
from tests.test_authz import ANON, EXPECTED, PARAMS, ROLES, _client
from tests.test_web import load_demo_into

MALFORMED = "nosuch"


def _id_params(route: APIRoute) -> set[str]:
    """The path parameters that are ids: typed with the id pattern, or named as ids."""
    names = set()
    for field in route.dependant.path_params:
        patterns = {getattr(m, "pattern", None) for m in field.field_info.metadata}
        if ID_PATTERN in patterns or field.name == "session" or field.name.endswith("_id"):
            names.add(field.name)
    return names


def _routes_with_ids() -> list[tuple[str, str, set[str]]]:
    found = []
    for router in ROUTERS:
        for route in router.routes:
            if isinstance(route, APIRoute) and (names := _id_params(route)):
                found.extend((method, route.path, names) for method in sorted(route.methods))
    return sorted(found)


def _url(path: str, malformed: str) -> str:
    return re.sub(
        r"\{(\w+)\}", lambda m: MALFORMED if m.group(1) == malformed else PARAMS[m.group(1)], path
    )


def test_the_walk_covers_the_id_routes() -> None:
    routes = _routes_with_ids()
    assert ("GET", "/products/{product_id}", {"product_id"}) in routes
    assert ("GET", "/live/{session}", {"session"}) in routes
    assert len(routes) > 40  # the walk is of every such route, not a handful


def test_every_route_answers_a_malformed_id_with_not_found(server: LiveServer) -> None:
    load_demo_into(server)
    clients = {}
    try:
        for role in ROLES:
            c, csrf = _client(server, role)
            c.cookies.set("sunlit_lang", "zh")
            clients[role] = (c, csrf)
        wrong = []
        for method, path, names in _routes_with_ids():
            allowed = EXPECTED[(method, path)]
            role = ANON if ANON in allowed else sorted(allowed)[0]
            c, csrf = clients[role]
            for name in sorted(names):
                url = _url(path, name)
                if method == "GET":
                    answer = c.get(url)
                elif path.startswith("/api/"):
                    answer = c.request(method, url, json={}, headers={"X-CSRF-Token": csrf})
                else:
                    answer = c.request(method, url, data={"csrf_token": csrf})
                kind = answer.headers.get("content-type", "")
                if answer.status_code != 404:
                    wrong.append(f"{method} {url} as {role}: {answer.status_code}")
                elif path.startswith("/api/"):
                    if not kind.startswith("application/json"):
                        wrong.append(f"{method} {url}: {kind}")
                    elif answer.json()["error"]["code"] != "not_found":
                        wrong.append(f"{method} {url}: {answer.json()}")
                elif not kind.startswith("text/html") or "页面不存在" not in answer.text:
                    wrong.append(f"{method} {url}: not the not-found page in Chinese")
        assert wrong == []
    finally:
        for c, _ in clients.values():
            c.close()


def test_a_malformed_product_id_shows_the_not_found_page(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as c:
        c.cookies.set("sunlit_lang", "en")
        page = c.get("/products/nosuch")
        assert page.status_code == 404
        assert "Page not found" in page.text
        api = c.get("/api/v1/products/nosuch")
        assert api.status_code == 404
        assert api.json()["error"]["code"] == "not_found"
