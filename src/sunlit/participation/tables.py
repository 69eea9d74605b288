"""Participation tables."""

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
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from sunlit.catalog.model import ClearanceReason
from sunlit.core.db import Base, StrEnumType, UTCDateTime
from sunlit.participation.model import ProposalStatus, ReportCategory


class PriceProposalRow(Base):
    """A price someone other than the producer would like; the producer accepts or refuses."""

    __tablename__ = "price_proposals"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"))
    proposed_by: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    price: Mapped[int] = mapped_column(BigInteger)
    previous_price: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[ProposalStatus] = mapped_column(StrEnumType(ProposalStatus, 16))
    decided_by: Mapped[str | None] = mapped_column(String(40))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(String(500))
    clearance: Mapped[ClearanceReason | None] = mapped_column(StrEnumType(ClearanceReason, 16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("status IN ('pending', 'accepted', 'refused')", name="status_known"),
        CheckConstraint("price > 0", name="price_positive"),
        Index("ix_price_proposals_product_id", "product_id"),
    )


class AnonymousReportRow(Base):
    """A report with no link to its reporter: a random id (not time-ordered), the day it
    arrived and nothing else about who or when. See docs/anonymous-reports.md."""

    __tablename__ = "anonymous_reports"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    category: Mapped[ReportCategory] = mapped_column(StrEnumType(ReportCategory, 32))
    text: Mapped[str] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(String(6))
    session_ref: Mapped[str | None] = mapped_column(String(64))
    received_on: Mapped[date] = mapped_column(Date)
    released: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    __table_args__ = (
        Index("ix_anonymous_reports_received_on", "received_on"),
        # No hidden rowid on SQLite: it would keep the order reports arrived in.
        {"sqlite_with_rowid": False},
    )


class SessionRatingRow(Base):
    """A producer's rating of a session they were on: sales, treatment and payment."""

    __tablename__ = "session_ratings"

    plan_id: Mapped[str] = mapped_column(ForeignKey("session_plans.id"), primary_key=True)
    producer_id: Mapped[str] = mapped_column(ForeignKey("producers.id"), primary_key=True)
    stars: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    rated_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),)


class FollowRow(Base):
    """A buyer follows a producer, a county or a kind of produce, to be told of its sessions."""

    __tablename__ = "follows"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    target_kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("target_kind IN ('producer', 'county', 'kind')", name="target_kind_known"),
        UniqueConstraint("account_id", "target_kind", "target", name="follows_once"),
        Index("ix_follows_target_kind_target", "target_kind", "target"),
    )
