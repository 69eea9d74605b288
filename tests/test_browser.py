"""A person in Debian's Chromium: signs in, switches language, signs out; every page they see
passes axe-core's WCAG 2 A/AA checks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.support import CHROMIUM_ARGS, ROOT, LiveServer
from tests.test_web import PASSWORD, load_demo_into

pytestmark = pytest.mark.browser
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


def accessibility_violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']})).violations"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
    )
    return list(result)


def test_sign_in_switch_language_and_sign_out(
    server: LiveServer, browser: Browser, tmp_path: Path
) -> None:
    load_demo_into(server)
    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    page.goto(server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    assert accessibility_violations(page) == []
    nav = page.get_by_role("navigation")
    nav.get_by_role("link", name="登录", exact=True).click()
    page.get_by_label("账号名").fill("official.dangshan")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(server.url + "/")
    expect(nav.get_by_role("button", name="退出登录")).to_be_visible()
    page.goto(server.url + "/account")
    expect(page.get_by_role("heading", name="我的账号")).to_be_visible()
    expect(page.get_by_text("砀山县人民政府")).to_be_visible()
    assert accessibility_violations(page) == []

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(server.url + "/")  # the choice persists across pages
    expect(page.get_by_role("heading", name="Sell the harvest live, in the open")).to_be_visible()
    page.screenshot(path=str(tmp_path / "home-en.png"), full_page=True)

    page.get_by_role("button", name="Sign out").click()
    expect(nav.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    page.goto(server.url + "/account")
    expect(page).to_have_url(server.url + "/signin?next=/account")
    assert accessibility_violations(page) == []


def test_sign_up_shows_errors_accessibly(server: LiveServer, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(server.url + "/signup")
    page.get_by_role("button", name="创建账号").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_label("账号名")).to_have_attribute("aria-invalid", "true")
    assert accessibility_violations(page) == []


def test_operator_sees_the_region_name_while_typing_the_code(
    server: LiveServer, browser: Browser
) -> None:
    load_demo_into(server)
    context = browser.new_context()
    context.add_cookies([{"name": "sunlit_lang", "value": "en", "url": server.url}])
    page = context.new_page()
    page.goto(server.url + "/signin?next=/operator/accounts")
    page.get_by_label("Account name").fill("operator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Accounts", exact=True)).to_be_visible()
    page.get_by_label("Region code (GB/T 2260)").fill("610722")  # htmx asks the server
    expect(page.locator("#region-name")).to_have_text("Chenggu County, Hanzhong, Shaanxi")
    assert accessibility_violations(page) == []
    context.close()
