"""Reads of shipments that the order's page, the API and the console share."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.fulfilment.shipments.model import Scan, ScanStatus, newest_first
from sunlit.fulfilment.shipments.tables import ShipmentRow, TrackingEventRow


async def shipment_of(db: AsyncSession, order_id: str) -> ShipmentRow | None:
    return await db.scalar(select(ShipmentRow).where(ShipmentRow.order_id == order_id))


async def shipments_of(db: AsyncSession, order_ids: Collection[str]) -> dict[str, ShipmentRow]:
    """The shipments of these orders, by order."""
    if not order_ids:
        return {}
    query = select(ShipmentRow).where(ShipmentRow.order_id.in_(list(order_ids)))
    return {row.order_id: row for row in (await db.scalars(query)).all()}


async def timeline(db: AsyncSession, shipment: ShipmentRow) -> list[Scan]:
    """The shipment's scans, newest first by the carrier's time, however late each arrived;
    the booking is the oldest line."""
    rows = await db.scalars(
        select(TrackingEventRow).where(TrackingEventRow.shipment_id == shipment.id)
    )
    scans = [Scan(row.status, row.at, row.place) for row in rows.all()]
    return [*newest_first(scans), Scan(ScanStatus.BOOKED, shipment.booked_at, "")]
