"""Order tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from sunlit.core.db import Base, StrEnumType, UTCDateTime
from sunlit.orders.model import OrderState, PaymentMethod


class OrderRow(Base):
    """One order of one product. The street address is kept for the producer who ships it;
    events carry only its salted hash."""

    __tablename__ = "orders"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    buyer_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"))
    producer_id: Mapped[str] = mapped_column(ForeignKey("producers.id"))
    session_id: Mapped[str | None] = mapped_column(ForeignKey("session_plans.id"))
    qty: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(BigInteger)
    #: Fixed when the order is placed, from the producer's fee for the destination's zone.
    shipping_fee: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    #: What the buyer pays: the goods and the shipping fee.
    amount: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[OrderState] = mapped_column(StrEnumType(OrderState, 16))
    payment_method: Mapped[PaymentMethod] = mapped_column(StrEnumType(PaymentMethod, 16))
    address_region: Mapped[str] = mapped_column(String(6))
    address_detail: Mapped[str] = mapped_column(String(200))
    recipient: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str] = mapped_column(String(16))
    idempotency_key: Mapped[str] = mapped_column(String(64))
    request_digest: Mapped[str] = mapped_column(String(64))
    refunded: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    carrier: Mapped[str | None] = mapped_column(String(40))
    tracking_no: Mapped[str | None] = mapped_column(String(40))
    cancel_reason: Mapped[str | None] = mapped_column(String(200))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When the buyer confirmed receipt, or the system did for them some days after the
    #: carrier's "delivered": the payout clock starts here, never at a seller's word.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("buyer_id", "idempotency_key", name="buyer_key_once"),
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint(
            "amount = qty * unit_price + shipping_fee", name="amount_is_goods_and_shipping"
        ),
        CheckConstraint("shipping_fee >= 0", name="shipping_fee_not_negative"),
        CheckConstraint("refunded >= 0 AND refunded <= amount", name="refund_within_amount"),
        CheckConstraint(
            "state IN ('placed', 'paid', 'shipped', 'delivered', 'completed', 'cancelled', "
            "'refunded')",
            name="state_known",
        ),
        Index("ix_orders_product_id_buyer_id", "product_id", "buyer_id"),
        Index("ix_orders_producer_id", "producer_id"),
        Index("ix_orders_state_expires_at", "state", "expires_at"),
        Index("ix_orders_session_id", "session_id"),
    )


class ShippingFeeRow(Base):
    """A producer's shipping fee for one destination zone (``orders.shipping.model.Zone``), in
    fen; a zone without a row ships free."""

    __tablename__ = "shipping_fees"

    producer_id: Mapped[str] = mapped_column(ForeignKey("producers.id"), primary_key=True)
    zone: Mapped[str] = mapped_column(String(16), primary_key=True)
    fee: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(ForeignKey("accounts.id"))

    __table_args__ = (
        CheckConstraint("zone IN ('same_province', 'mainland', 'remote')", name="zone_known"),
        CheckConstraint("fee >= 0 AND fee <= 100000", name="fee_in_range"),
    )


class SavedAddressRow(Base):
    """An address in a buyer's address book: personal data, seen only by its owner; events name
    it by id alone. At most one default per buyer (a partial unique index)."""

    __tablename__ = "saved_addresses"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    label: Mapped[str] = mapped_column(String(20))
    region: Mapped[str] = mapped_column(String(6))
    detail: Mapped[str] = mapped_column(String(200))
    recipient: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str] = mapped_column(String(16))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_saved_addresses_account_id", "account_id"),
        Index(
            "ix_saved_addresses_one_default",
            "account_id",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )
