"""The room's events reach the event log in batches: a busy room writes one multi-row INSERT
every few hundred milliseconds, not one transaction per join, like or message. Nothing is
dropped: a failed write is retried, and closing the recorder writes what is left. Nothing is
written twice either: a write whose commit reached the database but whose answer did not is
retried as an insert that skips event ids already in the log."""

from __future__ import annotations

import asyncio
import contextlib

import structlog
from sqlalchemy.dialects import postgresql, sqlite

from sunlit.core.db import Database
from sunlit.core.eventlog import Event
from sunlit.core.eventlog.services import row_values
from sunlit.core.eventlog.tables import EventRow

log = structlog.get_logger(__name__)


class EventRecorder:
    def __init__(self, db: Database, *, every: float = 0.2, batch: int = 1000) -> None:
        self._db = db
        self._every = every
        self._batch = batch
        self._waiting: list[Event] = []
        self._task: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        self._closing = asyncio.Event()
        dialect = db.engine.dialect.name
        self._insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(EventRow)
        self._insert = self._insert.on_conflict_do_nothing(index_elements=[EventRow.id])

    def add(self, event: Event) -> None:
        self._waiting.append(event)
        self._idle.clear()
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="live-recorder")

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    async def _write(self) -> None:
        while self._waiting:
            batch = self._waiting[: self._batch]
            async with self._db.transaction() as db:
                await db.execute(self._insert, [row_values(e) for e in batch])
            del self._waiting[: len(batch)]

    async def _run(self) -> None:
        pause = self._every
        while self._waiting and not self._closing.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), pause)
            try:
                await self._write()
                pause = self._every
            except Exception:  # the database is busy or away: keep the events, try again
                log.exception("live events not written yet", waiting=len(self._waiting))
                pause = min(pause * 2, 5.0)
        self._idle.set()

    async def flush(self) -> None:
        """Wait until every event added so far is in the log."""
        await self._idle.wait()

    async def close(self) -> None:
        """Let a write in flight finish (cancelling it could leave its commit unknown), then
        write what is left."""
        self._closing.set()
        if self._task is not None:
            await self._task
        await self._write()
        self._idle.set()
