"""Who is asking, and the one authorisation helper. Every route takes ``principal = allow(...)``;
the application refuses to start if a route lacks it (:func:`sunlit.web.access.audit_routes`), so
a route cannot forget it.

``allow`` also checks the CSRF token of every state-changing request made with a cookie
(:func:`sunlit.web.access.check_csrf`), and resolves who is asking: a bearer API token, a sign-in
session cookie, or nobody."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

import structlog
from fastapi import Depends, Request
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts import sessions
from sunlit.accounts.deps import AccountsKit, accounts_kit
from sunlit.accounts.model import ROLE_LABELS, Role, device_fingerprint, token_digest
from sunlit.accounts.services import Origin, aware
from sunlit.accounts.tables import AccountRow
from sunlit.core.errors import N_, AuthenticationRequired, PermissionDenied, SessionExpired
from sunlit.core.i18n import Msgid
from sunlit.web.access import ACCESS_ATTR, SESSION_COOKIE, check_csrf
from sunlit.web.deps import get_db
from sunlit.web.security_headers import NO_STORE_STATE

log = structlog.get_logger(__name__)

Rule = Literal["public", "signed_in"] | Role


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


async def resolve_principal(
    request: Request, db: AsyncSession, services: AccountsKit, *, touch: bool = True
) -> tuple[Principal, bool]:
    """The principal, and whether a session cookie was sent but has expired. Who a token or a
    session cookie belongs to is remembered for a few seconds (:mod:`.token_cache`)."""
    now = services.clock.now()
    memory = services.token_cache
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer ") and request.url.path.startswith("/api/"):
        bearer = header[7:].strip()
        digest = token_digest(bearer)
        kept = memory.get(digest)
        if kept is not None:
            account = await db.merge(kept.account, load=False)
            return Principal(account, "token", read_at=kept.read_at), False
        account = await sessions.token_account(db, bearer, now=now, touch=touch)
        if db.dirty:  # the token's last use was noted (at most once a minute)
            try:
                await db.commit()
            except OperationalError:  # a busy SQLite: the stamp is a nicety, the call is not
                await db.rollback()
                log.warning("token use not noted: the database is busy")
                account = await sessions.token_account(db, bearer, now=now, touch=False)
        memory.put(digest, account, read_at=now.timestamp())
        return Principal(account, "token", read_at=now.timestamp()), False
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return Principal(None, "none"), False
    digest = token_digest(token)
    kept = memory.get(digest)
    settings = services.settings
    idle = timedelta(minutes=settings.session_idle_minutes)
    max_age = timedelta(hours=settings.session_max_hours)
    if kept is not None and kept.session_usable(now, idle=idle, max_age=max_age, touch=touch):
        account = await db.merge(kept.account, load=False)
        return Principal(account, "session", token, kept.read_at), False
    try:
        account, found = await sessions.live_session(
            db, token, now=now, settings=settings, touch=touch
        )
    except SessionExpired:
        memory.forget(digest)
        await db.commit()
        request.state.clear_session_cookie = True
        return Principal(None, "none"), True
    await db.commit()
    memory.put(
        digest,
        account,
        read_at=now.timestamp(),
        created_at=aware(found.created_at),
        last_seen_at=aware(found.last_seen_at),
    )
    return Principal(account, "session", token, now.timestamp()), False


def _describe(rules: tuple[Rule, ...]) -> str:
    return ", ".join(str(rule) for rule in rules)


def allow(
    *rules: Rule, quiet: bool = False, csrf: bool = True, origin_for_visitors: bool = False
) -> Any:
    """Declare who may call a route: ``allow("public")``, ``allow("signed_in")``,
    ``allow(Role.OPERATOR, Role.SUPERVISOR)``. Returns the dependency that yields the
    :class:`Principal`. A ``quiet`` route leaves no trace of the visit on the session (its
    last-seen time stays), for the anonymous-report pages. ``csrf=False`` is for machine
    callbacks that carry no cookie and no form token (nginx-rtmp's), which must check their
    caller otherwise; ``origin_for_visitors`` lets a visitor who is not signed in post from
    this site's own page without a token (``sunlit.web.access.check_csrf``). A route that is
    not ``"public"`` is also never stored by a browser or a proxy (``Cache-Control:
    no-store``, see :mod:`sunlit.web.security_headers`)."""
    if not rules:
        raise ValueError("allow() needs at least one rule")
    roles = {rule for rule in rules if isinstance(rule, Role)}
    signed_in_only = "public" not in rules

    async def guard(request: Request, db: AsyncSession = Depends(get_db)) -> Principal:
        # The kit is taken here rather than as a dependency: FastAPI runs a plain function
        # dependency in a worker thread, a thread hop on every request for a cast.
        services = accounts_kit(request)
        if signed_in_only:  # its pages, and the way to the sign-in page, are never stored
            setattr(request.state, NO_STORE_STATE, True)
        principal, expired = await resolve_principal(request, db, services, touch=not quiet)
        request.state.principal = principal
        if csrf:
            await check_csrf(
                request,
                services.settings.secret_key,
                principal.via,
                principal.session_token,
                origin_for_visitors=origin_for_visitors,
            )
        if "public" in rules:
            return principal
        if principal.account is None:
            if expired:
                raise SessionExpired(N_("Your session has expired. Please sign in again."))
            raise AuthenticationRequired(N_("Please sign in to continue."))
        if roles and principal.role not in roles:
            raise PermissionDenied(
                N_("Your account does not have permission for this. It is for: %(roles)s."),
                params={"roles": tuple(Msgid(ROLE_LABELS[role]) for role in sorted(roles))},
            )
        return principal

    setattr(guard, ACCESS_ATTR, rules)
    guard.__name__ = f"allow_{_describe(rules).replace(', ', '_')}"
    return Depends(guard)


def origin_of(request: Request) -> Origin:
    ip = request.client.host if request.client else "unknown"
    return Origin(ip=ip, device=device_fingerprint(request.headers.get("user-agent")))


async def identify(request: Request) -> None:
    """For a page shown before a route's guard ran (an error page for an unknown address): who
    is asking, if a session cookie says so. Installed as ``app.state.identify`` by the app."""
    if hasattr(request.state, "principal") or not request.cookies.get(SESSION_COOKIE):
        return
    services = accounts_kit(request)
    async with services.db.sessions() as db:
        principal, _ = await resolve_principal(request, db, services)
    request.state.principal = principal
