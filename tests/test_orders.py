"""Orders and payments end to end over HTTP: buy with an Idempotency-Key, pay on the sandbox
gateway's page, the late and doubled notifications, shipping, delivery, the holding period and
the payout to the producer, with the ledger balanced at every step."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.support import LiveServer, csrf_of, sign_in
from tests.test_catalog_api import api_as, product_named
from tests.test_web import PASSWORD, client, events_of

ADDRESS = {
    "region": "330802",
    "detail": "朝阳区建国路 88 号 3 单元",
    "recipient": "李梅",
    "phone": "13800138000",
}


def buy(c: httpx.Client, product: str, key: str, qty: int = 1, **extra: Any) -> httpx.Response:
    body = {"product_id": product, "qty": qty, "address": ADDRESS, **extra}
    return c.post("/api/v1/orders", json=body, headers={"Idempotency-Key": key})


def pay_in_sandbox(server: LiveServer, username: str, order_id: str, decision: str = "pay") -> None:
    """What a buyer does in a browser: open the order, press Pay, press Pay on the sandbox."""
    with client(server, "en") as web:
        sign_in(web, username, PASSWORD)
        page = web.get(f"/orders/{order_id}")
        started = web.post(
            f"/orders/{order_id}", data={"csrf_token": csrf_of(page.text), "action": "pay"}
        )
        assert started.status_code == 303, started.text
        pay_url = started.headers["location"]
        assert pay_url.startswith("/sandbox/pay/ch_")
        sheet = web.get(pay_url)
        assert sheet.status_code == 200
        done = web.post(pay_url, data={"csrf_token": csrf_of(sheet.text), "decision": decision})
        assert done.status_code == 303
        assert done.headers["location"] == f"/orders/{order_id}"


def wait_for(c: httpx.Client, order_id: str, state: str, seconds: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        order = c.get(f"/api/v1/orders/{order_id}").json()
        if order["state"] == state or time.monotonic() > deadline:
            assert order["state"] == state, order
            return order
        time.sleep(0.1)


@pytest.fixture
def buyer(served: LiveServer) -> Iterator[httpx.Client]:
    with api_as(served, "buyer1") as c:
        yield c


def trial_balance(server: LiveServer) -> dict[str, Any]:
    with api_as(server, "operator") as c:
        trial = c.get("/api/v1/ledger/trial-balance").json()
    assert trial["balanced"] and trial["debits"] == trial["credits"], trial
    return {line["account"]: line["balance"] for line in trial["accounts"]}


def test_buy_pay_ship_deliver_and_the_producer_is_paid(
    served: LiveServer, buyer: httpx.Client
) -> None:
    pears = product_named(buyer, "砀山酥梨")
    placed = buy(buyer, pears["id"], "k-1", qty=2)
    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert order["state"] == "placed" and order["amount"] == 2 * pears["price"]
    again = buy(buyer, pears["id"], "k-1", qty=2)
    assert again.status_code == 200 and again.json()["id"] == order["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    other = buy(buyer, pears["id"], "k-1", qty=3)
    assert other.status_code == 422 and other.json()["error"]["code"] == "key_reused"
    assert buyer.get(f"/api/v1/products/{pears['id']}").json()["stock"] == pears["stock"] - 2

    pay_in_sandbox(served, "buyer1", order["id"])
    paid = wait_for(buyer, order["id"], "paid")
    assert paid["paid_at"] is not None

    with api_as(served, "farmer.dangshan") as farmer:
        shipped = farmer.post(f"/api/v1/orders/{order['id']}/shipment")
        assert shipped.status_code == 201, shipped.text
        tracking_no = shipped.json()["tracking_no"]
    assert buyer.get(f"/api/v1/orders/{order['id']}").json()["tracking_no"] == tracking_no
    assert buyer.post(f"/api/v1/orders/{order['id']}/deliver").json()["state"] == "delivered"

    with api_as(served, "operator") as operator:
        assert operator.post("/api/v1/payouts/run").json() == []  # still in the holding period
        served.clock.advance(timedelta(days=served.settings.payout_hold_days, minutes=1))
        payouts = operator.post("/api/v1/payouts/run").json()
    amount = order["amount"]
    fee = amount * served.settings.platform_fee_bp // 10_000
    fund = amount * served.settings.guarantee_fund_bp // 10_000
    assert [p["amount"] for p in payouts] == [amount - fee - fund]
    assert payouts[0]["producer_id"] == order["producer_id"]
    assert wait_for(buyer, order["id"], "completed")["closed_at"] is not None

    balances = trial_balance(served)
    assert balances["consumer_payments"] == amount
    assert balances["platform_fee"] == -fee and balances["guarantee_fund"] == -fund
    assert balances[f"payable:{order['producer_id']}"] == 0
    # The carrier's scans go on in the background as the clock jumps a week (shipment.tracked,
    # after the buyer's confirmation: they change nothing).
    events = [e for e in events_of(served) if e.data.get("order") == order["id"]]
    kinds = [e.type for e in events if e.type != "shipment.tracked"]
    assert kinds == [
        "order.placed",
        "order.paid",
        "order.shipped",
        "shipment.booked",
        "order.delivered",
        "order.confirmed",
        "order.completed",
    ]


def sample_orders(server: LiveServer) -> dict[str, str]:
    """Orders in several states for pages and screenshots: one paid out and completed, one
    paid and waiting for shipment, one placed and not yet paid."""
    with api_as(server, "buyer1") as c, api_as(server, "farmer.dangshan") as farmer:
        pears = product_named(c, "砀山酥梨")["id"]
        done = buy(c, pears, "sample-done", qty=3).json()["id"]
        paid = buy(c, pears, "sample-paid", qty=1).json()["id"]
        for order in (done, paid):
            pay_in_sandbox(server, "buyer1", order)
            wait_for(c, order, "paid")
        assert farmer.post(f"/api/v1/orders/{done}/shipment").status_code == 201
        c.post(f"/api/v1/orders/{done}/deliver")
        server.clock.advance(timedelta(days=server.settings.payout_hold_days, minutes=1))
        with api_as(server, "operator") as operator:
            operator.post("/api/v1/payouts/run")
        wait_for(c, done, "completed")
        placed = buy(c, pears, "sample-placed", qty=2).json()["id"]
        charge = c.post(f"/api/v1/orders/{placed}/pay").json()["pay_url"]
    return {"done": done, "paid": paid, "placed": placed, "charge": charge}
