"""Shipment tables: Sunlit's shipments and their tracking events, the carrier notices already
applied, and the sandbox carrier's own parcels, planned scans and queued notices (its side of
the boundary, as ``sandbox_charges`` is the sandbox gateway's)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sunlit.core.db import Base, StrEnumType, UTCDateTime
from sunlit.fulfilment.shipments.model import ScanStatus

STATUSES = (
    "status IN ('booked', 'picked_up', 'in_transit', 'out_for_delivery', 'delivered', 'lost', "
    "'damaged', 'returned')"
)


class ShipmentRow(Base):
    """An order's parcel with a carrier. ``status`` and ``status_at`` are the latest scan by
    the carrier's time; ``closed_at`` is set once receipt was confirmed, or nothing is left
    to confirm, so that the auto-confirmation no longer looks at it."""

    __tablename__ = "shipments"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"))
    carrier: Mapped[str] = mapped_column(String(16))
    tracking_no: Mapped[str] = mapped_column(String(40))
    status: Mapped[ScanStatus] = mapped_column(StrEnumType(ScanStatus, 24))
    status_at: Mapped[datetime] = mapped_column(UTCDateTime())
    booked_by: Mapped[str] = mapped_column(String(40))
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The carrier's time of its "delivered" scan.
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When receipt will confirm itself (``SUNLIT_AUTO_CONFIRM_DAYS`` after ``delivered_at``),
    #: as the buyer was told, unless after-sales is open.
    confirms_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("order_id"),
        UniqueConstraint("carrier", "tracking_no", name="tracking_once"),
        CheckConstraint(STATUSES, name="status_known"),
        Index("ix_shipments_delivered_at", "delivered_at"),
    )


class TrackingEventRow(Base):
    """One scan of a shipment, as the carrier's notice told it; ``at`` is the carrier's time,
    ``received_at`` Sunlit's."""

    __tablename__ = "tracking_events"

    notice_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    shipment_id: Mapped[str] = mapped_column(ForeignKey("shipments.id"))
    status: Mapped[ScanStatus] = mapped_column(StrEnumType(ScanStatus, 24))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(String(80))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint(STATUSES, name="status_known"),
        Index("ix_tracking_events_shipment_id_at", "shipment_id", "at"),
    )


class CarrierNoticeRow(Base):
    """A carrier notice already applied: a second copy of it changes nothing."""

    __tablename__ = "carrier_notices"

    notice_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    carrier: Mapped[str] = mapped_column(String(16))
    tracking_no: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SandboxParcelRow(Base):
    """A parcel the sandbox carrier took (its own record, not Sunlit's shipment)."""

    __tablename__ = "sandbox_parcels"

    tracking_no: Mapped[str] = mapped_column(String(40), primary_key=True)
    reference: Mapped[str] = mapped_column(String(40))
    origin: Mapped[str] = mapped_column(String(6))
    destination: Mapped[str] = mapped_column(String(6))
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SandboxScanRow(Base):
    """A scan the sandbox carrier planned for a parcel. It happens once ``at`` is past: then
    its notice is queued (``queued_at``)."""

    __tablename__ = "sandbox_scans"

    tracking_no: Mapped[str] = mapped_column(
        ForeignKey("sandbox_parcels.tracking_no"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    status: Mapped[ScanStatus] = mapped_column(StrEnumType(ScanStatus, 24))
    place: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint(STATUSES, name="status_known"),
        Index("ix_sandbox_scans_at", "at"),
    )


class SandboxCarrierNoticeRow(Base):
    """A notice the sandbox carrier will send: each scan's notice is queued twice, each copy
    late by its own random delay, so copies arrive duplicated and out of order."""

    __tablename__ = "sandbox_carrier_notices"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    notice_id: Mapped[str] = mapped_column(String(64))
    tracking_no: Mapped[str] = mapped_column(ForeignKey("sandbox_parcels.tracking_no"))
    seq: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(String(1000))
    deliver_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_sandbox_carrier_notices_deliver_at", "deliver_at"),
        Index("ix_sandbox_carrier_notices_tracking_no", "tracking_no"),
    )
