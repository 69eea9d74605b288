"""Pin latency across servers (issue 6): two `sunlit serve` processes share a live room through
Redis; the official pins a product through server 1's API and a viewer connected to server 2
sees it. Prints how long that takes from the request (p50/p90/max over N pins and take-downs),
the figure tests/test_live_redis.py checks only as behaviour (the pin arrives, the same product).
Each pin is followed by a take-down, so that every request changes what the room shows.

    .venv/bin/python bench/live_pin.py                  # 20 pins, Redis DB 11
    .venv/bin/python bench/live_pin.py --pins 50 --redis-db 9

The demo region is loaded (`sunlit demo`); the plan is filed, approved and taken live through
the stream gate's callback, as nginx-rtmp would. Loopback only; every wait is bounded."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parent.parent
SUNLIT = str(ROOT / ".venv" / "bin" / "sunlit")
SECRET = "bench-secret-key-that-is-long-enough-0123456789"  # noqa: S105 - the bench's own
CALLBACK = "bench-callback-secret-that-is-long-enough-01"
PASSWORD = "sunlit-demo-2026"  # noqa: S105 - the demo accounts' development password
HOST = "127.0.0.1"


def make_env(url: str, port: int, live_port: int, redis: str, workdir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "SUNLIT_DATABASE_URL": url,
        "SUNLIT_REDIS_URL": redis,
        "SUNLIT_PORT": str(port),
        "SUNLIT_LIVE_PORT": str(live_port),
        "SUNLIT_SECRET_KEY": SECRET,
        "SUNLIT_STREAM_CALLBACK_SECRET": CALLBACK,
        "SUNLIT_FILING_MIN_HOURS_AHEAD": "0",
        "SUNLIT_FILING_MAX_SESSIONS_PER_MONTH": "100",
        "SUNLIT_ARGON2_TIME_COST": "1",
        "SUNLIT_ARGON2_MEMORY_KIB": "1024",
        "SUNLIT_LOG_LEVEL": "WARNING",
        "SUNLIT_BACKGROUND_JOBS": "false",
        "SUNLIT_FILES_DIR": str(workdir / "files"),
    }


def wait_up(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("a server exited (its log is in the working folder)")
        try:
            if httpx.get(f"http://{HOST}:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("a server did not start")


def api(base: str, username: str) -> httpx.Client:
    c = httpx.Client(base_url=base, timeout=10)
    issued = c.post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
    issued.raise_for_status()
    c.headers["Authorization"] = f"Bearer {issued.json()['token']}"
    return c


def go_live(base: str) -> tuple[str, list[str], httpx.Client]:
    """A plan of official.dangshan for its pears, approved and live through the gate."""
    official, supervisor = api(base, "official.dangshan"), api(base, "supervisor1")
    products = [p["id"] for p in official.get("/api/v1/products", params={"q": "砀山"}).json()]
    now = datetime.now(UTC)
    body = {
        "title": "砀山酥梨 pin bench",
        "starts_at": (now + timedelta(minutes=2)).isoformat(),
        "ends_at": (now + timedelta(minutes=62)).isoformat(),
        "products": products[:1],
        "partners": [{"name": "砀山县电商协会", "kind": "cooperative"}],
        "declares_no_payment": True,
    }
    made = official.post("/api/v1/plans", json=body)
    if made.status_code != 201:
        raise RuntimeError(f"filing refused: {made.text}")
    plan = made.json()["id"]
    official.post(f"/api/v1/plans/{plan}/submit").raise_for_status()
    supervisor.post(f"/api/v1/plans/{plan}/approve", json={"reason": "bench"}).raise_for_status()
    key = official.get(f"/api/v1/plans/{plan}").json()["stream_key"]
    name, _, secret = key.partition("?key=")
    gate = httpx.post(
        f"{base}/stream/on_publish?cb={CALLBACK}", data={"name": name, "key": secret}, timeout=10
    )
    if gate.status_code != 200:
        raise RuntimeError(f"the stream gate refused: {gate.text}")
    supervisor.close()
    return plan, products[:1], official


def pinned(frame: Any) -> tuple[bool, str | None]:
    """Whether a frame carries a state, and the product it shows pinned."""
    found, product = False, None
    for message in json.loads(frame):
        if message.get("t") == "state" and "product" in message:
            found = True
            product = (message["product"] or {}).get("id")
    return found, product


def measure(second: str, live_port: int, plan: str, products: list[str],
            official: httpx.Client, pins: int) -> list[float]:  # fmt: skip
    # A visitor's one-use ticket from server 2's own room endpoint, as the room page gets it.
    ticket = httpx.get(f"{second}/live/{plan}/ticket", timeout=10)
    ticket.raise_for_status()
    url = f"ws://{HOST}:{live_port}/live/{plan}?ticket={ticket.json()['ticket']}"
    delays = []
    with connect(url, open_timeout=10) as viewer:
        viewer.recv(timeout=10)  # hello
        for n in range(pins):
            want = products[0] if n % 2 == 0 else None  # pinned, then taken down
            started = time.perf_counter()
            answer = official.put(f"/api/v1/live/{plan}/pin", json={"product_id": want})
            answer.raise_for_status()
            deadline = time.monotonic() + 10
            while True:
                found, product = pinned(viewer.recv(timeout=max(0.01, deadline - time.monotonic())))
                if found and product == want:
                    delays.append(time.perf_counter() - started)
                    break
    return delays


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pins", type=int, default=20)
    parser.add_argument("--port", type=int, default=8850, help="first HTTP port")
    parser.add_argument("--redis-db", type=int, default=11)
    args = parser.parse_args()
    if not 1 <= args.pins <= 1000:
        parser.error("1 to 1,000 pins")
    workdir = Path(tempfile.mkdtemp(prefix="sunlit-pin-"))
    url = f"sqlite+aiosqlite:///{workdir / 'pin.db'}"
    redis = f"redis://{HOST}:6379/{args.redis_db}"
    servers: list[subprocess.Popen[bytes]] = []
    try:
        env = make_env(url, args.port, args.port + 100, redis, workdir)
        for command in (["migrate"], ["demo"]):
            subprocess.run([SUNLIT, *command], env=env, check=True, stdout=subprocess.DEVNULL)
        for i in range(2):
            env = make_env(url, args.port + i, args.port + 100 + i, redis, workdir)
            log = (workdir / f"server{i + 1}.log").open("wb")
            servers.append(subprocess.Popen([SUNLIT, "serve"], env=env, stdout=log, stderr=log))
        for i, proc in enumerate(servers):
            wait_up(args.port + i, proc)
        first = f"http://{HOST}:{args.port}"
        plan, products, official = go_live(first)
        second = f"http://{HOST}:{args.port + 1}"
        delays = sorted(measure(second, args.port + 101, plan, products, official, args.pins))
    finally:
        for proc in servers:
            proc.send_signal(signal.SIGINT)
        for proc in servers:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    shutil.rmtree(workdir, ignore_errors=True)
    ms = [1000 * d for d in delays]
    print("# pin through server 1's API → state on a viewer of server 2 (via Redis), SQLite")
    print(f"{'pins':<28} {len(ms)}")
    print(
        f"{'pin → other server':<28} p50 {ms[len(ms) // 2]:.0f} ms  "
        f"p90 {ms[int(len(ms) * 0.9)]:.0f} ms  max {ms[-1]:.0f} ms"
    )
    print(f"{'goal max < 2,500 ms':<28} {'MET' if ms[-1] < 2500 else 'MISSED'}")


if __name__ == "__main__":
    main()
