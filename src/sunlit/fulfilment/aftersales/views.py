"""Reads of after-sales that the order page, the queues and the API share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.fulfilment.aftersales import policy
from sunlit.fulfilment.aftersales.model import COMPLAINT_CATEGORY, Reason, Side, Status
from sunlit.fulfilment.aftersales.services import Terms, order_facts
from sunlit.fulfilment.aftersales.tables import AftersalesPhotoRow, AftersalesRow
from sunlit.orders import views as order_views
from sunlit.orders.model import Order


@dataclass(frozen=True, slots=True)
class RequestView:
    """A request with both sides' photos (sha256, served by /files/{sha256}) and the policy
    rule that allowed it, with its source."""

    row: AftersalesRow
    buyer_photos: tuple[str, ...]
    producer_photos: tuple[str, ...]
    rule: policy.Rule | None

    @property
    def is_open(self) -> bool:
        return self.row.status is not Status.CLOSED


async def view_of(db: AsyncSession, row: AftersalesRow) -> RequestView:
    photos = (
        await db.scalars(
            select(AftersalesPhotoRow)
            .where(AftersalesPhotoRow.request_id == row.id)
            .order_by(AftersalesPhotoRow.created_at, AftersalesPhotoRow.sha256)
        )
    ).all()
    return RequestView(
        row,
        tuple(p.sha256 for p in photos if p.side is Side.BUYER),
        tuple(p.sha256 for p in photos if p.side is Side.PRODUCER),
        policy.RULE_BY_ID.get(row.rule),
    )


async def requests_of_order(db: AsyncSession, order_id: str) -> list[RequestView]:
    """The order's requests, newest first."""
    rows = (
        await db.scalars(
            select(AftersalesRow)
            .where(AftersalesRow.order_id == order_id)
            .order_by(AftersalesRow.opened_at.desc(), AftersalesRow.id.desc())
        )
    ).all()
    return [await view_of(db, row) for row in rows]


@dataclass(frozen=True, slots=True)
class Choices:
    """What the buyer's form offers on an order with no request open: each reason the policy
    allows now with its kinds, and what is left of the payment (the default amount)."""

    reasons: dict[str, policy.Decision]
    left: int


async def choices_for(
    db: AsyncSession, order: Order, terms: Terms, *, now: datetime
) -> Choices | None:
    """None when the order cannot have after-sales now (not shipped, nothing left, …). The
    fresh-produce photo rule is shown as if a photo will be sent: the form asks for one."""
    facts = await order_facts(db, order)
    if facts.left <= 0:
        return None
    reasons = {
        reason.value: policy.decide(facts, reason, photos=1, limits=terms.limits, now=now)
        for reason in Reason
    }
    allowed = {name: d for name, d in reasons.items() if d.allowed}
    return Choices(allowed, facts.left) if allowed else None


async def queue(
    db: AsyncSession, producer_ids: list[str] | None, *, escalated: bool = False, limit: int = 200
) -> list[tuple[AftersalesRow, Order]]:
    """Requests not closed, soonest deadline first: of these producers (None: all); or those
    in arbitration, oldest escalation first."""
    query = select(AftersalesRow).where(AftersalesRow.status != Status.CLOSED.value)
    if escalated:
        query = query.where(AftersalesRow.status == Status.ESCALATED.value).order_by(
            AftersalesRow.escalated_at
        )
    else:
        query = query.order_by(AftersalesRow.deadline.is_(None), AftersalesRow.deadline)
    if producer_ids is not None:
        query = query.where(AftersalesRow.producer_id.in_(producer_ids))
    rows = (await db.scalars(query.limit(limit))).all()
    return [(row, await order_views.get_order(db, row.order_id)) for row in rows]


async def requests_for(
    db: AsyncSession, *, buyer: str | None = None, producers: list[str] | None = None
) -> list[AftersalesRow]:
    """For the API's list: a buyer's requests, or those of these producers (None: all)."""
    query = select(AftersalesRow).order_by(AftersalesRow.opened_at.desc()).limit(200)
    if buyer is not None:
        query = query.where(AftersalesRow.buyer_id == buyer)
    elif producers is not None:
        query = query.where(AftersalesRow.producer_id.in_(producers))
    return list((await db.scalars(query)).all())


async def complaints_on(
    db: AsyncSession, orders: Callable[[ColumnElement[str]], ColumnElement[bool]]
) -> int:
    """The complaints filed on the orders ``orders`` picks (given the request's order id):
    after-sales requests whose reason is a complaint (``complaint.filed``), whenever opened."""
    reasons = sorted(reason.value for reason in COMPLAINT_CATEGORY)
    query = select(func.count()).where(
        AftersalesRow.reason.in_(reasons), orders(AftersalesRow.order_id.expression)
    )
    return int(await db.scalar(query) or 0)
