"""The catalog pages over real HTTP, in both languages: what a buyer, a farmer, an official and
an operator see and do."""

from __future__ import annotations

import re

import httpx

from tests.support import LiveServer, csrf_of, sign_in, submit
from tests.test_web import PASSWORD, client, load_demo_into


def product_id(c: httpx.Client, text: str) -> str:
    return str(c.get("/api/v1/products", params={"q": text}).json()[0]["id"])


def test_produce_pages_in_both_languages(server: LiveServer) -> None:
    load_demo_into(server)
    with client(server, "zh") as c:
        listing = c.get("/products")
        assert listing.status_code == 200
        for name in ("砀山酥梨", "城固蜜桔", "恩施玉露", "徐闻菠萝", "衢州椪柑", "麻江蓝莓"):
            assert name in listing.text
        page = c.get(f"/products/{product_id(c, '砀山')}")
        assert "在参考价区间内" in page.text and "黄河故道" in page.text
        assert "安徽省宿州市砀山县" in page.text
        assert "提出调价建议" not in page.text  # only officials and operators propose
    with client(server, "en") as c:
        page = c.get(f"/products/{product_id(c, 'Xuwen')}")
        assert "Xuwen pineapples" in page.text and "Within the reference band" in page.text
        assert "sea of pineapples" in page.text
        filtered = c.get("/products", params={"region": "522600"})
        assert "Majiang blueberries" in filtered.text and "Xuwen pineapples" not in filtered.text
        assert c.get("/products/g-nothing").status_code == 404


def test_an_official_proposes_and_the_farmer_decides_on_the_dashboard(
    server: LiveServer,
) -> None:
    load_demo_into(server)
    with client(server, "en") as official, client(server, "en") as farmer:
        sign_in(official, "official.quzhou", PASSWORD)
        ponkan = product_id(official, "Quzhou")
        page = f"/products/{ponkan}"
        bad = submit(official, page, f"{page}/proposals", {"price": "abc", "reason": ""})
        assert bad.status_code == 422
        assert "Enter an amount in yuan" in bad.text
        sent = submit(
            official,
            page,
            f"{page}/proposals",
            {"price": "1.50", "reason": "Opening offer for the live session"},
        )
        assert sent.status_code == 303
        assert "Your proposal was sent" in official.get(sent.headers["location"]).text

        sign_in(farmer, "farmer.quzhou", PASSWORD)
        dashboard = farmer.get("/producer").text
        assert "Opening offer for the live session" in dashboard
        assert "Below your declared cost of ¥2.00" in dashboard
        proposal = re.search(r"/producer/proposals/([a-z0-9-]+)/decision", dashboard)
        assert proposal is not None
        action = f"/producer/proposals/{proposal.group(1)}/decision"
        refused_without_reason = submit(farmer, "/producer", action, {"decision": "accept"})
        assert refused_without_reason.status_code == 422
        assert "The producer must give a clearance reason" in refused_without_reason.text
        accepted = submit(
            farmer,
            "/producer",
            action,
            {"decision": "accept", "clearance": "perishable", "note": "OK"},
        )
        assert accepted.status_code == 303
        after = farmer.get("/producer").text
        assert "No proposals are waiting." in after and "Accepted" in after
        assert "Sold below the producer" in farmer.get(page).text
        assert farmer.get("/api/v1/products", params={"q": "Quzhou"}).json()[0]["price"] == 150


