"""JSON API for session plans (``/api/v1/plans``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.access import Principal, allow
from sunlit.accounts.model import Role
from sunlit.accounts.services import aware
from sunlit.core.clock import Moment
from sunlit.core.ids import ID_PATTERN
from sunlit.core.text import CleanText
from sunlit.filing import services as filing
from sunlit.filing.model import Partner, PartnerKind, Plan, PlanDraft, PlanStatus, Purpose, TeamRole
from sunlit.filing.views import access_plan, plan_history, plan_parts, plan_team
from sunlit.web.deps import PathId, get_db, get_services

router = APIRouter(prefix="/api/v1", tags=["filing"])
Id = Annotated[str, Field(pattern=ID_PATTERN)]
READERS = (Role.OFFICIAL, Role.SUPERVISOR, Role.OPERATOR)


class PartnerIn(BaseModel):
    name: CleanText = Field(max_length=240)
    kind: PartnerKind
    relationship: CleanText | None = Field(None, max_length=200)
    public_interest: CleanText | None = Field(None, max_length=500)


class TeamMemberIn(BaseModel):
    account: Id
    role: TeamRole


class PlanIn(BaseModel):
    title: CleanText = Field(max_length=240)
    starts_at: Moment
    ends_at: Moment
    products: list[Id] = Field(max_length=50)
    partners: list[PartnerIn] = Field(default_factory=list, max_length=20)
    purpose: Purpose = Purpose.REGIONAL_BRAND
    answers_report: str | None = Field(None, pattern=ID_PATTERN)
    promotions: CleanText = Field("", max_length=4000)
    declares_no_payment: bool = False
    team: list[TeamMemberIn] = Field(default_factory=list, max_length=10)

    def draft(self) -> PlanDraft:
        return PlanDraft(
            title=self.title,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            product_ids=tuple(self.products),
            partners=tuple(
                Partner(p.name, p.kind, p.relationship, p.public_interest) for p in self.partners
            ),
            purpose=self.purpose,
            answers_report=self.answers_report,
            promotions=self.promotions,
            declares_no_payment=self.declares_no_payment,
            team=tuple((member.account, member.role) for member in self.team),
        )


class DecisionIn(BaseModel):
    reason: CleanText = Field(max_length=2000)


class PlanOut(BaseModel):
    id: str
    official_id: str
    title: str
    starts_at: datetime
    ends_at: datetime
    status: PlanStatus
    purpose: Purpose
    products: list[str]
    partners: list[PartnerIn]
    team: list[TeamMemberIn]
    findings: list[dict[str, Any]]
    stream_key: str | None = Field(None, description="for the official, once approved")
    history: list[dict[str, Any]] = Field(default_factory=list)


async def plan_out(request: Request, db: AsyncSession, plan: Plan, viewer_id: str) -> PlanOut:
    products, partners = await plan_parts(db, plan.id)
    team = await plan_team(db, plan.id)
    events = await plan_history(db, plan.id)
    key = None
    if plan.stream_nonce and viewer_id == plan.official_id:
        key = filing.stream_key(
            get_services(request).settings.secret_key, plan.id, plan.stream_nonce
        )
    return PlanOut(
        id=plan.id,
        official_id=plan.official_id,
        title=plan.title,
        starts_at=aware(plan.starts_at),
        ends_at=aware(plan.ends_at),
        status=PlanStatus(plan.status),
        purpose=Purpose(plan.purpose),
        products=products,
        partners=[
            PartnerIn(
                name=p.name,
                kind=PartnerKind(p.kind),
                relationship=p.relationship,
                public_interest=p.public_interest,
            )
            for p in partners
        ],
        team=[TeamMemberIn(account=account, role=role) for account, role in team],
        findings=list(plan.findings or []),
        stream_key=key,
        history=[
            {"type": e.type, "actor": e.actor, "ts": aware(e.ts).isoformat(), "data": e.data}
            for e in events
        ],
    )


@router.post("/plans", status_code=201, response_model=PlanOut)
async def create_plan(
    body: PlanIn,
    request: Request,
    principal: Principal = allow(Role.OFFICIAL),
    db: AsyncSession = Depends(get_db),
) -> PlanOut:
    account = principal.require()
    plan = await filing.do_draft(db, account, body.draft(), now=get_services(request).clock.now())
    await db.commit()
    return await plan_out(request, db, plan, account.id)


@router.get("/plans", response_model=list[PlanOut])
async def list_plans(
    request: Request,
    principal: Principal = allow(*READERS),
    db: AsyncSession = Depends(get_db),
) -> list[PlanOut]:
    account = principal.require()
    return [
        await plan_out(request, db, plan, account.id)
        for plan in await filing.list_plans(db, account)
    ]


@router.get("/plans/{plan_id}", response_model=PlanOut)
async def get_plan(
    plan_id: PathId,
    request: Request,
    principal: Principal = allow(*READERS),
    db: AsyncSession = Depends(get_db),
) -> PlanOut:
    plan = await access_plan(db, principal.require(), plan_id)
    return await plan_out(request, db, plan, principal.require().id)


@router.put("/plans/{plan_id}", response_model=PlanOut)
async def change_plan(
    plan_id: PathId,
    body: PlanIn,
    request: Request,
    principal: Principal = allow(Role.OFFICIAL),
    db: AsyncSession = Depends(get_db),
) -> PlanOut:
    account = principal.require()
    plan = await filing.do_draft(
        db, account, body.draft(), plan_id=plan_id, now=get_services(request).clock.now()
    )
    await db.commit()
    return await plan_out(request, db, plan, account.id)


@router.post("/plans/{plan_id}/submit", response_model=PlanOut)
async def submit_plan(
    plan_id: PathId,
    request: Request,
    principal: Principal = allow(Role.OFFICIAL),
    db: AsyncSession = Depends(get_db),
) -> PlanOut:
    """File the plan: the boundary rules run, and it is checked or rejected at once."""
    services = get_services(request)
    account = principal.require()
    plan = await filing.do_submit(
        db,
        account,
        plan_id,
        now=services.clock.now(),
        rule_settings=services.settings.filing_rule_settings(),
    )
    await db.commit()
    return await plan_out(request, db, plan, account.id)


async def _decide(
    request: Request,
    db: AsyncSession,
    principal: Principal,
    plan_id: str,
    body: DecisionIn,
    approve: bool,
) -> PlanOut:
    account = principal.require()
    plan = await filing.do_decide(
        db,
        account,
        plan_id,
        approve=approve,
        reason=body.reason,
        now=get_services(request).clock.now(),
    )
    await db.commit()
    return await plan_out(request, db, plan, account.id)


@router.post("/plans/{plan_id}/approve", response_model=PlanOut)
async def approve_plan(
    plan_id: PathId,
    body: DecisionIn,
    request: Request,
    principal: Principal = allow(Role.SUPERVISOR),
    db: AsyncSession = Depends(get_db),
) -> PlanOut:
    return await _decide(request, db, principal, plan_id, body, approve=True)


@router.post("/plans/{plan_id}/reject", response_model=PlanOut)
async def reject_plan(
    plan_id: PathId,
    body: DecisionIn,
    request: Request,
    principal: Principal = allow(Role.SUPERVISOR),
    db: AsyncSession = Depends(get_db),
) -> PlanOut:
    return await _decide(request, db, principal, plan_id, body, approve=False)
