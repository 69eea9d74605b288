"""Concerns in Debian's Chromium on a phone (390 px), zh and en: a consumer raises a quota
concern from the session page, the official answers with a correction, a supervisor accepts,
the consumer rates; every page passes axe-core's WCAG 2 A/AA checks and fits the screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.support import LiveServer
from tests.test_browser import accessibility_violations, browser, sign_in_as
from tests.test_disclosure import filed_plan
from tests.test_web import load_demo_into

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the module's fixture, shared


def checked(page: Page, failures: dict[str, list[str]]) -> None:
    path = page.url.split("//", 1)[1].split("/", 1)[1]
    found = accessibility_violations(page)
    wide = page.evaluate("document.documentElement.scrollWidth")
    if wide > 390:
        found.append(f"{wide} px wide")
    if found:
        failures["/" + path] = found


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_concern_on_a_phone_from_raising_to_rating(
    sqlite_template: Path, server: LiveServer, browser: Browser, language: str
) -> None:
    """(``sqlite_template`` first: it migrates with asyncio, before Playwright's loop runs.
    SQLite only, like the other browser tests: the PostgreSQL fixture's set-up runs asyncio
    while Playwright's loop is running.)"""
    load_demo_into(server)
    served = server
    plan = filed_plan(served, approve=True)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": "sunlit_lang", "value": language, "url": served.url}])
    page = context.new_page()
    failures: dict[str, list[str]] = {}
    sign_in_as(page, served, "buyer1")
    page.goto(f"{served.url}/sessions/{plan}")
    checked(page, failures)
    page.locator(f"a[href='/sessions/{plan}/concerns/new']").click()
    checked(page, failures)
    page.locator("button[type=submit].wide").click()  # nothing chosen: errors, nothing stored
    page.locator("p.alert").wait_for()
    assert page.locator(".error-text").count() == 2
    checked(page, failures)
    page.locator("input[name=category][value=forced_purchase]").check()
    page.locator("#f-text").fill("单位要求每名职工至少购买50元，并在群里晒单。")
    page.locator("button[type=submit].wide").click()
    page.wait_for_url("**/concerns/k-*")
    concern = page.url.split("/concerns/")[1].split("?")[0]
    checked(page, failures)
    sign_in_as(page, served, "official.dangshan")
    page.goto(f"{served.url}/concerns/{concern}")
    page.locator("input[name=kind][value=correction]").check()
    page.locator("#f-answer").fill("已责令停止摊派，退还已购款项，并在全县通报。")
    checked(page, failures)
    page.locator("form[action$='/answer'] button").click()
    page.wait_for_url("**?done=answer")
    sign_in_as(page, served, "supervisor1")
    page.goto(f"{served.url}/supervisor/concerns")
    checked(page, failures)
    page.goto(f"{served.url}/concerns/{concern}")
    checked(page, failures)
    page.locator("button[name=step][value=accept]").click()
    page.wait_for_url("**?done=decision")
    sign_in_as(page, served, "buyer1")
    page.goto(f"{served.url}/concerns/{concern}")
    checked(page, failures)
    page.locator("input[name=stars][value='4']").check()
    page.locator("form[action$='/rating'] button").click()
    page.wait_for_url("**?done=rating")
    page.goto(f"{served.url}/concerns/mine")
    checked(page, failures)
    page.context.clear_cookies(name="sunlit_session")
    page.goto(f"{served.url}/concerns")
    checked(page, failures)
    assert page.locator(".stats .stat").first.inner_text() == "1"
    context.close()
    assert failures == {}
