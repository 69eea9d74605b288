"""Flash sale benchmark (issue 5): N buy attempts from M distinct signed-in buyers on one
product with stock S, over HTTP, against `sunlit serve` (one granian worker; --workers N) on a fresh
database. Prints accepted orders/s and latency percentiles beside the same server's bare
/healthz throughput measured in the same run, then checks the database: exactly S orders,
stock 0, every acknowledged order present, the ledger balanced. (Nothing is paid during the
sale, so the ledger check is only that the sale left it balanced; payments are exercised by the
tests, tests/test_ledger.py's property test above all.)

    .venv/bin/python bench/flash_sale.py --backend sqlite
    .venv/bin/python bench/flash_sale.py --backend postgres

Loopback only; every loop is bounded by the request count and a timeout."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import orjson
import uvloop
from sqlalchemy import func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from http_share import bare_command, free_port, run_wrk, start, stop
from loadgen import Result, request_bytes, run

from sunlit.accounts.model import token_digest
from sunlit.accounts.tables import AccountRow, ApiTokenRow
from sunlit.catalog.tables import ProductRow
from sunlit.core.db import Database
from sunlit.core.ids import new_id
from sunlit.orders.tables import OrderRow
from sunlit.payments.store import trial_balance
from sunlit.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SUNLIT = str(ROOT / ".venv" / "bin" / "sunlit")
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def sh(args: list[str], env: dict[str, str]) -> None:
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL)


def make_env(
    database_url: str, port: int, workdir: Path, workers: int = 1, redis: str | None = None
) -> dict[str, str]:
    extra = {"SUNLIT_WORKERS": str(workers), "SUNLIT_LIVE_PORT": "0"}
    if redis:
        extra["SUNLIT_REDIS_URL"] = redis
    return extra | {
        **os.environ,
        "SUNLIT_DATABASE_URL": database_url,
        "SUNLIT_PORT": str(port),
        "SUNLIT_SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
        "SUNLIT_LOG_LEVEL": "WARNING",
        "SUNLIT_BACKGROUND_JOBS": "false",
        "SUNLIT_ARGON2_TIME_COST": "1",
        "SUNLIT_ARGON2_MEMORY_KIB": "1024",
        "SUNLIT_FILES_DIR": str(workdir / "files"),
    }


async def prepare(settings: Settings, buyers: int, stock: int, limit: int) -> tuple[str, list[str]]:
    """Buyers with API tokens, and the Dangshan pears with the flash-sale stock."""
    database = Database(settings)
    now = datetime.now(UTC)
    tokens = []
    async with database.transaction() as db:
        for n in range(buyers):
            account = new_id("a")
            token = "sl_" + secrets.token_urlsafe(24)
            db.add(
                AccountRow(
                    id=account,
                    username=f"flash{n:05d}",
                    display_name=f"Flash buyer {n}",
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
                    name="bench",
                    created_at=now,
                    last_used_at=now,
                )
            )
            tokens.append(token)
        product = await db.scalar(select(ProductRow).where(ProductRow.name_zh == "砀山酥梨"))
        assert product is not None
        product.stock = stock
        product.per_buyer_limit = limit
        product.on_sale = True
    await database.dispose()
    return product.id, tokens


async def orders_of(settings: Settings, product_id: str) -> set[str]:
    """The product's orders (the demo's own come before the sale and are not counted)."""
    database = Database(settings)
    async with database.sessions() as db:
        query = select(OrderRow.id).where(OrderRow.product_id == product_id)
        found = set((await db.scalars(query)).all())
    await database.dispose()
    return found


async def verify(
    settings: Settings, product_id: str, acknowledged: set[str], before: set[str], limit: int
) -> dict[str, object]:
    orders = await orders_of(settings, product_id) - before
    database = Database(settings)
    async with database.transaction() as db:
        stock = await db.scalar(select(ProductRow.stock).where(ProductRow.id == product_id))
        over_limit = await db.scalar(
            select(func.count()).select_from(
                select(OrderRow.buyer_id)
                .where(OrderRow.product_id == product_id, OrderRow.id.not_in(before))
                .group_by(OrderRow.buyer_id)
                .having(func.sum(OrderRow.qty) > limit)
                .subquery()
            )
        )
        trial = await trial_balance(db)
        await db.execute(text("SELECT 1"))
    await database.dispose()
    return {
        "orders": len(orders),
        "stock": stock,
        "acknowledged_missing": len(acknowledged - orders),
        "stored_not_acknowledged": len(orders - acknowledged),
        "over_limit_buyers": over_limit,
        "ledger_balanced": trial.balanced,
    }


def wait_up(port: int, proc: subprocess.Popen[bytes]) -> None:
    import httpx

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the server exited")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def figures(name: str, result: Result, ok: int) -> str:
    return (
        f"{name:<22} {len(result.statuses):>6} requests in {result.seconds:6.2f} s  "
        f"{len(result.statuses) / result.seconds:8.0f} req/s  ok={ok:<6} "
        f"p50={result.percentile(0.5) * 1000:6.1f} ms  p99={result.percentile(0.99) * 1000:6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--attempts", type=int, default=20_000)
    parser.add_argument("--buyers", type=int, default=2_000)
    parser.add_argument("--stock", type=int, default=5_000)
    parser.add_argument("--limit", type=int, default=10, help="units per buyer (the default limit)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--health", type=int, default=20_000, help="/healthz requests")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--pattern",
        choices=["burst", "spread"],
        default="burst",
        help="burst: each buyer's attempts come back to back (people pressing buy again and "
        "again); spread: buyers take turns, a buyer's next attempt 2,000 requests later",
    )
    parser.add_argument("--profile", help="record the server with py-spy into this file")
    parser.add_argument("--workers", type=int, default=1, help="SUNLIT_WORKERS")
    parser.add_argument("--redis", help="SUNLIT_REDIS_URL (needed with several workers)")
    parser.add_argument("--bare-seconds", type=int, default=10, help="wrk on the bare endpoint")
    args = parser.parse_args()
    if args.attempts > 200_000 or args.connections > 1024:
        parser.error("bounded: at most 200,000 attempts over 1,024 connections")

    workdir = Path(tempfile.mkdtemp(prefix="sunlit-flash-"))
    database_name = None
    if args.backend == "sqlite":
        url = f"sqlite+aiosqlite:///{workdir / 'flash.db'}"
    else:
        database_name = f"sunlit_flash_{secrets.token_hex(4)}"
        subprocess.run(
            ["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {database_name}"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database_name}"
    env = make_env(url, args.port, workdir, args.workers, args.redis)
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    proc = bare = None
    try:
        # The framework's ceiling on this machine, in this run: a bare Starlette endpoint on
        # uvicorn, the fixed ceiling of bench/http_share.py, measured by wrk.
        bare_port = free_port()
        bare = start(bare_command(bare_port), env, workdir / "bare.log")
        wait_up(bare_port, bare)
        bare_rate = run_wrk(f"http://127.0.0.1:{bare_port}/healthz", args.bare_seconds, 16).rps
        stop(bare)
        sh([SUNLIT, "migrate"], env)
        sh([SUNLIT, "demo"], env)
        uvloop.install()
        product, tokens = asyncio.run(prepare(settings, args.buyers, args.stock, args.limit))
        before = asyncio.run(orders_of(settings, product))
        command = [SUNLIT, "serve"]
        if args.profile:
            spy = str(ROOT / ".venv" / "bin" / "py-spy")
            command = [spy, "record", "-r", "200", "-f", "raw", "-o", args.profile, "--", *command]
        # A session of its own: the stop below reaches the server's workers (and py-spy with
        # --profile) by the group, since granian renames its processes.
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, start_new_session=True)
        wait_up(args.port, proc)
        host = f"127.0.0.1:{args.port}"

        health = [request_bytes("GET", "/healthz", host)] * args.health
        warm = asyncio.run(run("127.0.0.1", args.port, health[:2000], connections=args.connections))
        del warm
        ceiling = asyncio.run(run("127.0.0.1", args.port, health, connections=args.connections))

        per_buyer = max(1, args.attempts // len(tokens))

        def buyer_of(n: int) -> int:
            if args.pattern == "burst":
                return (n // per_buyer) % len(tokens)
            return n % len(tokens)

        buys = []
        for n in range(args.attempts):
            body = orjson.dumps(
                {
                    "product_id": product,
                    "qty": 1,
                    "address": {
                        "region": "341321",
                        "detail": f"砀山县梨园路 {n} 号",
                        "recipient": "买家",
                        "phone": "13800000000",
                    },
                }
            )
            headers = {
                "Authorization": f"Bearer {tokens[buyer_of(n)]}",
                "Idempotency-Key": f"flash-{n}",
                "Content-Type": "application/json",
            }
            buys.append(request_bytes("POST", "/api/v1/orders", host, headers, body))
        sale = asyncio.run(
            run("127.0.0.1", args.port, buys, connections=args.connections, keep_bodies=True)
        )
        accepted = [i for i, status in enumerate(sale.statuses) if status == 201]
        acknowledged = {orjson.loads(sale.bodies[i])["id"] for i in accepted}
        refused: dict[int, int] = {}
        for status in sale.statuses:
            if status != 201:
                refused[status] = refused.get(status, 0) + 1
        last = max(sale.finished[i] for i in accepted) if accepted else sale.started
        selling = last - sale.started
        checks = asyncio.run(verify(settings, product, acknowledged, before, args.limit))

        print(
            f"# flash sale on {args.backend}: {platform.node()} {platform.machine()}, "
            f"{os.cpu_count()} cores, Python {platform.python_version()}"
        )
        print(
            f"# {args.attempts} attempts from {args.buyers} buyers, stock {args.stock}, "
            f"limit {args.limit}/buyer, {args.connections} connections, "
            f"{args.workers} granian worker(s){', Redis' if args.redis else ''}"
        )
        print(f"bare Starlette /healthz (wrk -t1 -c16, 1 worker): {bare_rate:.0f} req/s")
        print(figures("GET /healthz", ceiling, ceiling.statuses.count(200)))
        print(figures("POST /api/v1/orders", sale, len(accepted)))
        health_rate = len(ceiling.statuses) / ceiling.seconds
        accepted_rate = len(accepted) / selling if selling > 0 else 0.0
        print(
            f"accepted orders/s while selling: {accepted_rate:.0f} "
            f"({len(accepted)} in {selling:.2f} s) = {accepted_rate / health_rate:.0%} "
            f"of Sunlit's /healthz ({health_rate:.0f} req/s), "
            f"{accepted_rate / bare_rate:.1%} of the bare endpoint's"
        )
        print(
            f"attempts/s overall: {len(sale.statuses) / sale.seconds:.0f} = "
            f"{len(sale.statuses) / sale.seconds / health_rate:.0%} of the ceiling"
        )
        print(f"refused by status: {dict(sorted(refused.items()))}")
        print(f"checks: {checks}")
        ok = (
            len(accepted) == args.stock
            and checks["orders"] == args.stock
            and checks["stock"] == 0
            and checks["acknowledged_missing"] == 0
            and checks["ledger_balanced"]
        )
        print("RESULT:", "PASS" if ok else "FAIL")
        if not ok:
            sys.exit(1)
    finally:
        if bare is not None:
            stop(bare)
        if proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C, as to `sunlit serve` by hand
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        if database_name:
            subprocess.run(
                ["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {database_name} WITH (FORCE)"],
                check=False,
                stdout=subprocess.DEVNULL,
            )


if __name__ == "__main__":
    main()
