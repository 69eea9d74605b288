"""What comes next in the demo (issue 21), so that a newcomer walking each role meets it: an
approved session ahead, followed by a buyer, and an official's plan waiting for a producer's
answer.

- official.xuwen's pineapple session ten days from now, filed today: the Xuwen cooperative
  agreed to be on the plan and committed its stock, the boundary rules passed and supervisor1
  approved it. buyer1 follows Xuwen County from three days ago, so it was told of the approval
  and the home page suggests the session, saying why.
- official.dangshan's pear session three weeks from now, drafted an hour ago: the Dangshan
  cooperative has been asked and has not answered, so farmer.dangshan finds the question on its
  dashboard and the official's plan waits for it.

Everything goes through the use cases the routes call. Idempotent: when the pineapple session is
there, nothing is done."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor
from sunlit.catalog.producers import services as producers
from sunlit.catalog.views import product_ids_of
from sunlit.demo.data import COUNTIES
from sunlit.demo.parcels import account
from sunlit.filing import consent
from sunlit.filing import services as filing
from sunlit.filing.model import PlanDraft, PlanStatus, Purpose
from sunlit.participation import follows
from sunlit.web.deps import Kit

UPCOMING_TITLE = "徐闻菠萝 · 春节前助农直播"
ASKING_TITLE = "砀山酥梨 · 冬季助农直播"


async def load_demo_upcoming(db: AsyncSession, kit: Kit, *, now: datetime) -> bool:
    """Plan what comes next; False if it was there."""
    official = await account(db, "official.xuwen")
    if any(plan.title == UPCOMING_TITLE for plan in await filing.list_plans(db, official)):
        return False
    buyer = await account(db, "buyer1")
    await follows.do_follow(db, buyer, "county", "440825", now=now - timedelta(days=3))
    pineapples = (await cooperative_products(db, "xuwen"))[0]
    draft = _draft(UPCOMING_TITLE, now.astimezone(kit.zone) + timedelta(days=10), pineapples)
    drafted = now - timedelta(hours=3)  # today: the reference bands were observed today
    plan = await filing.do_draft(db, official, draft, now=drafted)
    await db.flush()
    farmer = await account(db, "farmer.xuwen")
    await consent.do_answer(
        db, farmer, plan.id, pineapples, agree=True, stock=2000, reason="", now=drafted
    )
    await submit_and_approve(
        db,
        kit,
        official,
        plan.id,
        submitted=drafted + timedelta(hours=1),
        decided=now - timedelta(hours=1),
        reason="本县合作社的菠萝，合作社已同意并承诺供货，质检证明有效。",
    )
    await _ask(db, await account(db, "official.dangshan"), now=now, kit=kit)
    return True


async def submit_and_approve(
    db: AsyncSession,
    kit: Kit,
    host: Actor,
    plan_id: str,
    *,
    submitted: datetime,
    decided: datetime,
    reason: str,
) -> None:
    """The host files the plan, the boundary rules pass it and supervisor1 approves it."""
    rules = kit.settings.filing_rule_settings()
    plan = await filing.do_submit(db, host, plan_id, now=submitted, rule_settings=rules)
    if plan.status != PlanStatus.CHECKED:
        raise RuntimeError(f"the demo's plan {plan.title} was {plan.status}: {plan.findings}")
    supervisor = await account(db, "supervisor1")
    await filing.do_decide(db, supervisor, plan_id, approve=True, reason=reason, now=decided)


async def _ask(db: AsyncSession, official: Actor, *, now: datetime, kit: Kit) -> None:
    """The Dangshan official drafts a plan with the cooperative's pears: the cooperative is
    asked (plan.consent_asked) and has not answered yet."""
    pears = (await cooperative_products(db, "dangshan"))[0]
    draft = _draft(ASKING_TITLE, now.astimezone(kit.zone) + timedelta(days=21), pears)
    await filing.do_draft(db, official, draft, now=now - timedelta(hours=1))


def _draft(title: str, day: datetime, product: str) -> PlanDraft:
    start = day.replace(hour=19, minute=30, second=0, microsecond=0)
    return PlanDraft(
        title=title,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        product_ids=(product,),
        purpose=Purpose.REGIONAL_BRAND,
        promotions="下单即发，坏果包赔。",
        declares_no_payment=True,
    )


async def cooperative_products(db: AsyncSession, slug: str) -> list[str]:
    """The products of the demo county's cooperative (``slug``: its county, as in the data)."""
    county = next(c for c in COUNTIES if c.slug == slug)
    cooperative = await producers.producer_named(db, county.cooperative_zh)
    if cooperative is None:
        raise LookupError(f"demo cooperative {county.cooperative_zh} is missing")
    return await product_ids_of(db, cooperative.id)
