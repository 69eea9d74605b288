"""Screenshot every page in both languages (desktop and phone) into a folder.

python scripts/screenshots.py docs/screenshots
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support import CHROMIUM_ARGS, live_server, settings_for
from tests.test_orders import sample_orders
from tests.test_stream_gate import approved_plan
from tests.test_web import PASSWORD, load_demo_into

from sunlit.core.migrate import upgrade

PAGES = [  # (name, path, who is signed in)
    ("home", "/", None),
    ("signin", "/signin", None),
    ("signup", "/signup", None),
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
    ("not-found", "/no/such/page", None),
]
#: Pages also taken at phone size (the buyer's pages are mobile-first).
PHONE = {"home", "checkout", "orders", "order-paid", "sandbox-pay"}


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/sunlit.db"
        settings = settings_for(url)
        upgrade(settings)
        with live_server(settings) as server, sync_playwright() as playwright:
            load_demo_into(server)
            found = httpx.get(server.url + "/api/v1/products", params={"q": "砀山"}).json()
            pears = found[0]["id"]
            plan, _ = approved_plan(server)
            orders = sample_orders(server)
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            for language in ("zh", "en"):
                for device, viewport in (("desktop", (1280, 800)), ("phone", (390, 844))):
                    context = browser.new_context(
                        viewport={"width": viewport[0], "height": viewport[1]}
                    )
                    context.add_cookies(
                        [{"name": "sunlit_lang", "value": language, "url": server.url}]
                    )
                    page = context.new_page()
                    signed_in = None
                    for name, path, who in PAGES:
                        if who != signed_in:
                            context.clear_cookies(name="sunlit_session")
                            if who is not None:
                                page.goto(server.url + "/signin")
                                page.locator("#f-username").fill(who)
                                page.locator("#f-password").fill(PASSWORD)
                                page.locator("form[action='/signin'] button").click()
                                page.wait_for_load_state()
                            signed_in = who
                        page.goto(server.url + path.format(pears=pears, plan=plan, **orders))
                        if device == "desktop" or name in PHONE:
                            target = folder / f"{name}-{language}-{device}.png"
                            page.screenshot(path=str(target), full_page=True)
                            print(target)
                    context.close()
            browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
