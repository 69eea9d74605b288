"""Account use cases: ``check_*`` validates, ``do_*`` writes and emits events."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NoReturn

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.errors import AccountNotFound, BadCredentials, UsernameTaken
from sunlit.core.errors import N_

__all__ = ["BadCredentials"]
from sunlit.accounts.model import (
    MAX_PASSWORD,
    STAFF_ROLES,
    USERNAME,
    NewAccount,
    Role,
    address_bucket,
    check_new_account,
    normalise,
    normalise_username,
    registered_event,
    session_is_live,
    sign_in_waits,
    throttle_key,
    token_digest,
    wait_message,
)
from sunlit.accounts.tables import AccountRow, ApiTokenRow, WebSessionRow
from sunlit.core.errors import InvalidInput, PermissionDenied, SessionExpired, TooManyAttempts
from sunlit.core.eventlog import Event, EventType, append
from sunlit.core.ids import new_id, new_token
from sunlit.core.ratelimit import AttemptCounter
from sunlit.core.regions.services import region_book
from sunlit.settings import Settings


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class Passwords:
    """argon2id hashing, run off the event loop."""

    def __init__(self, settings: Settings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib
        )
        self._dummy = self._hasher.hash(new_token())

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(self._hasher.hash, password)

    async def verify(self, stored: str | None, password: str) -> bool:
        def _verify() -> bool:
            try:
                return self._hasher.verify(stored or self._dummy, password) and stored is not None
            except (VerificationError, InvalidHashError):
                return False

        return await anyio.to_thread.run_sync(_verify)


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a request came from, for the event stream."""

    ip: str
    device: str


def check_can_grant(actor_role: Role | None, role: Role) -> None:
    """Consumers register themselves; every other role is given by an operator."""
    if role in STAFF_ROLES and actor_role is not Role.OPERATOR:
        raise PermissionDenied(N_("Only an operator can create or change this role."))


async def do_register(
    db: AsyncSession,
    passwords: Passwords,
    new: NewAccount,
    *,
    now: datetime,
    origin: Origin,
    actor: AccountRow | None = None,
    trusted: bool = False,
) -> AccountRow:
    """Register an account. ``actor`` is the operator creating it; ``trusted`` is the command
    line run by whoever administers the machine. Both leave the account verified."""
    new = normalise(new)
    if not trusted:
        check_can_grant(Role(actor.role) if actor else None, new.role)
    granted_by = actor.id if actor is not None else ("cli" if trusted else None)
    errors = check_new_account(new)
    if new.region is not None and region_book().get(new.region) is None:
        errors["region"] = N_("Enter a six-digit GB/T 2260 code.")
    if errors:
        raise InvalidInput(N_("Please correct the marked fields."), fields=errors)
    taken = await db.scalar(select(AccountRow.id).where(AccountRow.username == new.username))
    if taken is not None:
        raise UsernameTaken
    row = AccountRow(
        id=new_id("a"),
        username=new.username,
        display_name=new.display_name,
        role=new.role.value,
        password_hash=await passwords.hash(new.password),
        phone=new.phone,
        org=new.org,
        region=new.region,
        created_at=now,
        verified_at=now if granted_by else None,
        verified_by=granted_by,
    )
    db.add(row)
    append(
        db,
        registered_event(
            account_id=row.id,
            new=new,
            now=now,
            device=origin.device,
            ip=origin.ip,
            created_by=granted_by,
        ),
    )
    try:
        await db.flush()
    except IntegrityError as exc:  # a concurrent registration won the name
        raise UsernameTaken from exc
    return row


@dataclass(frozen=True, slots=True)
class SignInAttempt:
    """An attempt admitted by :func:`check_sign_in_allowed`: counted against the account and
    address (``pair_key``) and, ahead of the check, as a failure of the address
    (``address_key`` at ``at``), which :func:`attempt_succeeded` takes back."""

    pair_key: str
    address_key: str
    at: float


async def check_sign_in_allowed(
    counter: AttemptCounter, settings: Settings, *, username: str, ip: str, now: datetime
) -> SignInAttempt:
    """Refuse an attempt on ``username`` from ``ip`` that comes too soon; otherwise record it.

    Two counts, neither of which a stranger can use against someone else. Per account *and*
    address, every attempt is recorded before the password is checked, and the record decides
    (parallel guesses cannot slip past): after a few, each further attempt waits longer than
    the last. Per address, across all names, failures count against a ceiling that blocks
    the address for the rest of the window; each attempt is counted as a failure *before* the
    password is checked (one step: add, then count), so parallel guesses on many names cannot
    all pass the ceiling, and taken back when it succeeds or was not a guess. A person signing
    in from their own address is never slowed by what another address does."""
    window = settings.login_window_seconds
    at = now.timestamp()
    address_key = "login:ip:" + throttle_key(address_bucket(ip))
    ceiling = settings.login_max_failures_per_ip
    if await counter.add(address_key, now=at, window_seconds=window) > ceiling:
        await counter.withdraw(address_key, at=at)
        failures = await counter.times(address_key, now=at, window_seconds=window)
        wait = failures[max(0, len(failures) - ceiling)] + window - at if failures else window
        _refuse(wait, per_address=True)
    pair_key = "login:pair:" + throttle_key(username, ip)
    waits = sign_in_waits(
        settings.login_max_failures, settings.login_delay_seconds, settings.login_max_delay_seconds
    )
    wait = await counter.admit(pair_key, now=at, window_seconds=window, waits=waits)
    if wait > 0:
        await counter.withdraw(address_key, at=at)
        _refuse(wait, per_address=False)
    return SignInAttempt(pair_key, address_key, at)


