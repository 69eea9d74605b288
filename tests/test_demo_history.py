"""The demo's Majiang season (issue 21, item 6): played through the use cases at past times, the
county page shows the drop once the official left and the recovery once the cooperative hosted;
every order reached an end (delivered, paid out or refunded); both sessions have their public
record; loading the demo again changes nothing."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from sunlit.app.services import webhook_secret
from sunlit.core.db import Database
from sunlit.demo.history import load_demo_history
from sunlit.demo.season import FARMER_TITLE, OFFICIAL_TITLE
from sunlit.disclosure.region import RegionSales, region_sales
from sunlit.orders.tables import OrderRow
from sunlit.payments.sandbox import SandboxGateway
from tests.support import LiveServer, run_async
from tests.test_demo_session import log_size
from tests.test_disclosure_after import disclosure
from tests.test_web import client


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
