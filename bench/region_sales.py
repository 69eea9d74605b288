"""County dashboard benchmark (issue 21, item 5): a month of a county with --orders paid orders
(100,000 by default) in and around --sessions sessions, then

- the summary computed in-process (disclosure.region.region_sales: seven statements, the
  orders summed by hour, session and product in SQL), median of --rounds runs;
- the public page /regions/341321 over HTTP from `sunlit serve` (one granian worker, the page
  cache on): the first request, which computes it, and the median and p95 of --requests
  requests after it, served from the page cache;
- the county's monthly report as PDF for the last complete month, the same way: --rounds
  requests that each compute and print it (a query the route ignores makes each one new to the
  cache; zh and en in turn), then --requests from the page cache.

    .venv/bin/python bench/region_sales.py
    .venv/bin/python bench/region_sales.py --backend postgres --orders 100000

On a fresh database (the demo region, then the seeded orders: tests/sales_seed.py). Loopback
only; the request loop is bounded by --requests and a timeout. The figures are this machine's
alone: there is no outside baseline for a county page."""

from __future__ import annotations

import argparse
import asyncio
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from flash_sale import PG_ADMIN, make_env, sh  # noqa: E402
from http_share import free_port, start, stop, wait_up  # noqa: E402
from tests.sales_seed import Seeded, seed_month  # noqa: E402

from sunlit.core.db import Database  # noqa: E402
from sunlit.disclosure.monthly import report_months  # noqa: E402
from sunlit.disclosure.region import region_sales  # noqa: E402
from sunlit.settings import Settings  # noqa: E402

SUNLIT = str(ROOT / ".venv" / "bin" / "sunlit")
COUNTY = "341321"


async def seed(settings: Settings, orders: int, sessions: int) -> Seeded:
    database = Database(settings)
    try:
        async with database.transaction() as db:
            return await seed_month(
                db,
                product_name="砀山酥梨",
                host="official.dangshan",
                buyer="buyer1",
                start=datetime.now(UTC) - timedelta(days=31),
                orders=orders,
                sessions=sessions,
            )
    finally:
        await database.dispose()


async def compute(settings: Settings, rounds: int) -> tuple[list[float], int]:
    """The summary's time in ms, each round on a fresh session; and what it totals (fen)."""
    database = Database(settings)
    times, total = [], 0
    try:
        for _ in range(rounds):
            async with database.sessions() as db:
                began = time.perf_counter()
                summary = await region_sales(
                    db, COUNTY, now=datetime.now(UTC), zone=ZoneInfo(settings.timezone)
                )
                times.append(1000 * (time.perf_counter() - began))
                total = summary.total
    finally:
        await database.dispose()
    return times, total


def pages(base: str, requests: int) -> tuple[float, list[float]]:
    """The first request's time and the next ones', in ms."""
    url = f"{base}/regions/{COUNTY}"
    with httpx.Client(timeout=30) as c:
        began = time.perf_counter()
        first = c.get(url)
        cold = 1000 * (time.perf_counter() - began)
        assert first.status_code == 200, first.text[:300]
        warm = []
        deadline = time.monotonic() + 120
        for _ in range(requests):
            if time.monotonic() > deadline:
                break
            began = time.perf_counter()
            answer = c.get(url)
            warm.append(1000 * (time.perf_counter() - began))
            assert answer.status_code == 200
    return cold, warm


def reports(base: str, rounds: int, requests: int) -> tuple[list[float], list[float], int]:
    """The monthly report's times in ms: printed afresh each round, then from the cache; and
    the size of the PDF in bytes."""
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    url = f"{base}/regions/{COUNTY}/report-{report_months(today)[0].key}.pdf"
    cold, warm, size = [], [], 0
    with httpx.Client(timeout=60) as c:
        for n in range(rounds):
            c.cookies.set("sunlit_lang", ("zh", "en")[n % 2])
            began = time.perf_counter()
            answer = c.get(url, params={"round": n})
            cold.append(1000 * (time.perf_counter() - began))
            assert answer.headers["content-type"] == "application/pdf", answer.text[:300]
            size = len(answer.content)
        for _ in range(requests):
            began = time.perf_counter()
            assert c.get(url).status_code == 200
            warm.append(1000 * (time.perf_counter() - began))
    return cold, warm, size


def database_url(backend: str, workdir: Path) -> str:
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{workdir / 'sunlit.db'}"
    name = f"sunlit_region_bench_{int(time.time())}"
    subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {name}"], check=True)
    return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--sessions", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        port = free_port()
        env = make_env(database_url(args.backend, workdir), port, workdir)
        env["SUNLIT_PAGE_CACHE_SECONDS"] = "60"
        sh([SUNLIT, "migrate"], env)
        sh([SUNLIT, "demo"], env)
        settings = Settings(database_url=env["SUNLIT_DATABASE_URL"])
        began = time.perf_counter()
        seeded = asyncio.run(seed(settings, args.orders, args.sessions))
        seeding = time.perf_counter() - began
        times, total = asyncio.run(compute(settings, args.rounds))
        log = workdir / "serve.log"
        server = start([SUNLIT, "serve"], env, log)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_up(base, server, log)
            cold, warm = pages(base, args.requests)
            printing, kept, size = reports(base, args.rounds, args.requests)
        finally:
            stop(server)
            if args.backend == "postgres":  # the database was made for this run alone
                name = env["SUNLIT_DATABASE_URL"].rsplit("/", 1)[1]
                subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE {name}"], check=False)
    warm.sort()
    print(f"# County dashboard, {args.backend}: {platform.processor() or platform.machine()}")
    print(f"seeded {seeded.orders:,} orders in {len(seeded.sessions)} sessions in {seeding:.1f} s")
    print(f"the county's 90 days total {total / 100:,.2f} yuan (seeded {seeded.amount / 100:,.2f})")
    print(f"summary computed in-process: median {statistics.median(times):.1f} ms "
          f"(min {min(times):.1f}, max {max(times):.1f}) over {len(times)} rounds")  # fmt: skip
    print(f"page, first request (computes it): {cold:.1f} ms")
    print(f"page from the cache: median {statistics.median(warm):.2f} ms, "
          f"p95 {warm[int(0.95 * (len(warm) - 1))]:.2f} ms over {len(warm)} requests")  # fmt: skip
    kept.sort()
    print(f"monthly PDF, computed and printed: median {statistics.median(printing):.0f} ms "
          f"(min {min(printing):.0f}, max {max(printing):.0f}) over {len(printing)} requests, "
          f"{size / 1024:.0f} KiB")  # fmt: skip
    print(f"monthly PDF from the cache: median {statistics.median(kept):.2f} ms, "
          f"p95 {kept[int(0.95 * (len(kept) - 1))]:.2f} ms over {len(kept)} requests")  # fmt: skip


if __name__ == "__main__":
    main()
