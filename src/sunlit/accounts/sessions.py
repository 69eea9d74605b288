"""Signing in and staying signed in: passwords checked under the sign-in throttle, sessions
behind cookies, API tokens, and ending an account's sessions.

Ending sessions happens in one place, :func:`end_sessions`; :func:`do_end_sessions` records
``account.sessions_ended`` with it in the same transaction (disabling an account records
``account.disabled`` instead). After the commit the caller tells the
running process (``revoke_access`` of the accounts kit), which forgets cached API-token
and session principals, voids live-room tickets and closes open live-room sockets."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.errors import AccountNotFound, BadCredentials
from sunlit.accounts.model import (
    MAX_PASSWORD,
    USERNAME,
    normalise_username,
    session_is_live,
    stamp_due,
    token_digest,
)
from sunlit.accounts.services import Passwords, aware
from sunlit.accounts.tables import AccountRow, ApiTokenRow, WebSessionRow
from sunlit.accounts.throttle import attempt_succeeded, check_sign_in_allowed
from sunlit.core.errors import N_, InvalidInput, SessionExpired
from sunlit.core.eventlog import Event, EventType, append
from sunlit.core.ids import new_id, new_token
from sunlit.core.ratelimit import AttemptCounter
from sunlit.settings import Settings


async def authenticate(
    db: AsyncSession,
    passwords: Passwords,
    counter: AttemptCounter,
    settings: Settings,
    *,
    username: str,
    password: str,
    ip: str,
    now: datetime,
) -> AccountRow:
    """Check an account name and password, under the sign-in throttle
    (:func:`check_sign_in_allowed`)."""
    username = normalise_username(username)
    attempt = await check_sign_in_allowed(counter, settings, username=username, ip=ip, now=now)
    well_formed = USERNAME.match(username) is not None and len(password) <= MAX_PASSWORD
    row = (
        await db.scalar(select(AccountRow).where(AccountRow.username == username))
        if well_formed
        else None
    )
    ok = await passwords.verify(row.password_hash if row else None, password[:MAX_PASSWORD])
    if row is None or not ok or row.disabled:
        raise BadCredentials  # counted as a failure of the address already
    await attempt_succeeded(counter, attempt)
    return row


async def do_sign_in(
    db: AsyncSession,
    passwords: Passwords,
    counter: AttemptCounter,
    settings: Settings,
    *,
    username: str,
    password: str,
    ip: str,
    now: datetime,
) -> tuple[AccountRow, str]:
    """Check the password and open a session; returns the account and the session token."""
    row = await authenticate(
        db, passwords, counter, settings, username=username, password=password, ip=ip, now=now
    )
    return row, open_session(db, row, now=now)


def open_session(db: AsyncSession, account: AccountRow, *, now: datetime) -> str:
    """Start a sign-in session; returns the token for the cookie (only its digest is kept)."""
    token = new_token()
    db.add(
        WebSessionRow(
            digest=token_digest(token), account_id=account.id, created_at=now, last_seen_at=now
        )
    )
    return token


async def session_account(
    db: AsyncSession, token: str, *, now: datetime, settings: Settings, touch: bool = True
) -> AccountRow:
    """The account behind a session cookie; raises SessionExpired if the session is gone."""
    account, _ = await live_session(db, token, now=now, settings=settings, touch=touch)
    return account


async def live_session(
    db: AsyncSession, token: str, *, now: datetime, settings: Settings, touch: bool = True
) -> tuple[AccountRow, WebSessionRow]:
    """The account behind a session cookie and the session itself (its times, for the
    principal memory); raises SessionExpired if the session is gone."""
    found = await db.get(WebSessionRow, token_digest(token))
    live = found is not None and session_is_live(
        created_at=aware(found.created_at),
        last_seen_at=aware(found.last_seen_at),
        now=now,
        idle=timedelta(minutes=settings.session_idle_minutes),
        max_age=timedelta(hours=settings.session_max_hours),
    )
    account = await db.get(AccountRow, found.account_id) if found is not None else None
    if found is None or not live or account is None or account.disabled:
        if found is not None:
            await db.delete(found)
        raise SessionExpired(N_("Your session has expired. Please sign in again."))
    if touch and stamp_due(aware(found.last_seen_at), now):
        found.last_seen_at = now
    return account, found


async def do_sign_out(db: AsyncSession, token: str) -> None:
    found = await db.get(WebSessionRow, token_digest(token))
    if found is not None:
        await db.delete(found)


async def do_create_api_token(
    db: AsyncSession, account: AccountRow, name: str, *, now: datetime
) -> tuple[ApiTokenRow, str]:
    name = name.strip()
    if not name or len(name) > 64:
        raise InvalidInput(
            N_("Please correct the marked fields."),
            fields={"name": N_("Name the token (1 to 64 characters).")},
        )
    token = "sl_" + new_token()
    row = ApiTokenRow(
        id=new_id("t"),
        digest=token_digest(token),
        account_id=account.id,
        name=name,
        created_at=now,
    )
    db.add(row)
    data = {"account": account.id, "token": row.id, "name": name}
    append(db, Event(type=EventType.API_TOKEN_CREATED, ts=now, actor=account.id, data=data))
    return row, token


async def token_account(
    db: AsyncSession, token: str, *, now: datetime, touch: bool = True
) -> AccountRow:
    found = (
        await db.execute(
            select(ApiTokenRow, AccountRow)
            .join(AccountRow, AccountRow.id == ApiTokenRow.account_id)
            .where(ApiTokenRow.digest == token_digest(token))
        )
    ).first()
    if found is None:
        raise BadCredentials
    row, account = found
    if row.revoked_at is not None or account.disabled:
        raise BadCredentials
    # Note the use at most once a minute: a busy client must not cost a write per request.
    last = aware(row.last_used_at) if row.last_used_at is not None else None
    if touch and (last is None or now - last > timedelta(minutes=1)):
        row.last_used_at = now
    return account


async def list_api_tokens(db: AsyncSession, account_id: str) -> list[ApiTokenRow]:
    query = (
        select(ApiTokenRow)
        .where(ApiTokenRow.account_id == account_id, ApiTokenRow.revoked_at.is_(None))
        .order_by(ApiTokenRow.created_at.desc())
    )
    return list((await db.scalars(query)).all())


async def do_revoke_api_token(
    db: AsyncSession, account: AccountRow, token_id: str, *, now: datetime
) -> None:
    row = await db.get(ApiTokenRow, token_id)
    if row is None or row.account_id != account.id:
        raise AccountNotFound
    if row.revoked_at is not None:
        return
    row.revoked_at = now
    data = {"account": account.id, "token": row.id}
    append(db, Event(type=EventType.API_TOKEN_REVOKED, ts=now, actor=account.id, data=data))


async def end_sessions(
    db: AsyncSession,
    account_id: str,
    *,
    now: datetime,
    keep: str | None = None,
    revoke_tokens: bool = False,
) -> tuple[int, int]:
    """Delete the account's sign-in sessions, all but ``keep`` (the caller's session token),
    and with ``revoke_tokens`` revoke its API tokens too; returns how many of each. Records
    nothing: :func:`do_end_sessions` records it, or the caller's own event says the sessions
    end (``account.disabled``)."""
    query = delete(WebSessionRow).where(WebSessionRow.account_id == account_id)
    if keep is not None:
        query = query.where(WebSessionRow.digest != token_digest(keep))
    ended = (await db.execute(query)).rowcount  # type: ignore[attr-defined]
    revoked = 0
    if revoke_tokens:
        revoked = (
            await db.execute(  # type: ignore[attr-defined]
                update(ApiTokenRow)
                .where(ApiTokenRow.account_id == account_id, ApiTokenRow.revoked_at.is_(None))
                .values(revoked_at=now)
            )
        ).rowcount
    return int(ended or 0), int(revoked or 0)


async def do_end_sessions(
    db: AsyncSession,
    account_id: str,
    *,
    now: datetime,
    reason: str,
    actor: str | None,
    keep: str | None = None,
    revoke_tokens: bool = False,
) -> None:
    """End the account's sign-in sessions (:func:`end_sessions`) and record
    ``account.sessions_ended``."""
    ended, revoked = await end_sessions(
        db, account_id, now=now, keep=keep, revoke_tokens=revoke_tokens
    )
    append(
        db,
        Event(
            type=EventType.ACCOUNT_SESSIONS_ENDED,
            ts=now,
            actor=actor,
            data={
                "account": account_id,
                "reason": reason,
                "sessions": ended,
                "kept_current": keep is not None,
                "api_tokens_revoked": revoked,
            },
        ),
    )
