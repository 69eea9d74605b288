"""The password pages in Debian's Chromium, in Chinese and English, on a phone and a desktop:
each passes axe-core's WCAG 2 A/AA checks; screenshots go to the test's temporary folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support import LiveServer
from tests.test_browser import accessibility_violations, browser  # noqa: F401 - the fixture
from tests.test_web import PASSWORD, load_demo_into

pytestmark = pytest.mark.browser


def sign_in(page: Page, server: LiveServer, username: str) -> None:
    page.goto(server.url + "/signin")
    page.locator("#f-username").fill(username)
    page.locator("#f-password").fill(PASSWORD)
    page.locator("form[action='/signin'] button[type=submit]").click()
    expect(page).to_have_url(server.url + "/")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_password_pages_in_both_languages(
    server: LiveServer,
    browser: Browser,  # noqa: F811 - the fixture
    tmp_path: Path,
    language: str,
) -> None:
    load_demo_into(server)
    shots: list[str] = []

    def look(page: Page, name: str) -> None:
        assert accessibility_violations(page) == [], name
        path = tmp_path / f"{name}-{language}.png"
        page.screenshot(path=str(path), full_page=True)
        shots.append(path.name)

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "sunlit_lang", "value": language, "url": server.url}])
    page = context.new_page()
    page.goto(server.url + "/signin")
    expect(page.locator("a[href='/password/forgot']")).to_be_visible()
    look(page, "signin")

    page.locator("a[href='/password/forgot']").click()
    look(page, "forgot")
    page.locator("#f-login").fill("buyer1")
    page.locator("form[action='/password/forgot'] button[type=submit]").click()
    expect(page.locator("#f-code")).to_be_visible()
    look(page, "forgot-code")
    page.locator("#f-code").fill("000000")
    page.locator("#f-password").fill("short")
    page.locator("#f-password_confirm").fill("other")
    page.locator("form[action='/password/forgot/code'] button[type=submit]").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    look(page, "forgot-code-errors")

    sign_in(page, server, "operator")
    page.goto(server.url + "/operator/accounts")
    row = page.locator("tr", has_text="official.enshi")
    row.locator("form[action$='/reset-link'] button").click()
    link = page.locator("code.token")
    expect(link).to_be_visible()
    look(page, "operator-reset-link")
    url = link.inner_text().strip()
    assert re.match(r"^http://127\.0\.0\.1:\d+/password/reset/[A-Za-z0-9_-]+$", url)

    page.goto(server.url + "/account")
    expect(page.locator("#f-current_password")).to_be_visible()
    page.locator("#f-current_password").fill("not-my-password")
    page.locator("form[action='/account/password#password'] button[type=submit]").click()
    expect(page.locator("#e-current_password")).to_be_visible()
    look(page, "account-password-error")

    person = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    person.add_cookies([{"name": "sunlit_lang", "value": language, "url": server.url}])
    phone = person.new_page()
    phone.goto(url)
    expect(phone.locator("#f-password")).to_be_visible()
    look(phone, "reset-link-phone")
    phone.locator("#f-password").fill("a-brand-new-password")
    phone.locator("#f-password_confirm").fill("a-brand-new-password")
    phone.locator("form[action^='/password/reset/'] button[type=submit]").click()
    expect(phone).to_have_url(server.url + "/signin?reset=1")
    look(phone, "signin-after-reset-phone")
    phone.goto(url)  # used: the page says so
    expect(phone.get_by_role("alert")).to_be_visible()
    look(phone, "reset-link-used-phone")
    person.close()
    context.close()
    assert len(shots) == 9
