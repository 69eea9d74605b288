"""Shipment use cases: the seller books the carrier for a paid order (which ships it), the
carrier's notices build the tracking timeline and record the delivery, and receipt confirms
itself some days after the carrier's "delivered" unless the buyer opened after-sales."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor
from sunlit.catalog.producers import services as producers
from sunlit.core.errors import N_, Conflict, NotFound, PermissionDenied
from sunlit.core.eventlog import Event, EventType, append
from sunlit.core.ids import new_id
from sunlit.fulfilment.shipments.carrier import Carrier
from sunlit.fulfilment.shipments.model import (
    CarrierNotice,
    Scan,
    ScanStatus,
    confirms_on,
    is_later,
)
from sunlit.fulfilment.shipments.tables import CarrierNoticeRow, ShipmentRow, TrackingEventRow
from sunlit.orders import services as orders
from sunlit.orders import views as order_views
from sunlit.orders.model import Order, OrderState


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"


#: Which of these orders have an after-sales request open (the after-sales part answers;
#: until it is wired, none has).
InAftersales = Callable[[AsyncSession, Collection[str]], Awaitable[set[str]]]


async def none_open(db: AsyncSession, order_ids: Collection[str]) -> set[str]:
    return set()


def shipment_event(
    kind: EventType, order: Order, now: datetime, actor: str | None, **data: object
) -> Event:
    """A ``shipment.*`` event: the order's id in its data, in the order's session; never an
    address or a name."""
    return Event(kind, now, {"order": order.id, **data}, actor=actor, session=order.session_id)


async def do_book_shipment(
    db: AsyncSession, carrier: Carrier, actor: Actor, order_id: str, *, now: datetime
) -> ShipmentRow:
    """The seller ships a paid order by booking the carrier: the carrier's tracking number is
    the order's, and the order is shipped (``orders.services.do_ship``). Someone who may not
    see the order gets 404; a buyer or any other viewer who does not sell it, 403."""
    order = await order_views.access_order(db, actor, order_id)
    if not await order_views.may_sell(db, actor, order):
        raise PermissionDenied(N_("Only the producer's people ship its orders."))
    if order.state != OrderState.PAID:
        raise Conflict(
            N_("Only a paid order can be shipped (this one is %(state)s)."),
            params={"state": order.state},
        )
    if await orders.pending_refund(db, order):
        raise Conflict(N_("The buyer cancelled this order; its refund is on its way."))
    producer = await producers.get_producer(db, order.producer_id)
    tracking_no = await carrier.book(
        db,
        reference=order.id,
        origin=producer.region,
        destination=order.address_region,
        now=now,
    )
    await orders.do_ship(db, actor, order, carrier=carrier.name, tracking_no=tracking_no, now=now)
    shipment = ShipmentRow(
        id=new_id("sh"),
        order_id=order.id,
        carrier=carrier.name,
        tracking_no=tracking_no,
        status=ScanStatus.BOOKED,
        status_at=now,
        booked_by=actor.id,
        booked_at=now,
    )
    db.add(shipment)
    append(
        db, shipment_event(EventType.SHIPMENT_BOOKED, order, now, actor.id, carrier=carrier.name)
    )
    return shipment


async def shipment_by_tracking(db: AsyncSession, carrier: str, tracking_no: str) -> ShipmentRow:
    found = await db.scalar(
        select(ShipmentRow).where(
            ShipmentRow.carrier == carrier, ShipmentRow.tracking_no == tracking_no
        )
    )
    if found is None:
        raise NotFound(N_("No shipment has this tracking number."))
    return found


async def handle_notice(
    db: AsyncSession, carrier: Carrier, notice: CarrierNotice, *, confirm_days: int, now: datetime
) -> Outcome:
    """Apply a verified notice once. Its scan joins the timeline wherever its carrier time
    puts it; the shipment's status moves only to a later scan, never back to an earlier one
    that arrived late. "Delivered" records the order's delivery at the carrier's time, and
    receipt will confirm itself ``confirm_days`` later (:func:`confirm_due`)."""
    shipment = await shipment_by_tracking(db, carrier.name, notice.tracking_no)
    if await db.get(CarrierNoticeRow, notice.id) is not None:
        return Outcome.DUPLICATE
    db.add(
        CarrierNoticeRow(
            notice_id=notice.id,
            carrier=carrier.name,
            tracking_no=notice.tracking_no,
            received_at=now,
        )
    )
    db.add(
        TrackingEventRow(
            notice_id=notice.id,
            shipment_id=shipment.id,
            status=notice.status,
            at=notice.at,
            place=notice.place,
            received_at=now,
        )
    )
    scan = Scan(notice.status, notice.at, notice.place)
    if is_later(scan, Scan(shipment.status, shipment.status_at, "")):
        shipment.status = notice.status
        shipment.status_at = notice.at
    order = await order_views.get_order(db, shipment.order_id)
    if notice.status is ScanStatus.DELIVERED and shipment.delivered_at is None:
        shipment.delivered_at = notice.at
        shipment.confirms_at = confirms_on(notice.at, confirm_days)
        await orders.record_delivery(db, order, actor=None, at=notice.at, now=now)
    at = notice.at.isoformat()
    append(
        db,
        shipment_event(EventType.SHIPMENT_TRACKED, order, now, None, status=notice.status, at=at),
    )
    return Outcome.APPLIED


async def confirm_due(
    db: AsyncSession,
    *,
    days: int,
    hold_days: int,
    now: datetime,
    in_aftersales: InAftersales = none_open,
    limit: int = 200,
) -> int:
    """Confirm receipt of the orders the carrier delivered ``days`` ago or more whose buyer has
    not confirmed (``orders.services.confirm_receipt`` with no actor: the payout clock of
    ``hold_days`` starts), except those with an after-sales request open, which wait for it.
    Returns how many were confirmed."""
    due = list(
        (
            await db.scalars(
                select(ShipmentRow)
                .where(
                    ShipmentRow.closed_at.is_(None),
                    ShipmentRow.delivered_at <= now - timedelta(days=days),
                )
                .order_by(ShipmentRow.delivered_at)
                .limit(limit)
            )
        ).all()
    )
    waiting = await in_aftersales(db, [s.order_id for s in due]) if due else set()
    confirmed = 0
    for shipment in due:
        if shipment.order_id in waiting:
            continue
        order = await order_views.get_order(db, shipment.order_id)
        if await orders.confirm_receipt(db, order, actor=None, hold_days=hold_days, now=now):
            confirmed += 1
        if order.confirmed_at is not None or order.state != OrderState.DELIVERED:
            shipment.closed_at = now  # confirmed, by now or by the buyer; or refunded
    return confirmed
