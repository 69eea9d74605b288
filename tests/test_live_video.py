"""Issue 6 end to end in Debian's Chromium: ffmpeg publishes a test pattern through nginx-rtmp
with the session's key; the room plays it (hls.js); two people chat from two browsers; one buys
and pays in the room's sheet; the control page's stock and order count change; after the end
the recording plays in the room."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.support import LiveServer, free_port, live_server, settings_for, wait_until
from tests.test_browser import (  # noqa: F401 - a fixture
    accessibility_violations,
    browser,
    watch_csp,
)
from tests.test_filing_api import WINDOW
from tests.test_stream_gate import (
    FFMPEG,
    NGINX,
    RTMP_MODULE,
    approved_plan,
    ffmpeg_command,
    publish,
    running_ingest,
    wait_for_recording,
)
from tests.test_web import PASSWORD, load_demo_into

pytestmark = [
    pytest.mark.video,
    pytest.mark.browser,
    pytest.mark.skipif(
        not (Path(NGINX).exists() and FFMPEG and RTMP_MODULE.exists()),
        reason="video suite not run: apt-get install nginx-light libnginx-mod-rtmp ffmpeg",
    ),
]
PLAYING = "() => { const v = document.getElementById('player'); return v && v.currentTime > 0.5; }"


@pytest.fixture
def studio(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[LiveServer, int]]:
    """Sunlit, told where nginx serves video, and nginx calling Sunlit; yields the server and
    nginx's RTMP port."""
    http_port = free_port()
    settings = settings_for(sqlite_url, video_url=f"http://127.0.0.1:{http_port}")
    with live_server(settings) as server:
        load_demo_into(server)
        with running_ingest(server, tmp_path, http_port=http_port) as ingest:
            yield server, ingest.rtmp_port


#: What the pages' Content-Security-Policy refused, in every browser of the test.
REFUSED: list[str] = []


def signed_in(chromium: Browser, server: LiveServer, username: str, size: tuple[int, int]) -> Page:
    context = chromium.new_context(viewport={"width": size[0], "height": size[1]})
    watch_csp(context, REFUSED)
    context.add_cookies([{"name": "sunlit_lang", "value": "en", "url": server.url}])
    page = context.new_page()
    page.goto(server.url + "/signin")
    page.locator("#f-username").fill(username)
    page.locator("#f-password").fill(PASSWORD)
    page.locator("form[action='/signin'] button").click()
    page.wait_for_url(server.url + "/")
    return page


def fill_buy_sheet(buyer: Page, qty: int, county_query: str, county: str, street: str) -> Locator:
    """In the room's buy sheet: the quantity, Li Mei's name and phone, the county found by
    typing part of its name, and the street. Returns the sheet, not yet sent."""
    buyer.get_by_role("button", name="Buy now").click()
    sheet = buyer.locator("#buy-sheet")
    sheet.get_by_label("Quantity").fill(str(qty))
    sheet.get_by_label("Recipient").fill("Li Mei")
    sheet.get_by_label("Phone").fill("13800138000")
    sheet.locator("#f-region-q").fill(county_query)
    sheet.locator(f"#region-matches button[value='{county}']").click()
    expect(sheet.get_by_label("County to deliver to")).to_have_value(county)
    sheet.get_by_label("Street address").fill(street)
    return sheet


def pay_in_sheet(buyer: Page, sheet: Locator) -> None:
    """Send the sheet and pay in the sandbox's frame, without leaving the room."""
    sheet.get_by_role("button", name="Place the order and pay").click()
    pay = buyer.frame_locator("iframe.pay-frame")
    pay.get_by_role("button", name=re.compile(r"^Pay ¥")).click()
    expect(sheet.get_by_text("Paid. Thank you!")).to_be_visible(timeout=15_000)


def test_the_right_plan_with_a_wrong_secret_is_refused_through_nginx(
    studio: tuple[LiveServer, int],
) -> None:
    """ffmpeg publishing under the plan's id with a secret one character off is refused by nginx
    (the gate said no), and the plan stays approved; the right key then goes live through the
    same nginx, whose callbacks carry the callback secret."""
    server, rtmp_port = studio
    session, key = approved_plan(server)
    server.clock.advance(WINDOW[0] - server.clock.now() + timedelta(minutes=5))
    ingest = type("Ingest", (), {"rtmp_port": rtmp_port})()
    secret = key.split("?key=")[1]
    wrong = f"{session}?key={secret[:-1]}{'0' if secret[-1] != '0' else '1'}"

    def status() -> str:
        return str(httpx.get(f"{server.url}/api/v1/live/{session}", timeout=10).json()["status"])

    assert publish(ingest, wrong, 2).returncode != 0  # type: ignore[arg-type]
    assert status() == "approved"
    right = publish(ingest, key, 3)  # type: ignore[arg-type]
    assert right.returncode == 0, right.stderr.decode()[-500:]
    wait_until(lambda: status() == "ended", "the session ended when the stream stopped")


