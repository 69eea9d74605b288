"""Issue 21's "the county dashboard shows the before/during/after chart, looked at": Majiang's
month of sales (tests/sales_seed.py: three ended sessions of its blueberries, the middle one
hosted by the producer, and 300 paid orders around them) on ``/regions/522635`` in Debian's
Chromium, zh and en, on a phone (390 × 844) and a desktop (1280 × 800). What a reader checks:
the chart is there with bars of the three kinds, each day's bar as tall as its sales (the
busiest day's the tallest), the legend in the chart's colours; each seeded session in the
before/during/after table with what it sold; the days table the chart's days, figure by figure;
the CSV the link downloads the same days. The page fits the screen and passes axe-core; a
screenshot of each goes to ``SUNLIT_SCREENSHOTS`` or the test's folder. Figures are read from
the database and the CSV, not assumed: any Majiang sales the demo has are counted too."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from babel.dates import format_date
from playwright.sync_api import Browser, Page, ViewportSize, expect
from sqlalchemy import func, select

from sunlit.core.db import Database
from sunlit.core.i18n import BABEL_LOCALES, catalog
from sunlit.core.money import format_fen
from sunlit.orders.tables import OrderRow
from sunlit.web.templating import DAY
from tests.sales_seed import Seeded, seed_month
from tests.support import LiveServer, run_async
from tests.test_browser import accessibility_violations, browser, wider_than_viewport
from tests.test_browser_notifications import market

pytestmark = pytest.mark.browser
__all__ = ["browser", "market"]  # the module's Chromium; the demo on SQLite
VIEWPORTS: dict[str, ViewportSize] = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 800},
}
MAJIANG = "522635"
CHART_HEIGHT = 120  # the SVG's bars are scaled to the busiest day's 120 units
# Each kind of bar, and the CSV's column of what it shows.
KINDS = {
    "bar-session": "in_session_fen",
    "bar-producer": "producer_hosted_fen",
    "bar-other": "without_official_fen",
}
# Each day's stacked bars, by day: x is 4 units a day.
BARS = """() => {
  const days = {};
  for (const r of document.querySelectorAll("figure.chart:not(.price-chart) svg rect")) {
    const day = Math.round(Number(r.getAttribute("x")) / 4);
    days[day] = days[day] || {};
    days[day][r.getAttribute("class")] = Number(r.getAttribute("height"));
  }
  return days;
}"""


async def _seed(server: LiveServer) -> tuple[Seeded, dict[str, int]]:
    """Majiang's month, and what each seeded session sold (less refunds), from the orders."""
    database = Database(server.settings)
    try:
        async with database.transaction() as db:
            seeded = await seed_month(
                db,
                product_name="麻江蓝莓",
                host="official.majiang",
                buyer="buyer3",
                start=server.clock.now() - timedelta(days=35),
                orders=300,
                sessions=3,
            )
        async with database.sessions() as db:
            sold = await db.execute(
                select(OrderRow.session_id, func.sum(OrderRow.amount - OrderRow.refunded))
                .where(OrderRow.session_id.in_(seeded.sessions))
                .group_by(OrderRow.session_id)
            )
            return seeded, {str(s): int(amount) for s, amount in sold.all()}
    finally:
        await database.dispose()


def _days(body: bytes) -> list[dict[str, Any]]:
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    return [
        {
            "day": date.fromisoformat(r["day"]),
            **{k: int(r[k]) for k in r if k.endswith("_fen")},
        }
        for r in rows
    ]


