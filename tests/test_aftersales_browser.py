"""After-sales in Debian's Chromium on a phone (390 × 844), zh and en: the buyer asks for a
refund of spoiled pears with a photo, the farmer refuses from the queue with a photo of the
packed box, the buyer asks the platform to decide, a supervisor rules for the buyer with a
written reason. Every page passes axe-core and fits the screen. Screenshots of the request
form, the farmer's queue and the arbitration page go to ``SUNLIT_SCREENSHOTS``
(docs/screenshots when taken for the docs) or the test's folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.support import LiveServer
from tests.test_aftersales import delivered
from tests.test_browser import accessibility_violations, browser, sign_in_as
from tests.test_quality import png
from tests.test_web import load_demo_into

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
__all__ = ["browser"]  # the module's Chromium, shared with tests/test_browser.py


def look(page: Page, shots: Path, name: str | None = None) -> None:
    assert accessibility_violations(page) == [], page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url
    if name:
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_quality_claim_refused_escalated_and_upheld_on_a_phone(
    sqlite_template: Path, server: LiveServer, browser: Browser, shots: Path, language: str
) -> None:
    """(``sqlite_template`` first: it migrates with asyncio, before Playwright's loop runs.)"""
    load_demo_into(server)
    order = delivered(server, "砀山酥梨", "farmer.dangshan", f"shot-{language}", qty=3)["id"]
    context = browser.new_context(viewport=PHONE)
    context.add_cookies([{"name": "sunlit_lang", "value": language, "url": server.url}])
    page = context.new_page()
    photo = {"name": "pears.png", "mimeType": "image/png", "buffer": png(320, 240)}

    sign_in_as(page, server, "buyer1")
    page.goto(f"{server.url}/orders/{order}#aftersales")
    page.locator("input[name=reason][value=quality]").check()
    page.locator("#f-as-text").fill("收到的梨一半烂了，果皮发黑，有照片为证。")
    page.locator("#f-as-photos").set_input_files([photo])
    page.locator("#aftersales").scroll_into_view_if_needed()
    look(page, shots, f"aftersales-request-{language}-phone")
    page.locator("form[action$='/aftersales'] button").click()
    page.wait_for_url(re.compile(r".*/orders/o-[^/]+#aftersales$"))
    look(page, shots)

    sign_in_as(page, server, "farmer.dangshan")
    page.goto(f"{server.url}/producer/aftersales")
    look(page, shots, f"aftersales-queue-{language}-phone")
    page.locator("a.button.secondary[href$='#aftersales']").click()
    page.locator("input[name=answer][value=refused]").check()
    page.locator("#f-answer-text").fill("发货时果子完好，见装箱照片。")
    page.locator("#f-evidence").set_input_files([{**photo, "name": "box.png"}])
    look(page, shots)
    page.locator("form[action$='/answer'] button").click()
    page.wait_for_url(re.compile(r".*#aftersales$"))

    sign_in_as(page, server, "buyer1")
    page.goto(f"{server.url}/orders/{order}#aftersales")
    page.locator("#f-escalate").fill("照片清楚显示果子腐烂，请平台裁决。")
    look(page, shots)
    page.locator("form[action$='/escalate'] button").click()
    page.wait_for_url(re.compile(r".*#aftersales$"))

    sign_in_as(page, server, "supervisor1")
    page.goto(f"{server.url}/supervisor/aftersales")
    look(page, shots)
    page.locator("a[href^='/supervisor/aftersales/']").first.click()
    page.locator("input[name=ruling][value=buyer]").check()
    page.locator("#f-rule-text").fill("照片显示果实腐烂，支持买家全额退款。")
    look(page, shots, f"aftersales-arbitration-{language}-phone")
    page.locator("form[action$='/decide'] button").click()
    page.wait_for_url(re.compile(r".*#aftersales$"))
    look(page, shots)
    assert page.locator("#aftersales .badge.ok").count() == 1  # refunded
    context.close()
