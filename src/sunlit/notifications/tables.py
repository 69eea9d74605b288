"""Notifications and where the follower of the event log has read to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sunlit.core.db import Base, StrEnumType, UTCDateTime
from sunlit.notifications.model import Kind


class NotificationRow(Base):
    """One thing one person is told: a kind and its parameters (rendered at display time),
    the page to act on, and when it was read. One per event, reader and kind."""

    __tablename__ = "notifications"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    kind: Mapped[Kind] = mapped_column(StrEnumType(Kind, 32))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    link: Mapped[str] = mapped_column(String(200))
    event_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("event_id", "account_id", "kind"),
        Index("ix_notifications_account_id_created_at", "account_id", "created_at"),
    )


class NotificationCursorRow(Base):
    """The last event-log ``seq`` the follower turned into notifications (one row), moved in
    the same transaction as the notifications it wrote."""

    __tablename__ = "notification_cursor"

    name: Mapped[str] = mapped_column(String(16), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
