"""The published holidays and adjusted workdays (调休), one row a day."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date
from sqlalchemy.orm import Mapped, mapped_column

from sunlit.core.calendar.model import DayKind
from sunlit.core.db import Base, StrEnumType


class CalendarDayRow(Base):
    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[DayKind] = mapped_column(StrEnumType(DayKind, 8))

    __table_args__ = (CheckConstraint("kind IN ('holiday', 'workday')", name="kind_known"),)
