"""After-sales requests (one open per order: a partial unique index) and their photos."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from sunlit.core.db import Base, StrEnumType, UTCDateTime
from sunlit.fulfilment.aftersales.model import Answer, Kind, Outcome, Reason, Ruling, Side, Status

OPEN = text("status <> 'closed'")


class AftersalesRow(Base):
    """One request: the buyer's, the producer's answer, the return shipment, the arbitration
    and what was given back. ``rule`` is the policy rule that allowed it (policy.RULES)."""

    __tablename__ = "aftersales_requests"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"))
    buyer_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    producer_id: Mapped[str] = mapped_column(ForeignKey("producers.id"))
    kind: Mapped[Kind] = mapped_column(StrEnumType(Kind, 16))
    reason: Mapped[Reason] = mapped_column(StrEnumType(Reason, 24))
    rule: Mapped[str] = mapped_column(String(40))
    amount: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[Status] = mapped_column(StrEnumType(Status, 16))
    outcome: Mapped[Outcome | None] = mapped_column(StrEnumType(Outcome, 16))
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answer: Mapped[Answer | None] = mapped_column(StrEnumType(Answer, 16))
    offer: Mapped[int | None] = mapped_column(BigInteger)
    answer_text: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    return_carrier: Mapped[str | None] = mapped_column(String(40))
    return_tracking_no: Mapped[str | None] = mapped_column(String(40))
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalation_text: Mapped[str | None] = mapped_column(Text)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ruling: Mapped[Ruling | None] = mapped_column(StrEnumType(Ruling, 16))
    ruling_text: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refund_id: Mapped[str | None] = mapped_column(String(40))
    refunded: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("kind IN ('refund_only', 'return_refund')", name="kind_known"),
        CheckConstraint(
            "reason IN ('quality', 'not_as_described', 'damaged', 'late', 'packaging', "
            "'not_received', 'no_reason')",
            name="reason_known",
        ),
        CheckConstraint(
            "status IN ('open', 'offered', 'refused', 'returning', 'returned', 'escalated', "
            "'closed')",
            name="status_known",
        ),
        CheckConstraint(
            "outcome IN ('refunded', 'withdrawn', 'refused_final')", name="outcome_known"
        ),
        CheckConstraint("answer IN ('accepted', 'partial', 'refused')", name="answer_known"),
        CheckConstraint("ruling IN ('buyer', 'producer')", name="ruling_known"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("refunded >= 0 AND refunded <= amount", name="refunded_within_amount"),
        Index("ix_aftersales_requests_order_id", "order_id"),
        Index("ix_aftersales_requests_producer_id", "producer_id"),
        Index("ix_aftersales_requests_status", "status"),
        # One open request per order: two at once, the second is refused (409).
        Index(
            "uq_aftersales_requests_open_order",
            "order_id",
            unique=True,
            sqlite_where=OPEN,
            postgresql_where=OPEN,
        ),
    )


class AftersalesPhotoRow(Base):
    """A photo of the buyer's request, or of the producer's evidence for a refusal."""

    __tablename__ = "aftersales_photos"

    request_id: Mapped[str] = mapped_column(ForeignKey("aftersales_requests.id"), primary_key=True)
    side: Mapped[Side] = mapped_column(StrEnumType(Side, 8), primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (CheckConstraint("side IN ('buyer', 'producer')", name="side_known"),)
