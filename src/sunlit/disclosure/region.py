"""A county's sales in public (issue 21, item 5, the public summary): what its produce sold
each day over the last 90 days — in a session with an official on camera (an official's own, or
a producer's with an official as its guest), in a producer's own session, or outside any
session — and for each session the 30 days before it, its own sales and the 30 days after:
whether sales last once the official leaves, and whether they come back when the farmers host.
The arithmetic is pure (explicit days, integer fen); :func:`region_sales` reads what it
needs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.catalog import views as catalog_views
from sunlit.catalog.model import Band
from sunlit.catalog.producers import services as producer_service
from sunlit.catalog.products import bands
from sunlit.disclosure.region_record import Kind, KindPrices, Service, price_weeks, service
from sunlit.filing.model import Plan
from sunlit.filing.services import plans_by_id
from sunlit.fulfilment.aftersales.views import complaints_on
from sunlit.orders.views import (
    Buyers,
    PaidHour,
    buyers_between,
    delivery_hours,
    paid_among,
    paid_by_hour,
)

#: The days the summary covers, and the days before and after a session it compares.
WINDOW_DAYS = 90
AROUND_DAYS = 30


@dataclass(frozen=True, slots=True)
class Sale:
    day: date  # in the market's time zone
    amount: int  # fen that stayed paid
    session: str | None  # None: sold outside any session
    official: bool = True  # in a session with an official on camera (False outside sessions)


@dataclass(frozen=True, slots=True)
class Day:
    day: date
    in_session: int  # fen sold in a session with an official on camera
    other: int  # fen sold without one, outside any session
    producer_hosted: int = 0  # fen sold in a producer's own session, with no official

    @property
    def total(self) -> int:
        return self.in_session + self.producer_hosted + self.other


@dataclass(frozen=True, slots=True)
class Span:
    """A session as the summary places it: its days, and who hosted it."""

    id: str
    title: str
    first: date
    last: date
    host_kind: str = "official"  # or "producer"
    with_official: bool = True  # an official on camera: the host, or a producer's guest


def _with_official(sale: Sale) -> bool:
    return sale.session is not None and sale.official


@dataclass(frozen=True, slots=True)
class Around:
    span: Span
    before: int  # fen sold in the AROUND_DAYS before its first day, in no session
    during: int  # fen sold in the session itself
    after: int  # fen sold in the AROUND_DAYS after its last day, in no session
    days_after: int  # how many of those days have passed (the rest are still to come)


def by_day(sales: Iterable[Sale], first: date, last: date) -> list[Day]:
    """Every day from ``first`` to ``last``, with what sold with an official on camera, in a
    producer's own session, and outside any session."""
    totals: dict[date, list[int]] = {
        first + timedelta(days=n): [0, 0, 0] for n in range((last - first).days + 1)
    }
    for sale in sales:
        if sale.day in totals:
            slot = 0 if _with_official(sale) else 2 if sale.session else 1
            totals[sale.day][slot] += sale.amount
    return [Day(day, inside, other, own) for day, (inside, other, own) in totals.items()]


def around(sales: Sequence[Sale], span: Span, today: date, days: int = AROUND_DAYS) -> Around:
    """What sold before, during and after one session. Before and after count what sold with
    no official on camera (outside sessions, and in producers' own sessions); another session
    with an official counts in none of the three (those are another official's days)."""
    before_from, after_to = span.first - timedelta(days=days), span.last + timedelta(days=days)
    alone = [s for s in sales if not _with_official(s) and s.session != span.id]
    before = sum(s.amount for s in alone if before_from <= s.day < span.first)
    during = sum(s.amount for s in sales if s.session == span.id)
    after = sum(s.amount for s in alone if span.last < s.day <= after_to)
    passed = max(0, min(days, (today - span.last).days))
    return Around(span, before, during, after, passed)


def share_without_official(sales: Iterable[Sale]) -> float | None:
    """The share of the money sold with no official on camera (None when nothing sold)."""
    kept = list(sales)
    total = sum(s.amount for s in kept)
    alone = sum(s.amount for s in kept if not _with_official(s))
    return round(alone / total, 3) if total else None


@dataclass(frozen=True, slots=True)
class Hosts:
    """Sessions in the period by who hosted them, and what they sold."""

    official_sessions: int
    official_sold: int
    producer_sessions: int
    producer_sold: int


def by_host(spans: Sequence[Span], sales: Iterable[Sale]) -> Hosts:
    sold: dict[str, int] = {}
    for sale in sales:
        if sale.session:
            sold[sale.session] = sold.get(sale.session, 0) + sale.amount
    officials = [s.id for s in spans if s.host_kind != "producer"]
    producers = [s.id for s in spans if s.host_kind == "producer"]
    return Hosts(
        len(officials),
        sum(sold.get(i, 0) for i in officials),
        len(producers),
        sum(sold.get(i, 0) for i in producers),
    )


@dataclass(frozen=True, slots=True)
class RegionSales:
    region: str
    first: date
    last: date
    days: list[Day]
    sessions: list[Around]
    total: int
    share_without_official: float | None
    hosts: Hosts
    buyers: Buyers  # over the period shown: who came back, and what was refunded
    service: Service  # complaints and delivery times of the orders paid in the period
    prices: list[KindPrices]  # week by week, against the reference band

    @property
    def repeat_share(self) -> float | None:
        """The share of buyers who bought twice or more (None with no buyer)."""
        b = self.buyers
        return round(b.repeat_buyers / b.buyers, 3) if b.buyers else None

    @property
    def refund_share(self) -> float | None:
        """The share of the money paid that was refunded (None when nothing was paid)."""
        b = self.buyers
        return round(b.refunded / b.paid, 3) if b.paid else None


