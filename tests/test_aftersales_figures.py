"""After-sales on a Sunlit session reach its verified figures (issue 17, item 6), end to end on
both databases: a session sells pears to two buyers and ends; the farmer ships one order with
the sandbox carrier, which delivers it; the buyer's quality claim with a photo and the farmer's
acceptance are written as ``complaint.filed`` and a refund; the integrity monitor runs the
finished session again on its own, and the public figures show the delivery time, one
complaint and one refund in two orders, and the refunded order's money gone from the GMV."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest

from sunlit.settings import Settings
from tests.support import LiveServer, live_server, wait_until
from tests.test_aftersales import open_on_page, post_step, requests_of, web_as
from tests.test_catalog_api import api_as
from tests.test_claims import ended_session_with_sales, verified_figures
from tests.test_orders import wait_for
from tests.test_shipments import Console
from tests.test_web import client, events_of, load_demo_into


@pytest.fixture
def watched(settings: Settings) -> Iterator[LiveServer]:
    """The demo, its monitor running a finished session again as soon as something late
    happens to it, and a carrier that delivers every parcel."""
    late = {"integrity_late_minutes": 0, "sandbox_carrier_exceptions": False}
    with live_server(settings.model_copy(update=late)) as server:
        load_demo_into(server)
        yield server


def figures_once(served: LiveServer, session: str, check: Any, what: str) -> dict[str, Any]:
    """The session's verified figures, once ``check`` holds for them."""
    found: dict[str, Any] = {}

    def ready() -> bool:
        figures = verified_figures(served, session)
        if figures is None or not check(figures):
            return False
        found.update(figures)
        return True

    wait_until(ready, what, seconds=30)
    return found


def test_a_claim_on_a_session_s_order_shows_in_its_verified_figures(watched: LiveServer) -> None:
    session, price = ended_session_with_sales(watched)  # buyer1 2 jin, buyer2 1 jin, both paid
    before = figures_once(watched, session, lambda f: f["orders"] == 2, "the final run")
    assert before["gmv"] == 3 * price
    assert before["complaints_per_1000_orders"] == 0 and before["refunds_per_1000_orders"] == 0
    assert before["median_delivery_hours"] is None

    with api_as(watched, "buyer1") as buyer:
        [mine] = [o for o in buyer.get("/api/v1/orders").json() if o["session_id"] == session]
        oid = mine["id"]
        with api_as(watched, "farmer.dangshan") as farmer:
            booked = farmer.post(f"/api/v1/orders/{oid}/shipment")
            assert booked.status_code == 201, booked.text
        console = Console(watched)
        try:
            assert console.run_through_with_jobs(booked.json()["tracking_no"]) >= 3
        finally:
            console.web.close()
        wait_for(buyer, oid, "delivered")
        paid_at = next(
            e.ts for e in events_of(watched) if e.type == "order.paid" and e.data["order"] == oid
        )
        delivery = next(
            e for e in events_of(watched) if e.type == "order.delivered" and e.data["order"] == oid
        )

    hours = (datetime.fromisoformat(delivery.data["delivered_at"]) - paid_at).total_seconds() / 3600
    shipped = figures_once(
        watched, session, lambda f: f["median_delivery_hours"] is not None, "the delivery"
    )
    assert shipped["median_delivery_hours"] == round(hours, 1) > 0

    # The test's clock stands still unless moved; a late event in the very millisecond of the
    # last count would be taken for one already counted (the monitor's restart rule).
    watched.clock.advance(timedelta(hours=2))
    with web_as(watched, "buyer1") as buyer_web:
        opened = open_on_page(buyer_web, oid)
        assert opened.status_code == 303, opened.text[:800]
    complained = figures_once(
        watched, session, lambda f: f["complaints_per_1000_orders"] == 500, "the complaint"
    )
    assert complained["refunds_per_1000_orders"] == 0 and complained["gmv"] == 3 * price

    [request] = requests_of(watched, oid)
    with web_as(watched, "farmer.dangshan") as farmer_web:
        accepted = post_step(farmer_web, oid, f"/aftersales/{request.id}/answer", answer="accepted")
        assert accepted.status_code == 303, accepted.text[:800]
    watched.clock.advance(timedelta(minutes=1))
    refunded = figures_once(
        watched, session, lambda f: f["refunds_per_1000_orders"] == 500, "the refund"
    )
    assert refunded["complaints_per_1000_orders"] == 500  # a refunded order keeps its complaint
    assert refunded["gmv"] == price and refunded["orders"] == 1  # buyer2's jin is what is left

    # The public log keeps both: the figures as first published, and the refund's revision
    # that names them and says why (issue 22: corrections are revisions, not edits).
    def revisions() -> list[dict[str, Any]]:
        found = []
        with client(watched, "en") as c:
            since = 0
            while True:
                page = c.get("/api/open/v1/changes", params={"since": since}).json()
                found += [
                    r for r in page["records"] if r["kind"] == "figures" and r["key"] == session
                ]
                if page["next"] == since:
                    return found
                since = page["next"]

    def refund_published() -> list[dict[str, Any]]:
        found = revisions()
        last = found[-1]["body"]["verified"] if found else None
        return found if last and last["refunds_per_1000_orders"] == 500 else []

    kept = wait_until(refund_published, "the refund's revision in the public log", seconds=30)
    assert [r["revision"] for r in kept] == list(range(1, len(kept) + 1)) and len(kept) >= 2
    first, last = kept[0], kept[-1]
    assert first["body"]["verified"] is None or first["body"]["verified"]["gmv"] == 3 * price
    assert last["body"]["verified"]["gmv"] == price
    assert all(r["replaces"] == before["seq"] for before, r in pairwise(kept))
    assert "order.refunded" in {why for r in kept[1:] for why in r["reason"].split(", ")}
