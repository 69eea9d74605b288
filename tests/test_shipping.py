"""Shipping fees by destination zone, over real HTTP on both backends: the producer sets a fee
per zone, checkout shows it for the chosen county, the order's amount carries it (and the
payment, the payout and the event), a later change leaves placed orders as they were, and a
bad fee is refused field by field with nothing changed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from sunlit.core.db import Database
from sunlit.orders.shipping.model import REMOTE_PROVINCES, Zone, ships_to, zone_of
from sunlit.settings import Settings
from tests.support import LiveServer, csrf_of, live_server, run_async, sign_in
from tests.test_catalog_api import api_as, product_named
from tests.test_orders import ADDRESS, buy, pay_in_sandbox, trial_balance, wait_for
from tests.test_web import PASSWORD, client, events_of, load_demo_into

PEARS = "砀山酥梨"  # from the Dangshan cooperative, Anhui (34)
SAME = "341321"  # 砀山县, Anhui
MAINLAND = ADDRESS["region"]  # 柯城区, Zhejiang
REMOTE = "650102"  # 天山区, Xinjiang
FEES = {"same_province": 0, "mainland": 800, "remote": 2500}


def set_fees(c: httpx.Client, producer: str, fees: dict[str, Any]) -> httpx.Response:
    return c.put(f"/api/v1/producers/{producer}/shipping-fees", json={"fees": fees})


def buy_to(c: httpx.Client, product: str, key: str, region: str, qty: int = 1) -> dict[str, Any]:
    placed = buy(c, product, key, qty=qty, address={**ADDRESS, "region": region})
    assert placed.status_code == 201, placed.text
    order: dict[str, Any] = placed.json()
    return order


# --- the zones, as values ---------------------------------------------------------------------


def test_zones_are_seen_from_the_producers_province() -> None:
    assert zone_of(SAME, "340102") is Zone.SAME_PROVINCE
    assert zone_of(SAME, MAINLAND) is Zone.MAINLAND
    assert zone_of(SAME, REMOTE) is Zone.REMOTE
    for province in REMOTE_PROVINCES:
        assert zone_of(SAME, province + "0102") is Zone.REMOTE
    # A producer in a remote province ships to its own province as "same province".
    assert zone_of("650102", "654002") is Zone.SAME_PROVINCE
    assert zone_of("650102", SAME) is Zone.MAINLAND
    assert not ships_to("810000") and not ships_to("820000") and not ships_to("710000")
    assert ships_to(MAINLAND)


# --- over HTTP ---------------------------------------------------------------------------------


def test_the_fee_of_the_zone_is_in_the_order_its_payment_and_its_payout(
    served: LiveServer,
) -> None:
    with api_as(served, "buyer1") as buyer, api_as(served, "farmer.dangshan") as farmer:
        pears = product_named(buyer, PEARS)
        producer = pears["producer_id"]
        # Nothing set yet: every zone ships free and the amount is the goods.
        fees = buyer.get(f"/api/v1/producers/{producer}/shipping-fees").json()
        assert fees["fees"] == {"same_province": 0, "mainland": 0, "remote": 0}
        free = buy_to(buyer, pears["id"], "free", REMOTE)
        assert free["shipping_fee"] == 0 and free["amount"] == pears["price"]

        answer = set_fees(farmer, producer, FEES)
        assert answer.status_code == 200, answer.text
        assert answer.json()["fees"] == FEES

        for region, zone in ((SAME, "same_province"), (MAINLAND, "mainland"), (REMOTE, "remote")):
            quote = buyer.get(
                f"/api/v1/products/{pears['id']}/shipping-fee", params={"region": region}
            ).json()
            assert quote["zone"] == zone and quote["shipping_fee"] == FEES[zone]
        # Fixed per order: three boxes pay one fee.
        order = buy_to(buyer, pears["id"], "remote", REMOTE, qty=3)
        assert order["shipping_fee"] == 2500
        assert order["amount"] == 3 * pears["price"] + 2500
        same = buy_to(buyer, pears["id"], "same", SAME)
        assert same["shipping_fee"] == 0 and same["amount"] == pears["price"]

        # The buyer pays the whole amount in one payment; the producer's payout includes the
        # fee (it ships the parcel), less the platform fee and the fund, as for the goods.
        payment = buyer.post(f"/api/v1/orders/{order['id']}/pay").json()
        assert payment["amount"] == order["amount"]
        pay_in_sandbox(served, "buyer1", order["id"])
        wait_for(buyer, order["id"], "paid")
        assert farmer.post(f"/api/v1/orders/{order['id']}/shipment").status_code == 201
        buyer.post(f"/api/v1/orders/{order['id']}/deliver")
    served.clock.advance(timedelta(days=served.settings.payout_hold_days, minutes=1))
    with api_as(served, "operator") as operator:
        payouts = operator.post("/api/v1/payouts/run").json()
    amount = order["amount"]
    cut = amount * served.settings.platform_fee_bp // 10_000
    fund = amount * served.settings.guarantee_fund_bp // 10_000
    assert [p["amount"] for p in payouts] == [amount - cut - fund]
    assert trial_balance(served)["consumer_payments"] == amount

    placed = {e.data["order"]: e.data for e in events_of(served) if e.type == "order.placed"}
    assert placed[order["id"]]["shipping_fee"] == 2500
    assert placed[order["id"]]["amount"] == order["amount"]
    assert placed[order["id"]]["unit_price"] * 3 + 2500 == placed[order["id"]]["amount"]
    fee_events = [e for e in events_of(served) if e.type == "shipping.fees_set"]
    assert [(e.data, e.actor) for e in fee_events] == [
        ({"producer": producer, "fees": FEES}, fee_events[0].actor)
    ]
    assert fee_events[0].actor is not None


def test_new_fees_apply_to_new_orders_and_placed_ones_keep_theirs(served: LiveServer) -> None:
    with api_as(served, "buyer1") as buyer, api_as(served, "farmer.dangshan") as farmer:
        pears = product_named(buyer, PEARS)
        producer = pears["producer_id"]
        assert set_fees(farmer, producer, FEES).status_code == 200
        before = buy_to(buyer, pears["id"], "before", MAINLAND)
        assert set_fees(farmer, producer, {**FEES, "mainland": 1200}).status_code == 200
        after = buy_to(buyer, pears["id"], "after", MAINLAND)
        assert (before["shipping_fee"], after["shipping_fee"]) == (800, 1200)
        again = buyer.get(f"/api/v1/orders/{before['id']}").json()
        assert again["shipping_fee"] == 800 and again["amount"] == pears["price"] + 800
        # The same Idempotency-Key replays the order as it was placed, at its old fee.
        replay = buy(buyer, pears["id"], "before", address={**ADDRESS, "region": MAINLAND})
        assert replay.status_code == 200 and replay.json()["shipping_fee"] == 800
        # Cancelling refunds nothing here (unpaid) and the order keeps its fee.
        buyer.post(f"/api/v1/orders/{after['id']}/cancel", json={})
        assert buyer.get(f"/api/v1/orders/{after['id']}").json()["amount"] == after["amount"]


@pytest.mark.parametrize(
    ("fees", "field"),
    [
        ({**FEES, "mainland": -1}, "mainland"),
        ({**FEES, "remote": 8.5}, "remote"),
        ({**FEES, "remote": "800"}, "remote"),
        ({**FEES, "same_province": 100_001}, "same_province"),
        ({**FEES, "same_province": 10**30}, "same_province"),
        ({"same_province": 0, "mainland": 800}, "remote"),
        ({**FEES, "moon": 5}, "moon"),
    ],
)
def test_a_bad_fee_is_refused_by_field_and_changes_nothing(
    served: LiveServer, fees: dict[str, Any], field: str
) -> None:
    with api_as(served, "farmer.dangshan") as farmer:
        producer = product_named(farmer, PEARS)["producer_id"]
        assert set_fees(farmer, producer, FEES).status_code == 200
        answer = set_fees(farmer, producer, fees)
        assert answer.status_code == 422, answer.text
        error = answer.json()["error"]
        assert list(error["fields"]) == [field] and error["fields"][field].strip()
        assert farmer.get(f"/api/v1/producers/{producer}/shipping-fees").json()["fees"] == FEES
    assert len([e for e in events_of(served) if e.type == "shipping.fees_set"]) == 1


def test_only_the_producers_people_set_its_fees(served: LiveServer) -> None:
    with api_as(served, "buyer1") as buyer, api_as(served, "farmer.chenggu") as other:
        producer = product_named(buyer, PEARS)["producer_id"]
        assert set_fees(buyer, producer, FEES).status_code == 403
        assert set_fees(other, producer, FEES).status_code == 403
        assert buyer.get(f"/api/v1/producers/{producer}/shipping-fees").json()["fees"] == {
            zone: 0 for zone in FEES
        }
        nowhere = buyer.get(
            f"/api/v1/products/{product_named(buyer, PEARS)['id']}/shipping-fee",
            params={"region": "810000"},
        )
        assert nowhere.status_code == 422 and "region" in nowhere.json()["error"]["fields"]


def test_the_producer_sets_fees_on_its_page_in_yuan(served: LiveServer) -> None:
    with client(served, "en") as web:
        sign_in(web, "farmer.dangshan", PASSWORD)
        orders = web.get("/producer/orders")
        assert 'href="/producer/shipping"' in orders.text
        page = web.get("/producer/shipping")
        assert page.status_code == 200 and "Shipping fees" in page.text
        producer = page.text.split('name="producer" value="')[1].split('"')[0]
        form = {"csrf_token": csrf_of(page.text), "producer": producer}
        bad = web.post(
            "/producer/shipping",
            data={**form, "same_province": "", "mainland": "eight", "remote": "-3"},
        )
        assert bad.status_code == 422
        assert 'id="e-mainland"' in bad.text and 'id="e-remote"' in bad.text
        assert 'id="e-same_province"' not in bad.text
        saved = web.post(
            "/producer/shipping",
            data={**form, "same_province": "0", "mainland": "8", "remote": "25.50"},
        )
        assert saved.status_code == 303
        shown = web.get(saved.headers["location"])
        assert 'value="8.00"' in shown.text and 'value="25.50"' in shown.text
    with api_as(served, "buyer1") as buyer:
        got = buyer.get(f"/api/v1/producers/{producer}/shipping-fees").json()["fees"]
        assert got == {"same_province": 0, "mainland": 800, "remote": 2550}


def test_checkout_shows_the_fee_for_the_county_and_the_order_page_the_sum(
    served: LiveServer,
) -> None:
    with api_as(served, "farmer.dangshan") as farmer:
        pears = product_named(farmer, PEARS)
        assert set_fees(farmer, pears["producer_id"], FEES).status_code == 200
    with client(served, "en") as web:
        sign_in(web, "buyer1", PASSWORD)
        page = web.get(f"/products/{pears['id']}/buy")
        assert "Choose the county to see the shipping fee." in page.text
        assert "¥8.00" in page.text and "¥25.00" in page.text  # the zones' fees, without JS
        fragment = web.get(
            f"/products/{pears['id']}/buy/fee", params={"qty": "2", "region": REMOTE}
        )
        assert fragment.status_code == 200
        total = 2 * pears["price"] + 2500
        assert f"¥{total // 100:,}.{total % 100:02d}" in fragment.text
        placed = web.post(
            f"/products/{pears['id']}/buy",
            data={
                "csrf_token": csrf_of(page.text),
                "key": "web-1",
                "qty": "2",
                **{**ADDRESS, "region": REMOTE},
                "method": "wallet",
            },
        )
        assert placed.status_code == 303, placed.text
        order_page = web.get(placed.headers["location"])
        assert "¥25.00" in order_page.text
        assert f"¥{total // 100:,}.{total % 100:02d}" in order_page.text
        listed = web.get("/orders")
        assert "shipping ¥25.00" in listed.text


def test_migration_0017_adds_the_fee_and_takes_it_back(settings: Settings) -> None:
    from alembic import command

    from sunlit.core.migrate import alembic_config, upgrade

    def run(statement: str, **values: Any) -> list[Any] | None:
        async def go() -> list[Any] | None:
            database = Database(settings)
            try:
                async with database.transaction() as db:
                    result = await db.execute(text(statement), values)
                    return list(result.all()) if result.returns_rows else None
            finally:
                await database.dispose()

        return run_async(go())  # type: ignore[no-any-return]

    with live_server(settings.model_copy(update={"background_jobs": False})) as server:
        load_demo_into(server)
        with api_as(server, "buyer1") as buyer, api_as(server, "farmer.dangshan") as farmer:
            pears = product_named(buyer, PEARS)
            free = buy_to(buyer, pears["id"], "free", MAINLAND)
            set_fees(farmer, pears["producer_id"], FEES)
            charged = buy_to(buyer, pears["id"], "charged", MAINLAND)
    config = alembic_config(settings)
    with pytest.raises(RuntimeError, match="shipping fee"):
        command.downgrade(config, "0016")
    run("DELETE FROM orders WHERE id = :id", id=charged["id"])
    command.downgrade(config, "0016")
    assert run("SELECT amount FROM orders WHERE id = :id", id=free["id"]) == [(free["amount"],)]
    with pytest.raises(IntegrityError):  # the old CHECK: the amount is the goods
        run("UPDATE orders SET amount = amount + 1 WHERE id = :id", id=free["id"])
    upgrade(settings)
    assert run("SELECT shipping_fee FROM orders WHERE id = :id", id=free["id"]) == [(0,)]
    with pytest.raises(IntegrityError):  # the new CHECK: goods and shipping
        run("UPDATE orders SET amount = amount + 1 WHERE id = :id", id=free["id"])
    run("UPDATE orders SET amount = amount + 5, shipping_fee = 5 WHERE id = :id", id=free["id"])
