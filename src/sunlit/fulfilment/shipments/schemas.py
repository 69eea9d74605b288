"""JSON shapes of the shipments API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from sunlit.fulfilment.shipments.model import Scan
from sunlit.fulfilment.shipments.tables import ShipmentRow


class ScanOut(BaseModel):
    status: str
    at: datetime
    place: str

    @classmethod
    def of(cls, scan: Scan) -> ScanOut:
        return cls(status=scan.status.value, at=scan.at, place=scan.place)


class ShipmentOut(BaseModel):
    """An order's shipment: the carrier, its tracking number, the status of the latest scan by
    the carrier's time, and the scans newest first (the booking last)."""

    order_id: str
    carrier: str
    tracking_no: str
    status: str
    status_at: datetime
    booked_at: datetime
    delivered_at: datetime | None
    confirms_at: datetime | None
    scans: list[ScanOut]

    @classmethod
    def of(cls, row: ShipmentRow, scans: list[Scan]) -> ShipmentOut:
        return cls(
            order_id=row.order_id,
            carrier=row.carrier,
            tracking_no=row.tracking_no,
            status=row.status.value,
            status_at=row.status_at,
            booked_at=row.booked_at,
            delivered_at=row.delivered_at,
            confirms_at=row.confirms_at,
            scans=[ScanOut.of(scan) for scan in scans],
        )


class NoticeResult(BaseModel):
    outcome: str