async def attempt_succeeded(counter: AttemptCounter, attempt: SignInAttempt) -> None:
    """The password (or code) was right: the account and address start afresh, and the
    address's failure counted ahead is taken back."""
    await counter.reset(attempt.pair_key)
    await counter.withdraw(attempt.address_key, at=attempt.at)


async def attempt_not_a_guess(counter: AttemptCounter, attempt: SignInAttempt) -> None:
    """Refused before anything secret was compared (a new password too weak, say): the
    address's failure counted ahead is taken back."""
    await counter.withdraw(attempt.address_key, at=attempt.at)


def _refuse(wait: float, *, per_address: bool) -> NoReturn:
    seconds = max(1, math.ceil(wait))
    message, params = wait_message(seconds, per_address=per_address)
    raise TooManyAttempts(message, params=params, retry_after=seconds)


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
    if touch and now - aware(found.last_seen_at) > timedelta(minutes=1):
        found.last_seen_at = now
    return account


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
    row.revoked_at = now


async def get_account(db: AsyncSession, account_id: str) -> AccountRow:
    row = await db.get(AccountRow, account_id)
    if row is None:
        raise AccountNotFound
    return row


async def find_account(db: AsyncSession, account_id: str) -> AccountRow | None:
    """The account with this id, or None (for other contexts: they see it as an ``Actor``)."""
    return await db.get(AccountRow, account_id)


async def account_named(db: AsyncSession, username: str) -> AccountRow | None:
    return await db.scalar(select(AccountRow).where(AccountRow.username == username))


async def usernames(db: AsyncSession) -> set[str]:
    return set((await db.scalars(select(AccountRow.username))).all())


async def accounts_by_id(db: AsyncSession, ids: set[str]) -> list[AccountRow]:
    if not ids:
        return []
    return list((await db.scalars(select(AccountRow).where(AccountRow.id.in_(ids)))).all())


async def display_names(db: AsyncSession, ids: set[str]) -> dict[str, str]:
    """Each account's display name, by id (for pages that name people)."""
    if not ids:
        return {}
    rows = await db.execute(
        select(AccountRow.id, AccountRow.display_name).where(AccountRow.id.in_(ids))
    )
    return {account_id: name for account_id, name in rows.all()}


async def list_accounts(
    db: AsyncSession, *, role: Role | None = None, limit: int = 200
) -> list[AccountRow]:
    query = select(AccountRow).order_by(AccountRow.created_at.desc()).limit(limit)
    if role is not None:
        query = query.where(AccountRow.role == role.value)
    return list((await db.scalars(query)).all())


async def count_accounts(db: AsyncSession) -> dict[str, int]:
    rows = await db.execute(select(AccountRow.role, func.count()).group_by(AccountRow.role))
    return {role: count for role, count in rows}


async def do_change_role(
    db: AsyncSession, actor: AccountRow, account_id: str, role: Role, *, now: datetime
) -> AccountRow:
    check_can_grant(Role(actor.role), role)
    row = await get_account(db, account_id)
    if row.id == actor.id:
        raise PermissionDenied(N_("You cannot change your own role; ask another operator."))
    before = row.role
    if before == role.value:
        return row
    row.role = role.value
    append(
        db,
        Event(
            type=EventType.ACCOUNT_ROLE_CHANGED,
            ts=now,
            actor=actor.id,
            data={"account": row.id, "from": before, "to": role.value},
        ),
    )
    return row


async def do_set_disabled(
    db: AsyncSession, actor: AccountRow, account_id: str, disabled: bool, *, now: datetime
) -> AccountRow:
    """An operator disables an account (its sign-in sessions end with it; a disabled account
    cannot sign in, and its API tokens stop working) or enables it again. The caller revokes
    the account's live-room access after the commit (``Services.revoke_access``)."""
    if Role(actor.role) is not Role.OPERATOR:
        raise PermissionDenied(N_("Only an operator can disable or enable accounts."))
    row = await get_account(db, account_id)
    if row.id == actor.id:
        raise PermissionDenied(N_("You cannot disable your own account; ask another operator."))
    if bool(row.disabled) == disabled:
        return row
    row.disabled = disabled
    if disabled:
        sessions = await db.scalars(select(WebSessionRow).where(WebSessionRow.account_id == row.id))
        for session in sessions.all():
            await db.delete(session)
    append(
        db,
        Event(
            type=EventType.ACCOUNT_DISABLED if disabled else EventType.ACCOUNT_ENABLED,
            ts=now,
            actor=actor.id,
            data={"account": row.id},
        ),
    )
    return row


async def do_verify(
    db: AsyncSession, actor: AccountRow, account_id: str, *, now: datetime, org: str | None
) -> AccountRow:
    """An operator has checked the person's documents (and, for staff, their employer)."""
    if Role(actor.role) is not Role.OPERATOR:
        raise PermissionDenied(N_("Only an operator can verify accounts."))
    row = await get_account(db, account_id)
    row.verified_at = now
    row.verified_by = actor.id
    if org is not None and org.strip():
        row.org = org.strip()[:128]
    append(
        db,
        Event(
            type=EventType.ACCOUNT_VERIFIED,
            ts=now,
            actor=actor.id,
            data={"account": row.id, "role": row.role, "org": row.org},
        ),
    )
    return row


async def do_set_language(db: AsyncSession, account: AccountRow, language: str) -> None:
    account.language = language