def test_a_farmer_lists_a_product_and_keeps_their_price(server: LiveServer) -> None:
    load_demo_into(server)
    with client(server, "en") as c:
        sign_in(c, "farmer.enshi", PASSWORD)
        dashboard = c.get("/producer").text
        producer = re.search(r'<option value="(p-[a-z0-9]+)"', dashboard)
        assert producer is not None
        bad = submit(
            c,
            "/producer",
            "/producer/products",
            {
                "producer": producer.group(1),
                "name_zh": "",
                "kind": "Tea!",
                "category": "tea",
                "origin_region": "999999",
                "unit": "box",
                "price": "-1",
                "stock": "many",
            },
        )
        assert bad.status_code == 422
        for message in ("A price is between", "Enter a whole number.", "Give the product a name"):
            assert message in bad.text
        good = submit(
            c,
            "/producer",
            "/producer/products",
            {
                "producer": producer.group(1),
                "name_zh": "恩施硒茶",
                "name_en": "Enshi selenium tea",
                "kind": "green_tea",
                "category": "tea",
                "origin_region": "422801",
                "unit": "jin",
                "price": "280",
                "declared_cost": "150",
                "stock": "80",
                "story_zh": "高山云雾出好茶。",
                "story_en": "Good tea grows in mountain mist.",
            },
        )
        assert good.status_code == 303, good.text[:500]
        listing = c.get("/producer").text
        assert "Enshi selenium tea" in listing
        tea = product_id(c, "selenium")
        below = submit(c, "/producer", f"/producer/products/{tea}/price", {"price": "100"})
        assert below.status_code == 422 and "clearance reason" in below.text
        own = submit(c, "/producer", f"/producer/products/{tea}/price", {"price": "300"})
        assert own.status_code == 303
        stock = submit(c, "/producer", f"/producer/products/{tea}/stock", {"stock": "-4"})
        assert stock.status_code == 422
        detail = c.get(f"/api/v1/products/{tea}").json()
        assert (detail["price"], detail["stock"]) == (30000, 80)


def test_registration_verification_and_reference_prices(server: LiveServer) -> None:
    load_demo_into(server)
    with client(server, "en") as farmer, client(server, "en") as operator:
        sign_in(farmer, "farmer.majiang", PASSWORD)
        made = submit(
            farmer,
            "/producer",
            "/producer/producers",
            {
                "kind": "household",
                "name": "杨家蓝莓园",
                "region": "522635",
                "village": "宣威镇",
                "contact_phone": "123",
            },
        )
        assert made.status_code == 422 and "11 digits" in made.text
        made = submit(
            farmer,
            "/producer",
            "/producer/producers",
            {
                "kind": "household",
                "name": "杨家蓝莓园",
                "region": "522635",
                "village": "宣威镇",
            },
        )
        assert made.status_code == 303
        assert "Awaiting verification" in farmer.get("/producer").text

        sign_in(operator, "operator", PASSWORD)
        page = operator.get("/operator/producers").text
        found = re.search(
            r'/operator/producers/(p-[a-z0-9]+)/verification"[^>]*>\s*'
            r"(?:<input[^>]*>\s*)*<label[^>]*>Note on 杨家蓝莓园",
            page,
        )
        assert found is not None
        verified = submit(
            operator,
            "/operator/producers",
            f"/operator/producers/{found.group(1)}/verification",
            {"verification": "verified", "note": "documents checked"},
        )
        assert verified.status_code == 303
        assert "Awaiting verification" not in farmer.get("/producer").text

        bad = submit(
            operator,
            "/operator/prices",
            "/operator/prices",
            {
                "kind": "blueberry",
                "region": "522635",
                "low": "x",
                "high": "30",
                "unit": "jin",
                "observed_on": "2026-02-30",
                "source": "",
            },
        )
        assert bad.status_code == 422
        assert "Enter an amount in yuan" in bad.text and "Enter a date" in bad.text
        good = submit(
            operator,
            "/operator/prices",
            "/operator/prices",
            {
                "kind": "blueberry",
                "region": "520000",
                "low": "28",
                "high": "45",
                "unit": "jin",
                "observed_on": "2026-02-01",
                "source": "贵州省价格监测",
            },
        )
        assert good.status_code == 303
        assert "贵州省价格监测" in operator.get("/operator/prices").text
        assert csrf_of(operator.get("/operator/prices").text)
