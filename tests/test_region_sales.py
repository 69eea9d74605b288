"""A region's sales in public (issue 21, item 5): the pure arithmetic of days, sessions and the
share sold with no official on camera; and the page and CSV over HTTP on both databases, from a
real session's orders and an order bought outside any session."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sunlit.core.db import Database
from sunlit.core.regions.services import get_region
from sunlit.disclosure.overview import county_row
from sunlit.disclosure.region import (
    Sale,
    Span,
    around,
    by_day,
    by_host,
    region_sales,
    share_without_official,
)
from tests.sales_seed import seed_month
from tests.support import LiveServer, run_async, sign_in
from tests.test_catalog_api import api_as, product_named
from tests.test_claims import ended_session_with_sales
from tests.test_orders import buy, pay_in_sandbox, wait_for
from tests.test_request_path_queries import statements
from tests.test_web import PASSWORD, client

D = date(2026, 3, 10)
SPAN = Span("s-1", "砀山酥梨助农直播", D, D)


def day(n: int) -> date:
    return date.fromordinal(D.toordinal() + n)


def test_days_split_in_session_and_without_an_official() -> None:
    sales = [
        Sale(D, 500, "s-1"),
        Sale(D, 200, None),
        Sale(day(2), 300, None),
        Sale(day(9), 1, None),
    ]
    days = by_day(sales, D, day(2))
    assert [(d.day, d.in_session, d.other) for d in days] == [
        (D, 500, 200), (day(1), 0, 0), (day(2), 0, 300),
    ]  # fmt: skip
    assert share_without_official(sales[:3]) == 0.5
    assert share_without_official([]) is None


def test_before_during_and_after_a_session_and_days_still_to_come() -> None:
    sales = [
        Sale(day(-31), 9_999, None),  # before the 30 days
        Sale(day(-30), 100, None),
        Sale(day(-1), 50, None),
        Sale(D, 1_000, "s-1"),
        Sale(D, 700, "s-2"),  # another session's: in none of the three
        Sale(day(1), 20, None),
        Sale(day(30), 5, None),
        Sale(day(31), 8_888, None),  # after the 30 days
    ]
    a = around(sales, SPAN, today=day(40))
    assert (a.before, a.during, a.after, a.days_after) == (150, 1_000, 25, 30)
    assert around(sales, SPAN, today=day(3)).days_after == 3


def test_a_producers_own_session_sells_without_an_official_and_counts_after_one() -> None:
    """The seed's blueberry grower: the official's session, then the farmer's own. The farmer's
    session sells with no official on camera, counts in the 30 days after the official's, and
    a producer's session with an official as guest counts as one with an official."""
    own = Span("s-2", "合作社自播", day(10), day(10), "producer", with_official=False)
    sales = [
        Sale(day(-1), 40, None, official=False),
        Sale(D, 1_000, "s-1"),
        Sale(day(3), 10, None, official=False),
        Sale(day(10), 300, "s-2", official=False),  # the farmer hosts, alone
        Sale(day(12), 200, "s-3"),  # a producer's session with a guest official
    ]
    days = {d.day: d for d in by_day(sales, D, day(12))}
    assert (days[day(10)].producer_hosted, days[day(10)].in_session, days[day(10)].other) == (
        300,
        0,
        0,
    )
    assert days[day(12)].in_session == 200 and days[day(10)].total == 300
    official = around(sales, SPAN, today=day(40))
    assert (official.before, official.during, official.after) == (40, 1_000, 310)
    assert around(sales, own, today=day(40)).after == 0  # s-3 had an official on camera
    assert share_without_official(sales) == round(350 / 1_550, 3)
    guest = Span("s-3", "有干部做客", day(12), day(12), "producer", with_official=True)
    hosts = by_host([SPAN, own, guest], sales)
    assert (hosts.official_sessions, hosts.official_sold) == (1, 1_000)
    assert (hosts.producer_sessions, hosts.producer_sold) == (2, 500)


