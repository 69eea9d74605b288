"""Participation tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from sunlit.core.db import Base


class PriceProposalRow(Base):
    """A price someone other than the producer would like; the producer accepts or refuses."""

    __tablename__ = "price_proposals"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"))
    proposed_by: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    price: Mapped[int] = mapped_column(BigInteger)
    previous_price: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[str | None] = mapped_column(String(40))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(String(500))
    clearance: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("status IN ('pending', 'accepted', 'refused')", name="status_known"),
        CheckConstraint("price > 0", name="price_positive"),
        Index("ix_price_proposals_product_id", "product_id"),
    )
