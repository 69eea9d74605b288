"""Filing tables: session plans, their products, partners and team."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from sunlit.core.db import Base, StrEnumType, UTCDateTime
from sunlit.filing.model import (
    ConsentState,
    HostKind,
    PartnerKind,
    PlanStatus,
    Purpose,
    TeamRole,
)


class SessionPlanRow(Base):
    """A live session's plan, filed (报备) by whoever will host it: an official, or a producer
    selling its own produce (``host_kind``). ``official_id`` names the host either way."""

    __tablename__ = "session_plans"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    official_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    host_kind: Mapped[HostKind] = mapped_column(
        StrEnumType(HostKind, 16), server_default=HostKind.OFFICIAL.value
    )
    guest_official_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id"))
    title: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    purpose: Mapped[Purpose] = mapped_column(StrEnumType(Purpose, 32))
    answers_report: Mapped[str | None] = mapped_column(ForeignKey("unsalable_reports.id"))
    promotions: Mapped[str] = mapped_column(Text)
    invited_by: Mapped[str | None] = mapped_column(String(200))  # who asked the official to host
    declares_no_payment: Mapped[bool] = mapped_column(Boolean, server_default=false())
    status: Mapped[PlanStatus] = mapped_column(StrEnumType(PlanStatus, 16))
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    stream_nonce: Mapped[str | None] = mapped_column(String(32))  # set on approval
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(40))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'submitted', 'checked', 'approved', 'rejected', 'live', 'ended')",
            name="status_known",
        ),
        CheckConstraint("ends_at > starts_at", name="window_ordered"),
        CheckConstraint("host_kind IN ('official', 'producer')", name="host_kind_known"),
        Index("ix_session_plans_official_id", "official_id"),
        Index("ix_session_plans_starts_at", "starts_at"),
    )


class PlanProductRow(Base):
    __tablename__ = "plan_products"

    plan_id: Mapped[str] = mapped_column(
        ForeignKey("session_plans.id", ondelete="CASCADE"), primary_key=True
    )
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class PlanPartnerRow(Base):
    __tablename__ = "plan_partners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("session_plans.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[PartnerKind] = mapped_column(StrEnumType(PartnerKind, 16))
    relationship: Mapped[str | None] = mapped_column(String(200))
    public_interest: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (Index("ix_plan_partners_plan_id", "plan_id"),)


class PlanTeamRow(Base):
    """The official's team on a plan: planner, operator, product specialist, customer service."""

    __tablename__ = "plan_team"

    plan_id: Mapped[str] = mapped_column(
        ForeignKey("session_plans.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    role: Mapped[TeamRole] = mapped_column(StrEnumType(TeamRole, 32))


class PracticeRoomRow(Base):
    """One host's practice room: its id names the stream (and its private video address)."""

    __tablename__ = "practice_rooms"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), unique=True)
    nonce: Mapped[str] = mapped_column(String(32))  # a new one makes a new key
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PlanConsentRow(Base):
    """A producer's answer to being on an official's plan (issue 21): one per product filed,
    asked when the product is put on the plan, answered by the producer's own account."""

    __tablename__ = "plan_consents"

    plan_id: Mapped[str] = mapped_column(
        ForeignKey("session_plans.id", ondelete="CASCADE"), primary_key=True
    )
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"), primary_key=True)
    producer_id: Mapped[str] = mapped_column(ForeignKey("producers.id"))
    state: Mapped[ConsentState] = mapped_column(StrEnumType(ConsentState, 16))
    stock: Mapped[int | None] = mapped_column(Integer)  # what the producer commits
    reason: Mapped[str | None] = mapped_column(String(500))  # why it declined
    answered_by: Mapped[str | None] = mapped_column(String(40))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("state IN ('asked', 'given', 'declined')", name="state_known"),
        CheckConstraint("stock IS NULL OR stock > 0", name="stock_positive"),
        Index("ix_plan_consents_producer_id", "producer_id"),
    )
