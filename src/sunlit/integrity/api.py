"""JSON API of the integrity engine (``/api/v1``): importing an event stream, the supervisors'
case queue, and the published findings everyone may read."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.access import Principal, allow
from sunlit.accounts.model import Role
from sunlit.accounts.services import aware
from sunlit.core.clock import to_rfc3339
from sunlit.core.text import CleanText, printable
from sunlit.integrity import services as cases
from sunlit.integrity import views
from sunlit.integrity.cases import Decision
from sunlit.integrity.figures import figures_key
from sunlit.integrity.ingest import do_import
from sunlit.integrity.views import Case, Figures
from sunlit.web.deps import PathId, get_db, get_services

router = APIRouter(prefix="/api/v1", tags=["integrity"])
#: The stream import takes files up to the upload size, not the usual request size.
uploads = APIRouter(prefix="/api/v1", tags=["integrity"])


def case_json(request: Request, row: Case, *, public: bool = False) -> dict[str, Any]:
    zone = get_services(request).zone

    def when(value: Any) -> str | None:
        return to_rfc3339(aware(value), zone) if value is not None else None

    out: dict[str, Any] = {
        "id": row.id,
        "session": row.session,
        "import": row.import_id,
        "rule": row.rule,
        "severity": row.severity,
        "score": row.score,
        "summary": row.summary,
        "products": row.products,
        "status": row.status,
        "reason": row.reason,
        "decided_at": when(row.decided_at),
        "published_at": when(row.published_at),
        "detected_at": when(row.detected_at),
    }
    if public:  # the public sees how many accounts and orders, never which (buyers of a
        # forced quota are its victims); the evidence stays with the supervisors
        out.update(accounts_named=len(row.accounts), orders_named=len(row.orders))
    else:
        out.update(
            evidence=row.evidence,
            accounts=row.accounts,
            orders=row.orders,
            source=row.source,
            assignee=row.assignee_id,
            decided_by=row.decided_by,
            published_by=row.published_by,
            updated_at=when(row.updated_at),
            evidence_until=when(row.evidence_until),
            revisions=row.revisions,
        )
    return out


@uploads.post("/events", status_code=201)
async def import_events(
    request: Request,
    skip_bad: bool = Query(False, description="Analyse the rest when some lines are bad"),
    filename: str = Query("events.jsonl", max_length=200),
    principal: Principal = allow(Role.SUPERVISOR, Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> dict[str, Any]:
    """Import an event stream (docs/events.md, JSON Lines in the body): the file is kept, each
    finding opens a case in the supervisors' queue, and the findings document is returned."""
    services = get_services(request)
    done = await do_import(
        db,
        services.files,
        services.zone,
        data=await request.body(),
        filename=printable(filename),
        actor=principal.require(),
        skip_bad=skip_bad,
        now=services.clock.now(),
    )
    await db.commit()
    report = done.report
    return {
        "import": done.row.id,
        "sha256": done.row.sha256,
        "events": report.events,
        "duplicates": report.duplicates,
        "out_of_order": report.out_of_order,
        "skipped": report.bad_count,
        "skipped_lines": [str(bad) for bad in report.bad],
        "sessions": done.row.sessions,
        "cases_opened": done.opened,
        "findings": done.document,
    }


@router.get("/cases")
async def list_cases(
    request: Request,
    status: str | None = Query(None, pattern="^(open|confirmed|dismissed|withdrawn|published)$"),
    principal: Principal = allow(Role.SUPERVISOR),
    db: AsyncSession = Depends(get_db),
) -> list[dict[str, Any]]:
    """The case queue, newest first (at most 200)."""
    return [case_json(request, row) for row in await views.list_cases(db, status=status)]


async def _one(request: Request, db: AsyncSession, case_id: str) -> dict[str, Any]:
    row = await views.case_by_id(db, case_id)
    notes = await views.case_notes(db, case_id)
    zone = get_services(request).zone
    return {
        **case_json(request, row),
        "notes": [
            {
                "id": n.id,
                "author": n.author_id,
                "text": n.text,
                "at": to_rfc3339(aware(n.created_at), zone),
            }
            for n in notes
        ],
    }


@router.get("/cases/{case_id}")
async def get_case(
    case_id: PathId,
    request: Request,
    principal: Principal = allow(Role.SUPERVISOR),
    db: AsyncSession = Depends(get_db),
) -> dict[str, Any]:
    return await _one(request, db, case_id)


class AssignIn(BaseModel):
    assignee: str = Field(max_length=40)


@router.post("/cases/{case_id}/assign")
async def assign(
    case_id: PathId,
    body: AssignIn,
    request: Request,
    principal: Principal = allow(Role.SUPERVISOR),
    db: AsyncSession = Depends(get_db),
) -> dict[str, Any]:
    now = get_services(request).clock.now()
    await cases.do_assign(db, case_id, actor=principal.require(), assignee=body.assignee, now=now)
    await db.commit()
    return await _one(request, db, case_id)


class NoteIn(BaseModel):
    text: CleanText = Field(max_length=4000)


@router.post("/cases/{case_id}/notes", status_code=201)
async def add_note(
    case_id: PathId,
    body: NoteIn,
    request: Request,
    principal: Principal = allow(Role.SUPERVISOR),
    db: AsyncSession = Depends(get_db),
) -> dict[str, Any]:
    now = get_services(request).clock.now()
    await cases.do_add_note(db, case_id, actor=principal.require(), text_=body.text, now=now)
    await db.commit()
    return await _one(request, db, case_id)


class DecisionIn(BaseModel):
    decision: Decision
    reason: CleanText = Field(max_length=2000)


@router.post("/cases/{case_id}/decision")
async def decide(
    case_id: PathId,
    body: DecisionIn,
    request: Request,
    principal: Principal = allow(Role.SUPERVISOR),
    db: AsyncSession = Depends(get_db),
) -> dict[str, Any]:
    """Confirm or dismiss, with the reason; the session's verified figures are recomputed."""
    services = get_services(request)
    await cases.do_decide(
        db,
        case_id,
        actor=principal.require(),
        decision=body.decision,
        reason=body.reason,
        now=services.clock.now(),
        files=services.files,
        zone=services.zone,
    )
    await db.commit()
    return await _one(request, db, case_id)


@router.post("/cases/{case_id}/publish")
async def publish(
    case_id: PathId,
    request: Request,
    principal: Principal = allow(Role.SUPERVISOR),
    db: AsyncSession = Depends(get_db),
) -> dict[str, Any]:
    """Publish a confirmed finding (by a second supervisor): it appears on the public portal."""
    now = get_services(request).clock.now()
    await cases.do_publish(db, case_id, actor=principal.require(), now=now)
    await db.commit()
    return await _one(request, db, case_id)


def figures_json(row: Figures | None) -> dict[str, Any] | None:
    return dict(row.figures) if row is not None else None


@router.get("/findings")
async def published_findings(
    request: Request,
    principal: Principal = allow("public"),
    db: AsyncSession = Depends(get_db),
) -> list[dict[str, Any]]:
    """Published findings, newest first, each with its session's verified figures."""
    rows = await views.published_cases(db)
    figures = await views.figures_of(db, {figures_key(r.import_id, r.session) for r in rows})
    return [
        {
            **case_json(request, row, public=True),
            "verified_figures": figures_json(figures.get(figures_key(row.import_id, row.session))),
        }
        for row in rows
    ]
