"""Reads of orders that its pages and API (and the contexts above) share."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor, Role
from sunlit.catalog.views import manages_producer
from sunlit.core.errors import N_, NotFound
from sunlit.core.sqltime import hours_between, utc_hour
from sunlit.orders.addresses.picking import picker_of
from sunlit.orders.addresses.services import addresses_of
from sunlit.orders.model import payment_methods_for
from sunlit.orders.tables import OrderRow


class SessionSales:
    """The orders placed in a live session, as a live room shows them (``live.ports``)."""

    async def orders_placed(self, db: AsyncSession, session: str) -> int:
        count = await db.scalar(
            select(func.count())
            .select_from(OrderRow)
            .where(OrderRow.session_id == session, OrderRow.state != "cancelled")
        )
        return int(count or 0)

    async def units_sold(self, db: AsyncSession, session: str) -> dict[str, int]:
        rows = await db.execute(
            select(OrderRow.product_id, func.sum(OrderRow.qty))
            .where(OrderRow.session_id == session, OrderRow.state != "cancelled")
            .group_by(OrderRow.product_id)
        )
        return {product: int(units or 0) for product, units in rows.all()}

    def payment_methods(self, role: str, org: str | None) -> Sequence[StrEnum]:
        return payment_methods_for(role, org)

    async def delivery_form(self, db: AsyncSession, account: str) -> Mapping[str, Any]:
        saved = [a for a in await addresses_of(db, account) if a.is_default]
        values: dict[str, str] = {}
        if saved:
            a = saved[0]
            values = {"recipient": a.recipient, "phone": a.phone, "region": a.region}
            values["detail"] = a.detail
        return {"values": values, "picker": picker_of(values)}


async def get_order(db: AsyncSession, order_id: str) -> OrderRow:
    row = await db.get(OrderRow, order_id)
    if row is None:
        raise NotFound(N_("No such order."))
    return row


async def may_sell(db: AsyncSession, actor: Actor, order: OrderRow) -> bool:
    """The producer's people (and operators) act for the seller of an order."""
    return await manages_producer(db, actor, order.producer_id)


async def access_order(db: AsyncSession, actor: Actor, order_id: str) -> OrderRow:
    """An order its buyer, its seller, a supervisor or an operator may see; others get 404."""
    order = await get_order(db, order_id)
    if order.buyer_id == actor.id or actor.role in (Role.SUPERVISOR, Role.OPERATOR):
        return order
    if await may_sell(db, actor, order):
        return order
    raise NotFound(N_("No such order."))


async def orders_of_buyer(db: AsyncSession, buyer_id: str, limit: int = 100) -> list[OrderRow]:
    query = (
        select(OrderRow)
        .where(OrderRow.buyer_id == buyer_id)
        .order_by(OrderRow.placed_at.desc(), OrderRow.id.desc())
        .limit(limit)
    )
    return list((await db.scalars(query)).all())


