"""Issue 21's "a buyer follows Majiang and is told of the session", in Debian's Chromium on a
phone (390 × 844), zh and en: buyer1 follows Majiang County from the blueberry cooperative's
page; the cooperative's account (farmer.majiang) replaces its expired certificate and files a
session of its own blueberries, which an operator approves; the buyer finds the approval in the
notifications, then, once the session is on air (published through the stream gate as nginx-rtmp
would), that it is live, follows the notification into the room, sees the session suggested on
the home page because they follow Majiang, and finds Majiang among what they follow. The
farmer's steps go over the API; the buyer's are in the browser. Every buyer page fits the
screen and passes axe-core; a screenshot of each step goes to ``SUNLIT_SCREENSHOTS`` or the
test's folder. Nothing here assumes the demo has no Majiang sessions, orders or notifications:
the walk looks for its own session by its title and link."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, ViewportSize, expect

from tests.support import LiveServer, ingest_url
from tests.test_browser import browser, sign_in_as
from tests.test_browser_notifications import look, market
from tests.test_catalog_api import api_as, product_named
from tests.test_filing_api import WINDOW, plan_body
from tests.test_notifications import notice_of
from tests.test_quality_gate import renew_certificate

pytestmark = pytest.mark.browser
PHONE: ViewportSize = {"width": 390, "height": 844}
__all__ = ["browser", "market"]  # the module's Chromium; the demo on SQLite
BERRIES = "麻江蓝莓"
MAJIANG = "522635"
WORDS = {
    "zh": {
        "follow": "关注 麻江县",
        "following": "已关注 麻江县",
        "approved": "您关注的内容有一场直播已通过审批",
        "live": "正在直播，有您关注的内容",
        "why": "您关注了 麻江县",
        "county": "麻江县",
    },
    "en": {
        "follow": "Follow Majiang County",
        "following": "Following Majiang County",
        "approved": "A session with something you follow was approved",
        "live": "is live now, with something you follow",
        "why": "You follow Majiang County",
        "county": "Majiang County",
    },
}


def cooperative_files_its_own_session(server: LiveServer, title: str) -> tuple[str, str]:
    """farmer.majiang uploads a valid certificate for its blueberries (the demo's has expired
    on purpose, and the quality rule would refuse the filing), files a session of them that
    passes every rule, and an operator approves it; returns the session and its stream key."""
    today = server.clock.now().date()
    with api_as(server, "farmer.majiang") as farmer, api_as(server, "operator") as operator:
        berries = product_named(farmer, BERRIES)
        assert berries["origin_region"] == MAJIANG
        renew_certificate(farmer, berries["id"], today)
        body = plan_body([berries["id"]], title=title, partners=[])
        body.pop("declares_no_payment")  # a producer is paid for its produce
        made = farmer.post("/api/v1/plans", json=body)
        assert made.status_code == 201, made.text
        plan = made.json()
        assert plan["host_kind"] == "producer"
        filed = farmer.post(f"/api/v1/plans/{plan['id']}/submit").json()
        assert (filed["status"], filed["findings"]) == ("checked", []), filed
        approved = operator.post(
            f"/api/v1/plans/{plan['id']}/approve", json={"reason": "合作社自产蓝莓，证书有效"}
        )
        assert approved.status_code == 200 and approved.json()["status"] == "approved"
        key = farmer.get(f"/api/v1/plans/{plan['id']}").json()["stream_key"]
    assert key and key.startswith(plan["id"] + "?key=")
    return plan["id"], key


def on_air(server: LiveServer, session: str, key: str) -> None:
    """The session's start, five minutes in: the stream gate lets the farmer's stream through
    as nginx-rtmp's on_publish would ask it."""
    server.clock.advance(WINDOW[0] - server.clock.now() + timedelta(minutes=5))
    answer = httpx.post(
        ingest_url(server, "on_publish"),
        data={"name": session, "key": key.split("?key=")[1]},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    public = httpx.get(f"{server.url}/api/v1/live/{session}", timeout=10).json()
    assert public["status"] == "live", public


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_buyer_follows_majiang_and_is_told_of_the_cooperatives_session(
    market: LiveServer, browser: Browser, shots: Path, language: str
) -> None:
    server, words = market, WORDS[language]
    title = f"麻江蓝莓 · 合作社自播 ({language})"  # this walk's own session, among any others
    with api_as(server, "buyer1") as buyer:
        berries = product_named(buyer, BERRIES)
        follows_before = len(buyer.get("/api/v1/follows").json())
    context = browser.new_context(viewport=PHONE)
    context.add_cookies([{"name": "sunlit_lang", "value": language, "url": server.url}])
    page = context.new_page()
    sign_in_as(page, server, "buyer1")

    # From the blueberries to their cooperative, whose page follows its county.
    page.goto(f"{server.url}/products/{berries['id']}")
    look(page, shots, f"majiang-01-product-{language}-phone")
    producer_url = f"{server.url}/producers/{berries['producer_id']}"
    page.locator(f"a[href='/producers/{berries['producer_id']}']").first.click()
    page.wait_for_url(producer_url)
    county = page.locator(
        f"form[action='/follows']:has(input[name='kind'][value='county'])"
        f":has(input[name='target'][value='{MAJIANG}']) button"
    )
    expect(county).to_have_text(words["follow"])
    look(page, shots, f"majiang-02-producer-{language}-phone")
    county.click()
    page.wait_for_url(producer_url)
    expect(page.locator(".follow button[aria-pressed='true']")).to_contain_text(words["following"])
    look(page, shots, f"majiang-03-followed-{language}-phone")
    with api_as(server, "buyer1") as buyer:
        mine = buyer.get("/api/v1/follows").json()
        assert len(mine) == follows_before + 1
        assert [(f["kind"], f["target"]) for f in mine].count(("county", MAJIANG)) == 1

    # The cooperative files its own session; once approved, the buyer is told.
    session, key = cooperative_files_its_own_session(server, title)
    link = f"/live/{session}"
    with api_as(server, "buyer1") as buyer:
        approved = notice_of(buyer, "followed_session_approved", link)
        assert title in approved["text"]
    page.goto(f"{server.url}/notifications")
    told = page.locator("li.note", has_text=title)
    expect(told).to_have_count(1)
    expect(told).to_contain_text(words["approved"])
    expect(told.locator(".badge.new")).to_be_visible()
    look(page, shots, f"majiang-04-told-approved-{language}-phone")

    # The session's day, days later: on air, and the buyer is told it is live.
    on_air(server, session, key)
    with api_as(server, "buyer1") as buyer:
        started = notice_of(buyer, "followed_session_started", link)
        assert title in started["text"]
    sign_in_as(page, server, "buyer1")  # days later: signed in anew
    page.goto(f"{server.url}/notifications")
    told = page.locator("li.note", has_text=words["live"]).filter(has_text=title)
    expect(told).to_have_count(1)
    expect(page.locator("li.note", has_text=title)).to_have_count(2)  # approved, then live
    look(page, shots, f"majiang-05-told-live-{language}-phone")
    told.get_by_role("button").click()
    page.wait_for_url(f"{server.url}{link}")
    expect(page.locator("main")).to_contain_text(title)
    look(page, shots, f"majiang-06-room-{language}-phone")

    # The home page suggests it, saying why: the buyer follows Majiang.
    page.goto(server.url + "/")
    suggested = page.locator("section.for-you li.card", has=page.locator(f"a[href='{link}']"))
    expect(suggested).to_have_count(1)
    expect(suggested.locator("h3")).to_have_text(title)
    expect(suggested.locator(".why")).to_contain_text(words["why"])
    expect(suggested.locator(".badge.status-live")).to_be_visible()
    suggested.scroll_into_view_if_needed()
    look(page, shots, f"majiang-07-home-{language}-phone")

    # What the buyer follows: Majiang County, once.
    page.goto(f"{server.url}/follows")
    expect(page.locator("ul.cards li.card")).to_have_count(follows_before + 1)
    expect(page.locator("ul.cards li.card", has_text=words["county"])).to_have_count(1)
    look(page, shots, f"majiang-08-mine-{language}-phone")
    context.close()
