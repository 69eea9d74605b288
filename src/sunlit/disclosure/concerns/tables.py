"""The concerns, their answers (one a round) and their photos."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from sunlit.core.db import Base, StrEnumType, UTCDateTime
from sunlit.disclosure.concerns.model import AnswerKind, Category, Party, Status, Subject


class ConcernRow(Base):
    """A concern. ``text`` is private to its author, the named party and supervisors; the
    public sees the category, dates, status and, once a supervisor publishes one, ``summary``.
    ``author_id`` is null for a member of the public who did not sign in."""

    __tablename__ = "concerns"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    subject: Mapped[Subject] = mapped_column(StrEnumType(Subject, 8))
    session_id: Mapped[str | None] = mapped_column(ForeignKey("session_plans.id"))
    product_id: Mapped[str | None] = mapped_column(ForeignKey("products.id"))
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id"))
    producer_id: Mapped[str | None] = mapped_column(ForeignKey("producers.id"))
    region: Mapped[str | None] = mapped_column(String(6))
    category: Mapped[Category] = mapped_column(StrEnumType(Category, 24))
    text: Mapped[str] = mapped_column(Text)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    author_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    party: Mapped[Party] = mapped_column(StrEnumType(Party, 8))
    party_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    status: Mapped[Status] = mapped_column(StrEnumType(Status, 16))
    round: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    rating: Mapped[int | None] = mapped_column(Integer)
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    summary: Mapped[str | None] = mapped_column(Text)
    published_by: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    case_id: Mapped[str | None] = mapped_column(String(40))

    __table_args__ = (
        CheckConstraint("subject IN ('session', 'product', 'order')", name="subject_known"),
        CheckConstraint(
            "category IN ('forced_purchase', 'quality', 'price', 'fake_data', "
            "'conflict_of_interest', 'farmers_not_paid', 'other')",
            name="category_known",
        ),
        CheckConstraint("party IN ('office', 'producer')", name="party_known"),
        CheckConstraint(
            "status IN ('waiting', 'answered', 'accepted', 'escalated')", name="status_known"
        ),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_range"),
        Index("ix_concerns_session_id", "session_id"),
        Index("ix_concerns_party_id", "party_id"),
        Index("ix_concerns_region", "region"),
    )


class ConcernAnswerRow(Base):
    """One answer of the named party, and what a supervisor made of it."""

    __tablename__ = "concern_answers"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    concern_id: Mapped[str] = mapped_column(ForeignKey("concerns.id"))
    round: Mapped[int] = mapped_column(Integer)
    kind: Mapped[AnswerKind] = mapped_column(StrEnumType(AnswerKind, 16))
    text: Mapped[str] = mapped_column(Text)
    answered_by: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    in_time: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    outcome: Mapped[str | None] = mapped_column(String(16))  # accepted, reopened, escalated
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("kind IN ('explanation', 'correction')", name="kind_known"),
        Index("ix_concern_answers_concern_id", "concern_id"),
    )


class ConcernPhotoRow(Base):
    __tablename__ = "concern_photos"

    concern_id: Mapped[str] = mapped_column(ForeignKey("concerns.id"), primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