async def region_sales(
    db: AsyncSession, region: str, *, now: datetime, zone: ZoneInfo
) -> RegionSales:
    """The summary for a region's produce over the WINDOW_DAYS up to ``now``."""
    products = await catalog_views.sold_in(db, region)
    return await sales_summary(db, region, products, now=now, zone=zone)


async def producer_sales(
    db: AsyncSession, manager: str, *, now: datetime, zone: ZoneInfo
) -> RegionSales:
    """The same summary for the produce of the producers an account runs (its own, and its
    cooperative's members): a farmer's own dashboard (issue 21, item 5)."""
    managed = await producer_service.list_producers(db, manager=manager)
    products = await catalog_views.sold_of(db, *(producer.id for producer in managed))
    return await sales_summary(db, "", products, now=now, zone=zone)


async def sales_summary(
    db: AsyncSession,
    region: str,
    products: list[catalog_views.Sold],
    *,
    now: datetime,
    zone: ZoneInfo,
) -> RegionSales:
    """What ``products`` sold over the WINDOW_DAYS up to ``now``, day by day and around each
    session (``region`` labels the summary: a county's code, or empty)."""
    last = now.astimezone(zone).date()
    first = last - timedelta(days=WINDOW_DAYS - 1)
    return await summary_between(db, region, products, first=first, last=last, now=now, zone=zone)


def sessions_of(
    plans: Iterable[Plan], *, first: date, last: date, zone: ZoneInfo
) -> tuple[list[Span], dict[str, bool]]:
    """The sessions that reach into ``first`` to ``last`` (local days), in order, and for every
    plan whether an official was on camera (its host, or a producer's guest)."""
    spans, official = [], {}
    for plan in plans:
        hosted_by = str(plan.host_kind)
        official[plan.id] = hosted_by != "producer" or plan.guest_official_id is not None
        start, end = plan.starts_at.astimezone(zone).date(), plan.ends_at.astimezone(zone).date()
        if end >= first and start <= last:
            spans.append(Span(plan.id, plan.title, start, end, hosted_by, official[plan.id]))
    spans.sort(key=lambda span: (span.first, span.id))
    return spans, official


def sale_of(row: PaidHour, official: Mapping[str, bool], zone: ZoneInfo) -> Sale:
    """A sum of paid orders as a local day's sale, with or without an official on camera."""
    with_official = official.get(row.session or "", False)
    return Sale(row.at.astimezone(zone).date(), row.kept, row.session, with_official)


def start_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, datetime.min.time(), zone)


async def summary_between(
    db: AsyncSession,
    region: str,
    products: list[catalog_views.Sold],
    *,
    first: date,
    last: date,
    now: datetime,
    zone: ZoneInfo,
) -> RegionSales:
    """What ``products`` sold from ``first`` to ``last`` (local days, both included), and
    around each session held in them: the AROUND_DAYS before and after may reach outside the
    days shown, up to ``now`` (a month's report counts the 30 days after its last session)."""
    since = start_of(first - timedelta(days=AROUND_DAYS), zone)
    until = min(now, start_of(last + timedelta(days=AROUND_DAYS + 1), zone))
    ids = [product.id for product in products]
    rows = await paid_by_hour(db, ids, since, until)
    plans = await plans_by_id(db, {row.session for row in rows if row.session})
    spans, official = sessions_of(plans.values(), first=first, last=last, zone=zone)
    sales = [sale_of(row, official, zone) for row in rows]
    shown = [s for s in sales if first <= s.day <= last]
    today = now.astimezone(zone).date()
    from_first, period_end = (
        start_of(first, zone),
        min(now, start_of(last + timedelta(days=1), zone)),
    )
    buyers = await buyers_between(db, ids, from_first, period_end)
    complaints = await complaints_on(
        db, lambda order: paid_among(order, ids, from_first, period_end)
    )
    taken = await delivery_hours(db, ids, from_first, period_end)
    return RegionSales(
        region=region,
        first=first,
        last=last,
        days=by_day(shown, first, last),
        sessions=[around(sales, span, today) for span in spans],
        total=sum(s.amount for s in shown),
        share_without_official=share_without_official(shown),
        hosts=by_host(spans, shown),
        buyers=buyers,
        service=service(buyers.orders, complaints, taken),
        prices=await _prices(db, products, rows, first=first, last=last, zone=zone),
    )


async def _prices(
    db: AsyncSession,
    products: list[catalog_views.Sold],
    rows: list[PaidHour],
    *,
    first: date,
    last: date,
    zone: ZoneInfo,
) -> list[KindPrices]:
    """The prices paid week by week against the band of each kind (one statement for the
    bands of every kind)."""
    sold = {row.product for row in rows}
    kinds = {
        p.id: (Kind(p.kind, p.name_zh, p.name_en, p.origin_region), p.grams)
        for p in products
        if p.id in sold
    }
    found = await bands.bands_by_kind(db, {kind.kind for kind, _ in kinds.values()})

    def band(kind: Kind, on: date) -> Band | None:
        return bands.band_on(found, kind.kind, kind.region, on)

    return price_weeks(rows, kinds, band, first=first, last=last, zone=zone)
