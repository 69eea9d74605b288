"""JSON API of concerns (``/api/v1``): raise (anyone; the public through a rate limit, on a
session), read in public summary, answer (the named party), judge and publish a summary
(supervisors), rate (the author)."""

from __future__ import annotations

from fastapi import APIRouter

from sunlit.accounts.access import origin_of
from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.disclosure.concerns import services, views
from sunlit.disclosure.concerns.model import Counters
from sunlit.disclosure.concerns.schemas import (
    ConcernAnswerIn,
    ConcernDecisionIn,
    ConcernIn,
    ConcernRatingIn,
    ConcernSummaryIn,
    MyConcerns,
)
from sunlit.disclosure.concerns.views import ConcernView, PublicConcern
from sunlit.web.deps import Kit, PathId

router = APIRouter(prefix="/api/v1", tags=["concerns"])


async def _view(work: Work[Kit], concern_id: str) -> ConcernView:
    return await views.concern_view(work.db, concern_id, work.principal.account, now=work.now)


@router.post("/concerns", status_code=201, response_model=ConcernView)
async def raise_concern(body: ConcernIn, work: Work[Kit] = unit("public")) -> ConcernView:
    """Raise a concern; the named party is derived (the host official's office for a session,
    the producer for a product or an order). 404 for an unknown subject, 429 past the public
    limits."""
    row = await services.do_raise(
        work.db,
        work.services,
        actor=work.principal.account,
        subject=body.subject,
        ref=body.ref,
        session=body.session,
        category=body.category,
        text=body.text,
        anonymous=body.anonymous,
        photos=[],
        ip=origin_of(work.request).ip,
        now=work.now,
    )
    await work.commit()
    return await _view(work, row.id)


@router.get("/concerns", response_model=list[PublicConcern])
async def list_concerns(
    session: str | None = None, work: Work[Kit] = unit("public")
) -> list[PublicConcern]:
    """Concerns in public summary: a session's (``?session=``), or the latest."""
    if session:
        return list((await views.session_concerns(work.db, session, now=work.now)).concerns)
    return await views.recent(work.db, now=work.now)


@router.get("/concern-counters", response_model=dict[str, Counters])
async def counters(work: Work[Kit] = unit("public")) -> dict[str, Counters]:
    """Per region (GB/T 2260 code): raised, answered in time, upheld, corrections."""
    return await views.region_counters(work.db)


@router.get("/me/concerns", response_model=MyConcerns)
async def my_concerns(work: Work[Kit] = unit("signed_in")) -> MyConcerns:
    """Those the caller must answer, and those the caller raised."""
    return MyConcerns(
        to_answer=await views.concerns_to_answer(work.db, work.actor, now=work.now),
        raised=await views.concerns_raised_by(work.db, work.actor, now=work.now),
    )


@router.get("/concern-queue", response_model=list[PublicConcern])
async def concern_queue(work: Work[Kit] = unit(Role.SUPERVISOR)) -> list[PublicConcern]:
    """Undecided concerns, overdue first."""
    return await views.supervisor_queue(work.db, now=work.now)


@router.get("/concerns/{concern_id}", response_model=ConcernView)
async def get_concern(concern_id: PathId, work: Work[Kit] = unit("public")) -> ConcernView:
    """The public summary; ``private`` (text, photos) only for the author, the named party
    and supervisors."""
    return await _view(work, concern_id)


@router.post("/concerns/{concern_id}/answer", response_model=ConcernView)
async def answer(
    concern_id: PathId,
    body: ConcernAnswerIn,
    work: Work[Kit] = unit(Role.OFFICIAL, Role.FARMER),
) -> ConcernView:
    """The named party's public answer; 403 for anyone else."""
    await services.do_answer(
        work.db, work.actor, concern_id, kind=body.kind, text=body.text, now=work.now
    )
    await work.commit()
    return await _view(work, concern_id)


@router.post("/concerns/{concern_id}/decision", response_model=ConcernView)
async def decide(
    concern_id: PathId, body: ConcernDecisionIn, work: Work[Kit] = unit(Role.SUPERVISOR)
) -> ConcernView:
    """Accept the answer, ask again (a new deadline), or escalate to an integrity case."""
    await services.do_judge(
        work.db,
        work.services,
        work.actor,
        concern_id,
        step=body.step,
        note=body.note,
        now=work.now,
    )
    await work.commit()
    return await _view(work, concern_id)


@router.post("/concerns/{concern_id}/rating", response_model=ConcernView)
async def rate(
    concern_id: PathId, body: ConcernRatingIn, work: Work[Kit] = unit("signed_in")
) -> ConcernView:
    """The author rates the answer 1–5, once; 403 for anyone else."""
    await services.do_rate(work.db, work.actor, concern_id, stars=body.stars, now=work.now)
    await work.commit()
    return await _view(work, concern_id)


@router.post("/concerns/{concern_id}/summary", response_model=ConcernView)
async def publish(
    concern_id: PathId, body: ConcernSummaryIn, work: Work[Kit] = unit(Role.SUPERVISOR)
) -> ConcernView:
    """Publish a redacted summary of the concern's text."""
    await services.do_publish(work.db, work.actor, concern_id, summary=body.summary, now=work.now)
    await work.commit()
    return await _view(work, concern_id)
