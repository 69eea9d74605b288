"""Every page each role reaches, on a 390×844 phone in Chinese: nothing wider than the screen
(no sideways panning), and axe finds nothing (once per kind of page: pages of one kind share a
template). The pages are those a crawl of the demo finds (tests/crawl.py); the journeys
themselves (listing, buying, filing, after-sales…) have their own walks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.crawl import ROLES, crawl, kind_of_page
from tests.support import LiveServer
from tests.test_browser import accessibility_violations, browser, sign_in_as, wider_than_viewport

pytestmark = pytest.mark.browser
__all__ = ["browser"]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(demo_by_command: LiveServer, browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE)
    context.add_cookies([{"name": "sunlit_lang", "value": "zh", "url": demo_by_command.url}])
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_fits_a_phone_and_passes_axe(
    demo_by_command: LiveServer, phone: Page, role: str
) -> None:
    server, username = demo_by_command, ROLES[role]
    paths = list(crawl(server, username, limit=60))
    if username:
        sign_in_as(phone, server, username)
    too_wide, inaccessible, checked = {}, {}, set()
    for path in paths:
        phone.goto(server.url + path)
        if wide := wider_than_viewport(phone):
            too_wide[path] = wide
        if kind_of_page(path) not in checked:
            checked.add(kind_of_page(path))
            if found := accessibility_violations(phone):
                inaccessible[path] = found
    assert len(paths) > 3
    assert too_wide == {}
    assert inaccessible == {}
