"""A flash sale in miniature, on SQLite and PostgreSQL: hundreds of concurrent buy attempts on
one product from many buyers, through two servers that share the database (each with its own
order desk, as two processes would): exactly the stock is sold, never more, no buyer beyond the
limit, and every order a buyer was told about is stored."""

from __future__ import annotations

import asyncio
import secrets
from collections import Counter
from datetime import UTC, datetime

import httpx
from sqlalchemy import func, select

from sunlit.accounts.model import token_digest
from sunlit.accounts.tables import AccountRow, ApiTokenRow
from sunlit.catalog.tables import ProductRow
from sunlit.core.db import Database
from sunlit.core.ids import new_id
from sunlit.orders.tables import OrderRow
from sunlit.settings import Settings
from tests.support import LiveServer, live_server, run_async
from tests.test_orders import ADDRESS

BUYERS = 60
STOCK = 120
LIMIT = 3
ATTEMPTS_PER_BUYER = 6  # 360 attempts for 120 units; 60 × 3 = 180 would fit the limits


async def _prepare(settings: Settings) -> tuple[str, list[str]]:
    database = Database(settings)
    now = datetime.now(UTC)
    tokens = []
    async with database.transaction() as db:
        for n in range(BUYERS):
            account = new_id("a")
            token = "sl_" + secrets.token_urlsafe(24)
            db.add(
                AccountRow(
                    id=account,
                    username=f"rush{n:03d}",
                    display_name=f"Rush {n}",
                    role="consumer",
                    password_hash="!",
                    created_at=now,
                )
            )
            db.add(
                ApiTokenRow(
                    id=new_id("t"),
                    digest=token_digest(token),
                    account_id=account,
                    name="rush",
                    created_at=now,
                )
            )
            tokens.append(token)
        product = await db.scalar(select(ProductRow).where(ProductRow.name_zh == "砀山酥梨"))
        assert product is not None
        product.stock, product.per_buyer_limit = STOCK, LIMIT
    await database.dispose()
    return product.id, tokens


async def _rush(urls: list[str], product: str, tokens: list[str]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=40)
    async with (
        httpx.AsyncClient(base_url=urls[0], limits=limits, timeout=60) as first,
        httpx.AsyncClient(base_url=urls[1], limits=limits, timeout=60) as second,
    ):
        clients = [first, second]

        async def attempt(n: int) -> httpx.Response:
            token = tokens[n % len(tokens)]
            # A connection the server dropped (a keep-alive closed as the request went out, on
            # a loaded CI machine) is tried again with the same Idempotency-Key, as a buyer's
            # app would: the key makes the retry safe, and the checks below would see a
            # second order if it were not.
            for tries_left in range(2, -1, -1):
                try:
                    return await clients[n % 2].post(
                        "/api/v1/orders",
                        json={"product_id": product, "qty": 1, "address": ADDRESS},
                        headers={
                            "Authorization": f"Bearer {token}",
                            "Idempotency-Key": f"rush-{n}",
                        },
                    )
                except (httpx.ReadError, httpx.RemoteProtocolError):
                    if not tries_left:
                        raise
            raise AssertionError("unreachable")

        return await asyncio.gather(*(attempt(n) for n in range(BUYERS * ATTEMPTS_PER_BUYER)))


async def _stored(settings: Settings, product: str) -> tuple[int, dict[str, int], set[str]]:
    database = Database(settings)
    async with database.transaction() as db:
        stock = await db.scalar(select(ProductRow.stock).where(ProductRow.id == product))
        per_buyer = dict(
            (
                await db.execute(
                    select(OrderRow.buyer_id, func.sum(OrderRow.qty))
                    .where(OrderRow.product_id == product)
                    .group_by(OrderRow.buyer_id)
                )
            ).all()
        )
        ids = set(
            (await db.scalars(select(OrderRow.id).where(OrderRow.product_id == product))).all()
        )
    await database.dispose()
    assert stock is not None
    return stock, per_buyer, ids


def test_two_servers_hammering_one_product_never_oversell(served: LiveServer) -> None:
    product, tokens = run_async(_prepare(served.settings))
    with live_server(served.settings) as twin:
        answers = run_async(_rush([served.url, twin.url], product, tokens))
    statuses = Counter(answer.status_code for answer in answers)
    # 200: a retry whose first try had placed the order (Idempotent-Replayed)
    assert statuses[201] + statuses[200] == STOCK, statuses
    assert set(statuses) <= {200, 201, 409}, statuses
    refusals = Counter(a.json()["error"]["code"] for a in answers if a.status_code == 409)
    assert set(refusals) <= {"sold_out", "over_limit"}
    acknowledged = [answer.json()["id"] for answer in answers if answer.status_code in (200, 201)]
    assert len(set(acknowledged)) == len(acknowledged) == STOCK  # one order per key
    stock, per_buyer, stored = run_async(_stored(served.settings, product))
    assert stock == 0
    assert stored == set(acknowledged)  # nothing lost, nothing stored that no buyer was told
    assert max(per_buyer.values()) <= LIMIT
    assert sum(per_buyer.values()) == STOCK


def test_a_token_revoked_through_another_process_stops_working_within_the_cache_time(
    sqlite_url: str,
) -> None:
    """The token memory trades a few seconds of a revoked token in *other* processes for a
    database lookup per API call; in the process that revokes it, it stops at once. The first
    server's memory runs on a clock of the test's, so the cache time passes when the test says
    (a real one would make the outcome depend on how fast the machine is)."""
    from tests.test_session_cache import two_processes_with_a_memory_of_one_second
    from tests.test_web import PASSWORD, client

    with two_processes_with_a_memory_of_one_second(sqlite_url) as (first, second, ticks):
        with client(first, "en") as c:
            issued = c.post("/api/v1/tokens", json={"username": "buyer1", "password": PASSWORD})
            token, token_id = issued.json()["token"], issued.json()["id"]
        auth = {"Authorization": f"Bearer {token}"}
        for server in (first, second):
            assert httpx.get(server.url + "/api/v1/me", headers=auth).status_code == 200
        revoked = httpx.delete(second.url + f"/api/v1/tokens/{token_id}", headers=auth)
        assert revoked.status_code == 204
        assert httpx.get(second.url + "/api/v1/me", headers=auth).status_code == 401
        assert httpx.get(first.url + "/api/v1/me", headers=auth).status_code == 200  # remembered
        ticks[0] += 0.75
        assert httpx.get(first.url + "/api/v1/me", headers=auth).status_code == 200  # still
        ticks[0] += 0.25  # the cache time (1 s) has passed
        assert httpx.get(first.url + "/api/v1/me", headers=auth).status_code == 401
        ticks[0] += 60
        assert httpx.get(first.url + "/api/v1/me", headers=auth).status_code == 401
