"""What became of a county's sales, beside what sold (issue 21, item 5): complaints per 100
orders, how long parcels took to arrive, and the prices paid, week by week, against the county's
reference band. Pure: the counts come from SQL already summed (by hour, by hours taken)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sunlit.catalog.model import Band, BandStatus, band_position

JIN = 500  # grams: prices against a band are shown per jin


@dataclass(frozen=True, slots=True)
class Service:
    """Of the orders paid in the period: the complaints filed on them, and of those delivered,
    the median time from payment to the carrier's delivery."""

    orders: int
    complaints: int
    delivered: int
    median_delivery_days: float | None  # one decimal; None when nothing was delivered

    @property
    def complaints_per_100(self) -> float | None:
        return round(100 * self.complaints / self.orders, 1) if self.orders else None


def median_hours(taken: Mapping[int, int]) -> float | None:
    """The median of a count of whole hours taken (hours → orders), halfway between the two
    middle orders when their number is even; None for no order."""
    total = sum(taken.values())
    if not total:
        return None
    wanted = sorted({(total - 1) // 2, total // 2})
    found: list[int] = []
    seen = 0
    for hours in sorted(taken):
        seen += taken[hours]
        while wanted and wanted[0] < seen:
            found.append(hours)
            wanted.pop(0)
    return sum(found) / len(found)


def service(orders: int, complaints: int, taken: Mapping[int, int]) -> Service:
    middle = median_hours(taken)
    days = None if middle is None else round((middle + 0.5) / 24, 1)  # an hour's middle
    return Service(orders, complaints, sum(taken.values()), days)


class PricedHour(Protocol):
    """What one product sold for in one UTC hour (``orders.views.PaidHour`` fits)."""

    @property
    def at(self) -> datetime: ...
    @property
    def product(self) -> str: ...
    @property
    def units(self) -> int: ...
    @property
    def at_price(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of produce as a price table names it, and where its band is looked up."""

    kind: str
    name_zh: str
    name_en: str
    region: str


@dataclass(frozen=True, slots=True)
class PriceWeek:
    """A week's average price paid for a kind (fen a jin), beside the county's reference band
    in force at the week's end, converted to a jin (None when there was no band)."""

    first: date  # the Monday
    per_jin: int
    jin: int  # how much sold, in whole jin
    low: int | None
    high: int | None
    status: BandStatus | None


@dataclass(frozen=True, slots=True)
class KindPrices:
    kind: Kind
    weeks: list[PriceWeek]

    @property
    def outside(self) -> int:
        """Weeks whose average price lay outside the band."""
        return sum(1 for w in self.weeks if w.status not in (None, BandStatus.WITHIN))


def price_weeks(
    hours: Iterable[PricedHour],
    products: Mapping[str, tuple[Kind, int]],  # product → (its kind, grams a unit)
    band_on: Callable[[Kind, date], Band | None],
    *,
    first: date,
    last: date,
    zone: ZoneInfo,
) -> list[KindPrices]:
    """Each kind's weeks with sales from ``first`` to ``last`` (local days), oldest first."""
    sums: dict[str, dict[date, list[int]]] = {}  # kind → Monday → [grams, fen]
    kinds: dict[str, Kind] = {}
    for hour in hours:
        day = hour.at.astimezone(zone).date()
        if not first <= day <= last or hour.product not in products:
            continue
        kind, grams = products[hour.product]
        kinds.setdefault(kind.kind, kind)
        week = sums.setdefault(kind.kind, {}).setdefault(
            day - timedelta(days=day.weekday()), [0, 0]
        )
        week[0] += hour.units * grams
        week[1] += hour.at_price
    table = []
    for name, weeks in sorted(sums.items()):
        kind, rows = kinds[name], []
        for monday, (grams, fen) in sorted(weeks.items()):
            if grams <= 0:
                continue
            per_jin = (fen * JIN + grams // 2) // grams
            band = band_on(kind, min(monday + timedelta(days=6), last))
            if band is None:
                rows.append(PriceWeek(monday, per_jin, grams // JIN, None, None, None))
            else:
                where = band_position(per_jin, JIN, band)
                rows.append(
                    PriceWeek(monday, per_jin, grams // JIN, where.low, where.high, where.status)
                )
        table.append(KindPrices(kind, rows))
    return table
