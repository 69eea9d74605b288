"""Reviews and their photos. A review is never deleted or edited by anyone: a moderator's hide
sets ``hidden_*`` and keeps the text, for oversight."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sunlit.core.db import Base, UTCDateTime


class ReviewRow(Base):
    """The buyer's review of one order (one per order), its one follow-up, and the producer's
    one public reply."""

    __tablename__ = "reviews"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), unique=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"))
    producer_id: Mapped[str] = mapped_column(ForeignKey("producers.id"))
    buyer_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    session_id: Mapped[str | None] = mapped_column(String(40))
    stars: Mapped[int] = mapped_column(Integer)
    freshness: Mapped[int] = mapped_column(Integer)
    packaging: Mapped[int] = mapped_column(Integer)
    speed: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The buyer's one follow-up (追评), added later: the first words are never changed.
    follow_up: Mapped[str | None] = mapped_column(Text)
    follow_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reply: Mapped[str | None] = mapped_column(Text)
    replied_by: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_reason: Mapped[str | None] = mapped_column(String(16))
    hidden_note: Mapped[str | None] = mapped_column(Text)
    hidden_by: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),
        CheckConstraint("freshness BETWEEN 1 AND 5", name="freshness_range"),
        CheckConstraint("packaging BETWEEN 1 AND 5", name="packaging_range"),
        CheckConstraint("speed BETWEEN 1 AND 5", name="speed_range"),
        Index("ix_reviews_product_id_posted_at", "product_id", "posted_at"),
        Index("ix_reviews_producer_id_posted_at", "producer_id", "posted_at"),
    )


class ReviewPhotoRow(Base):
    __tablename__ = "review_photos"

    review_id: Mapped[str] = mapped_column(ForeignKey("reviews.id"), primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
