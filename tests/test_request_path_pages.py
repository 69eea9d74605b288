"""Issue 20, no N+1, over HTTP: every public page and list API asks the database as many times
with fifty items as with a few. The demo as `sunlit demo` loads it is served (no background
jobs, no page cache, so every request reaches the database); each path is asked twice and the
SQL statements of the second answer are counted. Then the demo grows by 49 of each listed thing
(products, on the catalogue and on the session's plan, with inspections; producers;
published findings; public concerns with answers; reviews with their orders) and the counts
must not change, while the pages show the new items."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from sunlit.catalog.tables import InspectionRow, ProducerRow, ProductRow
from sunlit.core.db import Database
from sunlit.disclosure.concerns.tables import ConcernAnswerRow, ConcernRow
from sunlit.filing.tables import PlanProductRow
from sunlit.fulfilment.reviews.tables import ReviewRow
from sunlit.integrity.tables import CaseRow
from sunlit.orders.tables import OrderRow
from tests.crawl import load_demo_by_command
from tests.support import LiveServer, run_async, settings_for
from tests.test_request_path_queries import statements

MORE = 49


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    home = tmp_path_factory.mktemp("request-path-demo")
    return load_demo_by_command(home), home


@pytest.fixture
def quiet_demo(demo_home: tuple[str, Path]) -> Iterator[LiveServer]:
    url, home = demo_home
    settings = settings_for(url, files_dir=home / "var" / "files", background_jobs=False)
    server = LiveServer(settings).start()
    try:
        yield server
    finally:
        server.stop()


def first(server: LiveServer, query: str) -> str:
    async def run() -> str:
        database = Database(server.settings)
        try:
            async with database.sessions() as db:
                return str((await db.execute(text(query))).scalar_one())
        finally:
            await database.dispose()

    return str(run_async(run()))


def public_paths(server: LiveServer) -> list[str]:
    product = first(server, "SELECT product_id FROM reviews ORDER BY posted_at LIMIT 1")
    session, producer = first(
        server,
        "SELECT plan_products.plan_id || ' ' || products.producer_id FROM plan_products"
        " JOIN products ON products.id = plan_products.product_id LIMIT 1",
    ).split()
    concern = first(server, "SELECT id FROM concerns WHERE summary IS NOT NULL LIMIT 1")
    return [
        "/",
        "/products",
        f"/products/{product}",
        f"/producers/{producer}",
        f"/live/{session}",
        f"/sessions/{session}",
        f"/sessions/{session}/figures",
        "/findings",
        "/concerns",
        f"/concerns/{concern}",
        "/fund",
        "/rules",
        "/api/v1/products",
        "/api/v1/producers",
        f"/api/v1/producers/{producer}",
        "/api/v1/findings",
        "/api/v1/concerns",
        f"/api/v1/products/{product}/reviews",
        f"/api/v1/sessions/{session}/disclosure",
        f"/api/v1/sessions/{session}/claims",
        f"/api/v1/live/{session}",
        "/api/v1/fund",
    ]


def count_statements(server: LiveServer, paths: list[str]) -> dict[str, int]:
    assert server.services is not None
    engine = server.services.db.engine.sync_engine
    counts = {}
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for path in paths:
            assert client.get(path).status_code == 200, path
            with statements(engine) as seen:
                assert client.get(path).status_code == 200, path
            counts[path] = len(seen)
    return counts


async def clone(
    conn: AsyncConnection,
    table: Any,
    where: Any,
    change: Callable[[int, dict[str, Any]], dict[str, Any]],
) -> list[dict[str, Any]]:
    """MORE copies of the first row of ``table`` that ``where`` selects, each changed by
    ``change(i, row)``; the copies."""
    row = dict((await conn.execute(select(table).where(where).limit(1))).mappings().one())
    copies = [{**row, **change(i, row)} for i in range(MORE)]
    await conn.execute(insert(table), copies)
    return copies


def grow(server: LiveServer, reviewed: str, concern: str) -> dict[str, list[str]]:
    """49 more products (copies of one on the demo's session, each with an inspection,
    all on that session), producers, published findings, answered public concerns
    and reviews of the ``reviewed`` product."""

    async def run() -> dict[str, list[str]]:
        database = Database(server.settings)
        try:
            async with database.engine.begin() as conn:
                product = (await conn.execute(select(PlanProductRow.product_id))).scalar()
                products = await clone(
                    conn,
                    ProductRow.__table__,
                    ProductRow.id == product,
                    lambda i, row: {"id": f"g-grown{i:02d}", "name_zh": f"增补货品{i:02d}号"},
                )
                await clone(
                    conn,
                    InspectionRow.__table__,
                    InspectionRow.id.is_not(None),
                    lambda i, row: {"id": f"in-grown{i:02d}", "product_id": f"g-grown{i:02d}"},
                )
                await clone(
                    conn,
                    PlanProductRow.__table__,
                    PlanProductRow.product_id == product,
                    lambda i, row: {"product_id": f"g-grown{i:02d}", "position": 100 + i},
                )
                producers = await clone(
                    conn,
                    ProducerRow.__table__,
                    ProducerRow.id == products[0]["producer_id"],
                    lambda i, row: {"id": f"p-grown{i:02d}", "name": f"增补合作社{i:02d}"},
                )
                findings = await clone(
                    conn,
                    CaseRow.__table__,
                    CaseRow.published_at.is_not(None),
                    lambda i, row: {"id": f"c-grown{i:02d}"},
                )
                concerns = await clone(
                    conn,
                    ConcernRow.__table__,
                    ConcernRow.id == concern,
                    lambda i, row: {"id": f"k-grown{i:02d}", "summary": f"增补关切{i:02d}"},
                )
                await clone(
                    conn,
                    ConcernAnswerRow.__table__,
                    ConcernAnswerRow.concern_id == concern,
                    lambda i, row: {"id": f"ka-grown{i:02d}", "concern_id": f"k-grown{i:02d}"},
                )
                review = (
                    await conn.execute(
                        select(ReviewRow.order_id).where(ReviewRow.product_id == reviewed).limit(1)
                    )
                ).scalar_one()
                await clone(
                    conn,
                    OrderRow.__table__,
                    OrderRow.id == review,
                    lambda i, row: {"id": f"o-grown{i:02d}", "idempotency_key": f"grown{i:02d}"},
                )
                reviews = await clone(
                    conn,
                    ReviewRow.__table__,
                    ReviewRow.order_id == review,
                    lambda i, row: {
                        "id": f"r-grown{i:02d}",
                        "order_id": f"o-grown{i:02d}",
                        "text": f"增补评价{i:02d}",
                    },
                )
        finally:
            await database.dispose()
        return {
            "products": [row["name_zh"] for row in products],
            "producers": [row["id"] for row in producers],
            "findings": [row["id"] for row in findings],
            "concerns": [row["summary"] for row in concerns],
            "reviews": [row["text"] for row in reviews],
        }

    return dict(run_async(run()))


def test_public_pages_and_list_apis_ask_as_often_with_fifty_items_as_with_a_few(
    quiet_demo: LiveServer,
) -> None:
    paths = public_paths(quiet_demo)
    before = count_statements(quiet_demo, paths)
    product = paths[2].rsplit("/", 1)[1]
    concern = paths[9].rsplit("/", 1)[1]
    grown = grow(quiet_demo, product, concern)
    after = count_statements(quiet_demo, paths)
    assert {p: n for p, n in after.items() if n != before[p]} == {}, (before, after)
    # The grown items are there to be shown: the counts above are of pages that show them.
    with httpx.Client(base_url=quiet_demo.url, timeout=30) as client:
        session_api = client.get(paths[18]).text
        assert sum(name in session_api for name in grown["products"]) == MORE
        listed = client.get("/api/v1/producers").text
        assert sum(pid in listed for pid in grown["producers"]) == MORE
        findings = client.get("/api/v1/findings").text
        assert sum(cid in findings for cid in grown["findings"]) >= 1
        concerns = client.get("/api/v1/concerns").text
        assert sum(summary in concerns for summary in grown["concerns"]) >= 1
        reviews = client.get(paths[17]).text
        assert sum(text_ in reviews for text_ in grown["reviews"]) >= 1
    print({path: after[path] for path in paths})
