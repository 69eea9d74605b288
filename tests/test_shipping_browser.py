"""Shipping fees and the address book in Debian's Chromium on a phone, in Chinese and English:
the farmer sets the fees, the buyer keeps two addresses, checkout shows the fee of the address
picked (htmx updates it) and the order page the sum. Every page passes axe-core. Screenshots go
to ``SUNLIT_SCREENSHOTS`` (docs/screenshots when taken for the docs) or the test's folder.
The steps find controls by their forms rather than their words, so they read the same in both
languages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support import LiveServer
from tests.test_address_picker_browser import pick_county
from tests.test_browser import accessibility_violations, browser, sign_in_as  # noqa: F401
from tests.test_catalog_api import api_as, product_named
from tests.test_web import load_demo_into

pytestmark = pytest.mark.browser


def shot(page: Page, folder: Path, name: str) -> None:
    assert accessibility_violations(page) == []
    page.screenshot(path=str(folder / name), full_page=True)


def add_address(page: Page, server: LiveServer, **fields: str) -> None:
    page.goto(server.url + "/account/addresses")
    page.locator("a[href='/account/addresses/new']").click()
    page.locator("#f-label").fill(fields["label"])
    page.locator("#f-recipient").fill(fields["recipient"])
    page.locator("#f-phone").fill(fields["phone"])
    pick_county(page, fields["region"])
    page.locator("#f-detail").fill(fields["detail"])
    page.locator("form[action='/account/addresses'] > button[type=submit]").click()
    page.wait_for_url(server.url + "/account/addresses?done=1")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_fees_addresses_and_checkout_on_a_phone(
    server: LiveServer,
    browser: Browser,  # noqa: F811
    tmp_path: Path,
    language: str,
) -> None:
    folder = Path(os.environ.get("SUNLIT_SCREENSHOTS", tmp_path))
    load_demo_into(server)
    with api_as(server, "buyer1") as c:
        pears = product_named(c, "砀山酥梨")
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": "sunlit_lang", "value": language, "url": server.url}])
    page = context.new_page()

    sign_in_as(page, server, "farmer.dangshan")
    page.goto(server.url + "/producer/orders")
    page.locator("a[href='/producer/shipping']").click()
    page.locator("#f-same_province").fill("0")
    page.locator("#f-mainland").fill("8")
    page.locator("#f-remote").fill("25")
    page.locator("form[action='/producer/shipping'] button[type=submit]").click()
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.locator("#f-remote")).to_have_value("25.00")
    shot(page, folder, f"shipping-fees-{language}-phone.png")

    sign_in_as(page, server, "buyer1")
    add_address(
        page,
        server,
        label="家" if language == "zh" else "Home",
        recipient="李梅",
        phone="13800138000",
        region="330802",  # Zhejiang: another province
        detail="柯城区府山街道荷花路 18 号",
    )
    add_address(
        page,
        server,
        label="姐姐家" if language == "zh" else "Sister",
        recipient="李兰",
        phone="13900139000",
        region="650102",  # Xinjiang: remote
        detail="天山区解放南路 66 号 2 单元",
    )
    expect(page.locator(".card")).to_have_count(2)
    shot(page, folder, f"addresses-{language}-phone.png")

    page.goto(server.url + f"/products/{pears['id']}/buy")
    sums = page.locator("#sums")
    expect(sums).to_contain_text("¥8.00")  # the default address, in another province
    page.locator("input[name=saved]").nth(1).check()  # the sister's, in Xinjiang
    expect(sums).to_contain_text("¥25.00")
    total = pears["price"] + 2500
    expect(sums).to_contain_text(f"¥{total // 100:,}.{total % 100:02d}")
    shot(page, folder, f"shipping-checkout-{language}-phone.png")

    page.locator("form[action$='/buy'] > button[type=submit]").click()
    page.wait_for_url(server.url + "/orders/o-*")
    expect(page.locator("dl.facts")).to_contain_text("¥25.00")
    expect(page.locator("dl.facts")).to_contain_text(f"¥{total // 100:,}.{total % 100:02d}")
    shot(page, folder, f"shipping-order-{language}-phone.png")
    context.close()