async def orders_of_producers(
    db: AsyncSession, producer_ids: list[str] | None, limit: int = 200, offset: int = 0
) -> list[OrderRow]:
    """Orders of these producers (None: of all), newest first, ``limit`` from ``offset``."""
    query = (
        select(OrderRow)
        .order_by(OrderRow.placed_at.desc(), OrderRow.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if producer_ids is not None:
        query = query.where(OrderRow.producer_id.in_(producer_ids))
    return list((await db.scalars(query)).all())


async def count_orders_of_producers(db: AsyncSession, producer_ids: list[str] | None) -> int:
    query = select(func.count()).select_from(OrderRow)
    if producer_ids is not None:
        query = query.where(OrderRow.producer_id.in_(producer_ids))
    return int(await db.scalar(query) or 0)


async def sales_of_producer(
    db: AsyncSession, producer_id: str, *, since: datetime, also: Collection[str] = ()
) -> list[OrderRow]:
    """A producer's orders paid or delivered since ``since``, and those of ``also`` (ids) that
    are its own: what its record over a period is computed from."""
    recent = or_(OrderRow.paid_at >= since, OrderRow.delivered_at >= since)
    if also:
        recent = or_(recent, OrderRow.id.in_(list(also)))
    query = select(OrderRow).where(OrderRow.producer_id == producer_id, recent)
    return list((await db.scalars(query)).all())


def _paid_in(
    product_ids: Collection[str], since: datetime, until: datetime
) -> tuple[ColumnElement[bool], ...]:
    """Orders of these products paid in [since, until]: what the sales summaries read."""
    return (
        OrderRow.product_id.in_(sorted(product_ids)),
        OrderRow.paid_at >= since,
        OrderRow.paid_at <= until,
    )


@dataclass(frozen=True, slots=True)
class Buyers:
    """Who bought products in a period, in one row: the paid orders, their buyers, the buyers
    who came back (two paid orders or more), what was paid and what was refunded of it."""

    orders: int
    buyers: int
    repeat_buyers: int
    paid: int  # fen
    refunded: int  # fen


async def buyers_between(
    db: AsyncSession, product_ids: Collection[str], since: datetime, until: datetime
) -> Buyers:
    """:class:`Buyers` of these products' orders paid in [since, until], summed in SQL."""
    if not product_ids:
        return Buyers(0, 0, 0, 0, 0)
    per_buyer = (
        select(
            func.count().label("orders"),
            func.sum(OrderRow.amount).label("paid"),
            func.sum(OrderRow.refunded).label("refunded"),
        )
        .where(*_paid_in(product_ids, since, until))
        .group_by(OrderRow.buyer_id)
        .subquery()
    )
    row = (
        await db.execute(
            select(
                func.coalesce(func.sum(per_buyer.c.orders), 0),
                func.count(),
                func.coalesce(func.sum(case((per_buyer.c.orders >= 2, 1), else_=0)), 0),
                func.coalesce(func.sum(per_buyer.c.paid), 0),
                func.coalesce(func.sum(per_buyer.c.refunded), 0),
            )
        )
    ).one()
    return Buyers(*(int(value) for value in row))


@dataclass(frozen=True, slots=True)
class PaidHour:
    """What one product's orders paid in one UTC hour, in one session or outside any, came to."""

    at: datetime  # the hour's start, UTC
    session: str | None  # None: outside any session
    product: str
    kept: int  # fen paid that stayed paid (the amount less refunds, shipping included)
    units: int  # units ordered
    at_price: int  # fen the units cost at the price paid (no shipping, before refunds)


async def paid_by_hour(
    db: AsyncSession, product_ids: Collection[str], since: datetime, until: datetime
) -> list[PaidHour]:
    """These products' orders paid in [since, until], summed in SQL by UTC hour, session and
    product: a few thousand rows for a county's months, however many orders."""
    if not product_ids:
        return []
    hour = utc_hour(OrderRow.paid_at)
    rows = await db.execute(
        select(
            hour,
            OrderRow.session_id,
            OrderRow.product_id,
            func.sum(OrderRow.amount - OrderRow.refunded),
            func.sum(OrderRow.qty),
            func.sum(OrderRow.qty * OrderRow.unit_price),
        )
        .where(*_paid_in(product_ids, since, until))
        .group_by(hour, OrderRow.session_id, OrderRow.product_id)
        .order_by(hour)
    )
    return [
        PaidHour(
            datetime.strptime(at, "%Y-%m-%dT%H").replace(tzinfo=UTC),
            session,
            product,
            int(kept),
            int(units),
            int(at_price),
        )
        for at, session, product, kept, units, at_price in rows.all()
    ]


def paid_among(
    order_id: ColumnElement[str], product_ids: Collection[str], since: datetime, until: datetime
) -> ColumnElement[bool]:
    """Whether the order ``order_id`` names (another context's column) is one of these
    products' orders paid in [since, until]: an EXISTS looked up by the order's key, so a
    statement over a few rows elsewhere does not read a county's orders."""
    return (
        select(OrderRow.id)
        .where(OrderRow.id == order_id, *_paid_in(product_ids, since, until))
        .exists()
    )


async def delivery_hours(
    db: AsyncSession, product_ids: Collection[str], since: datetime, until: datetime
) -> dict[int, int]:
    """Of these products' orders paid in [since, until] and delivered: how many took each
    whole number of hours from payment to the carrier's delivery, counted in SQL."""
    if not product_ids:
        return {}
    hours = hours_between(OrderRow.paid_at, OrderRow.delivered_at)
    rows = await db.execute(
        select(hours, func.count())
        .where(*_paid_in(product_ids, since, until), OrderRow.delivered_at.is_not(None))
        .group_by(hours)
    )
    return {int(taken): int(count) for taken, count in rows.all()}
