"""A farmer of 55 on a cheap phone (390 × 844, in Chinese) does it alone (issue 18): lists a
product with the county already chosen, finds it in the list, answers an official's price
proposal and finds the answer in the history (as does the official), and sees the money of a
delivered order waiting, net of the fee and the fund, with the date it will be paid. Every
page passes axe-core and nothing sticks out sideways."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support import LiveServer, live_server, settings_for
from tests.test_browser import (
    accessibility_violations,
    browser,
    sign_in_as,
    wider_than_viewport,
)
from tests.test_catalog_api import api_as, product_named
from tests.test_orders import buy, pay_in_sandbox, wait_for
from tests.test_web import load_demo_into

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DANGSHAN = "341321"
__all__ = ["browser"]


@pytest.fixture
def farm(sqlite_template: Path, sqlite_url: str) -> Iterator[LiveServer]:
    """The demo region on SQLite (``sqlite_template`` first: it migrates with asyncio,
    before Playwright's loop runs)."""
    with live_server(settings_for(sqlite_url)) as s:
        load_demo_into(s)
        yield s


def check(page: Page, shots: Path, name: str) -> None:
    assert accessibility_violations(page) == [], page.url
    assert wider_than_viewport(page) == [], page.url
    page.screenshot(path=str(shots / f"farmer-{name}-zh-phone.png"), full_page=True)


def test_a_farmer_lists_answers_and_sees_the_money_on_a_phone(
    farm: LiveServer, browser: Browser, shots: Path
) -> None:
    server = farm
    # Before: an official proposes a new price for the pears; a buyer's order is delivered.
    with api_as(server, "official.dangshan") as official:
        pears = product_named(official, "砀山酥梨")
        proposed = official.post(
            f"/api/v1/products/{pears['id']}/price",
            json={"price": 420, "reason": "批发价上涨"},
        )
        assert proposed.status_code == 202, proposed.text
    with api_as(server, "buyer1") as buyer:
        order = buy(buyer, pears["id"], "farmer-walk", qty=2).json()["id"]
        pay_in_sandbox(server, "buyer1", order)
        wait_for(buyer, order, "paid")
        with api_as(server, "farmer.dangshan") as farmer:
            assert farmer.post(f"/api/v1/orders/{order}/shipment").status_code == 201
        assert buyer.post(f"/api/v1/orders/{order}/deliver").status_code == 200

    context = browser.new_context(viewport=PHONE)
    context.add_cookies([{"name": "sunlit_lang", "value": "zh", "url": server.url}])
    page = context.new_page()
    sign_in_as(page, server, "farmer.dangshan")

    # List a product: no product code to type, the farmer's own county already chosen.
    page.goto(server.url + "/producer")
    check(page, shots, "01-produce")
    assert page.locator("#f-kind").count() == 0
    ids = page.eval_on_selector_all("[id]", "els => els.map(e => e.id)")
    assert len(ids) == len(set(ids)), "duplicate ids"
    expect(page.locator("#f-origin_region")).to_have_value(DANGSHAN)
    expect(page.locator("#f-origin_region option:checked")).to_contain_text("砀山县")
    page.locator("#f-name_zh").fill("砀山黄桃")
    page.locator("#f-price").fill("6.50")
    page.locator("#f-stock").fill("300")
    page.locator("form[action='/producer/products'] button[type=submit]").click()
    card = page.locator(".produce .card", has_text="砀山黄桃")
    expect(card).to_be_visible()
    expect(card).to_contain_text("¥6.50")
    expect(card).to_contain_text("300")
    expect(card.locator("a[href^='#quality-']")).to_be_visible()  # no document yet: the fix
    check(page, shots, "02-listed")

    # Answer the proposal; it moves to the history with who proposed it and the answer.
    proposal = page.locator("article.proposal", has_text="¥4.20")
    proposal.locator("button[value=accept]").click()
    history = page.locator("#h-decided + .history li", has_text="¥4.20")
    expect(history).to_be_visible()
    expect(history).to_contain_text("柳桂荣")  # the official who proposed it
    expect(history.locator(".badge.ok")).to_be_visible()
    check(page, shots, "03-answered")

    # The money: the delivered order waits for its release date, net of fee and fund.
    page.goto(server.url + "/producer/orders")
    mine = page.locator(f"#order-{order}")
    expect(mine).to_contain_text("¥7.96")  # 2 × ¥3.98 paid by the buyer
    expect(mine).to_contain_text("¥7.74")  # less ¥0.07 fee and ¥0.15 fund (rounded down)
    expect(mine.locator(".badge.quality-missing")).to_be_visible()  # pending
    released = (server.clock.now() + timedelta(days=7)).astimezone(ZoneInfo("Asia/Shanghai"))
    expect(mine).to_contain_text(f"{released.year}年{released.month}月{released.day}日")
    expect(page.locator("#money-totals")).to_contain_text("¥7.74")
    check(page, shots, "04-money")

    # The official who proposed sees the answer on the product's proposal history.
    sign_in_as(page, server, "official.dangshan")
    page.goto(f"{server.url}/products/{pears['id']}")
    page.locator(f"a[href='/products/{pears['id']}/proposals']").click()
    answered = page.locator(".history li", has_text="¥4.20")
    expect(answered.locator(".badge.ok")).to_be_visible()
    check(page, shots, "05-official-history")
    page.locator("a[href='/proposals']").click()
    mine = page.locator(".history li", has_text="¥4.20")
    expect(mine).to_contain_text("砀山酥梨")
    expect(mine.locator(".badge.ok")).to_be_visible()
    check(page, shots, "06-official-proposals")
    context.close()
