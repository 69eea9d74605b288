"""Shipping and tracking in Debian's Chromium on a phone, in Chinese and English (issue 17):
the farmer ships a paid order with one button, an operator moves the parcel on in the sandbox
carrier's console, the carrier's notices reach Sunlit over HTTP, and the buyer follows the
timeline to "delivered" (with the date receipt confirms itself), or sees a lost parcel
highlighted. Every page passes axe-core. Screenshots go to ``SUNLIT_SCREENSHOTS``
(docs/screenshots when taken for the docs, as ``tracking-*.png``) or the test's folder."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support import LiveServer, wait_until
from tests.test_browser import browser
from tests.test_browser_disclosure import look, signed_in
from tests.test_catalog_api import api_as, product_named
from tests.test_orders import buy, pay_in_sandbox, wait_for
from tests.test_shipments import seeded
from tests.test_web import load_demo_into

pytestmark = pytest.mark.browser
__all__ = ["browser"]
LANGUAGES = ("zh", "en")


def paid_orders(server: LiveServer, count: int) -> list[str]:
    with api_as(server, "buyer1") as buyer:
        pears = product_named(buyer, "砀山酥梨")["id"]
        ids = [buy(buyer, pears, f"k-{n}", qty=1 + n).json()["id"] for n in range(count)]
        for order in ids:
            pay_in_sandbox(server, "buyer1", order)
            wait_for(buyer, order, "paid")
    return ids


def scans_seen(server: LiveServer, order: str, count: int) -> None:
    """Wait until Sunlit has received ``count`` scans of the order's parcel (with the booking)."""
    with api_as(server, "buyer1") as buyer:

        def seen() -> bool:
            shipment = buyer.get(f"/api/v1/orders/{order}/shipment").json()
            return len(shipment["scans"]) == count

        wait_until(seen, f"{count} lines on the timeline")


def parcel(console: Page, tracking: str) -> object:
    return console.locator("li", has=console.locator("code", has_text=tracking))


def advance(server: LiveServer, console: Page, tracking: str) -> None:
    """The next scan now, twenty-five minutes after the last one (sessions stay signed in)."""
    server.clock.advance(timedelta(minutes=25))
    console.goto(server.url + "/sandbox/carrier")
    parcel(console, tracking).locator("button[value='advance']").click()  # type: ignore[attr-defined]
    console.wait_for_url(server.url + "/sandbox/carrier")


def test_a_parcel_is_shipped_tracked_and_delivered_or_lost(
    server: LiveServer, browser: Browser, shots: object
) -> None:
    load_demo_into(server)
    seeded(server, step_seconds=5 * 86_400)  # nothing moves by itself during the walk
    kept, lost = paid_orders(server, 2)
    farmer = signed_in(server, browser, "farmer.dangshan", "zh")
    farmer.goto(server.url + "/producer/orders")
    look(farmer, shots, "tracking-producer-orders-zh-phone")  # type: ignore[arg-type]
    farmer.locator(f"form[action='/orders/{kept}/ship'] button").click()
    farmer.wait_for_url(server.url + "/producer/orders")
    farmer.goto(f"{server.url}/orders/{lost}")
    farmer.locator(f"form[action='/orders/{lost}/ship'] button").click()
    expect(farmer.locator(".badge.state-shipped")).to_be_visible()
    tracking = {}
    with api_as(server, "buyer1") as buyer:
        for order in (kept, lost):
            tracking[order] = buyer.get(f"/api/v1/orders/{order}/shipment").json()["tracking_no"]

    consoles = {lang: signed_in(server, browser, "operator", lang) for lang in LANGUAGES}
    buyers = {lang: signed_in(server, browser, "buyer1", lang) for lang in LANGUAGES}
    for lang, console in consoles.items():
        console.goto(server.url + "/sandbox/carrier")
        expect(parcel(console, tracking[kept])).to_be_visible()  # type: ignore[arg-type]
        look(console, shots, f"tracking-console-{lang}-phone")  # type: ignore[arg-type]

    console = consoles["en"]
    for _ in range(3):  # picked up, two sorting centres
        advance(server, console, tracking[kept])
    scans_seen(server, kept, 4)  # with the booking
    for lang, page in buyers.items():
        page.goto(f"{server.url}/orders/{kept}")
        expect(page.locator("ol.list > li")).to_have_count(4)
        look(page, shots, f"tracking-in-transit-{lang}-phone")  # type: ignore[arg-type]
    for _ in range(2):  # out for delivery, delivered
        advance(server, console, tracking[kept])
    with api_as(server, "buyer1") as buyer:
        wait_for(buyer, kept, "delivered")
    scans_seen(server, kept, 6)
    for lang, page in buyers.items():
        page.goto(f"{server.url}/orders/{kept}")
        expect(page.locator("ol.list > li")).to_have_count(6)
        expect(page.locator(".badge.ok")).to_be_visible()
        expect(page.locator("#tracking-title ~ p.notice")).to_be_visible()
        look(page, shots, f"tracking-delivered-{lang}-phone")  # type: ignore[arg-type]

    advance(server, console, tracking[lost])
    server.clock.advance(timedelta(minutes=25))
    console.goto(server.url + "/sandbox/carrier")
    item = parcel(console, tracking[lost])
    item.locator("select[name='action']").select_option("lost")  # type: ignore[attr-defined]
    item.locator("button.danger").click()  # type: ignore[attr-defined]
    console.wait_for_url(server.url + "/sandbox/carrier")
    for lang in LANGUAGES:  # a new sign-in: the first pages were left idle for hours
        consoles[lang] = signed_in(server, browser, "operator", lang)
        consoles[lang].goto(server.url + "/sandbox/carrier")
        delivered = parcel(consoles[lang], tracking[kept]).locator(".badge.ok")  # type: ignore[attr-defined]
        expect(delivered).to_be_visible()
        look(consoles[lang], shots, f"tracking-console-after-{lang}-phone")  # type: ignore[arg-type]
    scans_seen(server, lost, 3)
    for lang, page in buyers.items():
        page.goto(f"{server.url}/orders/{lost}")
        expect(page.locator("ol.list > li.alert")).to_have_count(1)
        expect(page.locator("#tracking-title ~ p.alert")).to_be_visible()
        look(page, shots, f"tracking-lost-{lang}-phone")  # type: ignore[arg-type]
    for page in (farmer, *consoles.values(), *buyers.values()):
        page.context.close()
