"""The web kit's half of access control: the CSRF check every state-changing request made with
a cookie passes, and the audit that refuses to start an application with a route that declared no
access rule. Who is asking, and ``allow(...)``, are the accounts context's
(:mod:`sunlit.accounts.access`)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from typing import Literal
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Mount

from sunlit.core.errors import N_, CsrfFailed
from sunlit.web.middleware import CSRF_COOKIE

SESSION_COOKIE = "sunlit_session"

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: The attribute on a route's guard that holds the rules it declared.
ACCESS_ATTR = "__sunlit_access__"


def csrf_token_for(secret: str, cookie_value: str, session_token: str | None) -> str:
    """The form token: an HMAC of the CSRF cookie and the sign-in session, so neither a planted
    cookie nor a token taken from another session forges anything."""
    message = f"{cookie_value}|{session_token or ''}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def same_origin(request: Request) -> bool:
    """Whether the browser says the request comes from this site's own pages: Fetch Metadata's
    ``Sec-Fetch-Site``, or else the ``Origin`` (or ``Referer``) against the ``Host``."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site == "same-origin"
    source = request.headers.get("origin") or request.headers.get("referer")
    host = request.headers.get("host", "")
    return bool(source and host) and urlsplit(source).netloc.lower() == host.lower()


async def check_csrf(
    request: Request,
    secret: str,
    via: Literal["session", "token", "none"],
    session_token: str | None,
    *,
    origin_for_visitors: bool = False,
) -> None:
    """Refuse a state-changing request sent with the browser's ambient authority (a cookie, or a
    form from anywhere) unless it carries this site's form token. With
    ``origin_for_visitors``, a visitor who is not signed in may instead come from this site's
    own page (:func:`same_origin`): the language and display switches in the header of pages
    that a cache keeps, which therefore carry no token."""
    if request.method not in UNSAFE or via == "token":
        return
    if origin_for_visitors and via == "none" and same_origin(request):
        return
    content_type = request.headers.get("content-type", "")
    is_form = content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")
    )
    if via != "session" and not is_form:
        return  # a JSON call without a cookie carries no ambient authority to misuse
    cookie = request.cookies.get(CSRF_COOKIE)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and is_form:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not cookie or not sent:
        raise CsrfFailed(N_("This form has expired. Reload the page and try again."))
    expected = csrf_token_for(secret, cookie, session_token)
    if not hmac.compare_digest(expected.encode(), sent.encode("utf-8", "replace")):
        raise CsrfFailed(N_("This form has expired. Reload the page and try again."))


def route_rules(route: APIRoute) -> tuple[object, ...] | None:
    """The rules a route declared through ``allow``, or None if it declared none."""
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        rules = getattr(dependant.call, ACCESS_ATTR, None)
        if rules is not None:
            return tuple(rules)
        pending.extend(dependant.dependencies)
    return None


#: Framework routes that are public by nature: the API description and static files.
FRAMEWORK_PUBLIC = frozenset({"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"})


def audit_routes(routes: Iterable[BaseRoute]) -> None:
    """Refuse to start when any route has not declared its access rules. Give it the routes
    of every router and of the application (included routers are audited through the former)."""
    missing = []
    for route in routes:
        if hasattr(route, "original_router"):
            continue  # an included router: its own routes are in the list too
        if isinstance(route, APIRoute):
            if route_rules(route) is None:
                missing.append(f"{sorted(route.methods or ())} {route.path}")
        elif isinstance(route, Mount):
            if route.path not in ("/static", "/vendor/htmx", "/vendor/hls"):
                missing.append(f"mount {route.path}")
        elif getattr(route, "path", None) not in FRAMEWORK_PUBLIC:
            missing.append(f"route {getattr(route, 'path', route)!r}")
    if missing:
        raise RuntimeError("routes without an access rule (use allow(...)): " + "; ".join(missing))
