"""The rules of buying and paying, over real HTTP on both backends: every bad request gets a
clear error and changes nothing, and the gateway's notifications are believed only when signed
and fresh, applied once, in whatever order they come."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from sunlit.app.services import webhook_secret
from sunlit.core.db import Database
from sunlit.core.money import format_fen
from sunlit.payments.gateway import SIGNATURE_HEADER, sign
from sunlit.payments.tables import LedgerTransactionRow, PaymentRow, SandboxWebhookRow
from sunlit.settings import Settings
from tests.support import LiveServer, live_server, run_async
from tests.test_catalog_api import api_as, product_named
from tests.test_orders import ADDRESS, buy, pay_in_sandbox, trial_balance, wait_for
from tests.test_web import client, load_demo_into

PEARS = "砀山酥梨"
WEBHOOK = "/api/v1/payments/webhooks/sandbox"


@pytest.fixture
def quiet(settings: Settings) -> Iterator[LiveServer]:
    """A live server with the demo but no background jobs: notifications wait in the sandbox's
    queue until a test posts them, in the order it chooses."""
    with live_server(settings.model_copy(update={"background_jobs": False})) as server:
        load_demo_into(server)
        yield server


def error_of(answer: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    error: dict[str, Any] = answer.json()["error"]
    assert error["message"].strip(), error
    if code is not None:
        assert error["code"] == code, error
    return error


def eventually(read: Callable[[], dict[str, Any]], seconds: float = 10, **want: Any) -> Any:
    """What ``read`` returns once it has the wanted values (the server's jobs run every 0.25 s)."""
    deadline = time.monotonic() + seconds
    while True:
        got = read()
        if all(got.get(k) == v for k, v in want.items()) or time.monotonic() > deadline:
            assert {k: got.get(k) for k in want} == want, got
            return got
        time.sleep(0.1)


def stock_of(c: httpx.Client, product_id: str) -> int:
    stock: int = c.get(f"/api/v1/products/{product_id}").json()["stock"]
    return stock


def unchanged(served: LiveServer, buyer: httpx.Client, pears: dict[str, Any]) -> None:
    """Nothing was bought: the stock is what it was and the buyer has no order."""
    assert stock_of(buyer, pears["id"]) == pears["stock"]
    assert buyer.get("/api/v1/orders").json() == []
    assert trial_balance(served) == {}


def set_sales(server: LiveServer, product_id: str, **sales: Any) -> None:
    with api_as(server, "farmer.dangshan") as farmer:
        answer = farmer.put(f"/api/v1/products/{product_id}/sales", json=sales)
        assert answer.status_code == 200, answer.text


def set_stock(server: LiveServer, product_id: str, stock: int) -> None:
    with api_as(server, "farmer.dangshan") as farmer:
        answer = farmer.post(f"/api/v1/products/{product_id}/stock", json={"stock": stock})
        assert answer.status_code == 200, answer.text


@pytest.fixture
def buyer(served: LiveServer) -> Iterator[httpx.Client]:
    with api_as(served, "buyer1") as c:
        yield c


# --- buying -----------------------------------------------------------------------------


def test_an_order_needs_a_usable_idempotency_key(served: LiveServer, buyer: httpx.Client) -> None:
    pears = product_named(buyer, PEARS)
    body = {"product_id": pears["id"], "qty": 1, "address": ADDRESS}
    missing = error_of(buyer.post("/api/v1/orders", json=body), 422, "invalid_input")
    assert "Idempotency-Key" in missing["message"]
    assert "idempotency_key" in missing["fields"]
    for key in ("k" * 65, "k" * 200):
        bad = buyer.post("/api/v1/orders", json=body, headers={"Idempotency-Key": key})
        assert "Idempotency-Key" in error_of(bad, 422, "invalid_input")["message"]
    unchanged(served, buyer, pears)
    # The longest key that is allowed works.
    assert buy(buyer, pears["id"], "k" * 64).status_code == 201


def test_a_buyer_cannot_order_more_than_the_limit(served: LiveServer, buyer: httpx.Client) -> None:
    pears = product_named(buyer, PEARS)
    set_sales(served, pears["id"], on_sale=True, per_buyer_limit=2)
    over = error_of(buy(buyer, pears["id"], "k-1", qty=3), 409, "over_limit")
    assert "2" in over["message"]
    unchanged(served, buyer, pears)
    assert buy(buyer, pears["id"], "k-2", qty=2).status_code == 201
    # What the buyer already holds counts: one more is over the limit too.
    error_of(buy(buyer, pears["id"], "k-3", qty=1), 409, "over_limit")
    assert stock_of(buyer, pears["id"]) == pears["stock"] - 2
    assert len(buyer.get("/api/v1/orders").json()) == 1
    with api_as(served, "buyer2") as other:  # the limit is per buyer
        assert buy(other, pears["id"], "k-1", qty=2).status_code == 201


def test_a_suspended_product_takes_no_orders(served: LiveServer, buyer: httpx.Client) -> None:
    pears = product_named(buyer, PEARS)
    set_sales(served, pears["id"], on_sale=False)
    error_of(buy(buyer, pears["id"], "k-1"), 409, "not_on_sale")
    unchanged(served, buyer, pears)
    set_sales(served, pears["id"], on_sale=True)
    assert buy(buyer, pears["id"], "k-1").status_code == 201


def test_a_sold_out_product_refuses_what_it_cannot_give(
    served: LiveServer, buyer: httpx.Client
) -> None:
    pears = product_named(buyer, PEARS)
    set_stock(served, pears["id"], 1)
    pears["stock"] = 1
    assert "stock" in error_of(buy(buyer, pears["id"], "k-1", qty=2), 409, "sold_out")["message"]
    unchanged(served, buyer, pears)
    assert buy(buyer, pears["id"], "k-2", qty=1).status_code == 201
    with api_as(served, "buyer2") as other:
        error_of(buy(other, pears["id"], "k-1", qty=1), 409, "sold_out")
        assert other.get("/api/v1/orders").json() == []
    assert stock_of(buyer, pears["id"]) == 0


def test_an_unknown_product_is_not_found(served: LiveServer, buyer: httpx.Client) -> None:
    pears = product_named(buyer, PEARS)
    error_of(buy(buyer, "pr-nosuchproduct", "k-1"), 404, "no_product")
    unchanged(served, buyer, pears)


# --- paying -----------------------------------------------------------------------------


def test_a_cancelled_order_cannot_be_paid(served: LiveServer, buyer: httpx.Client) -> None:
    pears = product_named(buyer, PEARS)
    order = buy(buyer, pears["id"], "k-1", qty=2).json()
    cancelled = buyer.post(f"/api/v1/orders/{order['id']}/cancel", json={"reason": "changed mind"})
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert stock_of(buyer, pears["id"]) == pears["stock"]
    refused = error_of(buyer.post(f"/api/v1/orders/{order['id']}/pay"), 409, "conflict")
    assert "cancelled" in refused["message"]
    assert trial_balance(served) == {}
    assert buyer.get(f"/api/v1/orders/{order['id']}").json()["paid_at"] is None


def test_an_expired_order_cannot_be_paid_and_its_stock_comes_back(
    served: LiveServer, buyer: httpx.Client
) -> None:
    pears = product_named(buyer, PEARS)
    order = buy(buyer, pears["id"], "k-1", qty=2).json()
    assert buyer.post(f"/api/v1/orders/{order['id']}/pay").status_code == 200  # in time
    served.clock.advance(timedelta(minutes=served.settings.order_expiry_minutes, seconds=1))
    refused = error_of(buyer.post(f"/api/v1/orders/{order['id']}/pay"), 409, "conflict")
    assert "expired" in refused["message"]
    # The sweep (every 10 s in the server) cancels it and gives the stock back.
    expired = wait_for(buyer, order["id"], "cancelled", seconds=15)
    assert expired["cancel_reason"] == "expired"
    assert stock_of(buyer, pears["id"]) == pears["stock"]
    assert trial_balance(served) == {}


def test_a_refund_cannot_be_larger_than_the_payment(
    served: LiveServer, buyer: httpx.Client
) -> None:
    pears = product_named(buyer, PEARS)
    order = buy(buyer, pears["id"], "k-1", qty=2).json()
    pay_in_sandbox(served, "buyer1", order["id"])
    wait_for(buyer, order["id"], "paid")
    before = trial_balance(served)
    refunds = f"/api/v1/orders/{order['id']}/refunds"
    with api_as(served, "farmer.dangshan") as farmer:
        too_much = farmer.post(refunds, json={"amount": order["amount"] + 1, "reason": "bruised"})
        assert "amount" in error_of(too_much, 422, "invalid_input")["fields"]
        for amount in (0, -100):
            error_of(farmer.post(refunds, json={"amount": amount, "reason": "x"}), 422)
        part = farmer.post(refunds, json={"amount": 100, "reason": "bruised"})
        assert part.status_code == 202, part.text
        # What is left is the payment less what is already on its way back.
        rest = farmer.post(refunds, json={"amount": order["amount"] - 99, "reason": "bruised"})
        assert format_fen(order["amount"] - 100) in error_of(rest, 422)["message"]  # ¥ yuan
    settled = eventually(lambda: buyer.get(f"/api/v1/orders/{order['id']}").json(), refunded=100)
    assert settled["state"] == "paid"  # a part refund leaves the order paid
    after = trial_balance(served)
    assert after["consumer_payments"] == before["consumer_payments"] - 100


# --- the gateway's notifications ----------------------------------------------------------


def queued(server: LiveServer) -> list[tuple[str, dict[str, Any]]]:
    """The sandbox's queue: each notification's body, and what it says."""

    async def read() -> list[SandboxWebhookRow]:
        database = Database(server.settings)
        async with database.sessions() as db:
            query = select(SandboxWebhookRow).order_by(
                SandboxWebhookRow.deliver_at, SandboxWebhookRow.id
            )
            rows = list((await db.scalars(query)).all())
        await database.dispose()
        return rows

    return [(row.body, json.loads(row.body)) for row in run_async(read())]


def notices(server: LiveServer, kind: str) -> list[str]:
    """The bodies of one kind of notification, two copies of each event."""
    return [body for body, said in queued(server) if said["type"] == kind]


def send(
    c: httpx.Client,
    server: LiveServer,
    body: str,
    *,
    age: timedelta = timedelta(0),
    secret: str | None = None,
) -> httpx.Response:
    """Post a notification the way the gateway does, signed at the server's time less ``age``."""
    stamp = int((server.clock.now() - age).timestamp())
    signature = sign(secret or webhook_secret(server.settings), body.encode(), stamp)
    headers = {SIGNATURE_HEADER: signature, "content-type": "application/json"}
    return c.post(WEBHOOK, content=body.encode(), headers=headers)


def count(server: LiveServer, what: Any) -> int:
    async def read() -> int:
        database = Database(server.settings)
        async with database.sessions() as db:
            found = int(await db.scalar(select(func.count()).select_from(what)) or 0)
        await database.dispose()
        return found

    return int(run_async(read()))


def paid_in_sandbox(server: LiveServer, c: httpx.Client) -> dict[str, Any]:
    """buyer1 orders two jin of pears and pays on the sandbox page; nothing is delivered yet."""
    pears = product_named(c, PEARS)
    order: dict[str, Any] = buy(c, pears["id"], "k-1", qty=2).json()
    pay_in_sandbox(server, "buyer1", order["id"])
    assert len(notices(server, "charge.succeeded")) == 2
    return order


@pytest.fixture
def quiet_buyer(quiet: LiveServer) -> Iterator[httpx.Client]:
    with api_as(quiet, "buyer1") as c:
        yield c


def test_only_a_correctly_signed_notice_is_believed(
    quiet: LiveServer, quiet_buyer: httpx.Client
) -> None:
    order = paid_in_sandbox(quiet, quiet_buyer)
    body = notices(quiet, "charge.succeeded")[0]
    with client(quiet, "en") as gateway:
        forged = send(gateway, quiet, body, secret="guessed-secret")
        assert "signature" in error_of(forged, 400, "bad_signature")["message"]
        unsigned = gateway.post(WEBHOOK, content=body.encode())
        assert "not signed" in error_of(unsigned, 400, "bad_signature")["message"]
        doubled = body.replace(f'"amount":{order["amount"]}', f'"amount":{order["amount"] * 2}')
        assert doubled != body
        stamp = int(quiet.clock.now().timestamp())
        signature = sign(webhook_secret(quiet.settings), body.encode(), stamp)
        tampered = gateway.post(
            WEBHOOK, content=doubled.encode(), headers={SIGNATURE_HEADER: signature}
        )
        error_of(tampered, 400, "bad_signature")
        assert quiet_buyer.get(f"/api/v1/orders/{order['id']}").json()["state"] == "placed"
        assert trial_balance(quiet) == {}
        # The same notice, signed with the gateway's secret, is applied.
        assert send(gateway, quiet, body).json() == {"outcome": "applied"}
    assert quiet_buyer.get(f"/api/v1/orders/{order['id']}").json()["state"] == "paid"
    assert trial_balance(quiet)["consumer_payments"] == order["amount"]


def test_a_stale_notice_is_refused_as_a_replay(
    quiet: LiveServer, quiet_buyer: httpx.Client
) -> None:
    order = paid_in_sandbox(quiet, quiet_buyer)
    body = notices(quiet, "charge.succeeded")[0]
    with client(quiet, "en") as gateway:
        stale = send(gateway, quiet, body, age=timedelta(minutes=10))
        assert "too old" in error_of(stale, 400, "bad_signature")["message"]
        assert quiet_buyer.get(f"/api/v1/orders/{order['id']}").json()["state"] == "placed"
        assert trial_balance(quiet) == {}
        # Within the tolerance it is still accepted.
        assert send(gateway, quiet, body, age=timedelta(minutes=4)).json()["outcome"] == "applied"
    assert quiet_buyer.get(f"/api/v1/orders/{order['id']}").json()["state"] == "paid"


def test_a_notice_delivered_again_changes_nothing(
    quiet: LiveServer, quiet_buyer: httpx.Client
) -> None:
    order = paid_in_sandbox(quiet, quiet_buyer)
    first, second = notices(quiet, "charge.succeeded")
    with client(quiet, "en") as gateway:
        assert send(gateway, quiet, first).json() == {"outcome": "applied"}
        balances = trial_balance(quiet)
        postings = count(quiet, LedgerTransactionRow)
        for body in (second, first, second):
            again = send(gateway, quiet, body)
            assert again.status_code == 200 and again.json() == {"outcome": "duplicate"}
    assert trial_balance(quiet) == balances
    assert balances["consumer_payments"] == order["amount"]
    assert count(quiet, LedgerTransactionRow) == postings == 1
    assert quiet_buyer.get(f"/api/v1/orders/{order['id']}").json()["state"] == "paid"


def test_a_refund_notice_may_overtake_the_late_copy_of_its_capture(
    quiet: LiveServer, quiet_buyer: httpx.Client
) -> None:
    order = paid_in_sandbox(quiet, quiet_buyer)
    first, late = notices(quiet, "charge.succeeded")
    with client(quiet, "en") as gateway:
        assert send(gateway, quiet, first).json() == {"outcome": "applied"}
        with api_as(quiet, "farmer.dangshan") as farmer:
            refund = farmer.post(
                f"/api/v1/orders/{order['id']}/refunds", json={"amount": 300, "reason": "bruised"}
            )
            assert refund.status_code == 202, refund.text
        refund_notice, refund_copy = notices(quiet, "refund.succeeded")
        assert send(gateway, quiet, refund_notice).json() == {"outcome": "applied"}
        assert send(gateway, quiet, late).json() == {"outcome": "duplicate"}
        assert send(gateway, quiet, refund_copy).json() == {"outcome": "duplicate"}
    settled = quiet_buyer.get(f"/api/v1/orders/{order['id']}").json()
    assert settled["state"] == "paid" and settled["refunded"] == 300
    balances = trial_balance(quiet)
    assert balances["consumer_payments"] == order["amount"] - 300
    assert balances["refunds"] == 0


def test_a_refund_notice_for_a_refund_sunlit_never_asked_for_is_refused(
    quiet: LiveServer, quiet_buyer: httpx.Client
) -> None:
    order = paid_in_sandbox(quiet, quiet_buyer)
    capture = json.loads(notices(quiet, "charge.succeeded")[0])
    invented = json.dumps(
        {
            "id": "evt-invented",
            "type": "refund.succeeded",
            "charge": capture["charge"],
            "amount": 100,
            "refund": "re_invented",
        }
    )
    with client(quiet, "en") as gateway:
        # Before its capture, and after it: either way it names nothing Sunlit asked for.
        error_of(send(gateway, quiet, invented), 404, "not_found")
        assert send(gateway, quiet, json.dumps(capture)).json()["outcome"] == "applied"
        error_of(send(gateway, quiet, invented), 404, "not_found")
    assert trial_balance(quiet)["consumer_payments"] == order["amount"]
    assert quiet_buyer.get(f"/api/v1/orders/{order['id']}").json()["refunded"] == 0


def test_a_payment_for_an_order_cancelled_meanwhile_is_given_back(
    quiet: LiveServer, quiet_buyer: httpx.Client
) -> None:
    pears = product_named(quiet_buyer, PEARS)
    order = paid_in_sandbox(quiet, quiet_buyer)
    # The buyer paid on the gateway's page, then cancelled before the gateway told Sunlit.
    cancelled = quiet_buyer.post(f"/api/v1/orders/{order['id']}/cancel", json={"reason": ""})
    assert cancelled.json()["state"] == "cancelled"
    assert stock_of(quiet_buyer, pears["id"]) == pears["stock"]
    with client(quiet, "en") as gateway:
        for body in notices(quiet, "charge.succeeded"):
            assert send(gateway, quiet, body).status_code == 200
        kept = trial_balance(quiet)
        assert kept["consumer_payments"] == order["amount"]  # captured, and not wanted
        refunds = notices(quiet, "refund.succeeded")
        assert [json.loads(body)["amount"] for body in refunds] == [order["amount"]] * 2
        for body in refunds:
            assert send(gateway, quiet, body).status_code == 200
    after = quiet_buyer.get(f"/api/v1/orders/{order['id']}").json()
    assert after["state"] == "cancelled" and after["refunded"] == order["amount"]
    assert after["paid_at"] is None
    balances = trial_balance(quiet)
    assert all(balance == 0 for balance in balances.values()), balances
    assert stock_of(quiet_buyer, pears["id"]) == pears["stock"]  # given back once, not twice
    assert count(quiet, PaymentRow) == 1
