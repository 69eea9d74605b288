"""The demo's parcels, after-sales and reviews (issue 17): loaded through the use cases with
times in the past, they show a shipment in every state, one claim the guarantee fund paid
first and got back, reviews with an average and a reply, and a claim waiting in the farmer's
queue; the ended session's figures are untouched, and loading again changes nothing."""

from __future__ import annotations

from collections import Counter

from sunlit.app.services import webhook_secret
from sunlit.core.db import Database
from sunlit.demo.fulfilment import CLAIM_TEXT, OPEN_TEXT, RULING, load_demo_fulfilment
from sunlit.demo.parcels import PARCELS
from sunlit.payments.sandbox import SandboxGateway
from tests.support import LiveServer, run_async
from tests.test_aftersales import web_as
from tests.test_catalog_api import api_as, product_named
from tests.test_demo_session import load_session, log_size
from tests.test_disclosure_after import disclosure
from tests.test_web import client

STATES = {
    "booked",
    "picked_up",
    "in_transit",
    "out_for_delivery",
    "delivered",
    "lost",
    "damaged",
    "returned",
}


def load_parcels(served: LiveServer) -> bool:
    assert served.services is not None
    services = served.services

    async def run() -> bool:
        database = Database(served.settings)
        try:
            async with database.transaction() as db:
                gateway = SandboxGateway(webhook_secret(served.settings), max_delay_ms=0)
                return await load_demo_fulfilment(db, services, gateway, now=served.clock.now())
        finally:
            await database.dispose()

    result: bool = run_async(run())
    return result


def outside_sessions(served: LiveServer, username: str) -> list[dict[str, object]]:
    with api_as(served, username) as c:
        return [o for o in c.get("/api/v1/orders").json() if o["session_id"] is None]


def test_the_demo_has_parcels_in_every_state_a_claim_the_fund_paid_and_reviews(
    served: LiveServer,
) -> None:
    session = load_session(served)
    figures = disclosure(served, session.session)
    assert load_parcels(served) is True

    statuses: Counter[str] = Counter()
    for buyer in ("buyer1", "buyer2", "buyer3"):
        with api_as(served, buyer) as c:
            for order in outside_sessions(served, buyer):
                shipment = c.get(f"/api/v1/orders/{order['id']}/shipment").json()
                statuses[shipment["status"]] += 1
                assert shipment["scans"][-1]["status"] == "booked"  # the timeline's first line
    assert set(statuses) == STATES and sum(statuses.values()) == len(PARCELS)
    assert statuses["delivered"] == 5

    with client(served, "en") as c:
        fund = c.get("/api/v1/fund").json()
        page = c.get("/fund").text
    assert fund["compensations"] == 1 and fund["compensated"] > 0
    assert fund["recovered"] > 0 and fund["outstanding"] == 0
    assert fund["balance"] == fund["contributions"] - fund["compensated"] + fund["recovered"]
    assert "Guarantee fund" in page or "guarantee fund" in page

    with api_as(served, "supervisor1") as c:  # the upheld claim, with its written reason
        decided = [r for r in c.get("/api/v1/aftersales").json() if r["status"] == "closed"]
    [claim] = decided
    assert claim["text"] == CLAIM_TEXT and claim["ruling"] == "buyer"
    assert claim["ruling_text"] == RULING and claim["answer"] == "refused"
    assert claim["refunded"] == claim["amount"] > 0

    with api_as(served, "farmer.xuwen") as c:  # a claim waits for the farmer's answer
        waiting = [r for r in c.get("/api/v1/aftersales").json() if r["status"] == "open"]
    with web_as(served, "farmer.xuwen") as c:
        queue = c.get("/producer/aftersales").text
    assert [r["text"] for r in waiting] == [OPEN_TEXT]
    assert f"/orders/{waiting[0]['order_id']}#aftersales" in queue and OPEN_TEXT in queue
    assert "/files/" in queue  # with the buyer's photo

    with client(served, "zh") as c:  # the product page: its reviews, averaged, and the reply
        product = product_named(c, "衢州椪柑")
        page = c.get(f"/products/{product['id']}").text
        mandarins = c.get(f"/products/{product_named(c, '城固蜜桔')['id']}").text
    assert "5.0" in page and "椪柑皮薄好剥" in page and "谢谢您的认可" in page
    assert "4.5" in mandarins and "蜜桔很甜" in mandarins  # two reviews: 4 and 5 stars

    assert disclosure(served, session.session) == figures, "the session's figures moved"
    size = log_size(served)
    assert load_parcels(served) is False
    assert log_size(served) == size, "loading the demo twice changed the record"
