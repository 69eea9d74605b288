"""Reviews in Debian's Chromium on a phone (390 × 844), zh and en: the buyer fills in the review
form on the order's page with stars, marks, text and a photo; the farmer replies from the list
of reviews; a supervisor hides an abusive one; the product's page shows the reviews with their
averages and the producer's page its last 90 days. Every page passes axe-core's WCAG 2 A/AA
checks and fits the screen. Screenshots go to ``SUNLIT_SCREENSHOTS`` (docs/screenshots when
taken for the docs) or the test's folder."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.support import LiveServer, csrf_of
from tests.test_browser import accessibility_violations, browser, sign_in_as
from tests.test_catalog_api import api_as
from tests.test_quality import png
from tests.test_reviews import ABUSE, complaint_on, deliver, paid_order, review_api, ship, web_as
from tests.test_web import load_demo_into

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the module's fixture, shared

WORDS = {
    "zh": "梨子脆甜，水分足。纸箱结实，只有一个有点碰伤。快递三天就到了。",
    "en": "Crisp and sweet, very juicy. A sturdy box; one pear was bruised. Came in three days.",
}


def checked(page: Page, failures: dict[str, list[str]]) -> None:
    path = "/" + page.url.split("//", 1)[1].split("/", 1)[1]
    found = accessibility_violations(page)
    wide = page.evaluate("document.documentElement.scrollWidth")
    if wide > 390:
        found.append(f"{wide} px wide")
    if found:
        failures[path] = found


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_review_on_a_phone_from_the_order_to_the_product_and_producer_pages(
    sqlite_template: Path, server: LiveServer, browser: Browser, language: str, tmp_path: Path
) -> None:
    """(``sqlite_template`` first: it migrates with asyncio, before Playwright's loop runs.)"""
    folder = Path(os.environ.get("SUNLIT_SCREENSHOTS", tmp_path))
    load_demo_into(server)
    server.clock.advance(timedelta(days=200))  # the demo's sales are long past
    order, other, slow = (paid_order(server, f"rvb-{n}-{language}") for n in range(3))
    for days, done in ((2, (order, other)), (2, (slow,))):
        server.clock.advance(timedelta(days=days))
        for paid in done:
            ship(server, paid["id"])
            deliver(server, paid["id"])
    with api_as(server, "buyer1") as api:
        assert review_api(api, other["id"], stars=4, packaging=3, text="").status_code == 201
        abusive = review_api(
            api, slow["id"], stars=1, freshness=1, packaging=1, speed=1, text=ABUSE
        )
        assert abusive.status_code == 201
    complaint_on(server, slow, server.clock.now())
    with web_as(server, "supervisor1") as supervisor:
        review_id = abusive.json()["id"]
        token = csrf_of(supervisor.get(f"/reviews/{review_id}/moderation").text)
        hidden = supervisor.post(
            f"/reviews/{review_id}/hide",
            data={"csrf_token": token, "reason": "fraud", "note": "站外交易引流"},
        )
        assert hidden.status_code == 303

    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": "sunlit_lang", "value": language, "url": server.url}])
    page = context.new_page()
    failures: dict[str, list[str]] = {}
    sign_in_as(page, server, "buyer1")
    page.goto(f"{server.url}/orders/{order['id']}")
    form = page.locator(f"form[action='/orders/{order['id']}/review']")
    form.wait_for()
    checked(page, failures)
    for name, stars in (("stars", 5), ("freshness", 5), ("packaging", 4), ("speed", 5)):
        form.locator(f"input[name=review_{name}][value='{stars}']").check()
    form.locator("#f-review-text").fill(WORDS[language])
    photo = tmp_path / "pears.png"
    photo.write_bytes(png(160, 120))
    form.locator("#f-review-photos").set_input_files(str(photo))
    page.locator("#review").scroll_into_view_if_needed()
    page.screenshot(path=str(folder / f"reviews-order-form-{language}-phone.png"), full_page=True)
    form.locator("button").click()
    page.wait_for_url(f"**/orders/{order['id']}#review")
    assert WORDS[language] in page.locator("#review").inner_text()
    checked(page, failures)

    sign_in_as(page, server, "farmer.dangshan")
    page.goto(f"{server.url}/producer/orders")
    page.locator("a[href='/producer/reviews']").click()
    page.wait_for_url("**/producer/reviews")
    checked(page, failures)
    reply = (
        "谢谢您！碰伤的那个我们给您补发。"
        if language == "zh"
        else "Thank you! We will send a pear for the bruised one."
    )
    item = page.locator("li", has_text=WORDS[language])
    item.locator("textarea[name=reply]").fill(reply)
    item.locator("button").click()
    page.wait_for_url("**/producer/reviews?done=replied")
    checked(page, failures)
    page.screenshot(
        path=str(folder / f"reviews-producer-list-{language}-phone.png"), full_page=True
    )

    page.goto(f"{server.url}/products/{order['product_id']}")
    page.locator("#reviews").scroll_into_view_if_needed()
    text = page.locator("#reviews").inner_text()
    assert WORDS[language] in text and reply in text and ABUSE not in text
    assert page.locator("#reviews img").count() == 1
    checked(page, failures)
    page.screenshot(path=str(folder / f"reviews-product-{language}-phone.png"), full_page=True)

    page.locator("a[href^='/producers/']").first.click()
    page.wait_for_url("**/producers/*")
    record = page.locator(".record").inner_text()
    assert "2.0" in record and "33.3" in record and "4.5" in record  # the hidden 1 star is out
    checked(page, failures)
    page.screenshot(
        path=str(folder / f"reviews-producer-page-{language}-phone.png"), full_page=True
    )
    context.close()
    assert failures == {}
