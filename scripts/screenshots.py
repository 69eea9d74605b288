"""Screenshot every page in both languages (desktop and phone) into a folder; with names
after the folder, only those pages (and what starts with them).

python scripts/screenshots.py docs/screenshots [case findings …]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support import (
    CHROMIUM_ARGS,
    LiveServer,
    free_port,
    live_server,
    run_async,
    settings_for,
)
from tests.test_catalog_api import api_as
from tests.test_filing_api import WINDOW
from tests.test_live import viewer
from tests.test_orders import buy, sample_orders
from tests.test_stream_gate import approved_plan, ffmpeg_command, running_ingest
from tests.test_web import PASSWORD, load_demo_into

from sunlit.core.db import Database
from sunlit.core.migrate import upgrade
from sunlit.demo.integrity import load_demo_cases
from sunlit.integrity.tables import CaseRow

PAGES = [  # (name, path, who is signed in)
    ("home", "/", None),
    ("signin", "/signin", None),
    ("signup", "/signup", None),
    ("password-forgot", "/password/forgot", None),
    ("account", "/account", "official.dangshan"),
    ("operator-accounts", "/operator/accounts", "operator"),
    ("operator-producers", "/operator/producers", "operator"),
    ("operator-prices", "/operator/prices", "operator"),
    ("products", "/products", None),
    ("product", "/products/{pears}", "official.dangshan"),
    ("producer-dashboard", "/producer", "farmer.dangshan"),
    ("needs-help", "/needs-help", "official.xuwen"),
    ("report", "/reports/new", "official.xuwen"),
    ("supervisor-reports", "/supervisor/reports", "supervisor1"),
    ("operator-imports", "/operator/imports", "operator"),
    ("rules", "/rules", None),
    ("plan-editor", "/plans/new", "official.dangshan"),
    ("plan", "/plans/{plan}", "official.dangshan"),
    ("plan-briefing", "/plans/{plan}/briefing", "official.dangshan"),
    ("plans-supervisor", "/plans", "supervisor1"),
    ("checkout", "/products/{pears}/buy", "buyer1"),
    ("orders", "/orders", "buyer1"),
    ("order-paid", "/orders/{paid}", "buyer1"),
    ("order-completed", "/orders/{done}", "buyer1"),
    ("sandbox-pay", "{charge}", "buyer1"),
    ("producer-orders", "/producer/orders", "farmer.dangshan"),
    ("order-to-ship", "/orders/{paid}", "farmer.dangshan"),
    ("ledger", "/operator/ledger", "operator"),
    ("live-room", "/live/{live}", "buyer1"),
    ("live-room-visitor", "/live/{live}", None),
    ("live-control", "/live/{live}/control", "official.dangshan"),
    ("moderation", "/supervisor/moderation", "supervisor1"),
    ("cases", "/supervisor/cases", "supervisor1"),
    ("case-open", "/supervisor/cases/{open_case}", "supervisor1"),
    ("case-published", "/supervisor/cases/{published_case}", "supervisor1"),
    ("case-account", "/supervisor/cases/{praise_case}/accounts/{praise_account}", "supervisor1"),
    ("case-chat", "/supervisor/cases/{praise_case}/chat", "supervisor1"),
    ("findings", "/findings", None),
    ("notifications", "/notifications", "farmer.dangshan"),
    ("proposals", "/proposals", "official.dangshan"),
    ("not-found", "/no/such/page", None),
]
#: Pages also taken at phone size (the buyer's pages are mobile-first).
PHONE = {"home", "checkout", "orders", "order-paid", "sandbox-pay", "password-forgot"} | {
    "live-room",
    "live-room-visitor",
    # the farmer's and the official's pages (issue 18: they work on phones)
    "producer-dashboard",
    "producer-orders",
    "notifications",
    "plan",
    "rules",
    "findings",
    "case-account",
    "case-chat",
}
#: Pages that play video: wait until it does.
VIDEO = {"live-room", "live-room-visitor"}
PLAYING = "() => { const v = document.getElementById('player'); return v && v.currentTime > 1; }"
COUNTED = "() => !['–', '0'].includes(document.getElementById('f-viewers').textContent)"
CHAT = [
    ("buyer2", "今年的梨甜不甜？"),
    ("buyer3", "去年买过，很脆很甜"),
    ("buyer2", "关注我主页领优惠券 ww123"),
    ("buyer3", "价格比超市便宜一点，发顺丰吗？"),
]


@contextmanager
def live_scene(
    server: LiveServer, plan: tuple[str, str], folder: Path, http_port: int
) -> Iterator[str]:
    """A session streaming a test pattern through nginx-rtmp, with a timed offer pinned, some
    chat and one message hidden as spam; yields the session."""
    folder.mkdir()
    with running_ingest(server, folder, http_port=http_port) as ingest:
        session, key = plan
        server.clock.advance(WINDOW[0] - server.clock.now() + timedelta(minutes=5))
        command = ffmpeg_command(ingest, key, 900)
        stream = subprocess.Popen(  # noqa: S603 - our own ffmpeg command
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            deadline = time.monotonic() + 20
            while httpx.get(f"{server.url}/api/v1/live/{session}").json()["status"] != "live":
                assert time.monotonic() < deadline, "the stream did not go live"
                time.sleep(0.3)
            with api_as(server, "official.dangshan") as official:
                products = official.get(f"/api/v1/live/{session}/products").json()
                offer = {"product_id": products[0]["id"], "offer_minutes": 10}
                assert official.put(f"/api/v1/live/{session}/pin", json=offer).is_success
                said = {}
                for username, text in CHAT:
                    with viewer(server, session, username) as person:
                        person.wait_for(lambda m: m.get("t") == "hello")
                        person.send({"t": "chat", "text": text})
                        said[text] = person.wait_for(
                            lambda m, text=text: m.get("t") == "chat" and m["text"] == text
                        )["id"]
                spam = said["关注我主页领优惠券 ww123"]
                hide = {"reason": "spam", "note": "引流到站外"}
                assert official.post(f"/api/v1/live/{session}/messages/{spam}/hide", json=hide)
            yield session
        finally:
            stream.terminate()
            stream.wait(timeout=15)


def demo_cases(server: LiveServer) -> dict[str, str]:
    """The demo evening imported and worked: an open case and a published one."""
    assert server.services is not None
    services = server.services

    async def run() -> dict[str, str]:
        database = Database(server.settings)
        async with database.transaction() as db:
            await load_demo_cases(db, services.files, services.zone, now=server.clock.now())
        async with database.sessions() as db:
            rows = list(await db.scalars(select(CaseRow)))
        await database.dispose()
        published = next(r.id for r in rows if r.published_at is not None)
        praise = next(r for r in rows if r.rule == "paid_comments")
        return {
            "published_case": published,
            "praise_case": praise.id,
            "praise_account": praise.accounts[0],
            "open_case": next(r.id for r in rows if r.rule == "price_gouging"),
        }

    return run_async(run())


def disable_one_account(server: LiveServer, username: str) -> None:
    """An operator disables an account no page here signs in with."""
    with api_as(server, "operator") as operator:
        listing = operator.get("/api/v1/accounts").json()
        account = next(a["id"] for a in listing if a["username"] == username)
        off = operator.post(f"/api/v1/accounts/{account}/disabled", json={"disabled": True})
        assert off.status_code == 200, off.text


def main(folder: Path, only: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        url = f"sqlite+aiosqlite:///{tmp}/sunlit.db"
        video_port = free_port()
        settings = settings_for(url, video_url=f"http://127.0.0.1:{video_port}")
        upgrade(settings)
        server = stack.enter_context(live_server(settings))
        playwright = stack.enter_context(sync_playwright())
        load_demo_into(server)
        found = httpx.get(server.url + "/api/v1/products", params={"q": "砀山"}).json()
        pears = found[0]["id"]
        approved = approved_plan(server)
        plan = approved[0]
        live = stack.enter_context(live_scene(server, approved, Path(tmp) / "video", video_port))
        orders = sample_orders(server)
        orders.update(demo_cases(server))
        # sample_orders moved the clock on by days: offer the pears again, and sell some.
        with api_as(server, "official.dangshan") as official, api_as(server, "buyer3") as buyer:
            products = official.get(f"/api/v1/live/{live}/products").json()
            offer = {"product_id": products[0]["id"], "offer_minutes": 10}
            assert official.put(f"/api/v1/live/{live}/pin", json=offer).is_success
            bought = buy(buyer, products[0]["id"], "screenshot-room", qty=3, session_id=live)
            assert bought.status_code == 201, bought.text
        disable_one_account(server, "farmer.xuwen")  # the accounts page shows its badge
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        for language in ("zh", "en"):
            for device, viewport in (("desktop", (1280, 800)), ("phone", (390, 844))):
                context = browser.new_context(
                    viewport={"width": viewport[0], "height": viewport[1]}
                )
                context.add_cookies([{"name": "sunlit_lang", "value": language, "url": server.url}])
                page = context.new_page()
                signed_in = None
                for name, path, who in PAGES:
                    if only and not any(name.startswith(prefix) for prefix in only):
                        continue
                    if who != signed_in:
                        context.clear_cookies(name="sunlit_session")
                        if who is not None:
                            page.goto(server.url + "/signin")
                            page.locator("#f-username").fill(who)
                            page.locator("#f-password").fill(PASSWORD)
                            page.locator("form[action='/signin'] button").click()
                            page.wait_for_load_state()
                        signed_in = who
                    page.goto(server.url + path.format(pears=pears, plan=plan, live=live, **orders))
                    if name in VIDEO:
                        page.wait_for_function(PLAYING, timeout=30_000, polling=250)
                    if name.startswith("live-"):
                        # (on a phone the room's chat is a tab: the messages are there, hidden)
                        page.wait_for_selector("#chat li", state="attached", timeout=10_000)
                        page.wait_for_function(COUNTED, timeout=10_000)
                        page.wait_for_timeout(1500)  # the first count is the room's last one
                    if device == "desktop" or name in PHONE:
                        target = folder / f"{name}-{language}-{device}.png"
                        page.screenshot(path=str(target), full_page=True)
                        print(target)
                context.close()
        browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"), sys.argv[2:])
