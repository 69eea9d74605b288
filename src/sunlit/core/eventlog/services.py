"""Writing and reading the event log."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.core.eventlog.model import Event
from sunlit.core.eventlog.tables import EventRow


class ByteSink(Protocol):
    def write(self, data: bytes, /) -> object: ...


def row_values(item: Event) -> dict[str, Any]:
    """The event_log columns of an event (for a row, or a multi-row INSERT)."""
    return {
        "id": item.id,
        "type": item.type,
        "ts": item.ts.astimezone(UTC),
        "session": item.session,
        "actor": item.actor,
        "data": item.data,
    }


def append(session: AsyncSession, *events: Event) -> None:
    """Add events to the caller's transaction: they commit or roll back with the change."""
    for item in events:
        session.add(EventRow(**row_values(item)))


def event_of_row(row: EventRow) -> Event:
    """The event a log row holds (SQLite hands back naive times: they are UTC)."""
    ts = row.ts if row.ts.tzinfo is not None else row.ts.replace(tzinfo=UTC)
    return Event(
        id=row.id, type=row.type, ts=ts, data=row.data, actor=row.actor, session=row.session
    )


async def read_events(
    session: AsyncSession,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    batch: int = 1000,
) -> AsyncIterator[Event]:
    """Events in log order (the order they were committed), optionally from ``since`` on."""
    last_seq = 0
    while True:
        query = select(EventRow).where(EventRow.seq > last_seq).order_by(EventRow.seq).limit(batch)
        if since is not None:
            query = query.where(EventRow.ts >= since.astimezone(UTC))
        if until is not None:
            query = query.where(EventRow.ts < until.astimezone(UTC))
        rows = (await session.scalars(query)).all()
        if not rows:
            return
        for row in rows:
            yield event_of_row(row)
        last_seq = rows[-1].seq


async def export_jsonl(
    session: AsyncSession,
    out: ByteSink,
    zone: ZoneInfo,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> int:
    """Write the log as JSON Lines (docs/events.md); returns how many events were written."""
    count = 0
    async for item in read_events(session, since=since, until=until):
        out.write(item.to_json_line(zone))
        count += 1
    return count


async def session_events(
    session: AsyncSession, live_session: str, types: tuple[str, ...]
) -> list[Event]:
    """A live session's events of these types, in log order."""
    query = (
        select(EventRow)
        .where(EventRow.session == live_session, EventRow.type.in_(types))
        .order_by(EventRow.seq)
    )
    rows = await session.stream_scalars(query.execution_options(yield_per=2000))
    return [event_of_row(row) async for row in rows]


async def events_after(
    session: AsyncSession, seq: int, *, limit: int = 500
) -> list[tuple[int, Event]]:
    """Up to ``limit`` events after ``seq`` in log order, each with its ``seq``: for a reader
    that keeps its own cursor (the notifications follower)."""
    query = select(EventRow).where(EventRow.seq > seq).order_by(EventRow.seq).limit(limit)
    return [(row.seq, event_of_row(row)) for row in (await session.scalars(query)).all()]
