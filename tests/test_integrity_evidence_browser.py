"""The integrity pages in Debian's Chromium, in Chinese (issue 18): the public findings page on a
phone (390 × 844) fits the screen and names sessions without file names; a case page on a
desktop reads its evidence under labels, with no raw key; both pass axe-core. Screenshots go to
``SUNLIT_SCREENSHOTS`` or the test's folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from sunlit.simulate.model import ScenarioSpec, SimConfig
from sunlit.simulate.services import simulate
from tests.support import LiveServer, live_server, settings_for
from tests.test_browser import accessibility_violations, browser, sign_in_as, wider_than_viewport
from tests.test_integrity_evidence import confirm_and_publish, imported_cases, raw_keys
from tests.test_web import load_demo_into

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
__all__ = ["browser"]  # the module's Chromium, shared with tests/test_browser.py


@pytest.fixture
def evening(
    sqlite_template: Path, sqlite_url: str, tmp_path: Path
) -> Iterator[tuple[LiveServer, list[dict[str, Any]]]]:
    """The demo region and an imported evening with a quota on cadres and paid praise, its
    quota finding confirmed and published. (``sqlite_template`` first: it migrates with
    asyncio, before Playwright's loop runs.)"""
    path = tmp_path / "evening.jsonl"
    scenarios = tuple(ScenarioSpec.parse(s) for s in ("quota:default:40", "paid_praise"))
    simulate(SimConfig(seed=3, viewers=300, minutes=60, scenarios=scenarios), path)
    with live_server(settings_for(sqlite_url)) as s:
        load_demo_into(s)
        cases = imported_cases(s, path.read_bytes())
        quota = next(c for c in cases if c["rule"] == "forced_purchases")
        confirm_and_publish(s, quota["id"], "经核实，县直机关按人头摊派")
        yield s, cases


def page_in(browser: Browser, server: LiveServer, size: dict[str, int], language: str) -> Page:
    context = browser.new_context(viewport=size)  # type: ignore[arg-type]
    context.add_cookies([{"name": "sunlit_lang", "value": language, "url": server.url}])
    return context.new_page()


def test_findings_on_a_phone_and_a_case_on_a_desktop_in_chinese(
    evening: tuple[LiveServer, list[dict[str, Any]]], browser: Browser, shots: Path
) -> None:
    server, cases = evening
    phone = page_in(browser, server, PHONE, "zh")
    phone.goto(server.url + "/findings")
    assert phone.locator("article.finding").count() == 1
    shown = phone.locator("main").inner_text()
    assert "强制摊派购买" in shown and ".jsonl" not in shown
    assert wider_than_viewport(phone) == []
    assert accessibility_violations(phone) == []
    phone.screenshot(path=str(shots / "findings-zh-phone.png"), full_page=True)

    praise = next(c for c in cases if c["rule"] == "paid_comments")
    desk = page_in(browser, server, DESKTOP, "zh")
    sign_in_as(desk, server, "supervisor1")
    desk.goto(f"{server.url}/supervisor/cases/{praise['id']}")
    evidence = desk.locator("dl.evidence").inner_text()
    assert [k for k in raw_keys(praise["evidence"]) if "_" in k and k in evidence] == []
    assert desk.locator("dl.evidence q").count() == len(praise["evidence"]["examples"])
    assert desk.get_by_role("link", name="CSV").count() == 1
    assert accessibility_violations(desk) == []
    desk.screenshot(path=str(shots / "case-zh-desktop.png"), full_page=True)

    # The same case on the phone fits the screen too.
    sign_in_as(phone, server, "supervisor1")
    phone.goto(f"{server.url}/supervisor/cases/{praise['id']}")
    phone.locator("details.named summary").first.click()
    assert wider_than_viewport(phone) == []
    # Each value has room to be read: never squeezed into a sliver beside its label.
    widths = phone.locator("dl.evidence dd").evaluate_all("ds => ds.map(d => d.clientWidth)")
    assert min(widths) >= PHONE["width"] / 2
    phone.screenshot(path=str(shots / "case-zh-phone.png"), full_page=True)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_supervisor_follows_a_chat_example_and_a_named_account_on_a_phone(
    evening: tuple[LiveServer, list[dict[str, Any]]],
    browser: Browser,
    shots: Path,
    language: str,
) -> None:
    """From the case, a tap on an example opens the session's chat at the messages that say it,
    the named authors marked; a tap on an author opens what that account did in the session."""
    server, cases = evening
    praise = next(c for c in cases if c["rule"] == "paid_comments")
    phone = page_in(browser, server, PHONE, language)
    sign_in_as(phone, server, "supervisor1")
    phone.goto(f"{server.url}/supervisor/cases/{praise['id']}")
    example = praise["evidence"]["examples"][0]
    phone.locator("dl.evidence a", has=phone.locator("q", has_text=example)).first.click()
    phone.wait_for_url(lambda url: "/chat?q=" in url)
    rows = phone.locator("tbody tr")
    assert rows.count() >= 1
    assert all(example in text for text in rows.all_inner_texts())
    marked = phone.locator("tbody tr.marked")
    assert marked.count() >= 1
    assert wider_than_viewport(phone) == []
    assert accessibility_violations(phone) == []
    phone.screenshot(path=str(shots / f"case-chat-{language}-phone.png"), full_page=True)

    author = marked.first.locator("a").first
    name = author.inner_text()
    author.click()
    phone.wait_for_url(lambda url: "/accounts/" in url)
    assert phone.locator("h1").inner_text().startswith(name)
    chat = phone.locator("#h-chat").locator("..")
    assert example in chat.inner_text() or chat.locator("tbody tr").count() >= 1
    assert phone.locator("h1 .badge").count() == 1  # named in this case
    assert wider_than_viewport(phone) == []
    assert accessibility_violations(phone) == []
    phone.screenshot(path=str(shots / f"case-account-{language}-phone.png"), full_page=True)
