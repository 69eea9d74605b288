"""A month of open data at the size issue 22 names: --sessions ended sessions (1,000) with
--orders paid orders among them (3,000,000), written straight into the tables and the event
log (each order placed and paid, as the order flow records it); then

- the publisher reads the whole event log and publishes each session's disclosure and its
  figures (what sold, counted from the orders' events), timed;
- the month's records are exported as the daily bulk files (JSON Lines and CSV, gzip), timed,
  with the peak of Python's allocations while exporting (tracemalloc) and the process's peak
  resident set before and after: the export streams from the database in batches, so its
  memory does not grow with the month.

    .venv/bin/python bench/open_export.py
    .venv/bin/python bench/open_export.py --backend postgres --sessions 1000 --orders 3000000

On a fresh database with the demo region. The figures are this machine's alone."""

from __future__ import annotations

import argparse
import asyncio
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from flash_sale import PG_ADMIN, make_env, sh  # noqa: E402
from region_sales import database_url  # noqa: E402

from sunlit.accounts.tables import AccountRow  # noqa: E402
from sunlit.catalog.tables import ProductRow  # noqa: E402
from sunlit.core.clock import FixedClock  # noqa: E402
from sunlit.core.db import Database  # noqa: E402
from sunlit.core.eventlog.tables import EventRow  # noqa: E402
from sunlit.core.ids import new_id  # noqa: E402
from sunlit.disclosure.opendata.bulk import make_day  # noqa: E402
from sunlit.disclosure.opendata.log import OpenLog, key_file  # noqa: E402
from sunlit.disclosure.opendata.publisher import Publisher  # noqa: E402
from sunlit.filing.tables import PlanProductRow, SessionPlanRow  # noqa: E402
from sunlit.orders.tables import OrderRow  # noqa: E402
from sunlit.settings import Settings  # noqa: E402

