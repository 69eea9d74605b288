"""The demo's Majiang season (issue 21, item 6): played through the use cases at past times, the
county page shows the drop once the official left and the recovery once the cooperative hosted;
every order reached an end (delivered, paid out or refunded); both sessions have their public
record; loading the demo again changes nothing."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from sunlit.accounts.services import account_named
from sunlit.app.services import webhook_secret
from sunlit.catalog.producers.services import list_producers
from sunlit.core.db import Database
from sunlit.core.money import format_fen
from sunlit.demo.history import load_demo_history
from sunlit.demo.season import FARMER_TITLE, OFFICIAL_TITLE
from sunlit.disclosure.region import RegionSales, region_sales
from sunlit.orders.tables import OrderRow
from sunlit.payments.model import PaymentState
from sunlit.payments.sandbox import SandboxGateway
from sunlit.payments.tables import PaymentRow
from tests.support import LiveServer, run_async, sign_in
from tests.test_demo_session import log_size
from tests.test_disclosure_after import disclosure
from tests.test_web import PASSWORD, client


def load_history(served: LiveServer) -> bool:
    assert served.services is not None
    services = served.services

    async def run() -> bool:
        database = Database(served.settings)
        try:
            async with database.transaction() as db:
                gateway = SandboxGateway(webhook_secret(served.settings), max_delay_ms=0)
                return await load_demo_history(
                    db, services, gateway, services.passwords, now=served.clock.now()
                )
        finally:
            await database.dispose()

    result: bool = run_async(run())
    return result


def majiang(served: LiveServer) -> tuple[RegionSales, dict[str, int]]:
    async def run() -> tuple[RegionSales, dict[str, int]]:
        database = Database(served.settings)
        try:
            async with database.sessions() as db:
                summary = await region_sales(
                    db, "522635", now=served.clock.now(), zone=ZoneInfo("Asia/Shanghai")
                )
                states = await db.execute(
                    select(OrderRow.state, func.count()).group_by(OrderRow.state)
                )
                return summary, {str(state): int(n) for state, n in states.all()}
        finally:
            await database.dispose()

    result: tuple[RegionSales, dict[str, int]] = run_async(run())
    return result


def test_the_demo_season_shows_the_drop_and_the_recovery(served: LiveServer) -> None:
    assert load_history(served)
    summary, states = majiang(served)
    official, farmer = summary.sessions
    assert (official.span.title, official.span.host_kind) == (OFFICIAL_TITLE, "official")
    assert (farmer.span.title, farmer.span.host_kind) == (FARMER_TITLE, "producer")
    assert official.days_after == farmer.days_after == 30  # both months have passed
    # Once the official left, sales without an official fell below half of the month before;
    # once the cooperative hosted its own, they came back to more than twice the dip.
    assert official.after < official.before / 2
    assert farmer.before == official.after  # the same 30 days: the dip between the sessions
    assert farmer.after > 2 * farmer.before
    assert official.during > 0 and farmer.during > 0
    assert (summary.hosts.official_sessions, summary.hosts.producer_sessions) == (1, 1)
    assert summary.buyers.buyers > 100 and 0.1 < (summary.repeat_share or 0) < 0.6
    assert 0 < (summary.refund_share or 0) < 0.1
    assert summary.service.delivered > 200 and summary.service.median_delivery_days
    assert summary.service.complaints == 3  # late, and too much packaging: each refunded
    # Every order reached an end: nothing waits to be paid or shipped, or is on its way.
    assert set(states) <= {"completed", "delivered", "refunded"}, states
    assert states["completed"] > states["delivered"] > 0  # the last weeks wait for payout

    for span in (official.span, farmer.span):  # each has its public record, with no finding
        after = disclosure(served, span.id)
        assert (after["stage"], after["status"], after["rules"]) == ("after", "ended", [])
        assert after["total"]["paid_orders"] > 0 and after["total"]["paid_out"] > 0
    with client(served, "en") as visitor:
        page = visitor.get("/regions/522635").text
        assert OFFICIAL_TITLE in page and FARMER_TITLE in page

    size = log_size(served)
    assert not load_history(served)  # loading it again changes nothing
    assert log_size(served) == size


def test_a_farmer_with_a_season_of_orders_pages_them_and_counts_them_all(
    served: LiveServer,
) -> None:
    """farmer.majiang has some 250 orders after the season. Its sales page showed the newest
    200 and added up its money from those alone (¥13,364.80 paid where buyers had paid
    ¥16,902.00). Now the money counts every captured payment, and the orders come 20 a page."""
    load_history(served)

    async def paid() -> tuple[int, int]:
        database = Database(served.settings)
        try:
            async with database.sessions() as db:
                farmer = await account_named(db, "farmer.majiang")
                assert farmer is not None
                mine = [p.id for p in await list_producers(db, manager=farmer.id)]
                payments = (
                    await db.scalars(
                        select(PaymentRow).where(
                            PaymentRow.producer_id.in_(mine),
                            PaymentRow.state == PaymentState.CAPTURED,
                        )
                    )
                ).all()
                orders = await db.scalar(
                    select(func.count()).select_from(OrderRow).where(OrderRow.producer_id.in_(mine))
                )
                return sum(p.amount - p.refunded for p in payments), int(orders or 0)
        finally:
            await database.dispose()

    total, orders = run_async(paid())
    assert orders > 200
    with client(served, "en") as web:
        sign_in(web, "farmer.majiang", PASSWORD)
        first = web.get("/producer/orders").text
        last_page = -(-orders // 20)
        last = web.get(f"/producer/orders?page={last_page}").text
        beyond = web.get("/producer/orders?page=99999").text
    money = re.search(r"<dt>Paid by buyers</dt><dd>([^<]+)</dd>", first)
    assert money is not None and money.group(1) == format_fen(total)
    cards = re.compile(r'<li class="card" id="order-([^"]+)"')
    shown_first, shown_last = cards.findall(first), cards.findall(last)
    assert len(shown_first) == 20 and len(shown_last) == orders - 20 * (last_page - 1)
    assert not set(shown_first) & set(shown_last)
    assert f"Page 1 of {last_page}" in first and 'rel="next"' in first
    assert f"Page {last_page} of {last_page}" in last and 'rel="next"' not in last
    assert cards.findall(beyond) == shown_last  # past the end: the last page
    # An operator lists every producer's orders; the platform's sums are the ledger's, not
    # worked out from every payment ever made on each visit.
    with client(served, "en") as web:
        sign_in(web, "operator", PASSWORD)
        everyone = web.get("/producer/orders").text
    assert 'id="money-totals"' not in everyone and 'href="/operator/ledger"' in everyone
    assert len(cards.findall(everyone)) == 20
