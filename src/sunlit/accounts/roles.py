"""An operator's decisions about accounts: their role, whether they are disabled, and that
the person behind one was checked."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Role
from sunlit.accounts.services import check_can_grant, check_reach, get_account
from sunlit.accounts.sessions import end_sessions
from sunlit.accounts.tables import AccountRow
from sunlit.core.errors import N_, PermissionDenied
from sunlit.core.eventlog import Event, EventType, append


async def do_change_role(
    db: AsyncSession, actor: AccountRow, account_id: str, role: Role, *, now: datetime
) -> AccountRow:
    check_can_grant(Role(actor.role), role, actor_region=actor.region)
    row = await get_account(db, account_id)
    check_reach(actor, row.region)
    if row.id == actor.id:
        raise PermissionDenied(N_("You cannot change your own role; ask another operator."))
    before = row.role
    if before == role.value:
        return row
    row.role = role
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
    check_reach(actor, row.region)
    if row.id == actor.id:
        raise PermissionDenied(N_("You cannot disable your own account; ask another operator."))
    if bool(row.disabled) == disabled:
        return row
    row.disabled = disabled
    if disabled:  # account.disabled says the sessions ended: no account.sessions_ended too
        await end_sessions(db, row.id, now=now)
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
    check_reach(actor, row.region)
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