def test_a_streamed_session_is_watched_chatted_bought_and_replayed(
    studio: tuple[LiveServer, int],
    browser: Browser,  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    server, rtmp_port = studio
    REFUSED.clear()
    session, key = approved_plan(server)
    server.clock.advance(WINDOW[0] - server.clock.now() + timedelta(minutes=5))
    config = type("Ingest", (), {"rtmp_port": rtmp_port})()
    stream = subprocess.Popen(
        ffmpeg_command(config, key, 120),  # type: ignore[arg-type]
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        official = signed_in(browser, server, "official.dangshan", (1280, 900))
        official.goto(f"{server.url}/live/{session}/control")
        # The stream gate turns the plan live as ffmpeg connects; the page follows the status.
        official.wait_for_function(
            f"() => fetch('/api/v1/live/{session}').then(r => r.json())"
            ".then(s => s.status === 'live')",
            timeout=20_000,
            polling=500,
        )
        official.reload()
        expect(official.locator("#room-status")).to_have_text("Live")

        buyer = signed_in(browser, server, "buyer1", (390, 844))  # a phone
        buyer.goto(f"{server.url}/live/{session}")
        buyer.wait_for_function(PLAYING, timeout=30_000, polling=250)
        friend = signed_in(browser, server, "buyer2", (1280, 800))
        friend.goto(f"{server.url}/live/{session}")

        official.get_by_label("Product to present").select_option(index=0)
        official.get_by_role("button", name="Pin", exact=True).click()
        expect(buyer.get_by_role("button", name="Buy now")).to_be_visible(timeout=10_000)
        stock_before = int(official.locator("#c-stock").inner_text())

        buyer.get_by_role("tab", name="Chat").click()  # on a phone, chat and shelf are tabs
        buyer.get_by_label("Message").fill("Are the pears sweet this year?")
        buyer.get_by_role("button", name="Send").click()
        expect(friend.locator("#chat")).to_contain_text("Are the pears sweet this year?")
        friend.get_by_label("Message").fill("Very sweet, I bought them last year")
        friend.get_by_role("button", name="Send").click()
        expect(buyer.locator("#chat")).to_contain_text("Very sweet, I bought them last year")
        expect(official.locator("#chat")).to_contain_text("Are the pears sweet this year?")
        expect(official.locator("#f-viewers")).to_have_text(re.compile(r"^[3-9]$"))

        buyer.get_by_role("tab", name="Products").click()
        sheet = fill_buy_sheet(buyer, 2, "砀山", "341321", "8 Pear Orchard Road")
        assert accessibility_violations(buyer) == []
        buyer.screenshot(path=str(tmp_path / "room-sheet-phone.png"))
        pay_in_sheet(buyer, sheet)
        assert buyer.url.endswith(f"/live/{session}")  # never left the room

        expect(official.locator("#f-orders")).to_have_text("1", timeout=10_000)
        expect(official.locator("#c-stock")).to_have_text(str(stock_before - 2), timeout=10_000)
        expect(official.locator("#c-products [data-sold]").first).to_have_text("2", timeout=10_000)
        expect(buyer.locator("#shelf-stock")).to_contain_text(str(stock_before - 2))
        friend.screenshot(path=str(tmp_path / "room-desktop.png"))
    finally:
        stream.terminate()
        stream.wait(timeout=15)

    # The stream stopped: the room says so, and plays the recording.
    expect(buyer.locator("#room-status")).to_have_text("Ended", timeout=15_000)
    assert wait_for_recording(server, session).endswith(".mp4")
    buyer.wait_for_function(
        "() => { const v = document.getElementById('player');"
        " return v.currentSrc.includes('/recordings/') && v.readyState >= 2; }",
        timeout=60_000,
        polling=500,
    )
    # hls.js (its worker, MediaSource, requests to the video server), the recording, the
    # socket and the pay frame: nothing refused by the policy.
    assert REFUSED == []
