"""The second half of a sale, walked in Debian's Chromium on a phone (390 × 844), zh and en
(issue 17): a paid order is shipped with the sandbox carrier, the operator plays the carrier
until the parcel is delivered, the buyer follows the tracking timeline and confirms receipt,
the money is paid out; a quality claim with a photo, the farmer's refusal, the buyer's
escalation and a supervisor's ruling for the buyer; the guarantee fund pays the buyer (the
farmer was already paid) and the farmer's next payout pays it back; the buyer reviews and the
farmer replies. Every page passes axe-core and fits the screen; a screenshot of each step goes
to ``SUNLIT_SCREENSHOTS`` (docs/screenshots when taken for the docs) or the test's folder.

The order itself is bought and paid over HTTP (tests/test_browser.py walks the checkout and
the sandbox pay page in the browser); everything after the payment happens in the browser."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support import LiveServer, live_server, settings_for
from tests.test_browser import accessibility_violations, browser, sign_in_as
from tests.test_catalog_api import api_as, product_named
from tests.test_orders import buy, pay_in_sandbox, wait_for
from tests.test_quality import png
from tests.test_web import client, load_demo_into

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
PEARS = "砀山酥梨"
__all__ = ["browser"]  # the module's Chromium, shared with tests/test_browser.py


@pytest.fixture
def walk(sqlite_template: Path, sqlite_url: str) -> Iterator[LiveServer]:
    """The demo region on SQLite with a one-day holding period, so that the money is paid out
    inside the 48 hours in which a photo claim on fresh produce is refunded without the goods.
    (``sqlite_template`` first: it migrates with asyncio, before Playwright's loop runs.)"""
    # Every parcel reaches the buyer: the walk rehearses the delivered path (the exceptions
    # have their own tests in test_shipments).
    quiet = {"payout_hold_days": 1, "sandbox_carrier_exceptions": False}
    with live_server(settings_for(sqlite_url).model_copy(update=quiet)) as s:
        load_demo_into(s)
        yield s


def look(page: Page, shots: Path, name: str) -> None:
    assert accessibility_violations(page) == [], page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def fund(server: LiveServer) -> dict[str, Any]:
    with client(server) as anyone:
        answer: dict[str, Any] = anyone.get("/api/v1/fund").json()
    return answer


def order_state(server: LiveServer, order: str) -> dict[str, Any]:
    with api_as(server, "buyer1") as c:
        answer: dict[str, Any] = c.get(f"/api/v1/orders/{order}").json()
    return answer


def sold_and_paid_out(server: LiveServer, key: str) -> None:
    """Another order of the same farmer, by buyer2, through to its payout (over HTTP)."""
    with api_as(server, "buyer2") as c:
        order = buy(c, product_named(c, PEARS)["id"], key, qty=1).json()
        pay_in_sandbox(server, "buyer2", order["id"])
        wait_for(c, order["id"], "paid")
        with api_as(server, "farmer.dangshan") as farmer:
            assert farmer.post(f"/api/v1/orders/{order['id']}/shipment").status_code == 201
        assert c.post(f"/api/v1/orders/{order['id']}/deliver").status_code == 200
    server.clock.advance(timedelta(days=1, hours=1))


@pytest.mark.parametrize("language", ["zh", "en"])
def test_after_the_sale_from_the_carrier_to_the_fund_and_a_review_on_a_phone(
    walk: LiveServer, browser: Browser, shots: Path, language: str
) -> None:
    server = walk
    with api_as(server, "buyer1") as c:
        order = buy(c, product_named(c, PEARS)["id"], f"walk-{language}", qty=4).json()["id"]
    pay_in_sandbox(server, "buyer1", order)
    with api_as(server, "buyer1") as c:
        wait_for(c, order, "paid")
    context = browser.new_context(viewport=PHONE)
    context.add_cookies([{"name": "sunlit_lang", "value": language, "url": server.url}])
    page = context.new_page()
    photo = {"name": "pears.png", "mimeType": "image/png", "buffer": png(320, 240)}
    step = iter(range(1, 100))

    def shot(name: str) -> None:
        look(page, shots, f"walk-{next(step):02d}-{name}-{language}-phone")

    # The farmer ships with the sandbox carrier from the order's page.
    sign_in_as(page, server, "farmer.dangshan")
    page.goto(f"{server.url}/orders/{order}")
    page.locator("form[action$='/ship'] button").click()
    expect(page.locator(".badge.state-shipped")).to_be_visible()
    expect(page.locator("#tracking-title")).to_be_visible()
    shot("shipped")

    # The operator plays the carrier: each scan now, until the parcel is delivered.
    sign_in_as(page, server, "operator")
    page.goto(f"{server.url}/sandbox/carrier")
    shot("carrier-console")
    parcel = page.locator("li", has=page.locator(f"a[href='/orders/{order}']"))
    for _ in range(10):
        advance = parcel.locator("button[value=advance]")
        if advance.count() == 0:
            break
        advance.click()
        page.wait_for_load_state()
    assert parcel.locator("button[value=advance]").count() == 0  # the journey has ended
    expect(parcel.locator(".badge.ok")).to_be_visible()  # … delivered

    # The buyer follows the timeline (the carrier's messages come late and twice) and
    # confirms receipt.
    sign_in_as(page, server, "buyer1")
    for _ in range(40):
        page.goto(f"{server.url}/orders/{order}")
        if page.locator(".badge.state-delivered").count():
            break
        page.wait_for_timeout(500)
    expect(page.locator("#tracking-title ~ p .badge.ok")).to_be_visible()
    assert page.locator("ol.list li").count() >= 4  # picked up, in transit…, out, delivered
    shot("tracking-delivered")
    page.locator("button[name=action][value=deliver]").click()
    page.wait_for_load_state()
    assert order_state(server, order)["confirmed_at"] is not None

    # A day later the farmer is paid.
    server.clock.advance(timedelta(days=1, hours=1))
    sign_in_as(page, server, "operator")
    page.goto(f"{server.url}/operator/ledger")
    page.locator("form[action='/operator/payouts'] button").click()
    page.wait_for_load_state()
    with api_as(server, "buyer1") as c:
        wait_for(c, order, "completed")
    before = fund(server)

    # Half the pears arrived rotten: a quality claim for half, with a photo.
    paid = order_state(server, order)["amount"]
    half = paid // 2
    sign_in_as(page, server, "buyer1")
    page.goto(f"{server.url}/orders/{order}#aftersales")
    page.locator("input[name=reason][value=quality]").check()
    page.locator("#f-as-amount").fill(f"{half // 100}.{half % 100:02d}")
    page.locator("#f-as-text").fill("四斤梨有两斤烂了，果皮发黑，照片为证。")
    page.locator("#f-as-photos").set_input_files([photo])
    shot("claim")
    page.locator("form[action$='/aftersales'] button").click()
    page.wait_for_url(re.compile(r".*#aftersales$"))

    # The farmer refuses with a photo of the packed box.
    sign_in_as(page, server, "farmer.dangshan")
    page.goto(f"{server.url}/producer/aftersales")
    shot("farmer-queue")
    page.goto(f"{server.url}/orders/{order}#aftersales")
    page.locator("input[name=answer][value=refused]").check()
    page.locator("#f-answer-text").fill("发货时果子完好，见装箱照片。")
    page.locator("#f-evidence").set_input_files([{**photo, "name": "box.png"}])
    page.locator("form[action$='/answer'] button").click()
    page.wait_for_url(re.compile(r".*#aftersales$"))
    shot("refused")

    # The buyer asks the platform to decide.
    sign_in_as(page, server, "buyer1")
    page.goto(f"{server.url}/orders/{order}#aftersales")
    page.locator("#f-escalate").fill("照片清楚显示果子腐烂，请平台裁决。")
    page.locator("form[action$='/escalate'] button").click()
    page.wait_for_url(re.compile(r".*#aftersales$"))
    shot("escalated")

    # A supervisor rules for the buyer, with a written reason.
    sign_in_as(page, server, "supervisor1")
    page.goto(f"{server.url}/supervisor/aftersales")
    page.locator("a[href^='/supervisor/aftersales/']").first.click()
    page.locator("input[name=ruling][value=buyer]").check()
    page.locator("#f-rule-text").fill("照片显示一半果实腐烂，支持买家退还一半货款。")
    shot("arbitration")
    page.locator("form[action$='/decide'] button").click()
    page.wait_for_url(re.compile(r".*#aftersales$"))

    # The refund settles; the farmer was paid already, so the guarantee fund pays the buyer.
    with api_as(server, "buyer1") as c:
        for _ in range(60):
            if c.get(f"/api/v1/orders/{order}").json()["refunded"] == half:
                break
            page.wait_for_timeout(250)
    page.goto(f"{server.url}/orders/{order}")
    shot("refunded")
    after = fund(server)
    assert after["compensations"] == before["compensations"] + 1, after
    assert after["compensated"] == before["compensated"] + half, after
    page.goto(f"{server.url}/fund")
    shot("fund-paid")

    # The farmer's next payout pays the fund back, and the farmer sees it.
    sold_and_paid_out(server, f"walk-next-{language}")
    sign_in_as(page, server, "operator")
    page.goto(f"{server.url}/operator/ledger")
    page.locator("form[action='/operator/payouts'] button").click()
    page.wait_for_load_state()
    recovered = fund(server)
    assert recovered["recovered"] > after["recovered"], recovered
    assert recovered["outstanding"] == after["outstanding"] - (
        recovered["recovered"] - after["recovered"]
    )
    sign_in_as(page, server, "farmer.dangshan")
    page.goto(f"{server.url}/producer/orders")
    shot("farmer-recovered")

    # The buyer reviews the order; the farmer replies in public.
    sign_in_as(page, server, "buyer1")
    page.goto(f"{server.url}/orders/{order}#reviews")
    for name, stars in (("stars", 3), ("freshness", 2), ("packaging", 4), ("speed", 5)):
        page.locator(f"input[name=review_{name}][value='{stars}']").check()
    page.locator("#f-review-text").fill("好的一半很甜，坏的一半平台帮忙退了钱。")
    shot("review")
    page.locator("form[action$='/review'] button").click()
    page.wait_for_load_state()
    sign_in_as(page, server, "farmer.dangshan")
    page.goto(f"{server.url}/orders/{order}")
    page.locator("#f-reply").fill("抱歉！下次我们用更厚的泡沫网袋装箱。")
    page.locator("form[action$='/reply'] button").click()
    page.wait_for_load_state()
    with client(server, language) as anyone:
        product = order_state(server, order)["product_id"]
        shown = anyone.get(f"/products/{product}").text
    assert "好的一半很甜" in shown and "更厚的泡沫网袋" in shown
    page.goto(f"{server.url}/products/{product}")
    shot("product-reviews")
    context.close()