def test_the_county_page_and_csv_show_what_sold_in_and_out_of_its_session(
    served: LiveServer,
) -> None:
    session, price = ended_session_with_sales(served)  # 3 jin of pears, in the session
    with api_as(served, "buyer2") as buyer:  # and 2 jin bought later, in no session
        placed = buy(buyer, product_named(buyer, "砀山酥梨")["id"], "region-1", qty=2).json()
        pay_in_sandbox(served, "buyer2", placed["id"])
        wait_for(buyer, placed["id"], "paid")
    with client(served, "en") as visitor:
        page = visitor.get("/regions/341321")
        assert page.status_code == 200, page.text[:500]
        text = page.text
        assert "Sales of Dangshan County" in text and "<svg" in text and "<rect" in text
        assert f"/sessions/{session}" in text  # the session, with before, during and after
        assert "40%" in text  # 2 of 5 jin's money sold with no official on camera
        # buyer2 came back (in the session, then outside it); buyer1 did not; nothing refunded
        assert re.search(r'class="repeat-share">50%<', text), text
        assert re.search(r'class="refund-share">0\.0%<', text)
        # Three paid orders, no complaint, nothing delivered yet; the pears' price per jin is the
        # listed price, inside the county's band.
        assert re.search(r'class="complaints">0\.0<', text)
        assert "(0 of 3)" in text and re.search(r'class="delivery-days">—<', text)
        prices = text[text.index('class="table prices"') :]
        assert f"¥{price / 100:,.2f}" in prices[: prices.index("</tbody>")]
        assert "band-within" in prices[: prices.index("</tbody>")]
        sheet = visitor.get("/regions/341321/sales.csv")
        assert sheet.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(sheet.content.decode("utf-8-sig"))))
        assert len(rows) == 90
        assert sum(int(r["in_session_fen"]) for r in rows) == 3 * price
        assert sum(int(r["without_official_fen"]) for r in rows) == 2 * price
        assert visitor.get("/regions/999999").status_code == 404
        city = visitor.get("/regions/341300")  # Suzhou, the city: county by county only
        assert city.status_code == 404 and "not a county" in city.text
    with client(served, "zh") as visitor:
        assert "砀山县" in visitor.get("/regions/341321").text
    # The cooperative's own dashboard: the same figures for the produce it runs.
    with client(served, "en") as farmer:
        sign_in(farmer, "farmer.dangshan", PASSWORD)
        own = farmer.get("/producer/sales")
        assert own.status_code == 200 and "Your sales around each session" in own.text
        assert f"/sessions/{session}" in own.text and "40%" in own.text
        mine = farmer.get("/producer/sales.csv")
        rows = list(csv.DictReader(io.StringIO(mine.content.decode("utf-8-sig"))))
        assert sum(int(r["total_fen"]) for r in rows) == 5 * price
    with client(served, "en") as other:
        sign_in(other, "farmer.xuwen", PASSWORD)  # none of it is Xuwen's
        assert "40%" not in other.get("/producer/sales").text
    assert run_async(statements_of_the_summary(served)) <= 7


async def statements_of_the_summary(served: LiveServer) -> int:
    """How many statements the county's summary takes once three more sessions and 300 more
    orders are in: the products, the sums by hour, session and product, the sessions' plans,
    the buyers, the complaints, the delivery times and the bands — bounded, however many
    orders and sessions there are."""
    database = Database(served.settings)
    now = served.clock.now()
    try:
        async with database.transaction() as db:
            await seed_month(
                db,
                product_name="砀山酥梨",
                host="official.dangshan",
                buyer="buyer3",
                start=now - timedelta(days=35),
                orders=300,
                sessions=3,
            )
        async with database.sessions() as db:
            with statements(database.engine.sync_engine) as seen:
                summary = await region_sales(db, "341321", now=now, zone=ZoneInfo("Asia/Shanghai"))
        assert len(summary.sessions) == 4 and summary.hosts.producer_sessions == 1
        assert (summary.buyers.buyers, summary.buyers.repeat_buyers) == (3, 2)  # buyer3 too
        return len(seen)
    finally:
        await database.dispose()


def test_sales_county_by_county_for_officials_and_supervisors(served: LiveServer) -> None:
    """An official sees the counties of their region, a supervisor every served county, each
    row with what sold there and a link to its page; whether sales lasted is compared only
    once 30 days have passed after an official's session."""
    _, price = ended_session_with_sales(served)
    with client(served, "en") as supervisor:
        sign_in(supervisor, "supervisor1", PASSWORD)
        page = supervisor.get("/sales")
        assert page.status_code == 200
        table = page.text[page.text.index('class="table counties"') :]
        for county in ("Dangshan County", "Majiang County", "Xuwen County"):
            assert county in table
        dangshan = table[table.index("/regions/341321") :]
        dangshan = dangshan[: dangshan.index("</tr>")]
        assert f"¥{3 * price / 100:,.2f}" in dangshan and "1 / 0" in dangshan
        assert "no session to compare yet" in dangshan  # its 30 days after have not passed
    with client(served, "zh") as official:
        sign_in(official, "official.xuwen", PASSWORD)
        own = official.get("/sales").text
        assert "/regions/440825" in own and "/regions/341321" not in own
    with client(served, "en") as buyer:
        sign_in(buyer, "buyer1", PASSWORD)
        assert buyer.get("/sales").status_code == 403


def test_a_countys_row_says_how_much_of_before_sold_after_the_officials_left() -> None:
    today = date(2026, 12, 7)
    spans = [
        Span("s-off", "County head", date(2026, 10, 1), date(2026, 10, 1)),
        Span("s-own", "Cooperative", date(2026, 11, 20), date(2026, 11, 20), "producer", False),
    ]
    sales = [Sale(date(2026, 9, 10), 1000, None, False), Sale(date(2026, 9, 25), 1000, None, False)]
    sales += [Sale(date(2026, 10, 1), 5000, "s-off"), Sale(date(2026, 10, 20), 500, None, False)]
    sales += [Sale(date(2026, 11, 20), 800, "s-own", False)]
    row = county_row(get_region("522635"), sales, spans, today, date(2026, 9, 9))
    assert (row.before, row.after, row.sessions_compared) == (2000, 500, 1)
    assert row.kept == 0.25  # the producer's own session is not compared, nor is it "before"
    assert (row.hosts.official_sessions, row.hosts.producer_sessions) == (1, 1)
    assert row.total == 8300 and row.share_without_official == round(3300 / 8300, 3)
    fresh = county_row(get_region("522635"), sales, spans, date(2026, 10, 20), date(2026, 9, 9))
    assert fresh.kept is None and fresh.sessions_compared == 0  # 19 of its 30 days so far
