"""A buyer picks where a parcel goes the way they do everywhere else (issue 18), in Debian's
Chromium on a phone (390 × 844): 北京市朝阳区 in three taps (province, city, county: Beijing
has no real city level, so it is its own), and again by typing 朝阳 and tapping the match shown
with its whole name; the address saved at checkout is there, preselected, at the next
checkout. Every page passes axe-core and fits the screen. Screenshots go to
``SUNLIT_SCREENSHOTS`` or the test's folder. Controls are found by their ids and forms, so the
steps read the same in Chinese and English."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from sunlit.core.regions.picker import choose
from sunlit.core.regions.sources import official_regions
from sunlit.orders.shipping.model import ships_to
from tests.support import LiveServer, live_server, settings_for
from tests.test_browser import (
    accessibility_violations,
    browser,
    sign_in_as,
    watch_csp,
    wider_than_viewport,
)
from tests.test_web import load_demo_into

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
CHAOYANG = "110105"  # 北京市朝阳区
__all__ = ["browser"]  # the module's Chromium, shared with tests/test_browser.py


@pytest.fixture
def demo(sqlite_template: Path, sqlite_url: str) -> Iterator[LiveServer]:
    """The demo region on SQLite (``sqlite_template`` first: it migrates with asyncio, before
    Playwright's loop runs)."""
    with live_server(settings_for(sqlite_url)) as s:
        load_demo_into(s)
        yield s


def look(page: Page, folder: Path, name: str) -> None:
    assert accessibility_violations(page) == [], page.url
    assert wider_than_viewport(page) == [], page.url
    # caret="initial": hiding the caret leaves style="" on the inputs, which htmx would copy
    # onto the picker's new ones when it swaps them in: a false refusal of the policy.
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True, caret="initial")


def settled(page: Page, step: Callable[[], None]) -> None:
    """Take a step of the picker that htmx answers, and wait until the picker's answer is in
    the page (not the checkout's sums, which follow it)."""
    page.evaluate(
        """() => { window.sunlitSettled = new Promise(done => {
            const settled = event => {
                if (!event.target.closest("#region-picker")) return;
                document.body.removeEventListener("htmx:afterSettle", settled);
                done();
            };
            document.body.addEventListener("htmx:afterSettle", settled);
        }); }"""
    )
    step()
    page.evaluate("() => window.sunlitSettled.then(() => true)")


def pick_county(page: Page, code: str) -> None:
    """Three taps: the province, the city, the county (of the address form on the page)."""
    choice = choose(official_regions(), "zh", ships_to, county=code)
    settled(page, lambda: page.locator("#f-province").select_option(choice.province))
    settled(page, lambda: page.locator("#f-city").select_option(choice.city))
    page.locator("#f-region").select_option(code)


def search_county(page: Page, text: str, code: str) -> None:
    """Type part of the name, and tap the match."""
    settled(page, lambda: page.locator("#f-region-q").fill(text))
    settled(page, lambda: page.locator(f"#region-matches button[value='{code}']").click())


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_buyer_picks_chaoyang_and_finds_it_preselected_next_time(
    demo: LiveServer,
    browser: Browser,
    tmp_path: Path,
    language: str,
) -> None:
    folder = Path(os.environ.get("SUNLIT_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=PHONE)
    context.add_cookies([{"name": "sunlit_lang", "value": language, "url": demo.url}])
    refused = watch_csp(context)
    page = context.new_page()
    sign_in_as(page, demo, "buyer1")

    page.goto(demo.url + "/products")
    page.locator(".card a").first.click()
    page.locator("a[href$='/buy']").first.click()
    page.wait_for_url("**/buy")
    checkout = page.url
    assert page.locator("input[name=saved]").count() == 0  # nothing saved yet
    look(page, folder, f"picker-checkout-{language}-phone")
    page.locator("#f-recipient").fill("李梅")
    page.locator("#f-phone").fill("13800138000")

    # Three taps. Beijing is its own city: choosing it fills the city in already.
    pick_county(page, CHAOYANG)
    beijing = "北京市" if language == "zh" else "Beijing"
    expect(page.locator("#f-province option:checked")).to_have_text(beijing)
    expect(page.locator("#f-region")).to_have_value(CHAOYANG)
    look(page, folder, f"picker-three-taps-{language}-phone")

    # Typing 朝阳 offers every 朝阳, each with its whole name; one tap picks it.
    settled(page, lambda: page.locator("#f-province").select_option("650000"))
    expect(page.locator("#f-region")).to_have_value("")
    settled(page, lambda: page.locator("#f-region-q").fill("朝阳"))
    matches = page.locator("#region-matches button")
    if language == "zh":
        expect(matches.first).to_have_text("北京市朝阳区")
        expect(matches.nth(2)).to_have_text("吉林省长春市朝阳区")
    else:  # the English names the list has: most counties are named in Chinese
        expect(matches.first).to_have_text("朝阳区, Beijing")
        expect(matches.nth(2)).to_have_text("朝阳区, 长春市, Jilin")
    look(page, folder, f"picker-search-{language}-phone")
    settled(page, lambda: matches.first.click())
    expect(page.locator("#f-province")).to_have_value("110000")
    expect(page.locator("#f-city")).to_have_value("110000")
    expect(page.locator("#f-region")).to_have_value(CHAOYANG)
    expect(page.locator("#sums dt")).to_have_count(3)  # the total, with the county's fee

    page.locator("#f-detail").fill("建国路 88 号 3 单元")
    page.locator("input[name=save_address]").check()
    page.locator("form[action$='/buy'] > button[type=submit]").click()
    page.wait_for_url(demo.url + "/orders/o-*")
    look(page, folder, f"picker-order-{language}-phone")

    # Next time: the saved address is the default, preselected.
    page.goto(checkout)
    saved = page.locator("input[name=saved]").first
    expect(saved).to_be_checked()
    expect(page.locator("fieldset").first).to_contain_text("建国路 88 号 3 单元")
    # The form for a new address folds away (a short page on a phone) until it is chosen.
    expect(page.locator("#f-recipient")).to_be_hidden()
    look(page, folder, f"picker-checkout-again-{language}-phone")
    page.locator("input[name=saved][value=new]").check()
    expect(page.locator("#f-recipient")).to_be_visible()
    saved.check()
    page.locator("form[action$='/buy'] > button[type=submit]").click()
    page.wait_for_url(demo.url + "/orders/o-*")

    # The address book has it as the default, and its form picks the same way.
    page.goto(demo.url + "/account/addresses")
    expect(page.locator(".card")).to_have_count(1)
    expect(page.locator(".card .badge")).to_be_visible()
    look(page, folder, f"picker-addresses-{language}-phone")
    page.locator("a[href='/account/addresses/new']").click()
    page.locator("#f-recipient").fill("李兰")
    page.locator("#f-phone").fill("13900139000")
    search_county(page, "朝阳", CHAOYANG)
    expect(page.locator("#f-region")).to_have_value(CHAOYANG)
    page.locator("#f-detail").fill("朝阳路 1 号")
    look(page, folder, f"picker-address-form-{language}-phone")
    page.locator("form[action='/account/addresses'] > button[type=submit]").click()
    page.wait_for_url(demo.url + "/account/addresses?done=1")
    expect(page.locator(".card")).to_have_count(2)
    assert refused == [], "\n".join(refused)  # nothing the policy had to refuse
    context.close()
