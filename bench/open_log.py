"""The public log at the size issue 22 names: append --records records (1,000,000 by default)
through ``OpenLog.append`` into a fresh database, in batches of --batch with a signed head
after each, as the publisher does; then serve --proofs inclusion proofs and as many
consistency proofs over HTTP from `sunlit serve` (one granian worker), each verified with the
RFC 9162 verifiers; and, with --verify, run `sunlit verify` over the whole log.

    .venv/bin/python bench/open_log.py
    .venv/bin/python bench/open_log.py --backend postgres --records 1000000

Prints the append rate, the database's growth, the server's first proof (it reads every leaf
hash once into its tree) and the median and p95 of the rest. Loopback only; each loop is
bounded by its count and --budget seconds. The figures are this machine's alone."""

from __future__ import annotations

import argparse
import asyncio
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from flash_sale import make_env, sh  # noqa: E402
from http_share import free_port, start, stop, wait_up  # noqa: E402
from region_sales import database_url  # noqa: E402

from sunlit.core import merkle  # noqa: E402
from sunlit.core.db import Database  # noqa: E402
from sunlit.disclosure.opendata.bulk import make_day  # noqa: E402
from sunlit.disclosure.opendata.log import OpenLog, key_file  # noqa: E402
from sunlit.disclosure.opendata.model import Change  # noqa: E402
from sunlit.settings import Settings  # noqa: E402

SUNLIT = str(ROOT / ".venv" / "bin" / "sunlit")
API = "/api/open/v1"


def change(n: int) -> Change:
    """A product-sized record: a price that moves, so each is a new revision of one of 50,000
    products."""
    key = f"g-bench{n % 50_000:07d}"
    body = {
        "id": key,
        "name_zh": "砀山酥梨",
        "name_en": "Dangshan crisp pears",
        "kind": "crisp_pear",
        "category": "fruit",
        "origin_region": "341321",
        "unit": "jin",
        "box_grams": None,
        "price": 300 + n,
        "on_sale": True,
        "producer": "p-bench",
        "producer_kind": "cooperative",
        "band_low": 300,
        "band_high": 500,
        "documents": [],
    }
    return Change("product", key, body, "product.price_changed")


async def append(settings: Settings, records: int, batch: int, budget: float) -> tuple[int, float]:
    database = Database(settings)
    log = OpenLog(key_file(settings))
    began, done = time.perf_counter(), 0
    now = datetime(2026, 11, 1, tzinfo=UTC)
    try:
        while done < records and time.perf_counter() - began < budget:
            size = min(batch, records - done)
            async with database.transaction() as db:
                made = await log.append(db, (change(done + i) for i in range(size)), now=now)
            assert len(made) == size
            done += size
            now += timedelta(seconds=30)
            if done % (batch * 10) == 0:
                rate = done / (time.perf_counter() - began)
                print(f"  {done:,} records, {rate:,.0f}/s", file=sys.stderr)
    finally:
        await database.dispose()
    return done, time.perf_counter() - began


def proofs(
    base: str, size: int, count: int, budget: float
) -> tuple[float, list[float], list[float]]:
    """The first inclusion proof's time, then each inclusion and consistency proof's, in ms;
    each one verified."""
    rng = random.Random(22)
    with httpx.Client(base_url=base, timeout=120) as c:
        head = c.get(f"{API}/log/head").json()
        root = bytes.fromhex(head["root_hash"])
        assert head["tree_size"] == size, head

        def leaf_of(seq: int) -> bytes:
            page = c.get(f"{API}/changes", params={"since": seq, "limit": 1}).json()
            record = page["records"][0]
            return merkle.leaf_hash(orjson.dumps(record, option=orjson.OPT_SORT_KEYS))

        began = time.perf_counter()
        first = c.get(f"{API}/log/inclusion", params={"seq": 0})
        cold = 1000 * (time.perf_counter() - began)
        assert first.status_code == 200, first.text
        inclusion, consistency = [], []
        deadline = time.monotonic() + budget
        for _ in range(count):
            if time.monotonic() > deadline:
                break
            seq = rng.randrange(size)
            began = time.perf_counter()
            answer = c.get(f"{API}/log/inclusion", params={"seq": seq}).json()
            inclusion.append(1000 * (time.perf_counter() - began))
            path = [bytes.fromhex(p) for p in answer["audit_path"]]
            assert merkle.verify_inclusion(leaf_of(seq), seq, size, path, root)
        heads = [size - k * 10_000 for k in range(1, 101) if size - k * 10_000 > 0] or [size]
        for _ in range(count):
            if time.monotonic() > deadline:
                break
            older = rng.choice(heads)
            old_root = c.get(f"{API}/log/inclusion", params={"seq": 0, "tree_size": older}).json()[
                "root_hash"
            ]
            began = time.perf_counter()
            answer = c.get(f"{API}/log/consistency", params={"first": older}).json()
            consistency.append(1000 * (time.perf_counter() - began))
            path = [bytes.fromhex(p) for p in answer["proof"]]
            assert merkle.verify_consistency(older, size, bytes.fromhex(old_root), root, path)
    return cold, inclusion, consistency