def _colour(page: Page, selector: str, prop: str) -> str:
    return str(page.eval_on_selector(selector, f"e => getComputedStyle(e).{prop}"))


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_county_dashboard_shows_sales_before_during_and_after_each_session(
    market: LiveServer, browser: Browser, shots: Path, language: str, viewport: str
) -> None:
    server, _ = market, catalog(language).gettext
    seeded, during = run_async(_seed(server))
    assert len(seeded.sessions) == 3 and set(during) == set(seeded.sessions)
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    context.add_cookies([{"name": "sunlit_lang", "value": language, "url": server.url}])
    page = context.new_page()
    page.goto(f"{server.url}/regions/{MAJIANG}")
    expect(page.locator("h1")).to_contain_text("麻江县" if language == "zh" else "Majiang County")
    page.screenshot(path=str(shots / f"region-chart-{language}-{viewport}.png"), full_page=True)
    assert wider_than_viewport(page) == []
    violations = accessibility_violations(page)
    assert violations == [], violations

    # The CSV the page links to: the days of the chart, downloaded as a reader would.
    with page.expect_download() as downloading:
        page.get_by_role("link", name=_("Download the days as CSV")).click()
    download = downloading.value
    assert download.suggested_filename == f"{MAJIANG}-sales.csv"
    days = _days(Path(download.path()).read_bytes())
    assert len(days) == 90 and days[-1]["day"] == server.clock.now().date()
    assert [d["day"] for d in days] == [days[0]["day"] + timedelta(n) for n in range(90)]
    assert sum(d["total_fen"] for d in days) >= seeded.amount  # the month, and any demo sales
    assert all(
        d["total_fen"] == d["in_session_fen"] + d["producer_hosted_fen"] + d["without_official_fen"]
        for d in days
    )
    headline = page.locator(".record > div").first.locator("strong")
    expect(headline).to_have_text(format_fen(sum(d["total_fen"] for d in days)))

    # The chart: visible, not squashed, a bar of each kind, each day's as tall as its sales.
    chart = page.locator("figure.chart:not(.price-chart) svg")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    main = page.locator("main").bounding_box()
    assert box is not None and main is not None
    assert box["width"] >= 0.8 * main["width"] - 80 and box["height"] >= 100, box
    assert chart.get_attribute("viewBox") == f"0 0 {4 * len(days)} 130"
    for kind in KINDS:
        assert page.locator(f"figure.chart:not(.price-chart) rect.{kind}").count() > 0, kind
    bars = {int(day): parts for day, parts in page.evaluate(BARS).items()}
    heights = {n: sum(parts.values()) for n, parts in bars.items()}
    top = max(d["total_fen"] for d in days)
    busiest = max(range(len(days)), key=lambda n: days[n]["total_fen"])
    assert heights[busiest] == max(heights.values()) >= CHART_HEIGHT - 1, (busiest, heights)
    for n, d in enumerate(days):
        expected = CHART_HEIGHT * d["total_fen"] / top
        assert abs(heights.get(n, 0) - expected) <= 1.5, (d, heights.get(n))
        if d["total_fen"] == 0:
            assert n not in bars, d  # no sales, no bar
        parts = bars.get(n, {})  # and each kind's part as tall as what it shows
        for kind, column in KINDS.items():
            part = CHART_HEIGHT * d[column] / top
            assert abs(parts.get(kind, 0) - part) <= 0.5 + 1e-9, (d, kind, parts)

    # The legend: the three kinds, in the bars' colours, within the figure.
    legend = page.locator("figure.chart:not(.price-chart) figcaption")
    expect(legend).to_be_visible()
    for kind, says in (
        ("session", _("In a session with an official on camera")),
        ("producer", _("In a producer's own session")),
        ("other", _("Outside any session")),
    ):
        expect(legend).to_contain_text(says)
        expect(legend.locator(f".key-{kind}")).to_be_visible()
        swatch = _colour(page, f"figure.chart:not(.price-chart) .key-{kind}", "backgroundColor")
        assert swatch == _colour(page, f"figure.chart:not(.price-chart) rect.bar-{kind}", "fill"), (
            kind
        )
    legend_box, figure_box = (
        legend.bounding_box(),
        page.locator("figure.chart:not(.price-chart)").bounding_box(),
    )
    assert legend_box is not None and figure_box is not None
    assert legend_box["x"] + legend_box["width"] <= figure_box["x"] + figure_box["width"] + 1

    # Before, during and after: each seeded session, with what it sold and around it.
    around = page.locator("section[aria-labelledby='h-around'] tbody tr")
    for n, session in enumerate(seeded.sessions):
        row = around.filter(has=page.locator(f"a[href='/sessions/{session}']"))
        expect(row).to_have_count(1)
        expect(row.locator("td").nth(0)).to_contain_text(f"Seeded session {n + 1}")
        host = "Hosted by the producer" if n % 2 else "Hosted by an official"
        expect(row.locator("td").nth(0)).to_contain_text(_(host))
        expect(row.locator("td").nth(2)).to_have_text(format_fen(during[session]))
        for cell in (1, 3):  # before and after: sales with no official, not nothing
            figure = row.locator("td").nth(cell).inner_text().split("\n")[0].strip()
            assert figure.startswith("¥") and figure != format_fen(0), (session, figure)

    # The days with sales: the chart's days, figure by figure.
    sold = [d for d in days if d["total_fen"]]
    table = page.locator("section[aria-labelledby='h-table'] tbody tr")
    expect(table).to_have_count(len(sold))
    locale = BABEL_LOCALES[language]
    shown = [[cell.strip() for cell in row.split("\t")] for row in table.all_inner_texts()]
    assert shown == [
        [
            format_date(d["day"], DAY[language], locale=locale),
            format_fen(d["total_fen"]),  # first after the day, so a phone shows it
            format_fen(d["in_session_fen"]),
            format_fen(d["producer_hosted_fen"]),
            format_fen(d["without_official_fen"]),
        ]
        for d in sold
    ]
    assert {days[n]["day"] for n in bars} <= {d["day"] for d in sold}

    # The blueberries' price, week by week against the band: a line over the band's bars, and
    # a row for each week that sold. The demo's band was observed today, after the seeded
    # weeks, so each of them says it had no band yet.
    prices = page.locator("section[aria-labelledby='h-prices']")
    expect(prices.locator("figure.price-chart svg")).to_be_visible()
    weeks = {d["day"] - timedelta(days=d["day"].weekday()) for d in sold}
    expect(prices.locator("tbody tr")).to_have_count(len(weeks))
    expect(prices.locator("tbody .badge")).to_have_count(0)
    expect(prices.locator("tbody td.muted, tbody td .muted")).to_have_count(len(weeks))
    line = prices.locator("figure.price-chart polyline").get_attribute("points") or ""
    assert len(line.split()) == len(weeks)  # one point a week (flat: one price all month)
    context.close()
