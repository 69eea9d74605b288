"""JSON API for shipments (``/api/v1``): the seller books the carrier for an order, anyone who
may see the order reads its tracking, and the carrier's signed notices come in."""

from __future__ import annotations

from fastapi import APIRouter, Path
from sqlalchemy.exc import IntegrityError

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.core.errors import N_, NotFound
from sunlit.fulfilment.shipments import services as shipments
from sunlit.fulfilment.shipments import views
from sunlit.fulfilment.shipments.deps import ShipmentsKit, shipments_kit
from sunlit.fulfilment.shipments.schemas import NoticeResult, ShipmentOut
from sunlit.orders import views as order_views
from sunlit.web.deps import PathId

router = APIRouter(prefix="/api/v1", tags=["shipments"])

CarrierName = Path(pattern=r"^[a-z][a-z0-9_]{0,15}$")


@router.post("/orders/{order_id}/shipment", status_code=201, response_model=ShipmentOut)
async def book_shipment(
    order_id: PathId,
    work: Work[ShipmentsKit] = unit(Role.FARMER, Role.OPERATOR, kit=shipments_kit),
) -> ShipmentOut:
    """Ship a paid order with the carrier: 201 with its tracking number. Only the producer's
    people (or an operator) ship; an unpaid, cancelled or already shipped order is refused
    (409)."""
    carrier = work.services.carrier
    row = await shipments.do_book_shipment(work.db, carrier, work.actor, order_id, now=work.now)
    await work.commit()
    return ShipmentOut.of(row, await views.timeline(work.db, row))


@router.get("/orders/{order_id}/shipment", response_model=ShipmentOut)
async def get_shipment(
    order_id: PathId, work: Work[ShipmentsKit] = unit("signed_in", kit=shipments_kit)
) -> ShipmentOut:
    """The order's shipment and its tracking timeline, newest scan first."""
    order = await order_views.access_order(work.db, work.actor, order_id)
    row = await views.shipment_of(work.db, order.id)
    if row is None:
        raise NotFound(N_("This order has not been shipped."))
    return ShipmentOut.of(row, await views.timeline(work.db, row))


@router.post("/carrier/{carrier}/notices", response_model=NoticeResult)
async def carrier_notice(
    carrier: str = CarrierName,
    work: Work[ShipmentsKit] = unit("public", csrf=False, kit=shipments_kit),
) -> NoticeResult:
    """A carrier's signed notice of a scan. A forged or stale signature is refused (400), a
    notice that is not the carrier's shape too (422), an unknown tracking number gets 404;
    a second copy is answered ``duplicate`` and changes nothing."""
    ours = work.services.carrier
    if carrier != ours.name:
        raise NotFound(N_("No such carrier."))
    notice = ours.verify(work.request.headers, await work.request.body(), now=work.now)
    days = work.services.settings.auto_confirm_days
    try:
        outcome = await shipments.handle_notice(
            work.db, ours, notice, confirm_days=days, now=work.now
        )
        await work.commit()
    except IntegrityError:  # the other copy was applied at the same instant
        await work.db.rollback()
        outcome = shipments.Outcome.DUPLICATE
    return NoticeResult(outcome=outcome.value)
