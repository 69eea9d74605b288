"""What a concern names, resolved: its session, product, order, producer and region, and the
account that must answer (derived here, never taken from the form); the public's rate limits;
the answer deadline in working days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts import services as accounts
from sunlit.accounts.model import Actor, address_bucket, throttle_key
from sunlit.catalog import views as catalog
from sunlit.catalog.producers import services as producers
from sunlit.catalog.products import services as products
from sunlit.core.calendar.services import work_calendar
from sunlit.core.errors import N_, InvalidInput, NotFound, TooManyAttempts
from sunlit.disclosure.concerns.model import Party, Subject
from sunlit.disclosure.model import stage_of
from sunlit.filing import views as filing
from sunlit.orders import views as orders
from sunlit.web.deps import Kit

DAY = 24 * 3600


@dataclass(frozen=True, slots=True)
class Named:
    """What a concern is about, resolved: its session, product, order, producer, region and
    the account that must answer."""

    subject: Subject
    session: str | None
    product: str | None
    order: str | None
    producer: str | None
    region: str | None
    party: Party
    party_id: str


async def public_session(db: AsyncSession, session_id: str) -> Any:
    """An approved (public) session plan; NotFound otherwise, as the session page does."""
    plan = await filing.find_plan(db, session_id)
    if plan is None or stage_of(plan.status) is None:
        raise NotFound(N_("No such session."))
    return plan


async def resolve(
    db: AsyncSession, actor: Actor | None, subject: Subject, ref: str, session: str | None
) -> Named:
    """The concern's subject and its named party; NotFound for what does not exist (or, for
    an order, is not the actor's own)."""
    if subject is Subject.SESSION:
        plan = await public_session(db, ref)
        host = await accounts.find_account(db, plan.official_id)
        return Named(
            subject,
            plan.id,
            None,
            None,
            None,
            host.region if host else None,
            Party.OFFICE,
            plan.official_id,
        )
    if subject is Subject.PRODUCT:
        product = await products.get_product(db, ref)
        producer_id, product_id = product.producer_id, product.id
        order_id = None
        if session is not None and not await filing.is_filed(db, session, product_id):
            session = None
    else:
        if actor is None:
            raise NotFound(N_("No such order."))
        order = await orders.get_order(db, ref)
        if order.buyer_id != actor.id:
            raise NotFound(N_("No such order."))
        producer_id, product_id, order_id = order.producer_id, order.product_id, order.id
        session = order.session_id
    manager = await catalog.producer_manager(db, producer_id)
    if manager is None:
        raise InvalidInput(N_("Nobody answers for this producer yet. Raise it on the session."))
    producer = await producers.get_producer(db, producer_id)
    return Named(
        subject,
        session,
        product_id,
        order_id,
        producer_id,
        producer.region,
        Party.PRODUCER,
        manager,
    )


async def admit_public(kit: Kit, ip: str, session: str, now: datetime) -> None:
    """The public, without an account, through two sliding-day limits: per address (a hash
    of its /64 for IPv6) and per session, all addresses together."""
    at = now.timestamp()
    address = "concern:ip:" + throttle_key(address_bucket(ip))
    if (
        await kit.attempts.add(address, now=at, window_seconds=DAY)
        > kit.settings.concerns_per_address_per_day
    ):
        await kit.attempts.withdraw(address, at=at)
        raise TooManyAttempts(
            N_("Too many concerns from your address today. Sign in, or try again tomorrow.")
        )
    per_session = "concern:session:" + session
    if (
        await kit.attempts.add(per_session, now=at, window_seconds=DAY)
        > kit.settings.concerns_per_session_per_day
    ):
        await kit.attempts.withdraw(per_session, at=at)
        await kit.attempts.withdraw(address, at=at)
        raise TooManyAttempts(
            N_("This session has had many concerns today. Sign in to raise yours.")
        )


async def deadline_from(db: AsyncSession, kit: Kit, now: datetime) -> datetime:
    local = now.astimezone(kit.zone).date()
    days = await work_calendar(db, local)
    return days.deadline(now, kit.settings.concern_answer_working_days, kit.zone)
