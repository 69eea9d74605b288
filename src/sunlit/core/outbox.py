"""The outbox of a sandbox that plays an outside party (the payment gateway, the carrier): its
queued notices, each a row with a ``body``, a ``deliver_at``, ``attempts``, ``last_status`` and
``delivered_at``, sent over real HTTP when due or handed over in process. Each sandbox keeps its
own table and signs with its own key; how they are sent is the same, and lives here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

#: Sends one signed notice; returns the HTTP status the receiver answered.
Send = Callable[[bytes, dict[str, str]], Awaitable[int]]
#: The headers of one notice's body: its signature and content type.
Headers = Callable[[bytes], dict[str, str]]
#: Applies one notice's body in the caller's transaction.
Hand = Callable[[bytes], Awaitable[object]]

#: A notice the receiver keeps refusing is tried this many times, then left.
MAX_ATTEMPTS = 8


async def hand_over_due(db: AsyncSession, table: Any, hand: Hand, *, now: datetime) -> int:
    """Hand the notices of ``table`` due by ``now`` to ``hand`` in ``db``'s own transaction,
    oldest first, with no HTTP and no signature: for a process that plays the outside party
    itself (the demo, which replays days in the past). Both copies of a notice are handed over,
    as the party sends both. Returns how many were."""
    rows = (
        await db.scalars(
            select(table)
            .where(table.delivered_at.is_(None), table.deliver_at <= now)
            .order_by(table.deliver_at, table.id)
        )
    ).all()
    for row in rows:
        await hand(row.body.encode())
        await db.flush()  # the receipt of the first copy, so that the second is a duplicate
        row.attempts += 1
        row.last_status = 200
        row.delivered_at = now
    return len(rows)


async def send_due(
    sessions: async_sessionmaker[AsyncSession],
    table: Any,
    headers: Headers,
    send: Send,
    *,
    now: datetime,
    limit: int = 50,
) -> int:
    """Send the notices of ``table`` that are due; returns how many were accepted. A refused
    one is retried later with exponential back-off, up to MAX_ATTEMPTS."""
    async with sessions() as db:
        rows = (
            await db.scalars(
                select(table)
                .where(
                    table.delivered_at.is_(None),
                    table.deliver_at <= now,
                    table.attempts < MAX_ATTEMPTS,
                )
                .order_by(table.deliver_at)
                .limit(limit)
            )
        ).all()
        await db.commit()
    accepted = 0
    for row in rows:
        body = row.body.encode()
        try:
            status = await send(body, headers(body))
        except OSError:
            status = 0
        async with sessions() as db, db.begin():
            fresh = await db.get(table, row.id)
            assert fresh is not None
            fresh.attempts += 1
            fresh.last_status = status
            if 200 <= status < 300:
                fresh.delivered_at = now
                accepted += 1
            else:
                fresh.deliver_at = now + timedelta(seconds=min(2**fresh.attempts, 60))
    return accepted
