"""Farmer voice after a session: each producer whose produce was on it rates it (1–5 and a
few words on sales, treatment and payment). One rating per producer per session; it can be
changed, and every rating is an event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor
from sunlit.catalog import views as catalog_views
from sunlit.catalog.producers import services as producer_service
from sunlit.catalog.products import services as catalog
from sunlit.core.errors import N_, InvalidInput, PermissionDenied
from sunlit.core.eventlog import Event, EventType, append
from sunlit.filing import views as plans
from sunlit.filing.model import Plan, PlanStatus
from sunlit.participation.tables import SessionRatingRow


def check_rating(stars: int, text: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not 1 <= stars <= 5:
        errors["stars"] = N_("Give 1 to 5 stars.")
    if len(text) > 2000:
        errors["text"] = N_("A rating's text is at most 2,000 characters.")
    return errors


class Producer(Protocol):
    """A producer as a rating names it (the catalog's row satisfies it)."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Rateable:
    plan: Plan
    producer: Producer
    rating: SessionRatingRow | None


async def producers_on(db: AsyncSession, plan_id: str) -> set[str]:
    """The producers whose produce is filed for the session."""
    return {
        (await catalog.get_product(db, product_id)).producer_id
        for product_id in await plans.plan_product_ids(db, plan_id)
    }


async def rateable_for(db: AsyncSession, actor: Actor) -> list[Rateable]:
    """Ended sessions with produce of a producer this account speaks for."""
    mine = await producer_service.list_producers(db, manager=actor.id)
    found = []
    for producer in mine:
        if not await producer_service.speaks_for(db, actor, producer):
            continue
        products = await catalog_views.product_ids_of(db, producer.id)
        ended = await plans.plans_with_products(db, products, status=PlanStatus.ENDED)
        for plan in ended:
            rating = await db.get(SessionRatingRow, (plan.id, producer.id))
            found.append(Rateable(plan, producer, rating))
    return found


async def do_rate(
    db: AsyncSession,
    actor: Actor,
    plan_id: str,
    producer_id: str,
    *,
    stars: int,
    text: str,
    now: datetime,
) -> SessionRatingRow:
    plan = await plans.find_plan(db, plan_id)
    producer = await producer_service.get_producer(db, producer_id)
    if not await producer_service.speaks_for(db, actor, producer):
        raise PermissionDenied(N_("Only the producer can rate a session for it."))
    if (
        plan is None
        or plan.status != PlanStatus.ENDED.value
        or producer.id not in await producers_on(db, plan.id)
    ):
        raise InvalidInput(
            N_("Only a session that has ended, with your produce on it, can be rated.")
        )
    errors = check_rating(stars, text)
    if errors:
        raise InvalidInput(N_("Please correct the marked fields."), fields=errors)
    row = await db.get(SessionRatingRow, (plan.id, producer.id))
    if row is None:
        row = SessionRatingRow(
            plan_id=plan.id,
            producer_id=producer.id,
            stars=stars,
            text=text.strip(),
            rated_by=actor.id,
            created_at=now,
        )
        db.add(row)
    else:
        row.stars, row.text, row.rated_by, row.created_at = stars, text.strip(), actor.id, now
    append(
        db,
        Event(
            type=EventType.SESSION_RATED,
            ts=now,
            actor=actor.id,
            session=plan.id,
            data={"producer": producer.id, "stars": stars, "text": row.text},
        ),
    )
    return row


async def ratings_of(db: AsyncSession, plan_id: str) -> list[SessionRatingRow]:
    return list(
        (
            await db.scalars(select(SessionRatingRow).where(SessionRatingRow.plan_id == plan_id))
        ).all()
    )