async def export(settings: Settings, folder: Path, *, traced: bool) -> tuple[int, float, float]:
    """The day's bulk files of everything appended (one day here): records, seconds, and the
    peak of Python's allocations while exporting when ``traced``."""
    database = Database(settings)
    day = datetime(2026, 11, 1, tzinfo=UTC)
    try:
        if traced:
            tracemalloc.start()
        began = time.perf_counter()
        async with database.transaction() as db:
            count = await make_day(db, day.date(), folder, now=day + timedelta(days=1))
        took = time.perf_counter() - began
        peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else 0.0
    finally:
        if traced:
            tracemalloc.stop()
        await database.dispose()
    return count, took, peak


def spread(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return f"median {statistics.median(ordered):.2f} ms, p95 {p95:.2f} ms over {len(ordered)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--proofs", type=int, default=1_000)
    parser.add_argument("--budget", type=float, default=1800.0)
    parser.add_argument("--verify", action="store_true", help="also run sunlit verify on it all")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        port = free_port()
        env = make_env(database_url(args.backend, workdir), port, workdir)
        sh([SUNLIT, "migrate"], env)
        settings = Settings(database_url=env["SUNLIT_DATABASE_URL"], files_dir=workdir / "files")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        done, seconds = asyncio.run(append(settings, args.records, args.batch, args.budget))
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - rss
        exported, exporting, _ = asyncio.run(export(settings, workdir / "out", traced=False))
        _, _, peak = asyncio.run(export(settings, workdir / "traced", traced=True))
        files = ", ".join(
            f"{f.name} {f.stat().st_size / 2**20:.0f} MiB"
            for f in sorted((workdir / "out").glob("*.gz"))
        )
        size_mib = (workdir / "sunlit.db").stat().st_size / 2**20 if args.backend == "sqlite" else 0
        log = workdir / "serve.log"
        server = start([SUNLIT, "serve"], env, log)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_up(base, server, log)
            cold, inclusion, consistency = proofs(base, done, args.proofs, args.budget)
            verified = ""
            if args.verify:
                began = time.perf_counter()
                run = subprocess.run(
                    [SUNLIT, "verify", "--server", base],
                    capture_output=True,
                    text=True,
                    check=False,
                    timeout=args.budget,
                )
                took = time.perf_counter() - began
                verified = (
                    f"sunlit verify over {done:,} records: exit {run.returncode}, {took:.1f} s"
                )
        finally:
            stop(server)
            if args.backend == "postgres":
                name = env["SUNLIT_DATABASE_URL"].rsplit("/", 1)[1]
                subprocess.run(
                    ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE {name}"],
                    check=False,
                )
    machine = platform.processor() or platform.machine()
    print(f"# Public log, {args.backend}: {machine}, Python {platform.python_version()}")
    rate = done / seconds
    print(f"appended {done:,} records in batches of {args.batch:,} (a signed head each) in "
          f"{seconds:.1f} s: {rate:,.0f} records/s; peak RSS grew {grown:.0f} MiB")  # fmt: skip
    print(f"exported the day's {exported:,} records as JSONL and CSV gzip in {exporting:.1f} s "
          f"({files}); Python allocations peaked at {peak:.1f} MiB while exporting")  # fmt: skip
    if size_mib:
        print(f"database file {size_mib:,.0f} MiB ({size_mib * 2**20 / done:.0f} bytes a record)")
    print(f"first proof from a fresh server (reads {done:,} leaf hashes): {cold:.0f} ms")
    print(f"inclusion proofs over HTTP: {spread(inclusion)}")
    print(f"consistency proofs over HTTP: {spread(consistency)}")
    if verified:
        print(verified)


if __name__ == "__main__":
    main()
