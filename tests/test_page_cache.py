"""Issue 20, the page cache: public pages and lists are kept for visitors who are not signed in
and sent again as they were, with ETag and Cache-Control, without asking the database; signed-in
people, pages with a form token and other routes are never kept; a kept page carries nothing
of the visitor who made it. Over HTTP against the demo, with the cache on."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from sunlit.core.db import Database
from sunlit.settings import Settings
from tests.crawl import load_demo_by_command
from tests.support import (
    LiveServer,
    live_server,
    run_async,
    settings_for,
    sign_in,
    wait_until,
)
from tests.test_request_path_queries import statements
from tests.test_web import PASSWORD, client, load_demo_into

TICKET = re.compile(r'data-ticket="([^"]*)"')


def cached(settings: Settings, seconds: int) -> Iterator[LiveServer]:
    # No background jobs: the statements counted are the requests' own.
    update = {"page_cache_seconds": seconds, "background_jobs": False}
    with live_server(settings.model_copy(update=update)) as server:
        load_demo_into(server)
        yield server


@pytest.fixture
def kept(settings: Settings) -> Iterator[LiveServer]:
    """The demo with pages kept for a minute: nothing expires during a test."""
    yield from cached(settings, 60)


@pytest.fixture
def brief(settings: Settings) -> Iterator[LiveServer]:
    """The demo with pages kept for a second."""
    yield from cached(settings, 1)


def sql(server: LiveServer, statement: str, **values: Any) -> Any:
    async def run() -> Any:
        database = Database(server.settings)
        try:
            async with database.transaction() as db:
                result = await db.execute(text(statement), values)
                return result.first() if result.returns_rows else None
        finally:
            await database.dispose()

    return run_async(run())


def a_product(server: LiveServer) -> tuple[str, str]:
    found = sql(server, "SELECT id, name_zh FROM products ORDER BY id LIMIT 1")
    return str(found[0]), str(found[1])


def rename(server: LiveServer, product: str, name: str) -> None:
    sql(server, "UPDATE products SET name_zh = :name WHERE id = :id", name=name, id=product)


def statements_during(server: LiveServer, ask: Any) -> int:
    assert server.services is not None
    with statements(server.services.db.engine.sync_engine) as seen:
        ask()
    return len(seen)


def test_a_visitor_is_sent_the_kept_page_without_the_database_and_a_304_when_unchanged(
    kept: LiveServer,
) -> None:
    product, name = a_product(kept)
    with client(kept, "zh") as c:
        first = c.get(f"/products/{product}")
        assert first.status_code == 200 and name in first.text
        assert first.headers["cache-control"] == "public, max-age=60"
        assert first.headers["vary"] == "Cookie"
        assert "set-cookie" not in first.headers
        etag = first.headers["etag"]
        again: list[httpx.Response] = []
        assert statements_during(kept, lambda: again.append(c.get(f"/products/{product}"))) == 0
        assert again[0].text == first.text
        assert again[0].headers["etag"] == etag
        # The security headers were kept with it; the request id of the first answer was not.
        assert "content-security-policy" in again[0].headers
        assert "x-request-id" not in again[0].headers
        # A browser that has the page asks whether it changed: 304, no body.
        unchanged = c.get(f"/products/{product}", headers={"If-None-Match": etag})
        assert unchanged.status_code == 304 and unchanged.content == b""
        assert unchanged.headers["etag"] == etag
        other = c.get(f"/products/{product}", headers={"If-None-Match": '"another"'})
        assert other.status_code == 200 and other.text == first.text


def test_a_change_reaches_visitors_within_the_lifetime_and_signed_in_people_at_once(
    brief: LiveServer,
) -> None:
    product, name = a_product(brief)
    with client(brief, "zh") as visitor, client(brief, "zh") as farmer:
        assert name in visitor.get("/products").text
        assert sign_in(farmer, "farmer.dangshan", PASSWORD).status_code == 303
        rename(brief, product, "改名后的酥梨")
        mine = farmer.get("/products")
        assert "改名后的酥梨" in mine.text
        assert mine.headers["cache-control"] == "no-store"
        wait_until(
            lambda: "改名后的酥梨" in visitor.get("/products").text,
            "the new name on the visitor's product list",
            seconds=10,
        )


def test_each_language_and_display_is_kept_apart(kept: LiveServer) -> None:
    with client(kept, "zh") as zh, client(kept, "en") as en:
        assert '<html lang="zh-Hans">' in zh.get("/findings").text
        assert '<html lang="en">' in en.get("/findings").text
        assert '<html lang="zh-Hans">' in zh.get("/findings").text
        assert '<html lang="en">' in en.get("/findings").text
        en.cookies.set("sunlit_elder", "1")
        elder = en.get("/findings")
        assert elder.headers["etag"] != zh.get("/findings").headers["etag"]


def test_signed_in_people_pages_with_a_form_and_other_routes_are_never_kept(
    kept: LiveServer,
) -> None:
    with client(kept, "zh") as c:
        # The sign-in page has a form: it gives a new visitor a CSRF cookie, so it is not kept.
        signin = c.get("/signin")
        assert "set-cookie" in signin.headers and "etag" not in signin.headers
        # The list of served regions is not a kept route: the database is asked every time.
        assert statements_during(kept, lambda: c.get("/api/v1/served-regions")) == 1
        assert statements_during(kept, lambda: c.get("/api/v1/served-regions")) == 1
        assert sign_in(c, "buyer1", PASSWORD).status_code == 303
        home = c.get("/")
        assert "etag" not in home.headers and home.headers["cache-control"] == "no-store"
        assert statements_during(kept, lambda: c.get("/")) >= 1
    # An API token is someone too.
    with client(kept) as api:
        answer = api.get("/api/v1/products", headers={"Authorization": "Bearer not-a-token"})
        assert "etag" not in answer.headers


@pytest.fixture(scope="module")
def whole_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """The demo as `sunlit demo` loads it, with its session."""
    home = tmp_path_factory.mktemp("page-cache-demo")
    return load_demo_by_command(home), home


def test_a_kept_room_page_carries_nothing_of_the_visitor_who_made_it(
    whole_demo: tuple[str, Path],
) -> None:
    url, home = whole_demo
    settings = settings_for(url, files_dir=home / "var" / "files", page_cache_seconds=60)
    with live_server(settings) as kept:
        room_page_kept_apart_from_its_visitors(kept)


def room_page_kept_apart_from_its_visitors(kept: LiveServer) -> None:
    session = str(sql(kept, "SELECT plan_id FROM plan_products LIMIT 1")[0])
    with client(kept, "zh") as one:
        one.cookies.set("sunlit_csrf", "one-visitors-csrf-cookie")
        first = one.get(f"/live/{session}")
    assert first.status_code == 200 and "etag" in first.headers
    # No form token, ticket or viewer id for a visitor: they are fetched or made apart.
    assert 'name="csrf_token"' not in first.text
    ticket_field = TICKET.search(first.text)
    assert ticket_field is not None and ticket_field.group(1) == ""
    assert "set-cookie" not in first.headers
    with client(kept, "zh") as two:
        second = two.get(f"/live/{session}")
        assert second.text == first.text and second.headers["etag"] == first.headers["etag"]
        ticket = two.get(f"/live/{session}/ticket")
        assert ticket.headers["cache-control"] == "no-store"
        assert ticket.status_code == 200 and ticket.json()["ticket"]
        assert ticket.json()["now"] > 0
        assert "sunlit_viewer" in ticket.headers["set-cookie"]


def test_the_language_switch_on_a_kept_page_works_from_this_site_only(kept: LiveServer) -> None:
    with client(kept) as c:
        home = c.get("/")
        assert 'name="csrf_token"' not in home.text  # the kept header's forms carry no token
        site = kept.url
        switched = c.post(
            "/language", data={"language": "en", "next": "/"}, headers={"Origin": site}
        )
        assert switched.status_code == 303
        assert c.cookies.get("sunlit_lang") == "en"
        fetched = c.post(
            "/display",
            data={"elder": "on", "next": "/"},
            headers={"Sec-Fetch-Site": "same-origin"},
        )
        assert fetched.status_code == 303
    for forged in (
        {"Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "cross-site", "Origin": kept.url},
        {},
    ):
        with client(kept) as c:
            refused = c.post("/language", data={"language": "en", "next": "/"}, headers=forged)
            assert refused.status_code == 403, forged
            assert c.cookies.get("sunlit_lang") is None
