"""Writing notifications and marking them read. A notification is derived from an event that
is already in the log, so writing one records no event of its own; nor does reading one."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.core.errors import N_, NotFound
from sunlit.core.ids import new_id
from sunlit.notifications.model import Kind
from sunlit.notifications.tables import NotificationCursorRow, NotificationRow

CURSOR = "events"


async def do_notify(
    db: AsyncSession,
    account_id: str,
    kind: Kind,
    *,
    params: Mapping[str, Any],
    link: str,
    event_id: str,
    now: datetime,
) -> NotificationRow | None:
    """Tell ``account_id`` something an event said; None when this event already told them
    this (the follower may read an event twice after a crash before its commit)."""
    found = await db.scalar(
        select(NotificationRow.id).where(
            NotificationRow.event_id == event_id,
            NotificationRow.account_id == account_id,
            NotificationRow.kind == kind,
        )
    )
    if found is not None:
        return None
    row = NotificationRow(
        id=new_id("n", now_ms=int(now.timestamp() * 1000)),
        account_id=account_id,
        kind=kind,
        params=dict(params),
        link=link,
        event_id=event_id,
        created_at=now,
        read_at=None,
    )
    db.add(row)
    return row


async def mine(db: AsyncSession, account_id: str, notification_id: str) -> NotificationRow:
    """The reader's own notification; anyone else's is not found (404), as is none."""
    row = await db.get(NotificationRow, notification_id)
    if row is None or row.account_id != account_id:
        raise NotFound(N_("No such notification."))
    return row


async def do_mark_read(
    db: AsyncSession, account_id: str, notification_id: str, *, now: datetime
) -> NotificationRow:
    row = await mine(db, account_id, notification_id)
    if row.read_at is None:
        row.read_at = now
    return row


async def do_mark_all_read(
    db: AsyncSession, account_id: str, *, now: datetime, made_before: datetime | None = None
) -> int:
    """Mark the account's unread notifications read: all, or those made before
    ``made_before``. How many."""
    query = update(NotificationRow).where(
        NotificationRow.account_id == account_id, NotificationRow.read_at.is_(None)
    )
    if made_before is not None:
        query = query.where(NotificationRow.created_at < made_before)
    result = await db.execute(query.values(read_at=now))
    return int(getattr(result, "rowcount", 0) or 0)


async def cursor(db: AsyncSession) -> int:
    row = await db.get(NotificationCursorRow, CURSOR)
    return row.seq if row is not None else 0


async def move_cursor(db: AsyncSession, seq: int) -> None:
    row = await db.get(NotificationCursorRow, CURSOR)
    if row is None:
        db.add(NotificationCursorRow(name=CURSOR, seq=seq))
    else:
        row.seq = seq
