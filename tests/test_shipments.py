"""Shipping with the carrier, over real HTTP on both backends: the seller books the sandbox
carrier, the carrier's signed notices build one timeline in the carrier's time order however
late, twice or out of order they come, its "delivered" records the delivery, and receipt
confirms itself days later unless after-sales is open. Bad notices change nothing."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from sunlit.app.services import carrier_secret, webhook_secret
from sunlit.core.db import Database
from sunlit.fulfilment.aftersales.services import orders_in_aftersales
from sunlit.fulfilment.shipments.carrier import SIGNATURE_HEADER
from sunlit.fulfilment.shipments.model import EXCEPTIONS, Places, ScanStatus, plan_path
from sunlit.fulfilment.shipments.sandbox import SandboxCarrier
from sunlit.fulfilment.shipments.services import confirm_due
from sunlit.fulfilment.shipments.tables import (
    CarrierNoticeRow,
    SandboxCarrierNoticeRow,
    SandboxParcelRow,
    TrackingEventRow,
)
from sunlit.payments.gateway import sign
from sunlit.settings import Settings
from tests.support import LiveServer, csrf_of, live_server, run_async, sign_in, wait_until
from tests.test_aftersales import open_on_page, requests_of, web_as
from tests.test_catalog_api import api_as, product_named
from tests.test_order_rules import count, error_of, notices
from tests.test_order_rules import send as send_payment_notice
from tests.test_orders import buy, pay_in_sandbox, wait_for
from tests.test_web import PASSWORD, client, events_of, load_demo_into

PEARS = "砀山酥梨"
NOTICES = "/api/v1/carrier/sandbox/notices"
#: A seed whose first parcel goes through two sorting centres and is delivered.
SEED = 0


def seeded(server: LiveServer, seed: int = SEED, step_seconds: int | None = None) -> None:
    """The server's sandbox carrier, with a known random source (paths and delays), and steps
    of ``step_seconds`` (the setting's by default)."""
    assert server.services is not None
    server.services._carrier = SandboxCarrier(
        carrier_secret(server.settings),
        step_seconds=step_seconds or server.settings.sandbox_carrier_step_seconds,
        console_delay_ms=0,
        seed=seed,
    )


@pytest.fixture
def quiet(settings: Settings) -> Iterator[LiveServer]:
    """A live server with the demo and no background jobs: the carrier's notices wait in its
    queue until a test posts them, in the order it chooses."""
    with live_server(settings.model_copy(update={"background_jobs": False})) as server:
        load_demo_into(server)
        seeded(server)
        yield server


def paid_order(server: LiveServer, buyer: httpx.Client, key: str = "k-1") -> dict[str, Any]:
    """buyer1 orders two jin of pears and pays; the gateway's notices are applied."""
    pears = product_named(buyer, PEARS)
    order: dict[str, Any] = buy(buyer, pears["id"], key, qty=2).json()
    pay_in_sandbox(server, "buyer1", order["id"])
    with client(server, "en") as gateway:
        for body in notices(server, "charge.succeeded"):
            assert send_payment_notice(gateway, server, body).status_code == 200
    wait_for(buyer, order["id"], "paid")
    return order


def book(server: LiveServer, order_id: str) -> dict[str, Any]:
    with api_as(server, "farmer.dangshan") as farmer:
        booked = farmer.post(f"/api/v1/orders/{order_id}/shipment")
    assert booked.status_code == 201, booked.text
    shipment: dict[str, Any] = booked.json()
    return shipment


def queue(server: LiveServer) -> list[tuple[str, dict[str, Any]]]:
    """The sandbox carrier's queue: each copy's body and what it says, oldest first."""

    async def read() -> list[SandboxCarrierNoticeRow]:
        database = Database(server.settings)
        async with database.sessions() as db:
            query = select(SandboxCarrierNoticeRow).order_by(
                SandboxCarrierNoticeRow.seq, SandboxCarrierNoticeRow.id
            )
            rows = list((await db.scalars(query)).all())
        await database.dispose()
        return rows

    return [(row.body, json.loads(row.body)) for row in run_async(read())]


def post_notice(
    c: httpx.Client,
    server: LiveServer,
    body: str,
    *,
    age: timedelta = timedelta(0),
    secret: str | None = None,
    carrier: str = "sandbox",
) -> httpx.Response:
    """Post a notice the way the carrier does, signed at the server's time less ``age``."""
    stamp = int((server.clock.now() - age).timestamp())
    signature = sign(secret or carrier_secret(server.settings), body.encode(), stamp)
    headers = {SIGNATURE_HEADER: signature, "content-type": "application/json"}
    return c.post(f"/api/v1/carrier/{carrier}/notices", content=body.encode(), headers=headers)


class Console:
    """The sandbox carrier's console in an operator's browser session."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.web = client(server, "en")
        assert sign_in(self.web, "operator", PASSWORD).status_code == 303

    def act(self, tracking_no: str, action: str) -> httpx.Response:
        page = self.web.get("/sandbox/carrier")
        assert page.status_code == 200 and tracking_no in page.text
        return self.web.post(
            f"/sandbox/carrier/{tracking_no}",
            data={"csrf_token": csrf_of(page.text), "action": action},
        )

    def run_through(self, tracking_no: str) -> int:
        """Every scan of the parcel, half an hour apart by the carrier's clock."""
        scans = 0
        self.server.clock.advance(timedelta(minutes=30))
        while True:
            moved = self.act(tracking_no, "advance")
            if moved.status_code == 409 and "moved on meanwhile" in moved.text:
                continue  # the jobs loop took the scan at the same moment: look again
            if moved.status_code != 303:
                break
            scans += 1
            self.server.clock.advance(timedelta(minutes=30))
        assert moved.status_code == 409 and "journey is over" in moved.text
        return scans

    def run_through_with_jobs(self, tracking_no: str) -> int:
        """:meth:`run_through` with the server's jobs running: a scan the clock reached before
        the console did went out by itself, late by up to a step, so the clock moves a step on
        after the last one and every copy is due."""
        scans = self.run_through(tracking_no)
        self.server.clock.advance(
            timedelta(seconds=self.server.settings.sandbox_carrier_step_seconds)
        )
        return scans


@pytest.fixture
def console(quiet: LiveServer) -> Iterator[Console]:
    console = Console(quiet)
    yield console
    console.web.close()


@pytest.fixture
def buyer(quiet: LiveServer) -> Iterator[httpx.Client]:
    with api_as(quiet, "buyer1") as c:
        yield c


def shipment_of(c: httpx.Client, order_id: str) -> dict[str, Any]:
    answer = c.get(f"/api/v1/orders/{order_id}/shipment")
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def rows(server: LiveServer, table: Any) -> int:
    return count(server, table)


# --- the journey ----------------------------------------------------------------------------


def test_late_doubled_and_out_of_order_notices_make_one_ordered_timeline(
    quiet: LiveServer, buyer: httpx.Client, console: Console
) -> None:
    order = paid_order(quiet, buyer)
    shipment = book(quiet, order["id"])
    tracking = shipment["tracking_no"]
    assert shipment["status"] == "booked" and [s["status"] for s in shipment["scans"]] == ["booked"]
    assert buyer.get(f"/api/v1/orders/{order['id']}").json()["state"] == "shipped"
    assert console.run_through(tracking) == 5  # picked up, two sorting centres, out, delivered
    copies = queue(quiet)
    assert len(copies) == 10  # every scan's notice, twice
    said = {body["status"] for _, body in copies}
    assert said == {"picked_up", "in_transit", "out_for_delivery", "delivered"}
    by_status: dict[str, list[str]] = {}
    for body, what in copies:
        by_status.setdefault(what["status"], []).append(body)
    delivered = by_status["delivered"]
    delivered_at = json.loads(delivered[0])["at"]
    # Delivered comes first, then the rest newest first, each copy twice, then the delivered
    # copy again: everything late and out of order.
    order_sent = [delivered[0]] + [body for body, _ in reversed(copies)] + [delivered[1]]
    outcomes = []
    with client(quiet, "en") as carrier:
        for body in order_sent:
            answer = post_notice(carrier, quiet, body)
            assert answer.status_code == 200, answer.text
            outcomes.append(answer.json()["outcome"])
            # Whatever came late, the status never went back from delivered.
            assert shipment_of(buyer, order["id"])["status"] == "delivered"
    assert outcomes.count("applied") == 5 and outcomes.count("duplicate") == 7

    seen = shipment_of(buyer, order["id"])
    statuses = [s["status"] for s in seen["scans"]]
    assert statuses == [
        "delivered",
        "out_for_delivery",
        "in_transit",
        "in_transit",
        "picked_up",
        "booked",
    ]
    times = [s["at"] for s in seen["scans"]]
    assert times == sorted(times, reverse=True) and len(set(times)) == len(times)
    assert all(s["place"] for s in seen["scans"][:-1])  # each scan names where it was
    assert seen["delivered_at"] == delivered_at.replace("+00:00", "Z")
    after = buyer.get(f"/api/v1/orders/{order['id']}").json()
    assert after["state"] == "delivered" and after["confirmed_at"] is None
    assert datetime.fromisoformat(after["delivered_at"]) == datetime.fromisoformat(delivered_at)
    assert rows(quiet, TrackingEventRow) == 5 and rows(quiet, CarrierNoticeRow) == 5

    events = [e for e in events_of(quiet) if e.data.get("order") == order["id"]]
    kinds = [e.type for e in events]
    assert kinds.count("shipment.booked") == 1 and kinds.count("shipment.tracked") == 5
    assert kinds.count("order.delivered") == 1 and "order.confirmed" not in kinds
    [booked] = [e for e in events if e.type == "shipment.booked"]
    assert booked.data == {"order": order["id"], "carrier": "sandbox"}
    assert booked.actor is not None
    tracked = [e for e in events if e.type == "shipment.tracked"]
    assert {e.data["status"] for e in tracked} == said
    assert all(set(e.data) == {"order", "status", "at"} and e.actor is None for e in tracked)
    [delivery] = [e for e in events if e.type == "order.delivered"]
    assert delivery.actor is None  # the carrier's word

    with client(quiet, "en") as web:  # what the buyer sees on the order's page
        sign_in(web, "buyer1", PASSWORD)
        page = web.get(f"/orders/{order['id']}").text
    assert tracking in page and "Sandbox carrier" in page, page[page.find("<main") :][:3000]
    assert "Receipt confirms itself on" in page and "unless you open after-sales" in page
    assert page.index("Out for delivery") < page.index("Picked up")  # newest first


def test_the_carrier_s_notices_reach_sunlit_over_http_by_themselves(
    settings: Settings,
) -> None:
    """With the jobs running, the console's scans reach the receiver over HTTP (twice each)."""
    with live_server(settings) as server:
        load_demo_into(server)
        seeded(server)
        with api_as(server, "buyer1") as buyer:
            pears = product_named(buyer, PEARS)
            order = buy(buyer, pears["id"], "k-1", qty=1).json()
            pay_in_sandbox(server, "buyer1", order["id"])
            wait_for(buyer, order["id"], "paid")
            tracking = book(server, order["id"])["tracking_no"]
            console = Console(server)
            try:
                console.run_through_with_jobs(tracking)
            finally:
                console.web.close()
            try:
                wait_for(buyer, order["id"], "delivered")
                wait_until(lambda: rows(server, CarrierNoticeRow) == 5, "five notices applied")
                wait_until(lambda: delivered_all(server), "every copy delivered")
            except AssertionError as exc:
                raise AssertionError(f"{exc} {debug(server)}") from None
            assert shipment_of(buyer, order["id"])["status"] == "delivered"


def debug(server: LiveServer) -> object:
    async def read() -> object:
        database = Database(server.settings)
        async with database.sessions() as db:
            rows = (await db.scalars(select(SandboxCarrierNoticeRow))).all()
            out = [(r.seq, r.deliver_at, r.attempts, r.last_status, r.delivered_at) for r in rows]
        await database.dispose()
        return out

    return run_async(read())


def delivered_all(server: LiveServer) -> bool:
    async def read() -> int:
        database = Database(server.settings)
        async with database.sessions() as db:
            left = await db.scalar(
                select(func.count())
                .select_from(SandboxCarrierNoticeRow)
                .where(SandboxCarrierNoticeRow.delivered_at.is_(None))
            )
        await database.dispose()
        return int(left or 0)

    return int(run_async(read())) == 0


# --- what is refused ------------------------------------------------------------------------


def test_a_bad_notice_is_refused_and_changes_nothing(
    quiet: LiveServer, buyer: httpx.Client, console: Console
) -> None:
    order = paid_order(quiet, buyer)
    tracking = book(quiet, order["id"])["tracking_no"]
    assert console.act(tracking, "advance").status_code == 303  # picked up
    [(body, said), _] = queue(quiet)
    before = shipment_of(buyer, order["id"])
    with client(quiet, "en") as carrier:
        forged = post_notice(carrier, quiet, body, secret="guessed-secret")
        assert "signature" in error_of(forged, 400, "bad_signature")["message"]
        unsigned = carrier.post(NOTICES, content=body.encode())
        assert "not signed" in error_of(unsigned, 400, "bad_signature")["message"]
        stale = post_notice(carrier, quiet, body, age=timedelta(minutes=10))
        assert "too old" in error_of(stale, 400, "bad_signature")["message"]
        # The gateway's key does not sign for the carrier.
        other = post_notice(carrier, quiet, body, secret=webhook_secret(quiet.settings))
        error_of(other, 400, "bad_signature")
        tampered = body.replace('"picked_up"', '"delivered"')
        stamp = int(quiet.clock.now().timestamp())
        signature = sign(carrier_secret(quiet.settings), body.encode(), stamp)
        swapped = carrier.post(
            NOTICES, content=tampered.encode(), headers={SIGNATURE_HEADER: signature}
        )
        error_of(swapped, 400, "bad_signature")
        for malformed in (
            "not json",
            "[]",
            json.dumps({**said, "status": "teleported"}),
            json.dumps({**said, "status": "booked"}),
            json.dumps({**said, "at": "yesterday"}),
            json.dumps({**said, "at": "2026-03-02T12:00:00"}),  # no offset
            json.dumps({k: v for k, v in said.items() if k != "tracking"}),
            json.dumps({**said, "place": "x" * 81}),
        ):
            error_of(post_notice(carrier, quiet, malformed), 422, "invalid_input")
        unknown = json.dumps({**said, "tracking": "SB999999999999", "id": "cn-unknown"})
        assert "tracking number" in error_of(post_notice(carrier, quiet, unknown), 404)["message"]
        error_of(post_notice(carrier, quiet, body, carrier="shunfeng"), 404)
        assert shipment_of(buyer, order["id"]) == before
        assert rows(quiet, TrackingEventRow) == 0 and rows(quiet, CarrierNoticeRow) == 0
        assert not [e for e in events_of(quiet) if e.type == "shipment.tracked"]
        # The same notice, signed with the carrier's key, is applied.
        assert post_notice(carrier, quiet, body).json() == {"outcome": "applied"}
    assert shipment_of(buyer, order["id"])["status"] == "picked_up"


def test_only_a_paid_order_ships_and_only_its_seller_ships_it(
    quiet: LiveServer, buyer: httpx.Client
) -> None:
    pears = product_named(buyer, PEARS)
    unpaid = buy(buyer, pears["id"], "k-unpaid").json()
    cancelled = buy(buyer, pears["id"], "k-cancelled").json()
    buyer.post(f"/api/v1/orders/{cancelled['id']}/cancel", json={"reason": ""})
    with api_as(quiet, "farmer.dangshan") as farmer:
        for order, state in ((unpaid, "placed"), (cancelled, "cancelled")):
            refused = farmer.post(f"/api/v1/orders/{order['id']}/shipment")
            assert state in error_of(refused, 409, "conflict")["message"]
            assert buyer.get(f"/api/v1/orders/{order['id']}").json()["state"] == state
            error_of(buyer.get(f"/api/v1/orders/{order['id']}/shipment"), 404)
    assert rows(quiet, SandboxParcelRow) == 0
    order = paid_order(quiet, buyer, "k-paid")
    # The buyer cannot ship (nor can another role): refused before anything is booked.
    error_of(buyer.post(f"/api/v1/orders/{order['id']}/shipment"), 403, "permission_denied")
    with api_as(quiet, "official.dangshan") as official:
        error_of(official.post(f"/api/v1/orders/{order['id']}/shipment"), 403)
    assert rows(quiet, SandboxParcelRow) == 0
    tracking = book(quiet, order["id"])["tracking_no"]
    with api_as(quiet, "farmer.dangshan") as farmer:
        again = farmer.post(f"/api/v1/orders/{order['id']}/shipment")
        assert "shipped" in error_of(again, 409, "conflict")["message"]
        # The seller cannot mark the order delivered: only the carrier or the buyer.
        error_of(farmer.post(f"/api/v1/orders/{order['id']}/deliver"), 403, "permission_denied")
    assert rows(quiet, SandboxParcelRow) == 1
    seen = buyer.get(f"/api/v1/orders/{order['id']}").json()
    assert seen["state"] == "shipped" and seen["tracking_no"] == tracking
    assert seen["delivered_at"] is None


def test_the_producer_ships_from_the_order_list_with_one_button(
    quiet: LiveServer, buyer: httpx.Client
) -> None:
    order = paid_order(quiet, buyer)
    with client(quiet, "en") as web:
        sign_in(web, "farmer.dangshan", PASSWORD)
        listing = web.get("/producer/orders")
        assert f'action="/orders/{order["id"]}/ship"' in listing.text
        shipped = web.post(
            f"/orders/{order['id']}/ship",
            data={"csrf_token": csrf_of(listing.text), "back": "/producer/orders"},
        )
        assert shipped.status_code == 303 and shipped.headers["location"] == "/producer/orders"
        after = web.get("/producer/orders").text
        assert f'action="/orders/{order["id"]}/ship"' not in after  # shipped: no button
        # Again from the order's page: refused with the reason, on the page.
        page = web.get(f"/orders/{order['id']}")
        again = web.post(f"/orders/{order['id']}/ship", data={"csrf_token": csrf_of(page.text)})
        assert again.status_code == 409 and "Only a paid order can be shipped" in again.text
    assert shipment_of(buyer, order["id"])["status"] == "booked"


# --- exceptions and the confirmation of receipt ---------------------------------------------


def test_a_lost_parcel_shows_as_an_exception_and_is_not_delivered(
    quiet: LiveServer, buyer: httpx.Client, console: Console
) -> None:
    order = paid_order(quiet, buyer)
    tracking = book(quiet, order["id"])["tracking_no"]
    assert console.act(tracking, "advance").status_code == 303
    quiet.clock.advance(timedelta(hours=2))
    refused = console.act(tracking, "delivered")  # not an exception
    assert refused.status_code == 409
    assert console.act(tracking, "lost").status_code == 303
    over = console.act(tracking, "advance")
    assert over.status_code == 409 and "journey is over" in over.text
    with client(quiet, "en") as carrier:
        for body, _ in reversed(queue(quiet)):  # the loss first, the pick-up after it
            assert post_notice(carrier, quiet, body).status_code == 200
    seen = shipment_of(buyer, order["id"])
    assert seen["status"] == "lost" and seen["delivered_at"] is None
    assert [s["status"] for s in seen["scans"]] == ["lost", "picked_up", "booked"]
    assert buyer.get(f"/api/v1/orders/{order['id']}").json()["state"] == "shipped"
    with client(quiet, "en") as web:
        sign_in(web, "buyer1", PASSWORD)
        page = web.get(f"/orders/{order['id']}").text
    assert "The carrier reports a problem with this parcel" in page
    assert 'class="alert"><strong>Lost</strong>' in page


def test_receipt_confirms_itself_after_the_days_unless_after_sales_is_open(
    quiet: LiveServer, buyer: httpx.Client, console: Console
) -> None:
    order = paid_order(quiet, buyer)
    tracking = book(quiet, order["id"])["tracking_no"]
    console.run_through(tracking)
    with client(quiet, "en") as carrier:
        for body, _ in queue(quiet):
            assert post_notice(carrier, quiet, body).status_code == 200
    delivered = datetime.fromisoformat(shipment_of(buyer, order["id"])["delivered_at"])
    days = quiet.settings.auto_confirm_days
    hold = quiet.settings.payout_hold_days
    seen = shipment_of(buyer, order["id"])
    assert datetime.fromisoformat(seen["confirms_at"]) == delivered + timedelta(days=days)

    def confirm(now: datetime, **kw: Any) -> int:
        async def run() -> int:
            database = Database(quiet.settings)
            async with database.transaction() as db:
                done = await confirm_due(db, days=days, hold_days=hold, now=now, **kw)
            await database.dispose()
            return done

        return int(run_async(run()))

    # The buyer asks for a refund before the days are up (as the jobs loop does, with the
    # after-sales context's own answer to "which of these orders have a request open").
    with web_as(quiet, "buyer1") as buyer_web:
        assert open_on_page(buyer_web, order["id"]).status_code == 303
    [request] = requests_of(quiet, order["id"])
    assert confirm(delivered + timedelta(days=days, minutes=-1)) == 0  # not before the days
    assert buyer.get(f"/api/v1/orders/{order['id']}").json()["confirmed_at"] is None
    due = delivered + timedelta(days=days, minutes=1)
    assert confirm(due, in_aftersales=orders_in_aftersales) == 0  # after-sales is open: it waits
    assert buyer.get(f"/api/v1/orders/{order['id']}").json()["confirmed_at"] is None
    withdrawn = buyer.post(f"/api/v1/aftersales/{request.id}/withdraw")
    assert withdrawn.status_code == 200, withdrawn.text
    assert confirm(due, in_aftersales=orders_in_aftersales) == 1  # withdrawn: it goes on
    assert confirm(due + timedelta(days=1), in_aftersales=orders_in_aftersales) == 0  # once
    confirmed = buyer.get(f"/api/v1/orders/{order['id']}").json()
    assert datetime.fromisoformat(confirmed["confirmed_at"]) == due
    [event] = [
        e
        for e in events_of(quiet)
        if e.type == "order.confirmed" and e.data["order"] == order["id"]
    ]
    assert event.actor is None and event.data["by"] == "auto"
    # The payout clock started at the confirmation: paid out after the holding period.
    quiet.clock.advance(due - quiet.clock.now() + timedelta(days=hold, minutes=1))
    with api_as(quiet, "operator") as operator:
        payouts = operator.post("/api/v1/payouts/run").json()
    assert [p["producer_id"] for p in payouts] == [order["producer_id"]]


# --- the sandbox carrier's plans ------------------------------------------------------------


def test_a_planned_path_goes_forward_in_time_and_now_and_then_ends_in_an_exception() -> None:
    start = datetime(2026, 3, 2, 12, tzinfo=UTC)
    places = Places("砀山县揽投部", ["宿州市分拨中心", "衢州市分拨中心"], "柯城区营业部")
    endings: dict[ScanStatus, int] = {}
    for seed in range(2000):
        path = plan_path(random.Random(seed), places, start=start, step_seconds=600)
        assert path[0].status is ScanStatus.PICKED_UP and path[0].place == "砀山县揽投部"
        gaps = [b.at - a.at for a, b in pairwise(path)]
        assert all(timedelta(seconds=1) <= gap <= timedelta(seconds=600) for gap in gaps)
        assert path[0].at - start <= timedelta(seconds=600)
        end = path[-1].status
        assert end is ScanStatus.DELIVERED or end in EXCEPTIONS
        assert all(
            s.status not in EXCEPTIONS and s.status is not ScanStatus.DELIVERED for s in path[:-1]
        )
        endings[end] = endings.get(end, 0) + 1
    assert 1800 < endings[ScanStatus.DELIVERED] < 1960  # about 5 % go wrong
    assert all(endings.get(status, 0) > 0 for status in EXCEPTIONS)


def test_with_exceptions_off_every_planned_path_is_delivered() -> None:
    start = datetime(2026, 3, 2, 12, tzinfo=UTC)
    places = Places("砀山县揽投部", ["宿州市分拨中心"], "柯城区营业部")
    endings = {
        plan_path(random.Random(seed), places, start=start, step_seconds=600, exceptions=False)[
            -1
        ].status
        for seed in range(2000)
    }
    assert endings == {ScanStatus.DELIVERED}
