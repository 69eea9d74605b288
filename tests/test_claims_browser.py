"""The claims check in Debian's Chromium, on a phone: a press account opens a public session,
registers figures (a negative one is refused where it was typed), and the page shows them
against the verified side; every page passes axe-core's checks, in zh and in en."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.support import LiveServer
from tests.test_browser import accessibility_violations, browser, sign_in_as  # noqa: F401 - the fixture
from tests.test_disclosure import filed_plan
from tests.test_web import events_of, load_demo_into

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_press_registers_figures_on_a_phone(
    server: LiveServer,
    browser: Browser,  # noqa: F811 - the fixture
    language: str,
) -> None:
    served = server
    load_demo_into(served)
    plan = filed_plan(served, approve=True)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": "sunlit_lang", "value": language, "url": served.url}])
    page = context.new_page()
    try:
        sign_in_as(page, served, "press.dangshan")
        page.goto(f"{served.url}/sessions/{plan}")
        assert accessibility_violations(page) == []
        page.locator(f"a[href='/sessions/{plan}/claims/new']").click()
        page.wait_for_url(f"{served.url}/sessions/{plan}/claims/new")
        assert accessibility_violations(page) == []

        page.locator("#f-source").fill("砀山县融媒体中心：助农直播预热")
        page.locator("#f-gmv").fill("-5")
        page.locator("form[action$='/claims/new'] button").click()
        expect(page.locator("#e-gmv")).to_be_visible()
        expect(page.locator("#f-gmv")).to_have_attribute("aria-invalid", "true")
        assert accessibility_violations(page) == []
        assert not [e for e in events_of(served) if e.type == "claim.published"]

        page.locator("#f-gmv").fill("12,000.50")
        page.locator("#f-viewers").fill("5000")
        page.locator("form[action$='/claims/new'] button").click()
        page.wait_for_url(f"{served.url}/sessions/{plan}#claims")
        claims = page.locator("#claims")
        expect(claims).to_contain_text("砀山县融媒体中心：助农直播预热")
        expect(claims).to_contain_text("¥12,000.50")
        expect(claims).to_contain_text("5,000")
        assert accessibility_violations(page) == []
    finally:
        context.close()
    [claim] = [e for e in events_of(served) if e.type == "claim.published"]
    assert claim.session == plan and claim.data["gmv"] == 1200050
    assert claim.data["viewers"] == 5000 and claim.data["orders"] is None
