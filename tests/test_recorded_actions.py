"""Every action that changes what Sunlit holds is recorded in the event log: setting a product's
stock, closing an unsalable-stock report, creating and revoking an API token. A repeat that
changes nothing records nothing; a token's secret never reaches the log."""

from __future__ import annotations

import orjson

from tests.support import LiveServer, sign_in, submit
from tests.test_catalog_api import api_as, product_named
from tests.test_web import PASSWORD, client, events_of


def recorded(server: LiveServer, type_: str) -> list[dict[str, object]]:
    return [{"actor": row.actor, **row.data} for row in events_of(server) if row.type == type_]


def test_setting_stock_is_recorded_with_the_stock_before(served: LiveServer) -> None:
    with api_as(served, "farmer.majiang") as farmer:
        me = farmer.get("/api/v1/me").json()["id"]
        berries = product_named(farmer, "麻江蓝莓")
        url = f"/api/v1/products/{berries['id']}/stock"
        assert farmer.post(url, json={"stock": berries["stock"] + 7}).status_code == 200
        assert farmer.post(url, json={"stock": berries["stock"] + 7}).status_code == 200  # same
        assert farmer.post(url, json={"stock": -1}).status_code == 422
    assert recorded(served, "product.stock_changed") == [
        {
            "actor": me,
            "product": berries["id"],
            "stock": berries["stock"] + 7,
            "previous": berries["stock"],
        }
    ]


def test_closing_an_unsalable_report_is_recorded_once(served: LiveServer) -> None:
    with api_as(served, "farmer.majiang") as farmer:
        me = farmer.get("/api/v1/me").json()["id"]
        berries = product_named(farmer, "麻江蓝莓")["id"]
        report = farmer.post(
            "/api/v1/unsalable-reports",
            json={
                "product": berries,
                "quantity": 800,
                "reason": "logistics",
                "deadline": "2026-03-20",
            },
        ).json()["id"]
    with client(served, "zh") as c:
        sign_in(c, "farmer.majiang", PASSWORD)
        for _ in range(2):  # the second time it is closed already: nothing new
            closed = submit(c, "/producer", f"/producer/unsalable/{report}/close", {})
            assert closed.status_code == 303
    assert recorded(served, "unsalable.closed") == [
        {"actor": me, "report": report, "product": berries}
    ]


def test_api_tokens_are_recorded_without_their_secret(served: LiveServer) -> None:
    with client(served, "en") as c:
        issued = c.post(
            "/api/v1/tokens", json={"username": "buyer1", "password": PASSWORD, "name": "预算表"}
        )
        assert issued.status_code == 201
        token, token_id = issued.json()["token"], issued.json()["id"]
        c.headers["Authorization"] = f"Bearer {token}"
        me = c.get("/api/v1/me").json()["id"]
        assert c.delete(f"/api/v1/tokens/{token_id}").status_code == 204
    created = [e for e in recorded(served, "account.api_token_created") if e["token"] == token_id]
    assert created == [{"actor": me, "account": me, "token": token_id, "name": "预算表"}]
    assert recorded(served, "account.api_token_revoked") == [
        {"actor": me, "account": me, "token": token_id}
    ]
    assert not any(token.encode() in orjson.dumps(row.data) for row in events_of(served))
