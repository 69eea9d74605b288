"""Jurisdiction, over the API and the pages, with the demo region: an official proposes prices
only for produce of the regions they serve, a farmer registers producers only in their own
county, and an operator may do either anywhere."""

from __future__ import annotations

from typing import Any

import httpx

from sunlit.core.regions.model import covers
from tests.support import LiveServer, sign_in, submit
from tests.test_catalog_api import api_as, product_named
from tests.test_web import PASSWORD, client, load_demo_into

DANGSHAN, XUWEN = "341321", "440825"
PROPOSAL = {"price": 199, "reason": "直播秒杀价"}


def household(region: str, name: str) -> dict[str, str]:
    return {"kind": "household", "name": name, "region": region, "village": "村"}


def refusal(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 403, answer.text
    error: dict[str, Any] = answer.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["code"] == "permission_denied"
    return error


def test_a_region_covers_itself_and_what_lies_inside_it() -> None:
    assert covers(DANGSHAN, DANGSHAN)
    assert covers("341300", DANGSHAN) and covers("340000", DANGSHAN)  # Suzhou, Anhui
    assert not covers(DANGSHAN, XUWEN) and not covers("341300", "341200")
    assert not covers(DANGSHAN, "341300")  # a county does not cover its prefecture
    assert not covers(None, DANGSHAN) and not covers("", DANGSHAN)


def test_an_official_proposes_only_for_produce_of_their_region(served: LiveServer) -> None:
    with api_as(served, "official.dangshan") as official:
        pineapples = product_named(official, "徐闻")
        refused = official.post(f"/api/v1/products/{pineapples['id']}/price", json=PROPOSAL)
        assert "regions you serve" in refusal(refused)["message"]
        assert official.get("/api/v1/price-proposals").json() == []
        pears = product_named(official, "砀山")
        accepted = official.post(f"/api/v1/products/{pears['id']}/price", json=PROPOSAL)
        assert accepted.status_code == 202, accepted.text
        assert accepted.json()["status"] == "pending"


def test_a_farmer_registers_producers_only_in_their_own_county(served: LiveServer) -> None:
    with api_as(served, "farmer.dangshan") as farmer:
        refused = farmer.post("/api/v1/producers", json=household(XUWEN, "外县菠萝园"))
        assert "own county" in refusal(refused)["message"]
        made = farmer.post("/api/v1/producers", json=household(DANGSHAN, "本县梨园"))
        assert made.status_code == 201, made.text
        assert made.json()["region"] == DANGSHAN


def test_an_operator_proposes_and_registers_in_any_region(served: LiveServer) -> None:
    with api_as(served, "operator") as operator:
        for name in ("徐闻", "砀山"):
            product = product_named(operator, name)
            sent = operator.post(f"/api/v1/products/{product['id']}/price", json=PROPOSAL)
            assert sent.status_code == 202, sent.text
        for region in (XUWEN, DANGSHAN):
            made = operator.post("/api/v1/producers", json=household(region, f"园 {region}"))
            assert made.status_code == 201, made.text


def _product_id(c: httpx.Client, text: str) -> str:
    return str(c.get("/api/v1/products", params={"q": text}).json()[0]["id"])


def test_the_product_page_offers_proposals_only_inside_the_jurisdiction(
    server: LiveServer,
) -> None:
    load_demo_into(server)
    with client(server, "en") as official, client(server, "zh") as official_zh:
        sign_in(official, "official.dangshan", PASSWORD)
        sign_in(official_zh, "official.dangshan", PASSWORD, "zh")
        pineapples = f"/products/{_product_id(official, 'Xuwen')}"
        pears = f"/products/{_product_id(official, 'Dangshan')}"
        assert "Propose a price" not in official.get(pineapples).text
        assert "Propose a price" in official.get(pears).text
        fields = {"price": "1.99", "reason": "Opening offer"}
        refused = submit(official, pineapples, f"{pineapples}/proposals", fields)
        assert refused.status_code == 403
        assert "You can propose prices only for products of the regions you serve." in (
            refused.text
        )
        assert "Send the proposal" not in refused.text
        refused_zh = submit(official_zh, pineapples, f"{pineapples}/proposals", fields)
        assert refused_zh.status_code == 403
        assert "您只能为所辖地区的产品提出调价建议。" in refused_zh.text
        sent = submit(official, pears, f"{pears}/proposals", fields)
        assert sent.status_code == 303
        assert "Your proposal was sent" in official.get(sent.headers["location"]).text
    with client(server, "en") as operator:
        sign_in(operator, "operator", PASSWORD)
        assert "Propose a price" in operator.get(pineapples).text
        sent = submit(operator, pineapples, f"{pineapples}/proposals", fields)
        assert sent.status_code == 303


def test_the_dashboard_registers_producers_only_in_the_farmers_county(
    server: LiveServer,
) -> None:
    load_demo_into(server)
    with client(server, "en") as farmer, client(server, "zh") as farmer_zh:
        sign_in(farmer, "farmer.dangshan", PASSWORD)
        sign_in(farmer_zh, "farmer.dangshan", PASSWORD, "zh")
        outside = household(XUWEN, "外县菠萝园")
        refused = submit(farmer, "/producer", "/producer/producers", outside)
        assert refused.status_code == 403
        assert "You can register producers only in your own county." in refused.text
        refused_zh = submit(farmer_zh, "/producer", "/producer/producers", outside)
        assert refused_zh.status_code == 403
        assert "您只能在本县登记生产者。" in refused_zh.text
        made = submit(farmer, "/producer", "/producer/producers", household(DANGSHAN, "本县梨园"))
        assert made.status_code == 303
        assert "本县梨园" in farmer.get("/producer").text
        assert "外县菠萝园" not in farmer.get("/producer").text
