"""Time. Domain functions take an explicit ``now``; only the edges ask a ``Clock``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Protocol
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, AwareDatetime


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


#: The first and last instants that can be written in every zone (offsets reach ±14 hours).
FIRST_MOMENT = datetime(1, 1, 2, tzinfo=UTC)
LAST_MOMENT = datetime(9999, 12, 30, tzinfo=UTC)


def in_utc(moment: datetime) -> datetime:
    """An aware time as UTC; ``ValueError`` when it cannot be written in every zone (so that
    storing or showing it cannot overflow)."""
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("this time is out of range") from None
    if not FIRST_MOMENT <= utc <= LAST_MOMENT:
        raise ValueError("this time is out of range")
    return utc


#: A time the JSON API accepts: RFC 3339 with an offset (naive input is a 422), put in UTC at
#: the edge; a time beyond year 9999 in UTC is a 422 too, not an error when it is stored.
Moment = Annotated[AwareDatetime, AfterValidator(in_utc)]
