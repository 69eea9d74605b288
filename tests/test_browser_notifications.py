"""The notification centre and elder mode in Debian's Chromium on a phone (390 × 844), in
Chinese (issue 18): a farmer sees an unread count after a buyer pays, opens the list and
follows the notification to the order; elder mode makes the type larger and stays on from page
to page. Every page fits the screen and passes axe-core in both modes. Screenshots go to
``SUNLIT_SCREENSHOTS`` or the test's folder."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from sunlit.core.money import format_fen
from tests.support import LiveServer, live_server, settings_for
from tests.test_browser import accessibility_violations, browser, sign_in_as, wider_than_viewport
from tests.test_catalog_api import api_as, product_named
from tests.test_notifications import notice_of
from tests.test_orders import buy, pay_in_sandbox, wait_for
from tests.test_web import load_demo_into

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
PEARS = "砀山酥梨"
__all__ = ["browser"]


@pytest.fixture
def market(sqlite_template: Path, sqlite_url: str) -> Iterator[LiveServer]:
    with live_server(settings_for(sqlite_url)) as s:
        load_demo_into(s)
        yield s


def base_font_px(page: Page) -> float:
    size = page.evaluate("getComputedStyle(document.documentElement).fontSize")
    return float(str(size).removesuffix("px"))


def look(page: Page, shots: Path, name: str) -> None:
    assert wider_than_viewport(page) == [], page.url
    assert accessibility_violations(page) == [], page.url
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_farmer_is_told_of_a_paid_order_and_elder_mode_stays_on(
    market: LiveServer, browser: Browser, shots: Path, language: str
) -> None:
    server = market
    with api_as(server, "buyer1") as buyer:
        order = buy(buyer, product_named(buyer, PEARS)["id"], f"bell-{language}", qty=2).json()
        order_id = order["id"]
    pay_in_sandbox(server, "buyer1", order_id)
    with api_as(server, "buyer1") as buyer:
        wait_for(buyer, order_id, "paid")
    with api_as(server, "farmer.dangshan") as farmer:
        told = notice_of(farmer, "order_to_ship", f"/orders/{order_id}")

    context = browser.new_context(viewport=PHONE)
    context.add_cookies([{"name": "sunlit_lang", "value": language, "url": server.url}])
    page = context.new_page()
    sign_in_as(page, server, "farmer.dangshan")

    # The header counts what is unread (the list has it, newest first).
    badge = page.locator("a.bell .count")
    expect(badge).to_have_text(re.compile(r"^[1-9][0-9]*$"))
    look(page, shots, f"notify-01-home-{language}-phone")
    page.locator("a.bell").click()
    page.wait_for_url(f"{server.url}/notifications")
    card = page.locator(
        "li.note", has=page.locator(f"form[action='/notifications/{told['id']}/read']")
    )
    expect(card).to_have_class(re.compile(r"\bunread\b"))
    expect(card).to_contain_text("× 2")  # what was bought, and what was paid
    expect(card).to_contain_text(format_fen(order["amount"]))
    look(page, shots, f"notify-02-list-{language}-phone")

    # Following it goes to the order, and it is read.
    card.locator("button").click()
    page.wait_for_url(f"{server.url}/orders/{order_id}")
    look(page, shots, f"notify-03-order-{language}-phone")
    page.goto(f"{server.url}/notifications")
    expect(card).not_to_have_class(re.compile(r"\bunread\b"))

    # Elder mode: larger type, kept from page to page (a cookie, like the language).
    normal = base_font_px(page)
    switch = page.locator(".elder-switch button")
    expect(switch).to_have_attribute("aria-pressed", "false")
    switch.click()
    page.wait_for_url(f"{server.url}/notifications")
    expect(page.locator("html")).to_have_class(re.compile(r"\belder\b"))
    assert base_font_px(page) > normal
    expect(page.locator(".elder-switch button")).to_have_attribute("aria-pressed", "true")
    look(page, shots, f"notify-04-list-elder-{language}-phone")
    for path in ("/", f"/orders/{order_id}", "/producer/orders"):
        page.goto(server.url + path)
        assert base_font_px(page) > normal, path
        look(page, shots, f"notify-05-elder{path.replace('/', '-')}-{language}-phone")
    # Every tap target in the header is at least 44 px high in elder mode.
    heights = page.evaluate(
        "[...document.querySelectorAll('.top a, .top button')]"
        ".filter(e => e.offsetParent).map(e => e.getBoundingClientRect().height)"
    )
    assert min(heights) >= 44, heights

    page.locator(".elder-switch button").click()
    expect(page.locator("html")).not_to_have_class(re.compile(r"\belder\b"))
    assert base_font_px(page) == normal
    context.close()
