"""The guarantee fund on a phone, in Chinese and English: after a refund the fund paid first
and a later payout recovered, the public page shows it in yuan and the farmer's sales page
shows what it owed and what the payout took. Every page passes axe-core. Screenshots go to
``SUNLIT_SCREENSHOTS`` (docs/screenshots when taken for the docs) or the test's folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.support import LiveServer
from tests.test_browser import accessibility_violations, browser, sign_in_as
from tests.test_catalog_api import api_as
from tests.test_fund import fund_now, sold_and_paid_out, wait_refunded
from tests.test_web import load_demo_into

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the module's Chromium, shared with tests/test_browser.py

PHONE = {"width": 390, "height": 844}


def yuan(fen: int) -> str:
    """As the money filter writes it (a minus sign before the yuan sign)."""
    sign = "-" if fen < 0 else ""
    return f"{sign}¥{abs(fen) // 100:,}.{abs(fen) % 100:02d}"


def test_the_fund_page_and_the_farmers_dues_on_a_phone(
    server: LiveServer, browser: Browser, tmp_path: Path
) -> None:
    shots = Path(os.environ.get("SUNLIT_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    load_demo_into(server)
    with api_as(server, "buyer1") as buyer:
        first = sold_and_paid_out(server, buyer, "fund-b1", qty=3)
        order = first["order"]
        with api_as(server, "farmer.dangshan") as farmer:
            asked = farmer.post(
                f"/api/v1/orders/{order['id']}/refunds",
                json={"amount": order["amount"] * 2 // 3, "reason": "two jin rotten"},
            )
            assert asked.status_code == 202, asked.text
        wait_refunded(buyer, order["id"], order["amount"] * 2 // 3)
        sold_and_paid_out(server, buyer, "fund-b2", qty=1)  # recovers part of what is owed
    fund = fund_now(server)
    assert fund["compensations"] >= 1 and fund["recovered"] > 0 and fund["outstanding"] > 0

    for language, heading in (("zh", "保障"), ("en", "Guarantee fund")):
        context = browser.new_context(viewport=PHONE)
        if language == "en":
            context.add_cookies([{"name": "sunlit_lang", "value": "en", "url": server.url}])
        page = context.new_page()  # Chinese by default
        page.goto(server.url + "/fund")
        expect(page.locator("html")).to_have_attribute(
            "lang", "zh-Hans" if language == "zh" else "en"
        )
        expect(page.locator("h1")).to_contain_text(heading)
        figures = page.locator("dl.figures")
        expect(figures).to_contain_text(yuan(fund["balance"]))
        expect(figures).to_contain_text(yuan(fund["recovered"]))
        expect(figures).to_contain_text(yuan(fund["outstanding"]))
        assert accessibility_violations(page) == []
        page.screenshot(path=str(shots / f"fund-{language}-phone.png"), full_page=True)

        sign_in_as(page, server, "farmer.dangshan")
        page.goto(server.url + "/producer/orders")
        dues = page.locator("section[aria-labelledby='fund-owed']")
        expect(dues).to_contain_text(yuan(fund["outstanding"]))
        assert accessibility_violations(page) == []
        dues.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / f"fund-producer-{language}-phone.png"), full_page=True)
        context.close()
