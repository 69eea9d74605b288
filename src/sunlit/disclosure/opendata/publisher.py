"""The publisher: reads the event log from its cursor, asks what each public thing touched by
a batch looks like now, and appends the ones that changed to the public log, with a signed
head, in the transaction that moves its cursor (so nothing is published twice or skipped).

On PostgreSQL a ``seq`` can commit after a higher one; as the notifications follower does, the
publisher stops at a gap and waits for it (``core.eventlog.follow.GapWait``)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.core.clock import Clock
from sunlit.core.db import Database
from sunlit.core.eventlog.follow import GapWait, read_to_the_end
from sunlit.core.eventlog.services import events_after
from sunlit.disclosure.opendata import snapshots
from sunlit.disclosure.opendata.bulk import make_due
from sunlit.disclosure.opendata.log import OpenLog, shown_under
from sunlit.disclosure.opendata.model import Change
from sunlit.disclosure.opendata.tables import OpenCursorRow

log = structlog.get_logger(__name__)

GAP_WAIT = 30.0
EVERY = 2.0
BULK_EVERY = 300.0
CURSOR = "publisher"


async def cursor(db: AsyncSession) -> OpenCursorRow:
    query = select(OpenCursorRow).where(OpenCursorRow.name == CURSOR).with_for_update()
    row = await db.scalar(query)
    if row is None:
        row = OpenCursorRow(name=CURSOR, seq=0)
        db.add(row)
    return row


@dataclass
class Publisher:
    db: Database
    log: OpenLog
    clock: Clock
    batch: int = 2000
    bulk_folder: Path | None = None  # where the daily files go; None: not made here
    rules_checked: bool = False
    gaps: GapWait = field(default_factory=lambda: GapWait(GAP_WAIT))

    async def step(self) -> tuple[int, int]:
        """One batch, committed: how many events were read, and records appended."""
        try:
            async with self.db.transaction() as db:
                done = await self._step(db)
        except Exception:
            self.log.forget()
            raise
        self.rules_checked = True
        return done

    async def _step(self, db: AsyncSession) -> tuple[int, int]:
        now = self.clock.now()
        place = await cursor(db)
        at, count = place.seq, 0
        touched = snapshots.Touched()
        for seq, event in self.gaps.in_order(await events_after(db, at, limit=self.batch), at):
            touched.add(event)
            at, count = seq, count + 1
        changes: list[Change] = [] if self.rules_checked else [snapshots.rules_change()]
        for session, types in touched.sessions.items():
            shown = await shown_under(db, session)
            changes += await snapshots.session_changes(db, session, types, shown)
        changes += await snapshots.catalog_changes(db, touched, now=now)
        changes += await snapshots.concern_changes(db, touched, now=now)
        records = await self.log.append(db, changes, now=now)
        place.seq = at
        return count, len(records)

    async def catch_up(self) -> int:
        """Batch after batch until the event log is read: how many records were appended."""
        return await read_to_the_end(self.step, self.batch)

    async def make_bulk_files(self) -> list[date]:
        """The daily files of the days that are over and have none yet."""
        if self.bulk_folder is None:
            return []
        async with self.db.transaction() as db:
            return await make_due(db, self.bulk_folder, now=self.clock.now())

    async def run_forever(self) -> None:
        try:  # read the tree before the first proof is asked for (seconds for a million)
            async with self.db.sessions() as db:
                await self.log.sync(db)
        except Exception:
            log.exception("open-data log not read")
        since_bulk = BULK_EVERY
        while True:
            try:
                await self.catch_up()
                if since_bulk >= BULK_EVERY:
                    since_bulk = 0.0
                    made = await self.make_bulk_files()
                    if made:
                        log.info("open-data files made", days=[d.isoformat() for d in made])
            except Exception:
                log.exception("open-data publisher failed")
            await asyncio.sleep(EVERY)
            since_bulk += EVERY
