"""The regions tables (docs/adr/0008)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from sunlit.core.db import Base, UTCDateTime


class RegionRow(Base):
    """A region of GB/T 2260 (docs/adr/0008). A code that left the official list keeps its row
    with ``retired_on`` set: orders and producers refer to it."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))
    parent: Mapped[str | None] = mapped_column(String(6))
    retired_on: Mapped[date | None] = mapped_column(Date)


class ServedRegionRow(Base):
    """A region this deployment serves: its officials, producers and sessions are here."""

    __tablename__ = "served_regions"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime())
    added_by: Mapped[str | None] = mapped_column(String(40))
