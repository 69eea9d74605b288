"""The one authorisation helper. Every route takes ``principal = allow(...)``; the application
refuses to start if a route lacks it (:func:`audit_routes`), so a route cannot forget it.

``allow`` also checks the CSRF token of every state-changing request made with a cookie, and
resolves who is asking: a bearer API token, a sign-in session cookie, or nobody."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import structlog
from fastapi import Depends, Request
from fastapi.routing import APIRoute
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.routing import BaseRoute, Mount

from sunlit.accounts import services as accounts
from sunlit.accounts.model import Role, token_digest
from sunlit.accounts.tables import AccountRow
from sunlit.core.errors import (
    N_,
    AuthenticationRequired,
    CsrfFailed,
    PermissionDenied,
    SessionExpired,
)
from sunlit.web.deps import get_db, get_services
from sunlit.web.middleware import CSRF_COOKIE
from sunlit.web.security_headers import NO_STORE_STATE
from sunlit.web.services import Services

log = structlog.get_logger(__name__)

SESSION_COOKIE = "sunlit_session"

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

Rule = Literal["public", "signed_in"] | Role
ACCESS_ATTR = "__sunlit_access__"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking. ``account`` is None for a visitor who has not signed in."""

    account: AccountRow | None
    via: Literal["session", "token", "none"]
    session_token: str | None = None
    #: When the account was looked up (unix seconds of the app's clock): what was learnt of its
    #: access holds from then, so a live-room ticket is not given if it was revoked since.
    read_at: float = 0.0

    @property
    def role(self) -> Role | None:
        return Role(self.account.role) if self.account else None

    def require(self) -> AccountRow:
        if self.account is None:
            raise AuthenticationRequired(N_("Please sign in to continue."))
        return self.account


def csrf_token_for(secret: str, cookie_value: str, session_token: str | None) -> str:
    """The form token: an HMAC of the CSRF cookie and the sign-in session, so neither a planted
    cookie nor a token taken from another session forges anything."""
    message = f"{cookie_value}|{session_token or ''}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


async def _check_csrf(request: Request, services: Services, principal: Principal) -> None:
    via = principal.via
    if request.method not in UNSAFE or via == "token":
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
    expected = csrf_token_for(services.settings.secret_key, cookie, principal.session_token)
    if not hmac.compare_digest(expected.encode(), sent.encode("utf-8", "replace")):
        raise CsrfFailed(N_("This form has expired. Reload the page and try again."))


async def resolve_principal(
    request: Request, db: AsyncSession, services: Services, *, touch: bool = True
) -> tuple[Principal, bool]:
    """The principal, and whether a session cookie was sent but has expired."""
    now = services.clock.now()
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer ") and request.url.path.startswith("/api/"):
        bearer = header[7:].strip()
        digest = token_digest(bearer)
        cached = services.token_cache.get(digest)
        if cached is not None:
            return Principal(await db.merge(cached, load=False), "token"), False
        account = await accounts.token_account(db, bearer, now=now, touch=touch)
        if db.dirty:  # the token's last use was noted (at most once a minute)
            try:
                await db.commit()
            except OperationalError:  # a busy SQLite: the stamp is a nicety, the call is not
                await db.rollback()
                log.warning("token use not noted: the database is busy")
                account = await accounts.token_account(db, bearer, now=now, touch=False)
        services.token_cache.put(digest, account)
        return Principal(account, "token", read_at=now.timestamp()), False
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        try:
            account = await accounts.session_account(
                db, token, now=now, settings=services.settings, touch=touch
            )
        except SessionExpired:
            await db.commit()
            request.state.clear_session_cookie = True
            return Principal(None, "none"), True
        await db.commit()
        return Principal(account, "session", token, now.timestamp()), False
    return Principal(None, "none"), False


def _describe(rules: tuple[Rule, ...]) -> str:
    return ", ".join(str(rule) for rule in rules)


def allow(*rules: Rule, quiet: bool = False, csrf: bool = True) -> Any:
    """Declare who may call a route: ``allow("public")``, ``allow("signed_in")``,
    ``allow(Role.OPERATOR, Role.SUPERVISOR)``. Returns the dependency that yields the
    :class:`Principal`. A ``quiet`` route leaves no trace of the visit on the session (its
    last-seen time stays), for the anonymous-report pages. ``csrf=False`` is for machine
    callbacks that carry no cookie and no form token (nginx-rtmp's), which must check their
    caller otherwise. A route that is not ``"public"`` is also never stored by a browser or a
    proxy (``Cache-Control: no-store``, see :mod:`sunlit.web.security_headers`)."""
    if not rules:
        raise ValueError("allow() needs at least one rule")
    roles = {rule for rule in rules if isinstance(rule, Role)}
    signed_in_only = "public" not in rules

    async def guard(
        request: Request,
        db: AsyncSession = Depends(get_db),
        services: Services = Depends(get_services),
    ) -> Principal:
        if signed_in_only:  # its pages, and the way to the sign-in page, are never stored
            setattr(request.state, NO_STORE_STATE, True)
        principal, expired = await resolve_principal(request, db, services, touch=not quiet)
        request.state.principal = principal
        if csrf:
            await _check_csrf(request, services, principal)
        if "public" in rules:
            return principal
        if principal.account is None:
            if expired:
                raise SessionExpired(N_("Your session has expired. Please sign in again."))
            raise AuthenticationRequired(N_("Please sign in to continue."))
        if roles and principal.role not in roles:
            raise PermissionDenied(
                N_("Your account does not have permission for this. It is for: %(roles)s."),
                params={"roles": ", ".join(sorted(role.value for role in roles))},
            )
        return principal

    setattr(guard, ACCESS_ATTR, rules)
    guard.__name__ = f"allow_{_describe(rules).replace(', ', '_')}"
    return Depends(guard)


def route_rules(route: APIRoute) -> tuple[Rule, ...] | None:
    """The rules a route declared through :func:`allow`, or None if it declared none."""
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
