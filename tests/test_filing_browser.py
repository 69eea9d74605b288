"""An official files a session plan on a phone (390 × 844) in Chinese, in Debian's Chromium
(issue 18): a failed save keeps the rule findings, the plan page names who filed it and tells
its history in sentences, a supervisor approves it, the official learns how to stream, and a
change to the approved plan is refused until the official confirms it. Every page passes
axe-core and fits the screen; a screenshot of each step goes to ``SUNLIT_SCREENSHOTS`` or the
test's folder."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support import LiveServer, live_server, settings_for
from tests.test_browser import accessibility_violations, browser, wider_than_viewport
from tests.test_web import PASSWORD, load_demo_into

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
__all__ = ["browser"]  # the module's Chromium, shared with tests/test_browser.py


@pytest.fixture
def region(sqlite_template: Path, sqlite_url: str) -> Iterator[LiveServer]:
    """The demo region on SQLite (``sqlite_template`` first: it migrates with asyncio, before
    Playwright's loop runs)."""
    with live_server(settings_for(sqlite_url)) as s:
        load_demo_into(s)
        yield s


def phone(browser: Browser, server: LiveServer, username: str, language: str = "zh") -> Page:
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
    assert accessibility_violations(page) == [], page.url
    assert wider_than_viewport(page) == [], page.url
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def test_an_official_files_a_plan_and_cannot_reopen_it_unawares(
    region: LiveServer, browser: Browser, shots: Path
) -> None:
    official = phone(browser, region, "official.dangshan")
    me = official.request.get(region.url + "/api/v1/me").json()

    # A failed save (no declaration) keeps what the rules found in what was typed.
    official.goto(region.url + "/plans/new")
    official.get_by_label("标题").fill("砀山酥梨助农直播")
    official.get_by_label("砀山酥梨", exact=False).check()
    official.get_by_label("合作方名称").first.fill("某梨业公司")
    official.get_by_label("类型").first.select_option("enterprise")
    official.get_by_label("与您的关联关系（如有）").first.fill("配偶持股")
    official.get_by_role("button", name="保存报备").click()
    expect(official.locator("p.alert[role=alert]")).to_be_visible()
    findings = official.locator("#findings")
    expect(findings).to_contain_text("本报备目前无法获批")
    expect(findings).to_contain_text("与您存在已申报的关联关系：配偶持股")
    look(official, shots, "filing-editor-failed-zh")

    # Fixed and saved, then filed.
    official.get_by_label("合作方名称").first.fill("")
    official.get_by_label("与您的关联关系（如有）").first.fill("")
    official.get_by_label("本人声明不因本场直播收取任何报酬或礼品。").check()
    expect(findings).to_contain_text("目前所有边界规则均通过")
    official.get_by_role("button", name="保存报备").click()
    # The pears' cooperative must agree first (issue 21): filing now is refused, nothing changes.
    expect(official.locator(".waiting-consent")).to_contain_text("还要等 1 位生产者同意")
    official.get_by_role("button", name="提交报备").click()
    expect(official.locator("p.alert[role=alert]")).to_contain_text("还在等生产者同意")
    expect(official.locator("h1 .badge")).to_have_text("草稿")
    plan_url = official.url.replace("/submit", "")
    farmer = phone(browser, region, "farmer.dangshan")
    farmer.goto(region.url + "/producer#consents")
    asked = farmer.locator("#consents article").first
    expect(asked).to_contain_text("砀山酥梨助农直播")
    asked.get_by_label("你为这场直播承诺的供货量").fill("800")
    look(farmer, shots, "filing-consent-asked-zh")
    asked.get_by_role("button", name="同意", exact=True).click()
    expect(farmer.locator("#consents")).to_have_count(0)
    official.goto(plan_url)
    expect(official.locator("dl.facts")).to_contain_text("承诺供货 800")
    official.get_by_role("button", name="提交报备").click()
    expect(official.locator("h1 .badge")).to_have_text("待监督员审批")
    plan_url = official.url.split("?")[0]

    filer = official.locator("dd.filer")
    expect(filer).to_contain_text(me["display_name"])
    expect(filer).to_contain_text("砀山县人民政府")
    history = official.locator("ol.history li")
    expect(history).to_have_count(5)  # drafted, asked, agreed, filed, checked by the rules
    expect(history.first).to_contain_text(me["display_name"])
    expect(official.locator("ol.history time")).to_have_count(5)
    for event in ("plan.drafted", "session.filed", "plan.checked"):
        expect(official.locator("ol.history")).not_to_contain_text(event)
    look(official, shots, "filing-plan-filed-zh")

    supervisor = phone(browser, region, "supervisor1")
    supervisor.goto(plan_url)
    supervisor.get_by_label("理由（将与您的姓名一并记录）", exact=False).fill("本地特色农产品")
    supervisor.get_by_role("button", name="批准").click()
    expect(supervisor.locator("h1 .badge")).to_have_text("已批准")
    look(supervisor, shots, "filing-plan-approved-supervisor-zh")

    # The official: the server address at once, the key only when asked.
    official.goto(plan_url)
    expect(official.locator("#s-server")).to_have_value("rtmp://127.0.0.1:1935/live")
    expect(official.locator("#s-key")).to_have_count(0)
    official.locator("#stream a.button").click()
    expect(official.locator("#s-key")).to_have_value(key_pattern(plan_url))
    look(official, shots, "filing-plan-stream-zh")

    # A change to the approved plan: warned, refused without the confirmation, kept as it was.
    official.get_by_role("link", name="修改报备").click()
    reopen = official.locator("#reopen")
    expect(reopen.locator(".alert")).to_be_visible()
    official.get_by_label("标题").fill("砀山酥梨助农直播（改）")
    official.get_by_role("button", name="保存报备").click()
    expect(official.locator("#reopen-error")).to_be_visible()
    expect(official.locator("p.alert[role=alert]")).to_be_visible()
    expect(findings).to_contain_text("目前所有边界规则均通过")  # the panel kept its findings
    look(official, shots, "filing-editor-reopen-refused-zh")
    official.goto(plan_url)
    expect(official.locator("h1 .badge")).to_have_text("已批准")

    official.get_by_role("link", name="修改报备").click()
    official.get_by_label("标题").fill("砀山酥梨助农直播（改）")
    official.locator("input[name=reopen]").check()
    official.get_by_role("button", name="保存报备").click()
    expect(official.locator("h1")).to_contain_text("砀山酥梨助农直播（改）")
    expect(official.locator("h1 .badge")).to_have_text("草稿")
    expect(history).to_have_count(7)  # … approved, changed
    expect(official.locator("#s-server")).to_have_count(0)  # no key for a draft
    look(official, shots, "filing-plan-reopened-zh")


def key_pattern(plan_url: str) -> re.Pattern[str]:
    """The stream key's shape: ``<plan id>?key=<40 hex digits>``."""
    plan = plan_url.rstrip("/").rsplit("/", 1)[-1]
    return re.compile(rf"^{re.escape(plan)}\?key=[0-9a-f]{{40}}$")
