"""A buyer in the live room, on a phone (390 × 844) in Chinese and in English (issue 18): the
session's whole shelf with the pinned product first and marked, each with its price in ¥, its
stock and a way to buy; chatting keeps the video in view; when the session ends (over the
socket, and on a fresh load) there is no countdown and no Buy button left, but a note that it
ended with links to the products' pages and the session's public record. Every state passes
axe-core and fits the screen; a screenshot of each goes to ``SUNLIT_SCREENSHOTS`` or the
test's folder."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support import LiveServer, ingest_url, live_server, settings_for
from tests.test_browser import accessibility_violations, browser, sign_in_as, wider_than_viewport
from tests.test_catalog_api import api_as, product_named
from tests.test_filing_api import WINDOW, agreed, plan_body
from tests.test_quality import PDF
from tests.test_web import load_demo_into

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
__all__ = ["browser"]  # the module's Chromium, shared with tests/test_browser.py


@pytest.fixture
def room(sqlite_template: Path, sqlite_url: str) -> Iterator[LiveServer]:
    """The demo region on SQLite. (``sqlite_template`` first: it migrates with asyncio,
    before Playwright's loop runs.)"""
    with live_server(settings_for(sqlite_url)) as s:
        load_demo_into(s)
        yield s


def shelf_of_three(server: LiveServer) -> list[str]:
    """The demo's pears, and two more products of the Dangshan cooperative: pear paste in
    boxes, and pear juice that has sold out."""
    with api_as(server, "farmer.dangshan") as farmer:
        coop = farmer.get("/api/v1/producers", params={"region": "341321"}).json()[0]["id"]
        pears = product_named(farmer, "砀山酥梨")["id"]
        made = []
        for name_zh, name_en, kind, stock in (
            ("砀山梨膏", "Dangshan pear paste", "pear_paste", 40),
            ("砀山梨汁", "Dangshan pear juice", "pear_juice", 0),
        ):
            answer = farmer.post(
                "/api/v1/products",
                json={
                    "producer": coop,
                    "name_zh": name_zh,
                    "name_en": name_en,
                    "kind": kind,
                    "category": "processed_agri",
                    "origin_region": "341321",
                    "unit": "box",
                    "box_grams": 300,
                    "price": 2000,
                    "stock": stock,
                },
            )
            assert answer.status_code == 201, answer.text
            made.append(answer.json()["id"])
            checked = farmer.post(
                f"/api/v1/products/{made[-1]}/inspections",
                data={
                    "kind": "inspection_report",
                    "issuer": "宿州市农产品质量检测中心",
                    "issued_on": "2026-02-20",
                    "expires_on": "2026-08-20",
                },
                files={"file": ("report.pdf", PDF, "application/pdf")},
            )
            assert checked.status_code == 201, checked.text
    return [pears, *made]


def go_live(server: LiveServer, products: list[str]) -> tuple[str, str]:
    """An approved plan of official.dangshan for ``products``, live now; returns the session
    and its stream key (to end it as the ingest server would)."""
    with (
        api_as(server, "official.dangshan") as official,
        api_as(server, "supervisor1") as supervisor,
    ):
        filed = official.post("/api/v1/plans", json=plan_body(products))
        assert filed.status_code == 201, filed.text
        plan = filed.json()["id"]
        agreed(server, official, plan)
        submitted = official.post(f"/api/v1/plans/{plan}/submit").json()
        assert submitted["status"] == "checked", submitted["findings"]
        supervisor.post(f"/api/v1/plans/{plan}/approve", json={"reason": "报备齐全"})
        key = official.get(f"/api/v1/plans/{plan}").json()["stream_key"].split("?key=")[1]
    server.clock.advance(WINDOW[0] - server.clock.now() + timedelta(minutes=5))
    answer = httpx.post(ingest_url(server, "on_publish"), data={"name": plan, "key": key})
    assert answer.status_code == 200, answer.text
    return plan, key


def look(page: Page, shots: Path, name: str) -> None:
    assert accessibility_violations(page) == [], name
    assert wider_than_viewport(page) == [], name
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def in_view(page: Page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    return box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


def test_a_buyer_sees_the_whole_shelf_chats_with_the_video_in_view_and_sees_the_end(
    room: LiveServer, browser: Browser, shots: Path
) -> None:
    products = shelf_of_three(room)
    session, key = go_live(room, products)
    pears, paste, juice = products
    with api_as(room, "official.dangshan") as official:
        pinned = official.put(
            f"/api/v1/live/{session}/pin", json={"product_id": paste, "offer_minutes": 10}
        )
        assert pinned.status_code == 200, pinned.text

    pages = {}
    for language, username in (("zh", "buyer1"), ("en", "buyer2")):
        context = browser.new_context(viewport=PHONE)
        context.add_cookies([{"name": "sunlit_lang", "value": language, "url": room.url}])
        page = context.new_page()
        sign_in_as(page, room, username)
        page.goto(f"{room.url}/live/{session}")
        pages[language] = page

        # The whole shelf, the pinned product first and marked, with its countdown and Buy.
        items = page.locator("#shelf-list > li")
        expect(items).to_have_count(3)
        expect(items.nth(0)).to_have_attribute("data-product", paste)
        expect(items.nth(0).locator(".shelf-pin")).to_be_visible()
        expect(items.nth(0).locator("#countdown")).to_be_visible()
        expect(items.nth(0).locator("#buy")).to_be_enabled()
        assert [items.nth(i).get_attribute("data-product") for i in (1, 2)] == [pears, juice]
        for i in range(3):
            expect(items.nth(i).locator(".price")).to_contain_text("¥")
            expect(items.nth(i).locator("[data-stock]")).not_to_be_empty()
        expect(items.nth(0).locator(".price")).to_contain_text("¥20.00")
        expect(items.nth(2).locator("[data-stock]")).to_have_text(
            "已售罄" if language == "zh" else "Sold out"
        )
        for i in (1, 2):  # not pinned: bought on its own page
            expect(items.nth(i).locator(".shelf-pin")).to_be_hidden()
            link = items.nth(i).locator(".shelf-link a")
            expect(link).to_have_attribute("href", f"/products/{ {1: pears, 2: juice}[i] }")
        look(page, shots, f"room-live-shelf-{language}-phone")

        # Chatting: the chat tab, the input within reach, and the video stays in view.
        page.locator("#tab-chat").click()
        expect(page.locator("#shelf-list")).to_be_hidden()
        chat = page.locator("#chat-text")
        chat.focus()
        assert in_view(page, "#player") and in_view(page, "#chat-text")
        text = "梨甜不甜？" if language == "zh" else "Are they sweet?"
        chat.fill(text)
        chat.press("Enter")
        expect(page.locator("#chat")).to_contain_text(text)
        assert in_view(page, "#player") and in_view(page, "#chat-text")
        page.screenshot(path=str(shots / f"room-live-chat-{language}-phone-view.png"))
        look(page, shots, f"room-live-chat-{language}-phone")

    # The end, over the socket: no countdown, no Buy; the note and its links.
    ended = httpx.post(ingest_url(room, "on_publish_done"), data={"name": session, "key": key})
    assert ended.status_code == 200, ended.text
    for language, page in pages.items():
        note = page.locator("#room-ended")
        expect(note).to_be_visible(timeout=15_000)
        for reloaded in (False, True):
            if reloaded:  # and on a fresh load
                page.reload()
                expect(note).to_be_visible()
            expect(page.locator("#countdown")).to_have_count(0)
            expect(page.locator("#buy")).to_have_count(0)
            expect(page.locator(".shelf-pin:visible")).to_have_count(0)
            expect(note.locator(f'a[href="/sessions/{session}"]')).to_be_visible()
            links = page.locator("#shelf-list .shelf-link a")
            expect(links).to_have_count(3)
            for i, product in enumerate(products):
                expect(links.nth(i)).to_have_attribute("href", f"/products/{product}")
        page.locator("#tab-shelf").click()
        look(page, shots, f"room-ended-{language}-phone")
        page.context.close()


def test_the_buy_sheet_fills_in_the_default_address_and_finds_a_county_by_name(
    room: LiveServer, browser: Browser, shots: Path
) -> None:
    """The room's buy sheet is checkout's: the buyer's default address is there already, and
    another county is found by typing part of its name (issue 18)."""
    products = shelf_of_three(room)
    session, _ = go_live(room, products)
    with api_as(room, "official.dangshan") as official:
        official.put(f"/api/v1/live/{session}/pin", json={"product_id": products[0]})
    home = {"region": "110105", "detail": "朝阳路8号院3单元", "recipient": "韩桂兰"}
    with api_as(room, "buyer1") as buyer:
        saved = buyer.post("/api/v1/addresses", json={**home, "phone": "13800138000"})
        assert saved.status_code == 201, saved.text
        assert buyer.post(f"/api/v1/addresses/{saved.json()['id']}/default").status_code == 200
        orders_before = len(buyer.get("/api/v1/orders").json())

    context = browser.new_context(viewport=PHONE)
    context.add_cookies([{"name": "sunlit_lang", "value": "zh", "url": room.url}])
    page = context.new_page()
    sign_in_as(page, room, "buyer1")
    page.goto(f"{room.url}/live/{session}")
    page.locator("#buy").click()
    sheet = page.locator("#buy-sheet")
    expect(sheet.get_by_label("收货人")).to_have_value("韩桂兰")
    expect(sheet.get_by_label("电话")).to_have_value("13800138000")
    expect(sheet.get_by_label("收货县区", exact=True)).to_have_value("110105")
    expect(sheet.get_by_label("省份")).to_have_value("110000")
    expect(sheet.get_by_label("详细地址")).to_have_value("朝阳路8号院3单元")
    look(page, shots, "room-buy-sheet-default-zh-phone")

    # Another county, by typing: Enter in the search box looks it up, it never orders.
    search = sheet.locator("#f-region-q")
    search.fill("砀山")
    search.press("Enter")
    match = sheet.locator("#region-matches button[value='341321']")
    expect(match).to_be_visible()
    match.click()
    expect(sheet.get_by_label("收货县区", exact=True)).to_have_value("341321")
    expect(sheet.get_by_label("城市")).to_have_value("341300")
    with api_as(room, "buyer1") as buyer:
        assert len(buyer.get("/api/v1/orders").json()) == orders_before  # nothing ordered
    look(page, shots, "room-buy-sheet-search-zh-phone")
    context.close()
