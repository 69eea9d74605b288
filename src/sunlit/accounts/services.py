"""Accounts: registering one, hashing passwords, and reading accounts (``check_*`` validates,
``do_*`` writes and emits events). Signing in, sessions and API tokens are in
:mod:`sunlit.accounts.sessions`, an operator's decisions about accounts in
:mod:`sunlit.accounts.roles`, passwords changed and reset in :mod:`sunlit.accounts.credentials`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.errors import AccountNotFound, UsernameTaken
from sunlit.accounts.model import (
    STAFF_ROLES,
    NewAccount,
    Role,
    check_new_account,
    normalise,
    reaches,
    registered_event,
)
from sunlit.accounts.tables import AccountRow
from sunlit.core.errors import N_, InvalidInput, PermissionDenied
from sunlit.core.eventlog import append
from sunlit.core.ids import new_id, new_token
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


def check_can_grant(
    actor_role: Role | None, role: Role, *, actor_region: str | None = None
) -> None:
    """Consumers register themselves; every other role is given by an operator. A county
    operator (one with a region) does not make supervisors: they decide every plan."""
    if role in STAFF_ROLES and actor_role is not Role.OPERATOR:
        raise PermissionDenied(N_("Only an operator can create or change this role."))
    if actor_region and role is Role.SUPERVISOR:
        raise PermissionDenied(N_("Only an operator of the whole deployment makes supervisors."))


def check_reach(actor: AccountRow, region: str | None) -> None:
    """A county operator (an operator with a region) manages only accounts inside its region:
    it cannot make an operator of the whole deployment, nor touch one (ADR 0014)."""
    if not reaches(actor, region):
        raise PermissionDenied(N_("A county operator manages only accounts inside its region."))


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
        check_can_grant(
            Role(actor.role) if actor else None,
            new.role,
            actor_region=actor.region if actor else None,
        )
        if actor is not None:
            check_reach(actor, new.region)
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


async def do_set_language(db: AsyncSession, account: AccountRow, language: str) -> None:
    account.language = language
