"""Reads of the public log that the API, the page and the bulk files share."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.core.errors import N_, InvalidInput
from sunlit.disclosure.opendata.log import OpenLog
from sunlit.disclosure.opendata.signing import ALGORITHM
from sunlit.disclosure.opendata.tables import BulkFileRow, OpenRecordRow, TreeHeadRow


@dataclass(frozen=True, slots=True)
class FeedPage:
    lines: list[bytes]
    tree_size: int


async def signed_size(db: AsyncSession) -> int:
    """The size of the latest signed head (0 before the first)."""
    found = await db.scalar(select(func.max(TreeHeadRow.tree_size)))
    return int(found or 0)


async def feed(db: AsyncSession, log: OpenLog, *, since: int, limit: int) -> FeedPage:
    """Up to ``limit`` records from ``since`` on, as far as the latest signed head reaches."""
    size = await signed_size(db)
    if since > size:
        raise InvalidInput(
            N_("The cursor %(since)s is past the end of the log (%(size)s records)."),
            params={"since": since, "size": size},
        )
    query = (
        select(OpenRecordRow.line)
        .where(OpenRecordRow.seq >= since, OpenRecordRow.seq < size)
        .order_by(OpenRecordRow.seq)
        .limit(limit)
    )
    return FeedPage([line.encode() for line in await db.scalars(query)], size)


def key_json(log: OpenLog) -> dict[str, str]:
    return {
        "algorithm": ALGORITHM,
        "public_key": log.signer.public.hex(),
        "key_id": log.signer.key_id,
    }


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=UTC)
    return start, start + timedelta(days=1)


async def lines_of_day(db: AsyncSession, day: date, *, batch: int = 5000) -> AsyncIterator[bytes]:
    """The records published on ``day`` (UTC), in log order, a batch at a time. The day's
    records are a run of ``seq`` (the publisher's clock only moves on): its ends are found
    once, then the run is read by the primary key. (Asked by day and ordered by ``seq`` for
    each batch, PostgreSQL sorted the day's rows again for every batch.)"""
    start, end = day_bounds(day)
    in_day = (OpenRecordRow.published_at >= start, OpenRecordRow.published_at < end)
    first, last = (
        await db.execute(
            select(func.min(OpenRecordRow.seq), func.max(OpenRecordRow.seq)).where(*in_day)
        )
    ).one()
    if first is None:
        return
    at = first - 1
    while at < last:
        query = (
            select(OpenRecordRow.seq, OpenRecordRow.published_at, OpenRecordRow.line)
            .where(OpenRecordRow.seq > at, OpenRecordRow.seq <= last)
            .order_by(OpenRecordRow.seq)
            .limit(batch)
        )
        rows = (await db.execute(query)).all()
        if not rows:
            return
        for seq, published_at, line in rows:
            at = seq
            if start <= _utc(published_at) < end:
                yield line.encode()


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def publishing_days(db: AsyncSession) -> list[date]:
    """The days (UTC) on which records were published, oldest first."""
    first = await db.scalar(select(func.min(OpenRecordRow.published_at)))
    last = await db.scalar(select(func.max(OpenRecordRow.published_at)))
    if first is None or last is None:
        return []
    days, day = [], first.date()
    while day <= last.date():
        days.append(day)
        day += timedelta(days=1)
    return days


async def bulk_files(db: AsyncSession) -> list[BulkFileRow]:
    query = select(BulkFileRow).order_by(BulkFileRow.day.desc(), BulkFileRow.format)
    return list(await db.scalars(query))
