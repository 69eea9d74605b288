"""Public disclosure (公示) in Debian's Chromium on a phone, in Chinese and English (issue 16):
a member of the public follows a session from its approval to after it — the products and
producers before it starts, the live figures while it is on air, what each product sold and
what reached the producers after; then a consumer raises a quota concern, the official's office
answers with a correction, a supervisor accepts it, the consumer rates it and the counters
move. Every page passes axe-core. Screenshots of each step go to ``SUNLIT_SCREENSHOTS``
(docs/screenshots when taken for the docs) or the test's folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support import LiveServer
from tests.test_browser import accessibility_violations, browser, sign_in_as, watch_csp
from tests.test_disclosure_after import Story
from tests.test_web import load_demo_into

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
__all__ = ["browser"]  # the module's Chromium, shared with tests/test_browser.py


def phone(server: LiveServer, browser: Browser, language: str) -> Page:
    """A new page on a phone, in ``language``, in a context of its own."""
    context = browser.new_context(viewport=PHONE)
    context.add_cookies([{"name": "sunlit_lang", "value": language, "url": server.url}])
    return context.new_page()


@pytest.fixture
def public(server: LiveServer, browser: Browser) -> Iterator[dict[str, Page]]:
    """A visitor on a phone in each language, nobody signed in."""
    pages = {language: phone(server, browser, language) for language in ("zh", "en")}
    yield pages
    for page in pages.values():
        page.context.close()


def signed_in(server: LiveServer, browser: Browser, username: str, language: str) -> Page:
    page = phone(server, browser, language)
    sign_in_as(page, server, username)
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
    counters = zh.locator("#concerns .stats").first.locator(".stat")
    expect(counters).to_have_text(["0", "0", "0", "0"])

    # A consumer raises a quota concern; the official's office answers with a correction; a
    # supervisor accepts it; the consumer rates it; the counters move.
    buyer = signed_in(server, browser, "buyer2", "zh")
    buyer.goto(url)
    buyer.locator("#concerns").get_by_role("link", name="提出关切").click()
    buyer.locator("input[name=category][value=forced_purchase]").check()
    buyer.locator("#f-text").fill("村里要求每户至少买两箱梨，说是任务。")
    look(buyer, shots, "concern-raise-zh-phone")
    buyer.locator("button[type=submit].wide").click()
    buyer.wait_for_url("**/concerns/k-*")
    concern = buyer.url.split("/concerns/")[1].split("?")[0]
    look(buyer, shots, "concern-raised-zh-phone")
    official = signed_in(server, browser, "official.dangshan", "zh")
    official.goto(f"{server.url}/concerns/{concern}")
    official.locator("input[name=kind][value=correction]").check()
    official.locator("#f-answer").fill("已责令停止摊派，退还多买款项，并在全县通报。")
    look(official, shots, "concern-answer-zh-phone")
    official.locator("form[action$='/answer'] button").click()
    official.wait_for_url("**?done=answer")
    supervisor = signed_in(server, browser, "supervisor1", "en")
    supervisor.goto(f"{server.url}/supervisor/concerns")
    look(supervisor, shots, "concern-queue-en-phone")
    supervisor.goto(f"{server.url}/concerns/{concern}")
    supervisor.locator("button[name=step][value=accept]").click()
    supervisor.wait_for_url("**?done=decision")
    look(supervisor, shots, "concern-accepted-en-phone")
    sign_in_as(buyer, server, "buyer2")
    buyer.goto(f"{server.url}/concerns/{concern}")
    buyer.locator("input[name=stars][value='4']").check()
    buyer.locator("form[action$='/rating'] button").click()
    buyer.wait_for_url("**?done=rating")
    look(buyer, shots, "concern-rated-zh-phone")
    for language, page in public.items():
        page.goto(url)
        expect(page.locator("#concerns .stats").first.locator(".stat")).to_have_text(
            ["1", "1", "1", "1"]  # raised, answered in time, upheld, corrections made
        )
        expect(page.locator("#concerns")).not_to_contain_text("两箱梨")  # the text stays private
        look(page, shots, f"disclosure-concerns-{language}-phone")
