"""Follows in Debian's Chromium on a phone (390 × 844), zh and en (issue 21, item 4): a buyer
follows the county of a producer from the producer's page, the county's official files a session
that is approved and goes live, and the buyer finds both in the notifications, sees the session
suggested on the home page with the reason, then sees what they follow. Every page fits the
screen and passes axe-core; a screenshot of each step goes to ``SUNLIT_SCREENSHOTS`` or the
test's folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.support import LiveServer
from tests.test_browser import browser, sign_in_as
from tests.test_browser_notifications import look, market
from tests.test_catalog_api import api_as, product_named
from tests.test_live import go_live
from tests.test_notifications import notice_of

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
__all__ = ["browser", "market"]  # the module's Chromium; the demo on SQLite
WORDS = {
    "zh": {
        "follow": "关注 砀山县",
        "following": "已关注 砀山县",
        "live": "正在直播",
        "why": "您关注了 砀山县",
    },
    "en": {
        "follow": "Follow Dangshan",
        "following": "Following Dangshan",
        "live": "is live now",
        "why": "You follow Dangshan County",
    },
}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_buyer_follows_a_county_and_is_told_of_its_session(
    market: LiveServer, browser: Browser, shots: Path, language: str
) -> None:
    server, words = market, WORDS[language]
    with api_as(server, "buyer1") as buyer:
        producer = product_named(buyer, "砀山酥梨")["producer_id"]
    context = browser.new_context(viewport=PHONE)
    context.add_cookies([{"name": "sunlit_lang", "value": language, "url": server.url}])
    page = context.new_page()
    sign_in_as(page, server, "buyer1")

    page.goto(f"{server.url}/producers/{producer}")
    county = page.locator("form[action='/follows']:has(input[value='county']) button")
    expect(county).to_contain_text(words["follow"])
    look(page, shots, f"follow-01-producer-{language}-phone")
    county.click()
    page.wait_for_url(f"{server.url}/producers/{producer}")
    expect(page.locator(".follow button[aria-pressed='true']")).to_contain_text(words["following"])
    look(page, shots, f"follow-02-followed-{language}-phone")

    session, _ = go_live(server)  # the county's official: filed, approved, on air
    with api_as(server, "buyer1") as buyer:
        notice_of(buyer, "followed_session_approved", f"/live/{session}")
        notice_of(buyer, "followed_session_started", f"/live/{session}")
    sign_in_as(page, server, "buyer1")  # the session's day is days later: signed in anew
    page.goto(f"{server.url}/notifications")
    expect(page.locator("li.note").first).to_contain_text(words["live"])
    look(page, shots, f"follow-03-told-{language}-phone")
    page.locator("li.note").first.get_by_role("button").click()
    page.wait_for_url(f"{server.url}/live/{session}")

    page.goto(server.url + "/")  # the home page suggests it, saying why
    expect(page.locator("section.for-you")).to_contain_text(words["why"])
    look(page, shots, f"follow-05-home-{language}-phone")

    page.goto(f"{server.url}/follows")
    expect(page.locator("ul.cards li.card")).to_have_count(1)
    look(page, shots, f"follow-04-mine-{language}-phone")
    context.close()
