"""The facts the boundary rules judge a plan on: what the catalog verifiably says about its
products, the official's other sessions that month, its partners. Reads only."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor
from sunlit.accounts.services import aware, find_account
from sunlit.catalog.model import Verification
from sunlit.catalog.producers import services as producers
from sunlit.catalog.products import services as catalog
from sunlit.core.errors import NotFound
from sunlit.filing.model import (
    ACTIVE,
    FILED,
    HostKind,
    Plan,
    PlanDraft,
    PlanFacts,
    ProductFacts,
    Purpose,
    host_kind_of,
    month_of,
)
from sunlit.filing.tables import SessionPlanRow
from sunlit.filing.views import plan_parts


async def product_facts(
    db: AsyncSession, product_ids: list[str], *, now: datetime
) -> tuple[ProductFacts, ...]:
    """What the catalog verifiably says about each product, for the rules and the briefing."""
    facts = []
    for product_id in product_ids:
        view = await catalog.view_product(db, product_id, on=now.date())
        product, producer = view.product, view.producer
        facts.append(
            ProductFacts(
                id=product.id,
                name=product.name_zh,
                category=product.category,
                origin_region=product.origin_region,
                producer_id=producer.id,
                producer_name=producer.name,
                producer_kind=producer.kind,
                producer_verified=producer.verification == Verification.VERIFIED.value,
                producer_account=await _payee(db, producer),
                price=product.price,
                declared_cost=product.declared_cost,
                clearance=product.clearance,
                band_low=view.position.low if view.position else None,
                band_high=view.position.high if view.position else None,
                inspections=tuple(view.documents),
            )
        )
    return tuple(facts)


async def sessions_in_month(
    db: AsyncSession, official_id: str, starts_at: datetime, exclude: str | None
) -> int:
    """The official's other active plans starting in the same (UTC) month, hosted or as a
    producer's guest: either way the official is on camera. The start is put in UTC first: a
    draft's own offset (+08:00 from the form) must not move the month, or the editor's live
    feedback and the filing (which reads the stored UTC value) would differ."""
    start = starts_at.astimezone(UTC)
    month = month_of(start)
    next_month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    same_month = (
        await db.scalar(
            select(func.count())
            .select_from(SessionPlanRow)
            .where(
                # Its own plans from the first draft; a guest seat once a producer has filed
                # it, so that drafts naming an official cannot use up the official's month.
                ((SessionPlanRow.official_id == official_id) & SessionPlanRow.status.in_(ACTIVE))
                | (
                    (SessionPlanRow.guest_official_id == official_id)
                    & SessionPlanRow.status.in_(FILED)
                ),
                SessionPlanRow.id != (exclude or ""),
                SessionPlanRow.starts_at >= datetime.combine(month, time(), tzinfo=UTC),
                SessionPlanRow.starts_at < datetime.combine(next_month, time(), tzinfo=UTC),
            )
        )
        or 0
    )
    return int(same_month)


async def own_producers(db: AsyncSession, host: str, kind: HostKind) -> frozenset[str]:
    """The producers whose produce a producer host sells as its own: those its account runs,
    and the members of a cooperative it runs. None for an official."""
    if kind is not HostKind.PRODUCER:
        return frozenset()
    return frozenset(p.id for p in await producers.list_producers(db, manager=host))


async def facts_of(db: AsyncSession, plan: Plan, *, now: datetime) -> PlanFacts:
    """The plan with the verified catalog facts every boundary rule looks at."""
    official = await find_account(db, plan.official_id)
    product_ids, partners = await plan_parts(db, plan.id)
    return PlanFacts(
        plan_id=plan.id,
        official_id=plan.official_id,
        official_region=official.region if official else None,
        starts_at=aware(plan.starts_at),
        ends_at=aware(plan.ends_at),
        filed_at=aware(plan.submitted_at) if plan.submitted_at else now,
        products=await product_facts(db, product_ids, now=now),
        partners=tuple(partners),
        purpose=Purpose(plan.purpose),
        answers_report=plan.answers_report,
        sessions_in_month=await sessions_in_month(
            db, plan.official_id, aware(plan.starts_at), plan.id
        ),
        declares_no_payment=plan.declares_no_payment,
        host_kind=HostKind(plan.host_kind),
        own_producers=await own_producers(db, plan.official_id, HostKind(plan.host_kind)),
        guest_official=plan.guest_official_id,
        guest_sessions_in_month=await _guest_sessions(
            db, plan.guest_official_id, aware(plan.starts_at), plan.id
        ),
    )


async def facts_for_draft(
    db: AsyncSession,
    official: Actor,
    draft: PlanDraft,
    *,
    now: datetime,
    plan_id: str | None = None,
) -> PlanFacts:
    """The facts of a plan being typed, before it is saved (for live rule feedback)."""
    kind = host_kind_of(official.role)
    known = []
    for product_id in draft.product_ids:
        try:
            await catalog.get_product(db, product_id)
            known.append(product_id)
        except NotFound:
            continue
    return PlanFacts(
        plan_id=plan_id or "",
        official_id=official.id,
        official_region=official.region,
        starts_at=draft.starts_at,
        ends_at=draft.ends_at,
        filed_at=now,
        products=await product_facts(db, known, now=now),
        partners=draft.partners,
        purpose=draft.purpose,
        answers_report=draft.answers_report,
        sessions_in_month=await sessions_in_month(db, official.id, draft.starts_at, plan_id),
        declares_no_payment=draft.declares_no_payment,
        host_kind=kind,
        own_producers=await own_producers(db, official.id, kind),
        guest_official=draft.guest_official,
        guest_sessions_in_month=await _guest_sessions(
            db, draft.guest_official, draft.starts_at, plan_id
        ),
    )


async def _guest_sessions(
    db: AsyncSession, guest: str | None, starts_at: datetime, exclude: str | None
) -> int:
    return 0 if guest is None else await sessions_in_month(db, guest, starts_at, exclude)


async def _payee(db: AsyncSession, producer: Any) -> str | None:
    """The account paid for a producer's sales: its own, or its cooperative's."""
    if producer.account_id is None and producer.cooperative_id is not None:
        cooperative = await producers.get_producer(db, producer.cooperative_id)
        return cooperative.account_id
    return producer.account_id  # type: ignore[no-any-return]
