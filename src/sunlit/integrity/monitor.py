"""Detection while a session is on air: the monitor follows the event log, keeps each live
session's events, and every few seconds runs the detectors over what the session has so far.
A new finding opens a case (an alert in the supervisors' queue and a ``case.opened`` event);
a finding that grows refreshes its open case. When the session ends, one last full run, and
the session's verified figures are computed. Each session's events are parsed once, as they
arrive (`reader.StreamBuilder`): a run costs the new events plus the detectors.

What happens to its orders afterwards (payments, refunds, deliveries, complaints, reviews) runs
the detectors over the whole session again, read from the log, at
most once per ``late_every`` seconds, so that refunds and complaints reach the verified figures
and the rules that look at them without waiting for a supervisor's decision."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.services import aware
from sunlit.core.clock import Clock
from sunlit.core.db import Database
from sunlit.core.eventlog import EventType
from sunlit.core.eventlog.services import event_of_row
from sunlit.core.eventlog.tables import EventRow
from sunlit.core.files.store import LocalFileStore
from sunlit.integrity.cases import CaseSource
from sunlit.integrity.engine import run_detectors
from sunlit.integrity.figures import (
    SHARED_TYPES,
    do_refresh_figures,
    figures_key,
    own_session_lines,
)
from sunlit.integrity.model import Finding
from sunlit.integrity.reader import StreamBuilder, read_lines
from sunlit.integrity.services import do_record_findings
from sunlit.integrity.stream import Stream
from sunlit.integrity.tables import VerifiedFiguresRow

log = structlog.get_logger(__name__)


#: What still happens to a session after it ends: to its orders, and the figures announced
#: about it (a newsroom's claim, set against the verified figures by ``hype_gap``).
LATE_TYPES = frozenset(
    {
        EventType.CLAIM_PUBLISHED.value,
        EventType.ORDER_PAID.value,
        EventType.ORDER_CANCELLED.value,
        EventType.ORDER_REFUNDED.value,
        EventType.ORDER_SHIPPED.value,
        EventType.ORDER_DELIVERED.value,
        EventType.ORDER_COMPLETED.value,
        "complaint.filed",
        "review.posted",
    }
)


@dataclass
class Late:
    since: float  # monotonic: when the first event not yet run over arrived
    newest: datetime  # the newest such event's time


@dataclass
class Room:
    pending: list[bytes] = field(default_factory=list)  # read from the log, not yet parsed
    builder: StreamBuilder = field(default_factory=StreamBuilder)  # the session so far, parsed
    fresh: int = 0  # events since the last run
    started: bool = False
    ended: bool = False
    last_event: datetime | None = None
    last_run: float = -1e9  # monotonic seconds


@dataclass
class Step:
    read: int = 0
    runs: int = 0
    opened: list[str] = field(default_factory=list)


def _detect(lines: list[bytes], session: str) -> tuple[Stream, list[Finding]]:
    stream, _ = read_lines(lines, skip_bad=True)
    return stream, run_detectors(stream).get(session, [])


def _detect_more(
    builder: StreamBuilder, lines: list[bytes], session: str
) -> tuple[Stream, list[Finding]]:
    """Parse only what arrived since the last run, then run every detector on the whole."""
    builder.feed(lines)
    stream = builder.snapshot()
    return stream, run_detectors(stream).get(session, [])


async def record_run(
    db: AsyncSession,
    files: LocalFileStore,
    zone: ZoneInfo,
    session: str,
    stream: Stream,
    findings: list[Finding],
    *,
    final: bool,
    now: datetime,
    until: datetime | None,
) -> list[str]:
    """Record one run over a session in ``db``'s transaction: its findings as cases, and after
    a final run its verified figures. Returns the cases it opened."""
    recorded = await do_record_findings(
        db,
        {session: findings},
        source=CaseSource.FINAL if final else CaseSource.LIVE,
        import_id=None,
        now=now,
        evidence_until=until,
    )
    if final:
        await db.flush()
        await do_refresh_figures(
            db, files, zone, import_id=None, session=session, now=now, stream=stream
        )
    return recorded.opened


async def do_final_run(
    db: AsyncSession,
    files: LocalFileStore,
    zone: ZoneInfo,
    session: str,
    *,
    now: datetime,
    until: datetime | None = None,
) -> list[str]:
    """The monitor's full run over an ended session, read from the log, in the caller's
    transaction: every detector, the cases, the verified figures. For a caller that plays a
    session through in one transaction (the demo) rather than waiting for the monitor."""
    lines = await own_session_lines(db, session, zone)
    stream, findings = await asyncio.to_thread(_detect, lines, session)
    return await record_run(
        db, files, zone, session, stream, findings, final=True, now=now, until=until
    )


class Monitor:
    def __init__(
        self,
        db: Database,
        files: LocalFileStore,
        zone: ZoneInfo,
        clock: Clock,
        *,
        every: float = 2.0,
        late_every: float = 600.0,
        batch: int = 5000,
    ) -> None:
        self._db, self._files, self._zone, self._clock = db, files, zone, clock
        self.every, self.late_every, self._batch = every, late_every, batch
        self.late: dict[str, Late] = {}  # finished sessions whose orders moved since
        self.cursor = 0  # the last event_log seq read
        self.shared: list[bytes] = []  # accounts and products, which every session needs
        self.rooms: dict[str, Room] = {}
        self.finished: set[str] = set()  # given their final run: later events are not kept

    async def _read_batch(self) -> int:
        async with self._db.sessions() as db:
            query = select(EventRow).where(EventRow.seq > self.cursor)
            rows = list(await db.scalars(query.order_by(EventRow.seq).limit(self._batch)))
        for row in rows:
            self._take(row)
        if rows:
            self.cursor = rows[-1].seq
        return len(rows)

    def _take(self, row: EventRow) -> None:
        event = event_of_row(row)
        ts, line = event.ts, event.to_json_line(self._zone)
        if row.session is None:
            if row.type in SHARED_TYPES:  # a viewer who signs up mid-session: every room
                self.shared.append(line)
                for open_room in self.rooms.values():
                    open_room.pending.append(line)
            return
        if row.session in self.finished:
            if row.type in LATE_TYPES:
                late = self.late.setdefault(row.session, Late(time.monotonic(), ts))
                late.newest = max(late.newest, ts)
            return
        room = self.rooms.get(row.session)
        if room is None:
            room = self.rooms[row.session] = Room(pending=list(self.shared))
        room.pending.append(line)
        room.fresh += 1
        room.last_event = ts
        if row.type == EventType.SESSION_STARTED:
            room.started = True
        elif row.type == EventType.SESSION_ENDED:
            room.ended = True

    async def step(self) -> Step:
        """Read what the log has gained, batch by batch, giving each session that ended its
        final run as soon as its end is read (so that catching up on a long log holds only the
        sessions still open); then run the detectors on every live session that is due."""
        out = Step()
        while True:
            read = await self._read_batch()
            out.read += read
            for session, room in list(self.rooms.items()):
                if room.ended and room.started:
                    out.runs += 1
                    out.opened += await self._run(session, room)
                elif room.ended:  # filed and closed without going live: nothing to watch
                    self.rooms.pop(session)
                    self.finished.add(session)
            if read < self._batch:
                break
        for session, room in list(self.rooms.items()):
            if not room.started or not room.fresh:
                continue
            if time.monotonic() - room.last_run < self.every:
                continue
            out.runs += 1
            out.opened += await self._run(session, room)
        for session, late in list(self.late.items()):
            if time.monotonic() - late.since >= self.late_every:
                del self.late[session]
                out.runs += 1
                out.opened += await self._run_late(session, late)
        return out

    async def _run_late(self, session: str, late: Late) -> list[str]:
        """The whole session again, read from the log, after its orders moved."""
        async with self._db.sessions() as db:
            figures = await db.get(VerifiedFiguresRow, figures_key(None, session))
            if figures is not None and aware(figures.computed_at) >= late.newest:
                return []  # already counted (a restart catching up on the log)
            lines = await own_session_lines(db, session, self._zone)
        stream, findings = await asyncio.to_thread(_detect, lines, session)
        return await self._record(session, stream, findings, final=True, until=late.newest)

    async def _run(self, session: str, room: Room) -> list[str]:
        room.fresh, room.last_run = 0, time.monotonic()
        final = room.ended
        if final:
            self.rooms.pop(session)
            self.finished.add(session)
            async with self._db.sessions() as db:
                if await db.get(VerifiedFiguresRow, figures_key(None, session)) is not None:
                    return []  # finished before this process started: its final run is done
        pending, room.pending = room.pending, []
        stream, findings = await asyncio.to_thread(_detect_more, room.builder, pending, session)
        return await self._record(session, stream, findings, final=final, until=room.last_event)

    async def _record(
        self,
        session: str,
        stream: Stream,
        findings: list[Finding],
        *,
        final: bool,
        until: datetime | None,
    ) -> list[str]:
        now = self._clock.now()
        async with self._db.transaction() as db:
            opened = await record_run(
                db, self._files, self._zone, session, stream, findings,
                final=final, now=now, until=until,
            )  # fmt: skip
        for case in opened:
            log.warning("integrity alert", case=case, session=session, final=final)
        return opened

    async def run_forever(self) -> None:
        while True:
            started = time.monotonic()
            try:
                await self.step()
            except Exception:
                log.exception("integrity monitor step failed")
            await asyncio.sleep(max(0.2, self.every - (time.monotonic() - started)))
