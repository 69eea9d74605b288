"""What the order's page shows of the shipments (its part of `fulfilment/order.html`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor
from sunlit.fulfilment.shipments import views
from sunlit.fulfilment.shipments.model import EXCEPTIONS, ScanStatus
from sunlit.orders.model import Order


async def order_section(
    db: AsyncSession, actor: Actor, order: Order, *, sells: bool, now: datetime
) -> dict[str, object]:
    """The values `fulfilment/_shipments.html` renders for this order and this viewer: the
    carrier and tracking number, the scans newest first, the current status, and when receipt
    confirms itself."""
    shipment = await views.shipment_of(db, order.id)
    if shipment is None:
        return {"shipment": None}
    waiting = (
        shipment.status is ScanStatus.DELIVERED
        and order.confirmed_at is None
        and order.state == "delivered"
    )
    return {
        "shipment": shipment,
        "scans": await views.timeline(db, shipment),
        "exceptions": [status.value for status in EXCEPTIONS],
        "confirms_at": shipment.confirms_at if waiting else None,
    }
