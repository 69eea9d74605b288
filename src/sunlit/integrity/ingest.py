"""A stream from elsewhere (``POST /api/v1/events``, or the queue page's upload): read it as
``sunlit integrity analyze`` does, keep the file, open a case per finding and compute each
session's verified figures."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor, Role
from sunlit.core.errors import N_, InvalidInput, PermissionDenied
from sunlit.core.eventlog import Event, EventType, append
from sunlit.core.files.store import LocalFileStore
from sunlit.core.ids import new_id
from sunlit.integrity.cases import CaseSource
from sunlit.integrity.engine import findings_document, run_detectors
from sunlit.integrity.figures import do_refresh_figures
from sunlit.integrity.model import Finding
from sunlit.integrity.reader import ReadReport, StreamRefused, read_lines
from sunlit.integrity.services import do_record_findings
from sunlit.integrity.stream import Stream
from sunlit.integrity.tables import StreamImportRow

IMPORTERS = (Role.SUPERVISOR.value, Role.OPERATOR.value)
SKIPPED_KEPT = 100


@dataclass
class Imported:
    row: StreamImportRow
    report: ReadReport
    document: dict[str, Any]
    opened: list[str]


def _analyse(data: bytes, skip_bad: bool) -> tuple[Stream, ReadReport, dict[str, list[Finding]]]:
    stream, report = read_lines(data.splitlines(keepends=True), skip_bad=skip_bad)
    return stream, report, run_detectors(stream)


def refused(exc: StreamRefused) -> InvalidInput:
    report = exc.report
    first = report.bad[0] if report.bad else None
    return InvalidInput(
        N_(
            "The stream was not imported: %(count)s lines cannot be read, the first at %(first)s. "
            "Correct them, or import again skipping bad lines to analyse the rest."
        ),
        params={"count": report.bad_count, "first": str(first) if first else ""},
    )


async def do_import(
    db: AsyncSession,
    files: LocalFileStore,
    zone: ZoneInfo,
    *,
    data: bytes,
    filename: str,
    actor: Actor,
    skip_bad: bool,
    now: datetime,
) -> Imported:
    if actor.role not in IMPORTERS:
        raise PermissionDenied(N_("Only supervisors and operators import event streams."))
    try:  # reading and detecting take seconds on a big file: off the event loop
        stream, report, found = await asyncio.to_thread(_analyse, data, skip_bad)
    except StreamRefused as exc:
        raise refused(exc) from None
    sha256 = hashlib.sha256(data).hexdigest()
    await files.write(sha256, data)
    row = StreamImportRow(
        id=new_id("i"),
        imported_by=actor.id,
        imported_at=now,
        filename=filename[:200] or "events.jsonl",
        sha256=sha256,
        size=len(data),
        events=report.events,
        duplicates=report.duplicates,
        skipped=[str(bad) for bad in report.bad[:SKIPPED_KEPT]],
        skipped_count=report.bad_count,
        sessions=len(stream.sessions),
        findings=sum(len(f) for f in found.values()),
    )
    db.add(row)
    await db.flush()
    recorded = await do_record_findings(
        db, found, source=CaseSource.IMPORT, import_id=row.id, now=now
    )
    await db.flush()
    for session in stream.sessions:
        await do_refresh_figures(
            db, files, zone, import_id=row.id, session=session, now=now, stream=stream
        )
    append(
        db,
        Event(
            EventType.EVENTS_IMPORTED,
            now,
            {
                "import": row.id,
                "sha256": sha256,
                "events": row.events,
                "skipped": row.skipped_count,
                "sessions": row.sessions,
                "findings": row.findings,
            },
            actor=actor.id,
        ),
    )
    return Imported(row, report, findings_document(found), recorded.opened)
