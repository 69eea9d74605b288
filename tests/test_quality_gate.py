"""No document, no sale: a product without a valid inspection report or compliance certificate
(承诺达标合格证) cannot be ordered; the buyer is told why and the farmer what to do."""

from __future__ import annotations

import re
from datetime import date, timedelta

import httpx

from sunlit.orders.model import BuyRequest, PaymentMethod, Refusal, allocate
from tests.support import LiveServer, sign_in, submit
from tests.test_catalog_api import api_as, product_named
from tests.test_orders import buy
from tests.test_quality import PDF
from tests.test_web import PASSWORD, client, load_demo_into


def test_the_desk_refuses_an_undocumented_product_to_everyone() -> None:
    requests = [
        BuyRequest(
            buyer,
            "p1",
            1,
            "k",
            "d",
            None,
            "330802",
            "路 1 号",
            "李梅",
            "13800138000",
            PaymentMethod.WALLET,
            "phone",
            "127.0.0.1",
        )
        for buyer in ("b1", "b2")
    ]
    refused = allocate(requests, stock=10, on_sale=True, limit=5, bought={}, documented=False)
    assert refused.accepted == () and refused.stock_left == 10
    assert set(refused.refused.values()) == {Refusal.NO_QUALITY_DOCUMENT}
    sold = allocate(requests, stock=10, on_sale=True, limit=5, bought={}, documented=True)
    assert sold.accepted == (0, 1) and sold.stock_left == 8


def renew_certificate(farmer: httpx.Client, product: str, today: date) -> None:
    """The producer uploads a compliance certificate valid from yesterday for 90 days."""
    uploaded = farmer.post(
        f"/api/v1/products/{product}/inspections",
        data={
            "kind": "compliance_certificate",
            "issuer": "麻江县农业农村局",
            "issued_on": (today - timedelta(days=1)).isoformat(),
            "expires_on": (today + timedelta(days=90)).isoformat(),
        },
        files={"file": ("certificate.pdf", PDF, "application/pdf")},
    )
    assert uploaded.status_code == 201, uploaded.text


def test_an_expired_certificate_stops_sales_until_a_new_one_is_uploaded(
    served: LiveServer,
) -> None:
    today = served.clock.now().date()
    with api_as(served, "buyer1") as buyer, api_as(served, "farmer.majiang") as farmer:
        berries = product_named(buyer, "麻江蓝莓")  # the demo's certificate expired on purpose
        refused = buy(buyer, berries["id"], "q-1")
        assert refused.status_code == 409, refused.text
        error = refused.json()["error"]
        assert error["code"] == "no_quality_document"
        assert "inspection report or compliance certificate" in error["message"]
        with client(served, "en") as visitor:
            page = visitor.get(f"/products/{berries['id']}").text
            assert "This product cannot be bought" in page
            assert f'href="/products/{berries["id"]}/buy"' not in page
        with client(served, "en") as web:
            sign_in(web, "farmer.majiang", PASSWORD)
            own = web.get("/producer").text
            assert "Cannot be bought" in own and "Its quality document has expired." in own
            assert f'href="#quality-{berries["id"]}"' in own  # how to fix it
        renew_certificate(farmer, berries["id"], today)
        placed = buy(buyer, berries["id"], "q-2")
        assert placed.status_code == 201, placed.text
        with client(served, "en") as web:
            sign_in(web, "farmer.majiang", PASSWORD)
            assert "Cannot be bought" not in web.get("/producer").text


def test_every_other_demo_product_can_be_bought(served: LiveServer) -> None:
    with api_as(served, "buyer2") as buyer:
        products = buyer.get("/api/v1/products").json()
        documented = [p for p in products if p["name_zh"] != "麻江蓝莓"]
        assert documented
        for index, product in enumerate(documented):
            placed = buy(buyer, product["id"], f"every-{index}")
            assert placed.status_code == 201, (product["name_zh"], placed.text)


def test_the_farmer_never_types_a_product_code(server: LiveServer) -> None:
    """The dashboard's form has no code field: a product named like a listed one shares its
    kind (and so its reference price); a new name gets a generated code. The county is the
    farmer's own unless they choose another of their province."""
    load_demo_into(server)
    with client(server, "en") as c:
        sign_in(c, "farmer.dangshan", PASSWORD)
        page = c.get("/producer").text
        assert 'name="kind"' not in page.split('action="/producer/products"')[1].split("</form>")[0]
        assert '<option value="341321" selected>' in page  # 砀山县, preselected
        producer = re.search(r'<option value="(p-[a-z0-9]+)"', page)
        assert producer is not None
        common = {"producer": producer.group(1), "category": "fruit", "unit": "jin"}
        for name, region in (("砀山酥梨", "341321"), ("萧县葡萄", "341322")):
            made = submit(
                c,
                "/producer",
                "/producer/products",
                {**common, "name_zh": name, "origin_region": region, "price": "5", "stock": "9"},
            )
            assert made.status_code == 303, made.text[:400]
    with api_as(server, "farmer.dangshan") as api:
        pears = api.get("/api/v1/products", params={"q": "砀山酥梨"}).json()
        assert len(pears) == 2 and len({p["kind"] for p in pears}) == 1  # the band's kind
        grapes = product_named(api, "萧县葡萄")
        assert grapes["kind"].startswith("item_") and grapes["origin_region"] == "341322"
