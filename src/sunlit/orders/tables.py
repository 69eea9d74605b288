"""Order tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
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
        CheckConstraint("amount = qty * unit_price", name="amount_is_qty_times_price"),
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
