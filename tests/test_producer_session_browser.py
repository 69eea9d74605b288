"""Issue 21 end to end, on a phone, in Chinese and in English, in Debian's Chromium with real
nginx-rtmp and ffmpeg: the Xuwen pineapple cooperative's account files a session of its own
produce with the county's official as a guest, an operator approves it, the farmer practises in
the private practice room (ffmpeg's test pattern plays back there), then goes live with the
session's key and pins the pineapples, and a buyer buys and pays in the room. Every page of the
farmer's passes axe-core and fits the screen; a screenshot of each step goes to
``SUNLIT_SCREENSHOTS`` or the test's folder."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from sunlit.core.i18n import catalog
from sunlit.demo.data import COUNTIES
from tests.support import LiveServer
from tests.test_browser import browser
from tests.test_filing_browser import look, phone
from tests.test_live_video import fill_buy_sheet, pay_in_sheet, signed_in, studio
from tests.test_stream_gate import FFMPEG, NGINX, RTMP_MODULE, ffmpeg_command

pytestmark = [
    pytest.mark.video,
    pytest.mark.browser,
    pytest.mark.skipif(
        not (Path(NGINX).exists() and FFMPEG and RTMP_MODULE.exists()),
        reason="video suite not run: apt-get install nginx-light libnginx-mod-rtmp ffmpeg",
    ),
]
__all__ = ["browser", "studio"]  # fixtures
PLAYING = "id => { const v = document.getElementById(id); return v && v.currentTime > 0.5; }"


@contextmanager
def streaming(server: LiveServer, rtmp_port: int, key: str, application: str) -> Iterator[None]:
    config = type("Ingest", (), {"rtmp_port": rtmp_port})()
    stream = subprocess.Popen(
        ffmpeg_command(config, key, 90, application),  # type: ignore[arg-type]
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        stream.terminate()
        stream.wait(timeout=15)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_cooperative_files_practises_goes_live_and_sells(
    studio: tuple[LiveServer, int],
    browser: Browser,
    shots: Path,
    language: str,
) -> None:
    server, rtmp_port = studio
    _ = catalog(language).gettext
    farmer = phone(browser, server, "farmer.xuwen", language)

    # From the dashboard to the producer's own plan.
    farmer.goto(server.url + "/producer")
    farmer.get_by_role("link", name=_("Host your own session")).first.click()
    farmer.get_by_role("link", name=_("Host your own session")).click()
    expect(farmer.locator("h1")).to_have_text(_("Host your own session"))
    farmer.get_by_label(_("Title")).fill("徐闻菠萝 · 合作社自播")
    farmer.get_by_label("徐闻菠萝" if language == "zh" else "Xuwen pineapples", exact=False).check()
    farmer.get_by_label(_("An official joins as a guest (optional)")).select_option(index=1)
    expect(farmer.locator("#findings")).to_contain_text(_("Every boundary rule passes so far."))
    look(farmer, shots, f"producer-editor-{language}")
    farmer.get_by_role("button", name=_("Save the plan")).click()
    farmer.get_by_role("button", name=_("File the plan (报备)")).click()
    expect(farmer.locator("h1 .badge")).to_have_text(_("Waiting for a supervisor"))
    expect(farmer.locator("dd.host-kind")).to_contain_text(_("Hosted by the producer"))
    look(farmer, shots, f"producer-plan-filed-{language}")
    plan_url = farmer.url.split("?")[0]
    session = plan_url.rsplit("/", 1)[-1]

    # A county operator approves it (an official's plan would need a supervisor).
    operator = signed_in(browser, server, "operator", (1280, 900))
    operator.goto(plan_url)
    operator.get_by_label("Reason (recorded with your name)").fill("The cooperative's own fruit")
    operator.get_by_role("button", name="Approve").click()
    expect(operator.locator("h1 .badge")).to_have_text("Approved")

    # The practice room: private, with its own key; ffmpeg's pattern plays back there.
    farmer.goto(server.url + "/practice")
    farmer.get_by_role("button", name=_("Open my practice room")).click()
    farmer.locator("#stream a.button").click()
    practice_key = farmer.locator("#s-key").input_value().strip()
    assert practice_key.startswith("pr-")
    with streaming(server, rtmp_port, practice_key, "practice"):
        farmer.goto(server.url + "/practice")
        farmer.wait_for_function(PLAYING, arg="practice-player", timeout=40_000, polling=250)
        expect(farmer.locator("#practice-note")).to_have_text(
            _("This is what your viewers would see, a few seconds late.")
        )
        look(farmer, shots, f"producer-practice-{language}")
    # Nothing of the practice reached the public record.
    public = httpx.get(f"{server.url}/api/v1/live/{session}", timeout=10).json()
    assert public["status"] == "approved" and public["orders"] == 0

    # The session, four days on (the editor proposed that start): the farmer signs in again
    # and streams with the session's own key, inside its window.
    server.clock.advance(timedelta(days=4, minutes=5))
    farmer = phone(browser, server, "farmer.xuwen", language)
    farmer.goto(plan_url + "?show=key#stream")
    key = farmer.locator("#s-key").input_value().strip()
    assert key.startswith(session + "?key=")
    with streaming(server, rtmp_port, key, "live"):
        farmer.goto(f"{server.url}/live/{session}/control")
        farmer.wait_for_function(
            f"() => fetch('/api/v1/live/{session}').then(r => r.json())"
            ".then(s => s.status === 'live')",
            timeout=20_000,
            polling=500,
        )
        farmer.reload()
        expect(farmer.locator("#room-status")).to_have_text(_("Live"), timeout=20_000)
        farmer.get_by_label(_("Product to present")).select_option(index=0)
        farmer.get_by_role("button", name=_("Pin"), exact=True).click()
        stock_before = int(
            farmer.wait_for_function(
                "() => { const t = document.getElementById('c-stock').textContent.trim();"
                " return /^[0-9]+$/.test(t) ? t : null; }",
                timeout=10_000,
            ).json_value()
        )
        look(farmer, shots, f"producer-control-{language}")

        buyer = signed_in(browser, server, "buyer1", (390, 844))
        buyer.goto(f"{server.url}/live/{session}")
        expect(buyer.locator("main")).to_contain_text("Hosted by")
        cooperative = next(c for c in COUNTIES if c.slug == "xuwen").cooperative_zh
        expect(buyer.locator("main")).to_contain_text(cooperative)  # the host's organisation
        sheet = fill_buy_sheet(buyer, 3, "徐闻", "440825", "8 Pineapple Sea Road")
        pay_in_sheet(buyer, sheet)

        expect(farmer.locator("#f-orders")).to_have_text("1", timeout=10_000)
        expect(farmer.locator("#c-stock")).to_have_text(str(stock_before - 3), timeout=10_000)
        look(farmer, shots, f"producer-sold-{language}")
    # The public page of the session names the producer as its host.
    farmer.goto(f"{server.url}/sessions/{session}")
    expect(farmer.locator("main")).to_contain_text(_("Hosted by the producer"))
    expect(farmer.locator("main")).to_contain_text(_("Guest official"))
