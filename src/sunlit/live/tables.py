"""Live-room tables: what each room presents, and who is muted in it. Chat, likes, joins and
moderation are events (the event log is their record); these rows are the state that must be
shared by every process serving the room."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from sunlit.core.db import Base, StrEnumType, UTCDateTime
from sunlit.live.model import HideReason


class LiveRoomRow(Base):
    __tablename__ = "live_rooms"

    session_id: Mapped[str] = mapped_column(
        ForeignKey("session_plans.id", ondelete="CASCADE"), primary_key=True
    )
    pinned_product_id: Mapped[str | None] = mapped_column(ForeignKey("products.id"))
    offer_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pinned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pinned_by: Mapped[str | None] = mapped_column(String(40))
    recording: Mapped[str | None] = mapped_column(String(200))  # file name under /recordings/


class LiveMuteRow(Base):
    __tablename__ = "live_mutes"

    session_id: Mapped[str] = mapped_column(
        ForeignKey("session_plans.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    reason: Mapped[HideReason] = mapped_column(StrEnumType(HideReason, 16))
    note: Mapped[str] = mapped_column(String(200))
    muted_by: Mapped[str] = mapped_column(String(40))
    muted_at: Mapped[datetime] = mapped_column(UTCDateTime())
