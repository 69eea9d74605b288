"""The demo's ended session (issue 16): played through the use cases with times in the past, it
shows its whole public record after — what each product sold, the refund and the cancellation,
the payout to the cooperative and its member households (a count), the verified figures — and
loading the demo again changes nothing."""

from __future__ import annotations

import io
import re
from datetime import datetime

from pypdf import PdfReader
from sqlalchemy import func, select

from sunlit.app.services import webhook_secret
from sunlit.core.db import Database
from sunlit.core.eventlog.tables import EventRow
from sunlit.demo.data import HOUSEHOLDS, SESSION_INVITED_BY, SESSION_ORDERS, SESSION_TITLE
from sunlit.demo.session import DemoSession
from sunlit.demo.session import load_demo_session as load
from sunlit.payments.sandbox import SandboxGateway
from tests.support import LiveServer, run_async
from tests.test_catalog_api import api_as
from tests.test_disclosure_after import disclosure
from tests.test_web import client


def load_session(served: LiveServer) -> DemoSession:
    assert served.services is not None
    services = served.services

    async def run() -> DemoSession:
        database = Database(served.settings)
        try:
            async with database.transaction() as db:
                gateway = SandboxGateway(webhook_secret(served.settings), max_delay_ms=0)
                return await load(
                    db, served.settings, gateway, services.files, now=served.clock.now()
                )
        finally:
            await database.dispose()

    result: DemoSession = run_async(run())
    return result


def log_size(served: LiveServer) -> tuple[int, int | None]:
    async def run() -> tuple[int, int | None]:
        database = Database(served.settings)
        try:
            async with database.sessions() as db:
                count = await db.scalar(select(func.count()).select_from(EventRow))
                return int(count or 0), await db.scalar(select(func.max(EventRow.seq)))
        finally:
            await database.dispose()

    result: tuple[int, int | None] = run_async(run())
    return result


def test_the_demo_shows_an_ended_session_with_what_reached_the_producers(
    served: LiveServer,
) -> None:
    made = load_session(served)
    assert made.created
    after = disclosure(served, made.session)
    assert (after["title"], after["stage"], after["status"]) == (SESSION_TITLE, "after", "ended")
    assert datetime.fromisoformat(after["ends_at"]) < served.clock.now()  # on any day: ended
    assert after["invited_by"] == SESSION_INVITED_BY and after["rules"] == []  # filed well ahead
    assert after["partners"][0]["public_interest"]
    assert after["approval"]["role"] == "supervisor" and after["approval"]["on"]

    [row] = after["outcome"]
    assert row == after["total"] | {"product": made.product}
    kept = [o for o in SESSION_ORDERS if o.fate == "kept"]
    assert row["orders"] == len(SESSION_ORDERS) and row["paid_orders"] == len(kept)
    assert row["units"] == sum(o.qty for o in kept)
    assert row["refunded"] > 0 and row["cancelled"] >= 1 and row["complaints"] == 0
    assert row["paid_out"] > 0 and row["households"] == len(HOUSEHOLDS) == 3
    assert row["paid_out"] + row["fee"] + row["fund"] == row["paid"] - row["refunded"]

    verified = after["verified"]
    assert verified is not None, "the monitor's final run gives the verified figures"
    assert verified["gmv"] == row["paid"] - row["refunded"] == after["live"]["amount"]
    assert after["live"]["viewers"] == verified["viewers"] == 3  # the three buyers watched
    assert verified["orders"] == len(kept) and verified["cancelled_or_refunded"] >= 1
    assert verified["delivered_per_mille"] == 1000
    assert after["findings"] == []

    with client(served, "zh") as c:
        page = c.get(f"/sessions/{made.session}").text
        assert "每件商品的销售情况" in page and "3 户成员农户" in page
        assert all(name not in page for name, _ in HOUSEHOLDS)  # households: a count only
        assert made.session in c.get("/").text  # the home page's ended sessions link to it

    size = log_size(served)
    again = load_session(served)
    assert again == DemoSession(made.session, made.product, created=False)
    assert log_size(served) == size, "loading the demo twice changed the record"
    assert disclosure(served, made.session) == after


def test_the_demo_session_has_an_answered_concern_and_its_counters_moved(
    served: LiveServer,
) -> None:
    from sunlit.demo.concerns import SUMMARY, load_demo_concern

    made = load_session(served)
    services = served.services
    assert services is not None

    async def run() -> bool:
        database = Database(served.settings)
        try:
            async with database.transaction() as db:
                return await load_demo_concern(db, services, made, now=served.clock.now())
        finally:
            await database.dispose()

    assert run_async(run()) is True
    assert run_async(run()) is False  # loaded again: nothing changes
    with client(served, "zh") as c:
        [concern] = c.get("/api/v1/concerns", params={"session": made.session}).json()
        page = c.get(f"/sessions/{made.session}").text
    assert concern["status"] == "accepted" and concern["category"] == "forced_purchase"
    assert concern["rating"] == 4 and concern["summary"] == SUMMARY
    with api_as(served, "buyer3") as buyer:
        name = buyer.get("/api/v1/me").json()["display_name"]
    assert "author" not in str(concern) and name not in page  # raised anonymously
    counters = page.split('id="concerns"', 1)[1].split("</ul>", 1)[0]
    assert [int(n) for n in re.findall(r'class="stat">(\d+)<', counters)] == [1, 1, 1, 1]
    assert SUMMARY in page
    assert "县供销社工会" in page.split('id="concerns"', 1)[1]  # the office's public answer
    assert "23:59" in page.split('id="concerns"', 1)[1]  # due by the last minute of the day
    with client(served, "zh") as c:  # the printed report carries the concern and its answer
        pdf = c.get(f"/sessions/{made.session}/report.pdf")
    printed = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "关切" in printed and "已整改" in printed.replace(" ", "")
    assert "各地区的关切" not in printed  # no buttons or links to act on, on paper
