"""A county's sales in public (issue 21, item 5, the public summary): what its produce sold
each day over the last 90 days, how much of it in a session with an official on camera and how
much without, and for each session the 30 days before it, its own sales and the 30 days after —
whether sales last once the official leaves. The arithmetic is pure (explicit days, integer
fen); :func:`region_sales` reads what it needs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.catalog import views as catalog_views
from sunlit.filing.views import find_plan
from sunlit.orders.views import paid_between

#: The days the summary covers, and the days before and after a session it compares.
WINDOW_DAYS = 90
AROUND_DAYS = 30


@dataclass(frozen=True, slots=True)
class Sale:
    day: date  # in the market's time zone
    amount: int  # fen that stayed paid
    session: str | None  # None: sold outside any session


@dataclass(frozen=True, slots=True)
class Day:
    day: date
    in_session: int  # fen sold in a session with an official on camera
    other: int  # fen sold without one

    @property
    def total(self) -> int:
        return self.in_session + self.other


@dataclass(frozen=True, slots=True)
class Span:
    """A session as the summary places it: its days."""

    id: str
    title: str
    first: date
    last: date


@dataclass(frozen=True, slots=True)
class Around:
    span: Span
    before: int  # fen sold in the AROUND_DAYS before its first day, in no session
    during: int  # fen sold in the session itself
    after: int  # fen sold in the AROUND_DAYS after its last day, in no session
    days_after: int  # how many of those days have passed (the rest are still to come)


def by_day(sales: Iterable[Sale], first: date, last: date) -> list[Day]:
    """Every day from ``first`` to ``last``, with what sold in and out of sessions."""
    totals: dict[date, list[int]] = {
        first + timedelta(days=n): [0, 0] for n in range((last - first).days + 1)
    }
    for sale in sales:
        if sale.day in totals:
            totals[sale.day][0 if sale.session else 1] += sale.amount
    return [Day(day, inside, other) for day, (inside, other) in totals.items()]


def around(sales: Sequence[Sale], span: Span, today: date, days: int = AROUND_DAYS) -> Around:
    """What sold before, during and after one session; sales in other sessions count in none
    of the three (they are another official's days)."""
    before_from, after_to = span.first - timedelta(days=days), span.last + timedelta(days=days)
    before = sum(s.amount for s in sales if not s.session and before_from <= s.day < span.first)
    during = sum(s.amount for s in sales if s.session == span.id)
    after = sum(s.amount for s in sales if not s.session and span.last < s.day <= after_to)
    passed = max(0, min(days, (today - span.last).days))
    return Around(span, before, during, after, passed)


def share_without_official(sales: Iterable[Sale]) -> float | None:
    """The share of the money sold with no official on camera (None when nothing sold)."""
    kept = list(sales)
    total = sum(s.amount for s in kept)
    return round(sum(s.amount for s in kept if not s.session) / total, 3) if total else None


@dataclass(frozen=True, slots=True)
class RegionSales:
    region: str
    first: date
    last: date
    days: list[Day]
    sessions: list[Around]
    total: int
    share_without_official: float | None


async def region_sales(
    db: AsyncSession, region: str, *, now: datetime, zone: ZoneInfo
) -> RegionSales:
    """The summary for a region's produce over the WINDOW_DAYS up to ``now``."""
    last = now.astimezone(zone).date()
    first = last - timedelta(days=WINDOW_DAYS - 1)
    since = datetime.combine(first - timedelta(days=AROUND_DAYS), datetime.min.time(), zone)
    products = await catalog_views.product_ids_in(db, region)
    rows = await paid_between(db, products, since, now)
    sales = [Sale(paid.astimezone(zone).date(), amount, session) for paid, amount, session in rows]
    spans = []
    for session in sorted({s.session for s in sales if s.session}):
        plan = await find_plan(db, session)
        if plan is None:
            continue
        start, end = plan.starts_at.astimezone(zone).date(), plan.ends_at.astimezone(zone).date()
        if end >= first:
            spans.append(Span(plan.id, plan.title, start, end))
    spans.sort(key=lambda span: (span.first, span.id))
    shown = [s for s in sales if s.day >= first]
    return RegionSales(
        region=region,
        first=first,
        last=last,
        days=by_day(shown, first, last),
        sessions=[around(sales, span, last) for span in spans],
        total=sum(s.amount for s in shown),
        share_without_official=share_without_official(shown),
    )
