"""JSON API for price consent (``/api/v1``)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.access import Principal, allow
from sunlit.accounts.model import Role
from sunlit.catalog import producers as producer_service
from sunlit.catalog import products as catalog
from sunlit.catalog.model import ClearanceReason
from sunlit.catalog.schemas import ProductOut
from sunlit.core.ids import ID_PATTERN
from sunlit.core.text import CleanText
from sunlit.participation import ratings, reports
from sunlit.participation import services as consent
from sunlit.participation.model import PriceRoute, ReportCategory
from sunlit.participation.schemas import ProposalOut, price_change_out
from sunlit.web.deps import PathId, get_db, get_services

router = APIRouter(prefix="/api/v1", tags=["price consent"])


class PriceIn(BaseModel):
    price: int = Field(ge=-(2**62), le=2**62)
    reason: CleanText = Field("", max_length=1000)
    clearance: ClearanceReason | None = None


class DecisionIn(BaseModel):
    accept: bool
    clearance: ClearanceReason | None = None
    note: CleanText = Field("", max_length=500)


@router.post(
    "/products/{product_id}/price",
    responses={200: {"model": ProductOut}, 202: {"model": ProposalOut}},
)
async def change_price(
    product_id: PathId,
    body: PriceIn,
    request: Request,
    principal: Principal = allow(Role.FARMER, Role.OFFICIAL, Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> JSONResponse:
    """The producer's own change applies at once (200); anyone else's is a proposal that waits
    for the producer (202)."""
    route, result = await consent.do_change_price(
        db,
        principal.require(),
        product_id,
        body.price,
        reason=body.reason,
        clearance=body.clearance,
        now=get_services(request).clock.now(),
    )
    await db.commit()
    answer = price_change_out(route, result)
    status = 200 if route is PriceRoute.DIRECT else 202
    return JSONResponse(answer.model_dump(mode="json"), status_code=status)


@router.get("/price-proposals", response_model=list[ProposalOut])
async def list_proposals(
    principal: Principal = allow(Role.FARMER, Role.OFFICIAL, Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> list[ProposalOut]:
    """A farmer sees the proposals on their products; others, the proposals they made."""
    account = principal.require()
    if account.role == Role.FARMER:
        producers = await producer_service.list_producers(db, manager=account.id)
        products = await catalog.list_products(db, producer_ids=[p.id for p in producers])
        rows = await consent.proposals_for_products(db, [p.id for p in products])
    else:
        rows = await consent.proposals_by(db, account.id)
    return [ProposalOut.of(row) for row in rows]


@router.post("/price-proposals/{proposal_id}/decision", response_model=ProposalOut)
async def decide(
    proposal_id: PathId,
    body: DecisionIn,
    request: Request,
    principal: Principal = allow(Role.FARMER),
    db: AsyncSession = Depends(get_db),
) -> ProposalOut:
    row = await consent.do_decide(
        db,
        principal.require(),
        proposal_id,
        accept=body.accept,
        clearance=body.clearance,
        note=body.note,
        now=get_services(request).clock.now(),
    )
    await db.commit()
    return ProposalOut.of(row)


class ReportIn(BaseModel):
    category: ReportCategory
    text: CleanText = Field(max_length=8000)
    region: str | None = Field(None, pattern=r"^\d{6}$")
    session: CleanText | None = Field(None, max_length=64, description="a live session id")


class ReportReceipt(BaseModel):
    received_on: date


class ReportOut(BaseModel):
    category: ReportCategory
    text: str
    region: str | None
    session: str | None
    received_on: date


@router.post("/reports", status_code=202, response_model=ReportReceipt)
async def file_report(
    body: ReportIn,
    request: Request,
    principal: Principal = allow(Role.FARMER, Role.OFFICIAL, quiet=True),
    db: AsyncSession = Depends(get_db),
) -> ReportReceipt:
    """File an anonymous report. Nothing that links it to the caller is stored."""
    services = get_services(request)
    row = await reports.do_file_report(
        db,
        services.attempts,
        actor=principal.require(),
        category=body.category,
        text=body.text,
        region=body.region,
        session_ref=body.session,
        now=services.clock.now(),
        zone=services.zone,
        secret=services.settings.secret_key,
        per_day=services.settings.anonymous_reports_per_day,
    )
    await db.commit()
    return ReportReceipt(received_on=row.received_on)


@router.get("/reports", response_model=list[ReportOut])
async def list_reports(
    request: Request,
    principal: Principal = allow(Role.SUPERVISOR),
    db: AsyncSession = Depends(get_db),
) -> list[ReportOut]:
    services = get_services(request)
    await reports.do_release_reports(db, now=services.clock.now(), zone=services.zone)
    await db.commit()
    return [
        ReportOut(
            category=ReportCategory(r.category),
            text=r.text,
            region=r.region,
            session=r.session_ref,
            received_on=r.received_on,
        )
        for r in await reports.list_reports(db)
    ]


class RatingIn(BaseModel):
    producer: str = Field(pattern=ID_PATTERN)
    stars: int = Field(ge=-(2**31), le=2**31)
    text: CleanText = Field("", max_length=4000)


class RatingOut(BaseModel):
    plan: str
    producer: str
    stars: int
    text: str


@router.post("/plans/{plan_id}/ratings", response_model=RatingOut)
async def rate_session(
    plan_id: PathId,
    body: RatingIn,
    request: Request,
    principal: Principal = allow(Role.FARMER),
    db: AsyncSession = Depends(get_db),
) -> RatingOut:
    """A producer rates a session its produce was on (sales, treatment, payment)."""
    row = await ratings.do_rate(
        db,
        principal.require(),
        plan_id,
        body.producer,
        stars=body.stars,
        text=body.text,
        now=get_services(request).clock.now(),
    )
    await db.commit()
    return RatingOut(plan=row.plan_id, producer=row.producer_id, stars=row.stars, text=row.text)
