"""Producers' consent to be on an official's plan (issue 21, item 3). When an official puts a
product on a plan, its producer is asked; the producer's own account agrees, with the stock it
commits, or declines with a reason. A decline takes the product off the plan and tells the
official why. An official's plan is filed only once every producer on it has agreed; a
producer hosting its own session consents by filing it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor
from sunlit.catalog.producers import services as producers
from sunlit.catalog.products import services as catalog
from sunlit.core.errors import N_, Conflict, InvalidInput, NotFound, PermissionDenied
from sunlit.core.eventlog import Event, EventType, append
from sunlit.filing.model import ConsentState, HostKind, PlanStatus
from sunlit.filing.tables import PlanConsentRow, PlanProductRow, SessionPlanRow

#: Statuses in which a producer may still answer: before the plan is filed.
ANSWERABLE = (PlanStatus.DRAFT.value, PlanStatus.REJECTED.value)
MAX_REASON = 500
#: The most a producer may commit to one session (a bound on input, not on its harvest: it may
#: commit stock it will have by the session, more than it lists today).
MAX_COMMIT = 10_000_000


async def consents_of(db: AsyncSession, plan_id: str) -> list[PlanConsentRow]:
    query = select(PlanConsentRow).where(PlanConsentRow.plan_id == plan_id)
    return list((await db.scalars(query.order_by(PlanConsentRow.asked_at))).all())


async def do_ask(
    db: AsyncSession, plan: SessionPlanRow, product_ids: Sequence[str], *, now: datetime
) -> None:
    """Keep one consent per product on an official's plan: a product new to the plan asks its
    producer; a product taken off drops its consent; an answer already given stands."""
    if plan.host_kind != HostKind.OFFICIAL.value:
        return
    held = {c.product_id: c for c in await consents_of(db, plan.id)}
    gone = set(held) - set(product_ids)
    if gone:
        await db.execute(
            delete(PlanConsentRow).where(
                PlanConsentRow.plan_id == plan.id, PlanConsentRow.product_id.in_(gone)
            )
        )
    for product_id in product_ids:
        asked = held.get(product_id)
        if asked is not None and asked.state != ConsentState.DECLINED.value:
            continue  # asked already, or agreed: the answer stands
        product = await catalog.get_product(db, product_id)
        if asked is None:
            asked = PlanConsentRow(plan_id=plan.id, product_id=product_id)
            db.add(asked)
        # Put back after a decline, it is asked again.
        asked.producer_id, asked.state, asked.asked_at = (
            product.producer_id,
            ConsentState.ASKED,
            now,
        )
        asked.stock = asked.reason = asked.answered_by = asked.answered_at = None
        append(
            db,
            Event(
                type=EventType.CONSENT_ASKED,
                ts=now,
                actor=plan.official_id,
                session=plan.id,
                data={"product": product_id, "producer": product.producer_id},
            ),
        )


def check_answer(agree: bool, stock: int | None, reason: str) -> dict[str, str]:
    """Field errors (msgids) of an answer: an agreement commits a stock of at least 1 (it may
    be more than is listed today: the harvest may come in by the session); a decline says
    why."""
    errors: dict[str, str] = {}
    if agree and (stock is None or not 0 < stock <= MAX_COMMIT):
        errors["stock"] = N_("Commit a stock between 1 and 10,000,000.")
    if not agree and not 0 < len(reason.strip()) <= MAX_REASON:
        errors["reason"] = N_("Say why you decline (1 to 500 characters).")
    return errors


async def do_answer(
    db: AsyncSession,
    actor: Actor,
    plan_id: str,
    product_id: str,
    *,
    agree: bool,
    stock: int | None,
    reason: str,
    now: datetime,
) -> PlanConsentRow:
    """The producer's own account agrees or declines; a decline takes the product off."""
    consent = await db.get(PlanConsentRow, (plan_id, product_id))
    if consent is None:
        raise NotFound(N_("This plan does not ask about this product."))
    producer = await producers.get_producer(db, consent.producer_id)
    if not await producers.speaks_for(db, actor, producer):
        raise PermissionDenied(N_("Only the producer's own account answers for its produce."))
    plan = await db.get(SessionPlanRow, plan_id)
    if plan is None or plan.status not in ANSWERABLE:
        raise Conflict(N_("This plan is filed already; its producers have answered."))
    if consent.state != ConsentState.ASKED.value:
        raise Conflict(N_("You have answered for this product already."))
    if errors := check_answer(agree, stock, reason):
        raise InvalidInput(N_("Please correct the marked fields."), fields=errors)
    consent.answered_by, consent.answered_at = actor.id, now
    data: dict[str, object] = {"product": product_id, "producer": producer.id}
    if agree:
        consent.state, consent.stock = ConsentState.GIVEN, stock
        data["stock"] = stock
    else:
        consent.state, consent.reason = ConsentState.DECLINED, reason.strip()
        data["reason"] = consent.reason
        await db.execute(
            delete(PlanProductRow).where(
                PlanProductRow.plan_id == plan_id, PlanProductRow.product_id == product_id
            )
        )
    append(
        db,
        Event(
            type=EventType.CONSENT_GIVEN if agree else EventType.CONSENT_DECLINED,
            ts=now,
            actor=actor.id,
            session=plan_id,
            data=data,
        ),
    )
    await db.flush()
    return consent


async def waiting_for(db: AsyncSession, plan_id: str) -> list[str]:
    """The products on the plan whose producers have not agreed yet."""
    on_plan = select(PlanProductRow.product_id).where(PlanProductRow.plan_id == plan_id)
    query = select(PlanConsentRow.product_id).where(
        PlanConsentRow.plan_id == plan_id,
        PlanConsentRow.product_id.in_(on_plan),
        PlanConsentRow.state != ConsentState.GIVEN.value,
    )
    return list((await db.scalars(query)).all())


async def asked_of(db: AsyncSession, producer_ids: Sequence[str]) -> list[PlanConsentRow]:
    """The open questions to these producers, on plans not yet filed, oldest first."""
    if not producer_ids:
        return []
    open_plans = select(SessionPlanRow.id).where(SessionPlanRow.status.in_(ANSWERABLE))
    query = select(PlanConsentRow).where(
        PlanConsentRow.producer_id.in_(producer_ids),
        PlanConsentRow.state == ConsentState.ASKED.value,
        PlanConsentRow.plan_id.in_(open_plans),
    )
    return list((await db.scalars(query.order_by(PlanConsentRow.asked_at))).all())