SUNLIT = str(ROOT / ".venv" / "bin" / "sunlit")
MONTH = datetime(2026, 11, 1, tzinfo=UTC)
BATCH = 20_000


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def seed(settings: Settings, sessions: int, orders: int) -> None:
    """The sessions, spread over the month, each with its share of the orders."""
    rng = random.Random(22)
    database = Database(settings)
    try:
        async with database.transaction() as db:
            product = await db.scalar(select(ProductRow).where(ProductRow.name_zh == "砀山酥梨"))
            host = await db.scalar(
                select(AccountRow).where(AccountRow.username == "official.dangshan")
            )
            boss = await db.scalar(select(AccountRow).where(AccountRow.username == "supervisor1"))
            buyer = await db.scalar(select(AccountRow).where(AccountRow.username == "buyer1"))
            assert product and host and boss and buyer
        per = orders // sessions
        events: list[dict[str, object]] = []
        rows: list[dict[str, object]] = []

        async def flush(force: bool = False) -> None:
            nonlocal events, rows
            if force or len(events) >= BATCH:
                async with database.transaction() as db:
                    # Core inserts: the ORM's bulk insert would split rows that alternate
                    # between an actor and none into one statement each.
                    if rows:
                        await db.execute(insert(OrderRow.__table__), rows)
                    if events:
                        await db.execute(insert(EventRow.__table__), events)
                events, rows = [], []

        def event(
            kind: str, at: datetime, session: str, data: dict[str, object], actor: str | None = None
        ) -> None:
            events.append(
                {
                    "id": new_id("e"),
                    "type": kind,
                    "ts": at,
                    "session": session,
                    "actor": actor,
                    "data": data,
                }
            )

        for n in range(sessions):
            begins = MONTH + timedelta(minutes=n * 30 * 24 * 60 // sessions)
            plan = new_id("s")
            async with database.transaction() as db:
                db.add(SessionPlanRow(
                    id=plan, official_id=host.id, host_kind="official", title=f"助农直播 {n + 1}",
                    starts_at=begins, ends_at=begins + timedelta(hours=2), purpose="regional_brand",
                    promotions="", status="ended", findings=[], decided_by=boss.id,
                    decided_at=begins - timedelta(days=3), created_at=begins - timedelta(days=4),
                    updated_at=begins,
                ))  # fmt: skip
                await db.flush()
                db.add(PlanProductRow(plan_id=plan, product_id=product.id, position=0))
            event("session.started", begins, plan, {})
            count = per + (orders - per * sessions if n == sessions - 1 else 0)
            for k in range(count):
                order = new_id("o")
                at = begins + timedelta(seconds=rng.randrange(7200))
                qty = rng.randint(1, 5)
                amount = qty * product.price
                event(
                    "order.placed",
                    at,
                    plan,
                    {
                        "order": order,
                        "product": product.id,
                        "qty": qty,
                        "unit_price": product.price,
                        "amount": amount,
                    },
                    buyer.id,
                )
                event("order.paid", at + timedelta(seconds=30), plan, {"order": order})
                rows.append({
                    "id": order, "buyer_id": buyer.id, "product_id": product.id,
                    "producer_id": product.producer_id, "session_id": plan, "qty": qty,
                    "unit_price": product.price, "shipping_fee": 0, "amount": amount,
                    "state": "paid", "payment_method": "wallet", "address_region": "110105",
                    "address_detail": "seeded", "recipient": "seeded", "phone": "13800000000",
                    "idempotency_key": f"bench-{n}-{k}", "request_digest": "0" * 64,
                    "refunded": 0, "placed_at": at, "expires_at": at + timedelta(minutes=15),
                    "paid_at": at + timedelta(seconds=30),
                })  # fmt: skip
                await flush()
            event("session.ended", begins + timedelta(hours=2), plan, {})
            if n % 100 == 99:
                print(f"  seeded {n + 1} sessions", file=sys.stderr)
        await flush(force=True)
    finally:
        await database.dispose()


async def publish(settings: Settings, now: datetime) -> int:
    database = Database(settings)
    try:
        publisher = Publisher(database, OpenLog(key_file(settings)), FixedClock(now), batch=BATCH)
        return await publisher.catch_up()
    finally:
        await database.dispose()


async def export(settings: Settings, now: datetime, folder: Path) -> int:
    database = Database(settings)
    try:
        async with database.transaction() as db:
            return await make_day(db, now.date(), folder, now=now)
    finally:
        await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--sessions", type=int, default=1_000)
    parser.add_argument("--orders", type=int, default=3_000_000)
    args = parser.parse_args()
    now = MONTH + timedelta(days=31)
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        env = make_env(database_url(args.backend, workdir), 8999, workdir)
        try:
            sh([SUNLIT, "migrate"], env)
            sh([SUNLIT, "demo"], env)
            settings = Settings(
                database_url=env["SUNLIT_DATABASE_URL"], files_dir=workdir / "files"
            )
            began = time.perf_counter()
            asyncio.run(seed(settings, args.sessions, args.orders))
            seeding = time.perf_counter() - began
            began = time.perf_counter()
            records = asyncio.run(publish(settings, now))
            publishing = time.perf_counter() - began
            before = rss_mib()
            tracemalloc.start()
            began = time.perf_counter()
            exported = asyncio.run(export(settings, now, workdir / "out"))
            exporting = time.perf_counter() - began
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            after = rss_mib()
            files = sorted((workdir / "out").glob("*.gz"))
            sizes = ", ".join(f"{f.name} {f.stat().st_size / 2**20:.1f} MiB" for f in files)
        finally:
            if args.backend == "postgres":
                name = env["SUNLIT_DATABASE_URL"].rsplit("/", 1)[1]
                subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE {name}"], check=False)
    machine = platform.processor() or platform.machine()
    print(f"# Open data export, {args.backend}: {machine}, Python {platform.python_version()}")
    print(f"seeded {args.sessions:,} sessions and {args.orders:,} paid orders "
          f"({2 * args.orders + 2 * args.sessions:,} events) in {seeding:.0f} s")  # fmt: skip
    print(f"publisher: {records:,} records from the whole event log in {publishing:.1f} s")
    print(f"export of the month's {exported:,} records as JSONL and CSV gzip: {exporting:.2f} s; "
          f"{sizes}")  # fmt: skip
    print(f"memory while exporting: Python allocations peaked at {peak / 2**20:.1f} MiB; "
          f"process peak RSS {before:.0f} MiB before, {after:.0f} MiB after")  # fmt: skip


if __name__ == "__main__":
    main()
