"""The event log table. Append-only: the migration installs triggers that refuse UPDATE and
DELETE on SQLite and on PostgreSQL, so not even a careless script can rewrite history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sunlit.core.db import Base, UTCDateTime

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
SeqType = BigInteger().with_variant(Integer(), "sqlite")


class EventRow(Base):
    __tablename__ = "event_log"

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True)
    # A plain string, not StrEnumType(EventType): rows are never rewritten, so a type that
    # leaves the enum (or one an older release wrote) must still read back.
    type: Mapped[str] = mapped_column(String(64))
    ts: Mapped[datetime] = mapped_column(UTCDateTime())
    session: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (
        Index("ix_event_log_ts", "ts"),
        Index("ix_event_log_session", "session"),
    )
