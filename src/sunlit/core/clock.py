"""Time. Domain functions take an explicit ``now``; only the edges ask a ``Clock``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock for tests and simulations: it moves only when told to."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta


def to_rfc3339(moment: datetime, zone: ZoneInfo) -> str:
    """RFC 3339 with offset and millisecond precision: ``2020-03-02T20:15:03.120+08:00``."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: every time in Sunlit carries its offset")
    return moment.astimezone(zone).isoformat(timespec="milliseconds")


def parse_rfc3339(text: str) -> datetime:
    """Parse an RFC 3339 timestamp; a timestamp without an offset is refused."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"timestamp without an offset: {text!r}")
    return moment
