"""JSON API for session plans (``/api/v1/plans``)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.core.text import CleanText
from sunlit.filing import consent
from sunlit.filing import services as filing
from sunlit.filing.model import HOST_ROLES, Plan
from sunlit.filing.schemas import PlanIn, PlanOut
from sunlit.filing.views import access_plan, plan_record
from sunlit.web.deps import Kit, PathId

router = APIRouter(prefix="/api/v1", tags=["filing"])


#: Stays in this module: three contexts have a ``DecisionIn``, so the OpenAPI document names each
#: by its module (``sunlit__filing__api__DecisionIn``) and moving it would rename the schema.
class DecisionIn(BaseModel):
    reason: CleanText = Field(max_length=2000)


READERS = (Role.OFFICIAL, Role.FARMER, Role.SUPERVISOR, Role.OPERATOR)
DECIDERS = (Role.SUPERVISOR, Role.OPERATOR)  # an operator decides only a producer's plan


async def _answer(work: Work[Kit], plan: Plan) -> PlanOut:
    """The plan as the asking account sees it (its stream key only for its official)."""
    key = filing.key_for(work.services.settings.secret_key, plan, work.actor.id)
    return PlanOut.of(plan, await plan_record(work.db, plan.id), key)


@router.post("/plans", status_code=201, response_model=PlanOut)
async def create_plan(body: PlanIn, work: Work[Kit] = unit(*HOST_ROLES)) -> PlanOut:
    plan = await filing.do_draft(work.db, work.actor, body.draft(), now=work.now)
    await work.commit()
    return await _answer(work, plan)


@router.get("/plans", response_model=list[PlanOut])
async def list_plans(work: Work[Kit] = unit(*READERS)) -> list[PlanOut]:
    return [await _answer(work, plan) for plan in await filing.list_plans(work.db, work.actor)]


@router.get("/plans/{plan_id}", response_model=PlanOut)
async def get_plan(plan_id: PathId, work: Work[Kit] = unit(*READERS)) -> PlanOut:
    return await _answer(work, await access_plan(work.db, work.actor, plan_id))


@router.put("/plans/{plan_id}", response_model=PlanOut)
async def change_plan(
    plan_id: PathId, body: PlanIn, work: Work[Kit] = unit(*HOST_ROLES)
) -> PlanOut:
    plan = await filing.do_draft(
        work.db, work.actor, body.draft(), plan_id=plan_id, now=work.now, reopen=body.reopen
    )
    await work.commit()
    return await _answer(work, plan)


@router.post("/plans/{plan_id}/submit", response_model=PlanOut)
async def submit_plan(plan_id: PathId, work: Work[Kit] = unit(*HOST_ROLES)) -> PlanOut:
    """File the plan: the boundary rules run, and it is checked or rejected at once."""
    rule_settings = work.services.settings.filing_rule_settings()
    plan = await filing.do_submit(
        work.db, work.actor, plan_id, now=work.now, rule_settings=rule_settings
    )
    await work.commit()
    return await _answer(work, plan)


class ConsentIn(BaseModel):
    agree: bool
    stock: int | None = Field(None, ge=1, description="what the producer commits, if it agrees")
    reason: CleanText = Field("", max_length=500, description="why it declines")


class ConsentOut(BaseModel):
    plan: str
    product: str
    producer: str
    state: str
    stock: int | None
    reason: str | None


@router.post("/plans/{plan_id}/consents/{product_id}", response_model=ConsentOut)
async def answer_consent(
    plan_id: PathId, product_id: PathId, body: ConsentIn, work: Work[Kit] = unit(Role.FARMER)
) -> ConsentOut:
    """The producer's own account agrees to be on an official's plan, with the stock it
    commits, or declines with a reason (which takes the product off the plan)."""
    answered = await consent.do_answer(
        work.db,
        work.actor,
        plan_id,
        product_id,
        agree=body.agree,
        stock=body.stock,
        reason=body.reason,
        now=work.now,
    )
    await work.commit()
    return ConsentOut(
        plan=answered.plan_id,
        product=answered.product_id,
        producer=answered.producer_id,
        state=str(answered.state),
        stock=answered.stock,
        reason=answered.reason,
    )


async def _decide(work: Work[Kit], plan_id: str, body: DecisionIn, *, approve: bool) -> PlanOut:
    plan = await filing.do_decide(
        work.db, work.actor, plan_id, approve=approve, reason=body.reason, now=work.now
    )
    await work.commit()
    return await _answer(work, plan)


@router.post("/plans/{plan_id}/approve", response_model=PlanOut)
async def approve_plan(
    plan_id: PathId, body: DecisionIn, work: Work[Kit] = unit(*DECIDERS)
) -> PlanOut:
    return await _decide(work, plan_id, body, approve=True)


@router.post("/plans/{plan_id}/reject", response_model=PlanOut)
async def reject_plan(
    plan_id: PathId, body: DecisionIn, work: Work[Kit] = unit(*DECIDERS)
) -> PlanOut:
    return await _decide(work, plan_id, body, approve=False)
