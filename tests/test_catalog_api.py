"""The catalog and price consent over the JSON API, with the demo region, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from tests.support import LiveServer
from tests.test_web import PASSWORD, client


@contextmanager
def api_as(server: LiveServer, username: str) -> Iterator[httpx.Client]:
    """A JSON API client holding a bearer token of the demo account."""
    with client(server, "en") as c:
        issued = c.post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
        assert issued.status_code == 201, issued.text
        c.headers["Authorization"] = f"Bearer {issued.json()['token']}"
        yield c


def product_named(c: httpx.Client, name: str) -> dict[str, Any]:
    found = [p for p in c.get("/api/v1/products", params={"q": name}).json()]
    assert len(found) == 1, found
    return found[0]


def test_the_public_sees_products_with_their_band_and_producer(served: LiveServer) -> None:
    with client(served) as c:
        products = c.get("/api/v1/products").json()
        assert {p["name_zh"] for p in products} == {
            "砀山酥梨",
            "城固蜜桔",
            "恩施玉露",
            "徐闻菠萝",
            "衢州椪柑",
            "麻江蓝莓",
        }
        pears = product_named(c, "Dangshan")
        detail = c.get(f"/api/v1/products/{pears['id']}").json()
        assert detail["producer"]["name"] == "砀山县酥梨种植专业合作社"
        assert detail["producer"]["verification"] == "verified"
        assert detail["band"]["low"] == 300 and detail["band"]["source"]
        assert detail["position"] == {"status": "within", "low": 300, "high": 500, "percent": 49}
        blueberries = product_named(c, "麻江")
        boxed = c.get(f"/api/v1/products/{blueberries['id']}").json()
        assert boxed["unit"] == "box" and boxed["box_grams"] == 500
        assert boxed["position"]["low"] == 3000  # the per-jin band, for a 500 g box
        in_anhui = c.get("/api/v1/products", params={"region": "340000"}).json()
        assert [p["name_zh"] for p in in_anhui] == ["砀山酥梨"]
        producers = c.get("/api/v1/producers", params={"region": "341321"}).json()
        assert [p["name"] for p in producers] == ["砀山县酥梨种植专业合作社"]


def test_an_officials_price_proposal_waits_for_the_farmer(served: LiveServer) -> None:
    with (
        api_as(served, "official.dangshan") as official,
        api_as(served, "farmer.dangshan") as farmer,
        api_as(served, "farmer.chenggu") as stranger,
    ):
        pears = product_named(official, "砀山")
        proposed = official.post(
            f"/api/v1/products/{pears['id']}/price", json={"price": 199, "reason": "直播秒杀价"}
        )
        assert proposed.status_code == 202
        proposal = proposed.json()
        assert proposal["status"] == "pending" and proposal["previous_price"] == 398
        assert product_named(official, "砀山")["price"] == 398
        assert [p["id"] for p in official.get("/api/v1/price-proposals").json()] == [proposal["id"]]
        waiting = farmer.get("/api/v1/price-proposals").json()
        assert [p["id"] for p in waiting] == [proposal["id"]]
        assert stranger.get("/api/v1/price-proposals").json() == []
        url = f"/api/v1/price-proposals/{proposal['id']}/decision"
        assert stranger.post(url, json={"accept": True}).status_code == 403
        below_cost = farmer.post(url, json={"accept": True})
        assert below_cost.status_code == 422
        assert "clearance reason" in below_cost.json()["error"]["fields"]["price"]
        accepted = farmer.post(url, json={"accept": True, "clearance": "overstock"})
        assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
        assert product_named(official, "砀山")["price"] == 199
        assert farmer.post(url, json={"accept": False}).status_code == 409
        own = farmer.post(f"/api/v1/products/{pears['id']}/price", json={"price": 420})
        assert own.status_code == 200 and own.json()["price"] == 420


def test_a_farmer_registers_a_producer_that_an_operator_verifies(served: LiveServer) -> None:
    with api_as(served, "farmer.xuwen") as farmer, api_as(served, "operator") as operator:
        made = farmer.post(
            "/api/v1/producers",
            json={
                "kind": "household",
                "name": "陈家菠萝园",
                "region": "440825",
                "village": "曲界镇",
            },
        )
        assert made.status_code == 201 and made.json()["verification"] == "pending"
        with client(served) as public:
            names = [p["name"] for p in public.get("/api/v1/producers").json()]
            assert "陈家菠萝园" not in names  # not public until verified
        verified = operator.post(
            f"/api/v1/producers/{made.json()['id']}/verification",
            json={"verification": "verified", "note": "证件已核"},
        )
        assert verified.json()["verification"] == "verified"
        listed = farmer.post(
            "/api/v1/products",
            json={
                "producer": made.json()["id"],
                "name_zh": "金钻菠萝",
                "name_en": "Golden pineapple",
                "kind": "pineapple",
                "category": "fruit",
                "origin_region": "440825",
                "unit": "box",
                "box_grams": 5000,
                "price": 4980,
                "declared_cost": 3000,
                "stock": 200,
            },
        )
        assert listed.status_code == 201, listed.text
        detail = farmer.get(f"/api/v1/products/{listed.json()['id']}").json()
        assert detail["position"]["status"] == "above"  # ¥49.80 for 5 kg vs ¥20–38


def test_bad_catalog_input_names_the_field(served: LiveServer) -> None:
    with api_as(served, "farmer.enshi") as farmer, api_as(served, "operator") as operator:
        coop = farmer.get("/api/v1/producers", params={"region": "422801"}).json()[0]["id"]
        base = {
            "producer": coop,
            "name_zh": "茶",
            "kind": "green_tea",
            "category": "tea",
            "origin_region": "422801",
            "unit": "jin",
            "price": 100,
            "stock": 1,
        }
        for change, field in [
            ({"price": -5}, "price"),
            ({"price": 10**9}, "price"),
            ({"stock": -1}, "stock"),
            ({"origin_region": "999999"}, "origin_region"),
            ({"unit": "box"}, "box_grams"),
            ({"name_zh": "a\x00"}, "name_zh"),
            ({"kind": "Green Tea"}, "kind"),
        ]:
            answer = farmer.post("/api/v1/products", json={**base, **change})
            assert answer.status_code == 422, (change, answer.text)
            assert field in answer.json()["error"]["fields"], (change, answer.json())
        stranger = farmer.post(
            "/api/v1/producers",
            json={"kind": "household", "name": "x", "region": "422801", "cooperative_id": "p-nope"},
        )
        assert stranger.status_code == 422
        not_farmer = operator.post(
            "/api/v1/producers",
            json={
                "kind": "cooperative",
                "name": "新合作社",
                "region": "422801",
                "manager": "a-nobody",
            },
        )
        assert not_farmer.status_code == 422
        assert "manager" in not_farmer.json()["error"]["fields"]
        band = operator.post(
            "/api/v1/reference-bands",
            json={
                "kind": "green_tea",
                "region": "422801",
                "low": 500,
                "high": 300,
                "unit": "jin",
                "observed_on": "2026-11-01",
                "source": "x",
            },
        )
        assert band.status_code == 422 and "high" in band.json()["error"]["fields"]
