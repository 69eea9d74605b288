"""A county's month as a printed report (issue 21, item 5: "a monthly PDF report per county"):
which month an address names, the month's summary (:func:`sunlit.disclosure.region.
summary_between` over its days; so far, for the month under way), and its printing
(:mod:`sunlit.disclosure.printing`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.catalog import views as catalog_views
from sunlit.core.errors import N_, NotFound
from sunlit.core.i18n import BABEL_LOCALES
from sunlit.disclosure.printing import print_pdf
from sunlit.disclosure.region import RegionSales, summary_between

#: The report's print style: A4, fonts-noto-cjk for the Chinese.
STYLE = Path(__file__).parent.parent / "static" / "monthly-report.css"
#: The first month there is a report of.
EARLIEST = date(2000, 1, 1)
#: How a month is named in an address: 2026-03.
MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
#: How a month is written in the report, per language (CLDR patterns).
MONTH_NAME = {"zh": "y年M月", "en": "MMMM y"}


@dataclass(frozen=True, slots=True)
class Month:
    """A calendar month as a report covers it: its first day, and its last day or, for the
    month under way, today (``complete`` is False: the figures are so far)."""

    first: date
    last: date
    complete: bool

    @property
    def key(self) -> str:
        """The month as an address names it: 2026-03."""
        return f"{self.first.year:04d}-{self.first.month:02d}"


def month_after(first: date) -> date:
    """The first day of the month after the one ``first`` begins."""
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def month_of(first: date, today: date) -> Month:
    """The month beginning on ``first`` as seen on ``today`` (a month that has begun)."""
    end = month_after(first) - timedelta(days=1)
    return Month(first, min(end, today), today > end)


def parse_month(text: str, today: date) -> Month:
    """The month an address names (``YYYY-MM``): a malformed one, one before 2000 or one not
    yet begun is a 404 that says which."""
    found = MONTH.fullmatch(text)
    if found is None or not 1 <= int(found[2]) <= 12:
        raise NotFound(N_("There is no month %(month)s: write it as YYYY-MM, such as 2026-03."),
                       params={"month": text[:20]})  # fmt: skip
    first = date(int(found[1]), int(found[2]), 1)
    if first < EARLIEST:
        raise NotFound(N_("Monthly reports begin with January 2000."))
    if first > today:
        raise NotFound(N_("The month %(month)s has not begun: there is nothing to report yet."),
                       params={"month": text})  # fmt: skip
    return month_of(first, today)


def report_months(today: date) -> tuple[Month, Month]:
    """The months the county page links to: the last complete one, and the one under way."""
    this = today.replace(day=1)
    last = (this - timedelta(days=1)).replace(day=1)
    return month_of(last, today), month_of(this, today)


def month_name(first: date, language: str) -> str:
    """2026年3月, or March 2026."""
    return format_date(first, MONTH_NAME[language], locale=BABEL_LOCALES[language])


async def month_summary(
    db: AsyncSession, code: str, month: Month, *, now: datetime, zone: ZoneInfo
) -> RegionSales:
    """What the county's produce sold in ``month``, and around each session held in it (the 30
    days after a session late in the month reach into the next, up to ``now``)."""
    products = await catalog_views.sold_in(db, code)
    return await summary_between(
        db, code, products, first=month.first, last=month.last, now=now, zone=zone
    )


async def to_pdf(html: str, *, base_url: str) -> bytes:
    """The report page printed to PDF (:func:`sunlit.disclosure.printing.print_pdf`)."""
    return await print_pdf(html, STYLE, base_url=base_url)
