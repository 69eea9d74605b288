"""Catalog tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from sunlit.core.db import Base


class ServedRegionRow(Base):
    """A region this deployment serves: its officials, producers and sessions are here."""

    __tablename__ = "served_regions"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    added_by: Mapped[str | None] = mapped_column(String(40))
