"""Public disclosure (公示) in Debian's Chromium on a phone, in Chinese and English (issue 16):
a member of the public follows a session from its approval to after it — the products and
producers before it starts, the live figures while it is on air, what each product sold and
what reached the producers after — and every page passes axe-core. Screenshots of each step
go to ``SUNLIT_SCREENSHOTS`` (docs/screenshots when taken for the docs) or the test's folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support import LiveServer
from tests.test_browser import accessibility_violations, browser, watch_csp
from tests.test_disclosure_after import Story
from tests.test_web import PASSWORD, load_demo_into

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
__all__ = ["browser"]  # the module's Chromium, shared with tests/test_browser.py


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SUNLIT_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def public(server: LiveServer, browser: Browser) -> Iterator[dict[str, Page]]:
    """A visitor on a phone in each language, nobody signed in."""
    pages = {}
    contexts = []
    for language in ("zh", "en"):
        context = browser.new_context(viewport=PHONE)
        context.add_cookies([{"name": "sunlit_lang", "value": language, "url": server.url}])
        contexts.append(context)
        pages[language] = context.new_page()
    yield pages
    for context in contexts:
        context.close()


def signed_in(server: LiveServer, browser: Browser, username: str, language: str) -> Page:
    context = browser.new_context(viewport=PHONE)
    context.add_cookies([{"name": "sunlit_lang", "value": language, "url": server.url}])
    page = context.new_page()
    page.goto(server.url + "/signin")
    page.locator("#f-username").fill(username)
    page.locator("#f-password").fill(PASSWORD)
    page.locator("form[action='/signin'] button").click()
    page.wait_for_url(server.url + "/")
    return page


def look(page: Page, shots: Path, name: str) -> None:
    """Every step: no accessibility violation, and a full-page screenshot."""
    assert accessibility_violations(page) == [], name
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def test_the_public_follows_a_session_from_approval_to_after(
    server: LiveServer, browser: Browser, public: dict[str, Page], shots: Path
) -> None:
    load_demo_into(server)
    story = Story(server).approve()
    url = f"{server.url}/sessions/{story.session}"
    refused = watch_csp(public["zh"].context)

    # Before: the filing, its products and producers, for everyone.
    for language, page in public.items():
        page.goto(url)
        expect(page.get_by_role("heading", name="砀山酥梨助农直播")).to_be_visible()
        expect(page.locator("#h-products")).to_be_visible()
        expect(page.get_by_text("砀山县酥梨种植专业合作社").first).to_be_visible()
        expect(page.get_by_text("砀山县商务局")).to_be_visible()
        assert page.locator("#live-figures").count() == 0  # no figures before it starts
        look(page, shots, f"disclosure-before-{language}-phone")

    # During: the live figures, refreshed while on air.
    story.go_live().sell()
    zh, en = public["zh"], public["en"]
    zh.goto(url)
    expect(zh.get_by_role("heading", name="正在直播")).to_be_visible()
    figures = zh.locator("#live-figures")
    expect(figures).to_have_attribute("hx-trigger", "every 30s")
    expect(figures.locator("dd").nth(1)).to_have_text("2")  # paid orders
    look(zh, shots, "disclosure-during-zh-phone")
    en.goto(url)
    expect(en.get_by_role("heading", name="On air now")).to_be_visible()
    look(en, shots, "disclosure-during-en-phone")

    # After: per product, and what reached the producers (households as a count).
    story.undo().end_and_pay_out()
    paid_out = story.payout["amount"]
    zh.goto(url)
    outcome = zh.locator("#h-outcome").locator("..")
    expect(outcome).to_contain_text("已结算给生产者")
    expect(outcome).to_contain_text(f"¥{paid_out / 100:,.2f}")
    expect(outcome).to_contain_text("分给成员农户 3 户")
    expect(zh.locator("body")).not_to_contain_text("王家梨园")
    look(zh, shots, "disclosure-after-zh-phone")
    en.goto(url)
    expect(en.locator("#h-outcome")).to_have_text(
        "What each product sold, and what reached the producers"
    )
    expect(en.get_by_role("link", name="Post-live report (PDF)")).to_be_visible()
    look(en, shots, "disclosure-after-en-phone")
    assert refused == []
