"""JSON API for price consent, anonymous reports and session ratings (``/api/v1``)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.catalog.model import ClearanceReason
from sunlit.catalog.schemas import ProductOut
from sunlit.core.text import CleanText
from sunlit.participation import ratings, reports
from sunlit.participation import services as consent
from sunlit.participation.model import PriceRoute
from sunlit.participation.schemas import (
    PriceIn,
    ProposalOut,
    RatingIn,
    RatingOut,
    ReportIn,
    ReportOut,
    ReportReceipt,
    price_change_out,
)
from sunlit.participation.views import proposals_seen_by
from sunlit.web.deps import Kit, PathId

router = APIRouter(prefix="/api/v1", tags=["price consent"])


#: Stays in this module: three contexts have a ``DecisionIn``, so the OpenAPI document names each
#: by its module (``sunlit__participation__api__DecisionIn``) and moving it would rename the schema.
class DecisionIn(BaseModel):
    accept: bool
    clearance: ClearanceReason | None = None
    note: CleanText = Field("", max_length=500)


PRICE_SETTERS = (Role.FARMER, Role.OFFICIAL, Role.OPERATOR)


@router.post(
    "/products/{product_id}/price",
    responses={200: {"model": ProductOut}, 202: {"model": ProposalOut}},
)
async def change_price(
    product_id: PathId, body: PriceIn, work: Work[Kit] = unit(*PRICE_SETTERS)
) -> JSONResponse:
    """The producer's own change applies at once (200); anyone else's is a proposal that waits
    for the producer (202)."""
    route, result = await consent.do_change_price(
        work.db,
        work.actor,
        product_id,
        body.price,
        reason=body.reason,
        clearance=body.clearance,
        now=work.now,
    )
    await work.commit()
    answer = price_change_out(route, result)
    status = 200 if route is PriceRoute.DIRECT else 202
    return JSONResponse(answer.model_dump(mode="json"), status_code=status)


@router.get("/price-proposals", response_model=list[ProposalOut])
async def list_proposals(work: Work[Kit] = unit(*PRICE_SETTERS)) -> list[ProposalOut]:
    """A farmer sees the proposals on their products; others, the proposals they made."""
    return [ProposalOut.of(row) for row in await proposals_seen_by(work.db, work.actor)]


@router.post("/price-proposals/{proposal_id}/decision", response_model=ProposalOut)
async def decide(
    proposal_id: PathId, body: DecisionIn, work: Work[Kit] = unit(Role.FARMER)
) -> ProposalOut:
    row = await consent.do_decide(
        work.db,
        work.actor,
        proposal_id,
        accept=body.accept,
        clearance=body.clearance,
        note=body.note,
        now=work.now,
    )
    await work.commit()
    return ProposalOut.of(row)


@router.post("/reports", status_code=202, response_model=ReportReceipt)
async def file_report(
    body: ReportIn, work: Work[Kit] = unit(Role.FARMER, Role.OFFICIAL, quiet=True)
) -> ReportReceipt:
    """File an anonymous report. Nothing that links it to the caller is stored."""
    row = await reports.do_file_report(
        work.db,
        work.services,
        actor=work.actor,
        category=body.category,
        text=body.text,
        region=body.region,
        session_ref=body.session,
        now=work.now,
    )
    await work.commit()
    return ReportReceipt(received_on=row.received_on)


@router.get("/reports", response_model=list[ReportOut])
async def list_reports(work: Work[Kit] = unit(Role.SUPERVISOR)) -> list[ReportOut]:
    await reports.do_release_reports(work.db, now=work.now, zone=work.services.zone)
    await work.commit()
    return [ReportOut.of(row) for row in await reports.list_reports(work.db)]


@router.post("/plans/{plan_id}/ratings", response_model=RatingOut)
async def rate_session(
    plan_id: PathId, body: RatingIn, work: Work[Kit] = unit(Role.FARMER)
) -> RatingOut:
    """A producer rates a session its produce was on (sales, treatment, payment)."""
    row = await ratings.do_rate(
        work.db, work.actor, plan_id, body.producer, stars=body.stars, text=body.text, now=work.now
    )
    await work.commit()
    return RatingOut.of(row)
