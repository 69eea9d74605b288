"""JSON API of the integrity engine (``/api/v1``): importing an event stream, the supervisors'
case queue, and the published findings everyone may read."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.core.text import CleanText, printable
from sunlit.integrity import actions, views
from sunlit.integrity import services as cases
from sunlit.integrity.cases import Decision
from sunlit.integrity.schemas import (
    AssignIn,
    NoteIn,
    case_json,
    case_with_notes_json,
    finding_json,
    import_json,
)
from sunlit.web.deps import Kit, PathId

router = APIRouter(prefix="/api/v1", tags=["integrity"])
#: The stream import takes files up to the upload size, not the usual request size.
uploads = APIRouter(prefix="/api/v1", tags=["integrity"])
SUPERVISOR = Role.SUPERVISOR


# Stays here: another context's API has a ``DecisionIn`` too, and the OpenAPI document names
# both by their module (``sunlit__integrity__api__DecisionIn``).
class DecisionIn(BaseModel):
    decision: Decision
    reason: CleanText = Field(max_length=2000)


@uploads.post("/events", status_code=201)
async def import_events(
    skip_bad: bool = Query(False, description="Analyse the rest when some lines are bad"),
    filename: str = Query("events.jsonl", max_length=200),
    work: Work[Kit] = unit(Role.SUPERVISOR, Role.OPERATOR),
) -> dict[str, Any]:
    """Import an event stream (docs/events.md, JSON Lines in the body): the file is kept, each
    finding opens a case in the supervisors' queue, and the findings document is returned."""
    data = await work.request.body()
    done = await actions.import_stream(work, data, printable(filename), skip_bad)
    await work.commit()
    return import_json(done)


@router.get("/cases")
async def list_cases(
    status: str | None = Query(None, pattern="^(open|confirmed|dismissed|withdrawn|published)$"),
    work: Work[Kit] = unit(SUPERVISOR),
) -> list[dict[str, Any]]:
    """The case queue, newest first (at most 200)."""
    zone = work.services.zone
    return [case_json(row, zone) for row in await views.list_cases(work.db, status=status)]


async def _one(work: Work[Kit], case_id: str) -> dict[str, Any]:
    """The case with its notes, as the supervisors see it."""
    row = await views.case_by_id(work.db, case_id)
    notes = await views.case_notes(work.db, case_id)
    return case_with_notes_json(row, notes, work.services.zone)


async def _stored(work: Work[Kit], case_id: str) -> dict[str, Any]:
    """Commit a step on the case, and answer with the case as it now is."""
    await work.commit()
    return await _one(work, case_id)


@router.get("/cases/{case_id}")
async def get_case(case_id: PathId, work: Work[Kit] = unit(SUPERVISOR)) -> dict[str, Any]:
    return await _one(work, case_id)


@router.post("/cases/{case_id}/assign")
async def assign(
    case_id: PathId, body: AssignIn, work: Work[Kit] = unit(SUPERVISOR)
) -> dict[str, Any]:
    await cases.do_assign(work.db, case_id, actor=work.actor, assignee=body.assignee, now=work.now)
    return await _stored(work, case_id)


@router.post("/cases/{case_id}/notes", status_code=201)
async def add_note(
    case_id: PathId, body: NoteIn, work: Work[Kit] = unit(SUPERVISOR)
) -> dict[str, Any]:
    await cases.do_add_note(work.db, case_id, actor=work.actor, text_=body.text, now=work.now)
    return await _stored(work, case_id)


@router.post("/cases/{case_id}/decision")
async def decide(
    case_id: PathId, body: DecisionIn, work: Work[Kit] = unit(SUPERVISOR)
) -> dict[str, Any]:
    """Confirm or dismiss, with the reason; the session's verified figures are recomputed."""
    await actions.decide(work, case_id, body.decision, body.reason)
    return await _stored(work, case_id)


@router.post("/cases/{case_id}/publish")
async def publish(case_id: PathId, work: Work[Kit] = unit(SUPERVISOR)) -> dict[str, Any]:
    """Publish a confirmed finding (by a second supervisor): it appears on the public portal."""
    await cases.do_publish(work.db, case_id, actor=work.actor, now=work.now)
    return await _stored(work, case_id)


@router.get("/findings")
async def published_findings(work: Work[Kit] = unit("public")) -> list[dict[str, Any]]:
    """Published findings, newest first, each with its session's verified figures."""
    rows, figures = await views.published_findings(work.db)
    return [finding_json(row, figures[row.id], work.services.zone) for row in rows]
