"""Catalog tables."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from sunlit.catalog.model import (
    Category,
    ClearanceReason,
    HelpStatus,
    InspectionKind,
    ProducerKind,
    Unit,
    UnsalableReason,
    Verification,
)
from sunlit.core.db import Base, StrEnumType, UTCDateTime


class ProducerRow(Base):
    """A household, cooperative or enterprise that sells produce. ``account_id`` is the farmer
    account that manages it; member households of a cooperative point at it."""

    __tablename__ = "producers"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[ProducerKind] = mapped_column(StrEnumType(ProducerKind, 16))
    name: Mapped[str] = mapped_column(String(80))
    region: Mapped[str] = mapped_column(String(6))
    village: Mapped[str | None] = mapped_column(String(80))
    contact_name: Mapped[str | None] = mapped_column(String(64))
    contact_phone: Mapped[str | None] = mapped_column(String(16))
    account_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    cooperative_id: Mapped[str | None] = mapped_column(ForeignKey("producers.id"))
    verification: Mapped[Verification] = mapped_column(StrEnumType(Verification, 16))
    verified_by: Mapped[str | None] = mapped_column(String(40))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("kind IN ('household', 'cooperative', 'enterprise')", name="kind_known"),
        CheckConstraint(
            "verification IN ('pending', 'verified', 'rejected')", name="verification_known"
        ),
        Index("ix_producers_region", "region"),
        Index("ix_producers_account_id", "account_id"),
    )


class ProductRow(Base):
    __tablename__ = "products"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    producer_id: Mapped[str] = mapped_column(ForeignKey("producers.id"))
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(32))
    category: Mapped[Category] = mapped_column(StrEnumType(Category, 16))
    origin_region: Mapped[str] = mapped_column(String(6))
    unit: Mapped[Unit] = mapped_column(StrEnumType(Unit, 8))
    box_grams: Mapped[int | None] = mapped_column(Integer)
    price: Mapped[int] = mapped_column(BigInteger)
    declared_cost: Mapped[int | None] = mapped_column(BigInteger)
    stock: Mapped[int] = mapped_column(BigInteger)
    description_zh: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str] = mapped_column(Text)
    story_zh: Mapped[str] = mapped_column(Text)
    story_en: Mapped[str] = mapped_column(Text)
    clearance: Mapped[ClearanceReason | None] = mapped_column(StrEnumType(ClearanceReason, 16))
    # Sales: a suspended product takes no orders; the limit is per buyer, per session.
    on_sale: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    per_buyer_limit: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("price > 0", name="price_positive"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("per_buyer_limit > 0", name="limit_positive"),
        CheckConstraint("unit IN ('jin', 'kg', 'box')", name="unit_known"),
        Index("ix_products_producer_id", "producer_id"),
        Index("ix_products_origin_region", "origin_region"),
    )


class ReferenceBandRow(Base):
    __tablename__ = "reference_bands"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    region: Mapped[str] = mapped_column(String(6))
    low: Mapped[int] = mapped_column(BigInteger)
    high: Mapped[int] = mapped_column(BigInteger)
    unit: Mapped[Unit] = mapped_column(StrEnumType(Unit, 8))
    box_grams: Mapped[int | None] = mapped_column(Integer)
    observed_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200))
    added_by: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("low > 0 AND high >= low", name="band_ordered"),
        Index("ix_reference_bands_kind_region", "kind", "region"),
    )


class UnsalableReportRow(Base):
    """A producer's call for help with stock that does not sell (滞销求助)."""

    __tablename__ = "unsalable_reports"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    producer_id: Mapped[str] = mapped_column(ForeignKey("producers.id"))
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"))
    region: Mapped[str] = mapped_column(String(6))
    quantity: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[UnsalableReason] = mapped_column(StrEnumType(UnsalableReason, 16))
    note: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[HelpStatus] = mapped_column(StrEnumType(HelpStatus, 16))
    reported_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("status IN ('open', 'answered', 'closed')", name="status_known"),
        Index("ix_unsalable_reports_region", "region"),
    )


class InspectionRow(Base):
    """An inspection report or compliance certificate (承诺达标合格证) for a product: the
    uploaded file (by SHA-256), who issued it and until when it holds."""

    __tablename__ = "inspections"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"))
    kind: Mapped[InspectionKind] = mapped_column(StrEnumType(InspectionKind, 32))
    issuer: Mapped[str] = mapped_column(String(120))
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"))
    file_name: Mapped[str] = mapped_column(String(200))
    uploaded_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("expires_on > issued_on", name="expires_after_issue"),
        Index("ix_inspections_product_id", "product_id"),
    )


class ProductPhotoRow(Base):
    __tablename__ = "product_photos"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"))
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"))
    uploaded_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_product_photos_product_id", "product_id"),)
