"""Unsalable-stock reports (滞销求助): a producer asks, the officials of that region see it."""

from __future__ import annotations

from datetime import timedelta

import httpx

from tests.support import LiveServer, sign_in, submit
from tests.test_catalog_api import api_as
from tests.test_web import PASSWORD, client


def ask_for_help(farmer: httpx.Client, product: str, note: str) -> httpx.Response:
    """800 jin that cannot leave the village by 2026-03-20 (the demo's spring)."""
    made = farmer.post(
        "/api/v1/unsalable-reports",
        json={
            "product": product,
            "quantity": 800,
            "reason": "logistics",
            "deadline": "2026-03-20",
            "note": note,
        },
    )
    assert made.status_code == 201, made.text
    return made


def test_the_demo_pineapple_glut_is_in_xuwens_queue_only(served: LiveServer) -> None:
    with api_as(served, "official.xuwen") as xuwen, api_as(served, "official.dangshan") as far:
        [report] = xuwen.get("/api/v1/unsalable-reports").json()
        assert (report["quantity"], report["reason"], report["status"]) == (20000, "glut", "open")
        assert report["region"] == "440825"
        assert far.get("/api/v1/unsalable-reports").json() == []
    with api_as(served, "supervisor1") as supervisor:
        assert len(supervisor.get("/api/v1/unsalable-reports").json()) == 1
    with client(served, "zh") as c:
        sign_in(c, "official.xuwen", PASSWORD)
        page = c.get("/needs-help").text
        assert "徐闻菠萝" in page and "20000" in page and "2026年3月16日" in page


def test_a_farmer_asks_for_help_and_closes_it(served: LiveServer) -> None:
    with api_as(served, "farmer.majiang") as farmer, api_as(served, "farmer.enshi") as other:
        berries = farmer.get("/api/v1/products", params={"q": "麻江"}).json()[0]["id"]
        bad = farmer.post(
            "/api/v1/unsalable-reports",
            json={
                "product": berries,
                "quantity": 0,
                "reason": "logistics",
                "deadline": "2020-01-01",
            },
        )
        assert bad.status_code == 422
        assert set(bad.json()["error"]["fields"]) == {"quantity", "deadline"}
        stranger = other.post(
            "/api/v1/unsalable-reports",
            json={
                "product": berries,
                "quantity": 100,
                "reason": "logistics",
                "deadline": "2026-03-20",
            },
        )
        assert stranger.status_code == 403
        made = ask_for_help(farmer, berries, "山路塌方，冷链车进不来")
    with client(served, "en") as c:
        sign_in(c, "farmer.majiang", PASSWORD)
        dashboard = c.get("/producer").text
        assert "An epidemic closed the usual markets" in dashboard  # the reasons, in English
        assert "Transport is cut off" in dashboard and "Needs help" in dashboard
        past = submit(
            c,
            "/producer",
            "/producer/unsalable",
            {"product": berries, "quantity": "5", "reason": "glut", "deadline": "yesterday"},
        )
        assert past.status_code == 422 and "Enter a date" in past.text
        closed = submit(c, "/producer", f"/producer/unsalable/{made.json()['id']}/close", {})
        assert closed.status_code == 303
    with api_as(served, "official.majiang") as official:
        assert official.get("/api/v1/unsalable-reports").json() == []


def test_the_public_zone_lists_open_requests_without_their_notes(served: LiveServer) -> None:
    """保供给, 防滞销 (issue 21): anyone sees the open requests of verified producers with a way
    to buy; a closed one, a past deadline and the producer's note are not shown."""
    with api_as(served, "farmer.majiang") as farmer:
        berries = farmer.get("/api/v1/products", params={"q": "麻江"}).json()[0]["id"]
        made = ask_for_help(farmer, berries, "联系人王五 13800138000")
    with client(served, "zh") as visitor:
        page = visitor.get("/help-sell")
        assert page.status_code == 200 and "保供给，防滞销" in page.text
        assert f'href="/products/{berries}"' in page.text and "800" in page.text
        assert "徐闻菠萝" in page.text and "20000" in page.text  # the demo's pineapple glut
        assert "13800138000" not in page.text and "王五" not in page.text
        assert 'href="/help-sell"' in visitor.get("/").text  # the home page leads there
    with client(served, "en") as c:
        sign_in(c, "farmer.majiang", PASSWORD)
        closed = submit(c, "/producer", f"/producer/unsalable/{made.json()['id']}/close", {})
        assert closed.status_code == 303
    with client(served, "en") as visitor:
        page = visitor.get("/help-sell").text
        assert f'href="/products/{berries}"' not in page and "Buy from the producer" in page
    served.clock.advance(timedelta(days=365))  # every deadline has passed
    with client(served, "en") as visitor:
        assert "No producer is asking for help just now." in visitor.get("/help-sell").text
