"""What became of a county's sales (issue 21, item 5): complaints per 100 orders, the median
delivery time from a count of hours taken, and the prices paid week by week against the band
(sunlit.disclosure.region_record, pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sunlit.catalog.model import Band, BandStatus, Unit
from sunlit.disclosure.region_record import Kind, median_hours, price_weeks, service

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERRIES = Kind("blueberry", "麻江蓝莓", "Majiang blueberries", "522635")


@dataclass(frozen=True, slots=True)
class Hour:
    at: datetime
    product: str
    units: int
    at_price: int


def test_the_median_of_hours_taken_is_the_middle_order_or_between_the_two() -> None:
    assert median_hours({}) is None
    assert median_hours({30: 1}) == 30
    assert median_hours({10: 1, 20: 1, 90: 1}) == 20  # one slow parcel does not move it
    assert median_hours({10: 2, 40: 2}) == 25  # halfway between the two middle orders
    assert median_hours({48: 5, 10: 1, 200: 1}) == 48


def test_complaints_per_100_orders_and_the_delivery_days() -> None:
    record = service(orders=40, complaints=3, taken={47: 10, 71: 10})
    assert record.complaints_per_100 == 7.5
    assert record.delivered == 20
    assert record.median_delivery_days == 2.5  # 59 hours, counted from the middle of the hour
    nothing = service(orders=0, complaints=0, taken={})
    assert nothing.complaints_per_100 is None and nothing.median_delivery_days is None


def test_prices_by_week_per_jin_against_the_band_in_force_at_the_weeks_end() -> None:
    early = Band("blueberry", "522635", 3000, 5000, Unit.JIN, date(2026, 10, 1), "monitoring")
    later = Band("blueberry", "522635", 2000, 3500, Unit.JIN, date(2026, 10, 14), "monitoring")

    def band(kind: Kind, on: date) -> Band | None:
        assert kind == BERRIES
        known = [b for b in (early, later) if b.observed_on <= on]
        return max(known, key=lambda b: b.observed_on) if known else None

    # 500 g boxes: 2 boxes at ¥39.80 on Monday 5 Oct, 1 box at ¥42.80 on Sunday 11 Oct
    # (same week, local time); 3 boxes at ¥39.80 the week after; one hour before the period.
    hours = [
        Hour(datetime(2026, 10, 5, 2, tzinfo=UTC), "p-1", 2, 7960),
        Hour(datetime(2026, 10, 11, 15, tzinfo=UTC), "p-1", 1, 4280),  # 23:00 local, Sunday
        Hour(datetime(2026, 10, 12, 1, tzinfo=UTC), "p-1", 3, 11940),
        Hour(datetime(2026, 9, 20, 1, tzinfo=UTC), "p-1", 9, 100),
        Hour(datetime(2026, 10, 12, 1, tzinfo=UTC), "p-other", 9, 100),  # not this county's
    ]
    [berries] = price_weeks(
        hours,
        {"p-1": (BERRIES, 500)},
        band,
        first=date(2026, 10, 1),
        last=date(2026, 10, 31),
        zone=SHANGHAI,
    )
    assert berries.kind == BERRIES
    first, second = berries.weeks
    assert (first.first, first.per_jin, first.jin) == (date(2026, 10, 5), 4080, 3)
    assert (first.low, first.high, first.status) == (3000, 5000, BandStatus.WITHIN)
    assert (second.first, second.per_jin, second.jin) == (date(2026, 10, 12), 3980, 3)
    assert (second.low, second.high, second.status) == (2000, 3500, BandStatus.ABOVE)
    assert berries.outside == 1


def test_a_week_with_no_band_yet_says_so_and_kilo_prices_are_halved_per_jin() -> None:
    per_kilo = Kind("tea", "恩施玉露", "Enshi Yulu tea", "422801")
    [tea] = price_weeks(
        [Hour(datetime(2026, 10, 6, 3, tzinfo=UTC), "p-tea", 2, 60000)],
        {"p-tea": (per_kilo, 1000)},
        lambda kind, on: None,
        first=date(2026, 10, 1),
        last=date(2026, 10, 31),
        zone=SHANGHAI,
    )
    [week] = tea.weeks
    assert (week.per_jin, week.jin, week.low, week.status) == (15000, 4, None, None)
    assert tea.outside == 0
