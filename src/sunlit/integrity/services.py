"""The case queue's use cases: findings become cases (a later run over more of the same
session updates its open cases rather than opening new ones), supervisors assign, annotate,
confirm or dismiss with a reason, and publish; every step is an event in the log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor, Role
from sunlit.accounts.services import find_account
from sunlit.core.errors import N_, InvalidInput, PermissionDenied
from sunlit.core.eventlog import Event, EventType, append
from sunlit.core.files.store import LocalFileStore
from sunlit.core.ids import new_id
from sunlit.integrity.cases import (
    WITHDRAWN_REASON,
    CaseKey,
    CaseSource,
    CaseStatus,
    Decision,
    check_assign,
    check_decision,
    check_note,
    check_publish,
    check_reason,
    match_case,
)
from sunlit.integrity.figures import do_refresh_figures
from sunlit.integrity.model import Finding
from sunlit.integrity.tables import CaseNoteRow, CaseRow
from sunlit.integrity.views import case_by_id

#: One lock number for "cases are being recorded" (PostgreSQL advisory lock), so that two
#: processes running the monitor never open the same case twice.
RECORD_LOCK = 0x5107_0007


@dataclass
class Recorded:
    opened: list[str] = field(default_factory=list)
    updated: int = 0
    kept: int = 0  # matched a decided case, left as the supervisor decided it
    withdrawn: int = 0  # live alerts the full run no longer supports


def _key(row: CaseRow) -> CaseKey:
    return CaseKey(
        row.id, row.rule, frozenset(row.accounts), frozenset(row.orders), frozenset(row.products)
    )


def _fill(row: CaseRow, finding: Finding) -> bool:
    """Write the finding into the case; True when anything in it changed. The document goes
    through JSON first, as the database will keep it (tuples become lists, numpy numbers plain
    ones), so that an unchanged finding compares equal."""
    doc = orjson.loads(orjson.dumps(finding.document(), option=orjson.OPT_SERIALIZE_NUMPY))
    values = {
        "severity": doc["severity"],
        "score": doc["score"],
        "summary": doc["summary"],
        "evidence": doc["evidence"],
        "accounts": doc["accounts"],
        "orders": doc["orders"],
        "products": doc["products"],
    }
    changed = any(getattr(row, key, None) != value for key, value in values.items())
    for key, value in values.items():
        setattr(row, key, value)
    return changed


def _event(
    kind: EventType, row: CaseRow, now: datetime, actor: str | None, **data: object
) -> Event:
    return Event(
        kind,
        now,
        {"case": row.id, "rule": row.rule, **data},
        actor=actor,
        session=row.session if row.import_id is None else None,
    )


async def do_record_findings(
    db: AsyncSession,
    found: dict[str, list[Finding]],
    *,
    source: CaseSource,
    import_id: str | None,
    now: datetime,
    evidence_until: datetime | None = None,
) -> Recorded:
    """Open a case for each new finding; refresh the open case a finding continues."""
    if db.get_bind().dialect.name == "postgresql":
        await db.execute(text("SELECT pg_advisory_xact_lock(:n)"), {"n": RECORD_LOCK})
    out = Recorded()
    for session, findings in found.items():
        if not findings and source is not CaseSource.FINAL:
            continue
        # `== None` is rendered IS NULL: Sunlit's own sessions, or one import's
        query = select(CaseRow).where(
            CaseRow.session == session,
            CaseRow.import_id == import_id,
            CaseRow.source != CaseSource.CONCERN,  # a concern's case is its own
        )
        rows = list(await db.scalars(query))
        by_id = {row.id: row for row in rows}
        seen: set[str] = set()
        for finding in findings:
            matched = match_case(finding, [_key(row) for row in by_id.values()])
            if matched is not None:
                seen.add(matched)
                row = by_id[matched]
                if row.status != CaseStatus.OPEN or row.published_at is not None:
                    out.kept += 1
                    continue
                if _fill(row, finding):  # the same finding again is not a revision
                    row.revisions += 1
                    row.updated_at = now
                    out.updated += 1
                row.source, row.evidence_until = source, evidence_until
                continue
            row = CaseRow(
                id=new_id("c"),
                session=session,
                import_id=import_id,
                source=source.value,
                rule=finding.rule,
                status=CaseStatus.OPEN.value,
                detected_at=now,
                updated_at=now,
                evidence_until=evidence_until,
                revisions=1,
            )
            _fill(row, finding)
            db.add(row)
            by_id[row.id] = row
            out.opened.append(row.id)
            seen.add(row.id)
            append(
                db,
                _event(
                    EventType.CASE_OPENED,
                    row,
                    now,
                    None,
                    severity=row.severity,
                    source=source.value,
                ),
            )
        if source is CaseSource.FINAL:
            out.withdrawn += _withdraw(db, [r for r in rows if r.id not in seen], now)
    return out


def _withdraw(db: AsyncSession, rows: list[CaseRow], now: datetime) -> int:
    """Live alerts the full run does not support are withdrawn, with the reason, unless a
    supervisor has already decided them."""
    count = 0
    for row in rows:
        if row.status != CaseStatus.OPEN or row.source != CaseSource.LIVE:
            continue
        row.status, row.reason = CaseStatus.WITHDRAWN, WITHDRAWN_REASON
        row.decided_at = row.updated_at = now
        append(db, _event(EventType.CASE_WITHDRAWN, row, now, None))
        count += 1
    return count


async def do_open_case(
    db: AsyncSession,
    *,
    session: str,
    rule: str,
    summary: str,
    products: list[str],
    orders: list[str],
    evidence: dict[str, object],
    actor: Actor,
    now: datetime,
) -> CaseRow:
    """A supervisor opens a case from a public concern (disclosure's escalation): always a
    case of its own, source ``concern``, which the engine's runs neither continue nor
    withdraw."""
    _supervisor(actor)
    row = CaseRow(
        id=new_id("c"),
        session=session,
        import_id=None,
        source=CaseSource.CONCERN.value,
        rule=rule,
        severity="medium",
        score=0.5,
        summary=summary,
        evidence=evidence,
        accounts=[],
        orders=sorted(orders),
        products=sorted(products),
        status=CaseStatus.OPEN.value,
        detected_at=now,
        updated_at=now,
        evidence_until=None,
        revisions=1,
    )
    db.add(row)
    append(
        db,
        _event(
            EventType.CASE_OPENED,
            row,
            now,
            actor.id,
            severity=row.severity,
            source=CaseSource.CONCERN.value,
        ),
    )
    return row


def _supervisor(actor: Actor) -> None:
    if actor.role != Role.SUPERVISOR:
        raise PermissionDenied(N_("Only supervisors work the case queue."))


async def do_assign(
    db: AsyncSession, case_id: str, *, actor: Actor, assignee: str, now: datetime
) -> CaseRow:
    _supervisor(actor)
    row = await case_by_id(db, case_id, lock=True)
    check_assign(row.status, row.published_at is not None)
    target = await find_account(db, assignee)
    if target is None or target.role != Role.SUPERVISOR:
        raise InvalidInput(
            N_("Please correct the marked fields."),
            fields={"assignee": N_("Choose a supervisor from the list.")},
        )
    row.assignee_id, row.updated_at = target.id, now
    append(db, _event(EventType.CASE_ASSIGNED, row, now, actor.id, assignee=target.id))
    return row


async def do_add_note(
    db: AsyncSession, case_id: str, *, actor: Actor, text_: str, now: datetime
) -> CaseNoteRow:
    _supervisor(actor)
    row = await case_by_id(db, case_id)
    note = CaseNoteRow(
        id=new_id("n"), case_id=row.id, author_id=actor.id, text=check_note(text_), created_at=now
    )
    db.add(note)
    append(db, _event(EventType.CASE_NOTED, row, now, actor.id, note=note.id))
    return note


async def do_decide(
    db: AsyncSession,
    case_id: str,
    *,
    actor: Actor,
    decision: Decision,
    reason: str,
    now: datetime,
    files: LocalFileStore,
    zone: ZoneInfo,
) -> CaseRow:
    """Confirm or dismiss, with the reason kept; the session's verified figures follow."""
    _supervisor(actor)
    row = await case_by_id(db, case_id, lock=True)
    check_decision(row.status, row.assignee_id, actor.id)
    kept = check_reason(reason)
    row.status = CaseStatus.CONFIRMED if decision is Decision.CONFIRM else CaseStatus.DISMISSED
    row.assignee_id = row.assignee_id or actor.id
    row.decided_by, row.decided_at, row.reason, row.updated_at = actor.id, now, kept, now
    kind = EventType.CASE_CONFIRMED if decision is Decision.CONFIRM else EventType.CASE_DISMISSED
    append(db, _event(kind, row, now, actor.id, reason=kept))
    await db.flush()
    await do_refresh_figures(db, files, zone, import_id=row.import_id, session=row.session, now=now)
    return row


async def do_publish(db: AsyncSession, case_id: str, *, actor: Actor, now: datetime) -> CaseRow:
    _supervisor(actor)
    row = await case_by_id(db, case_id, lock=True)
    check_publish(row.status, row.published_at is not None, row.decided_by, actor.id)
    row.published_by, row.published_at, row.updated_at = actor.id, now, now
    append(db, _event(EventType.CASE_PUBLISHED, row, now, actor.id))
    return row
