"""Live-room fan-out benchmark (issue 6): V WebSocket viewers in one live room, chat at R
messages/s in total from S signed-in senders for D seconds once every viewer has joined,
against one `sunlit serve` process or two sharing the room through Redis. Each chat message
carries its send time (wall clock, same machine); every viewer that receives it adds the delay to
a 1 ms histogram. Prints delivery latency p50/p90/p99/max, deliveries against what was expected
(lost), viewers dropped, the server's memory per viewer, and the CPU of the server(s), the client
processes and Redis over the measured period.

    .venv/bin/python bench/live_fanout.py --quick                      # 1,000 viewers, 10 s
    .venv/bin/python bench/live_fanout.py                              # 10,000 viewers, 60 s
    .venv/bin/python bench/live_fanout.py --processes 2                # 2 x 5,000, via Redis

The viewers are picows clients spread over `--clients` subprocesses (this file, run with
`--client`). Tickets are one-minute and single-use (docs/live.md, "Tickets"), so each viewer gets
its own from the real endpoint, `GET /live/{session}/ticket` on the HTTP port of the server it
then connects to, just before connecting (and a fresh one for each retry), as a room page does
when it reconnects: anonymous with its own viewer cookie, or, for the senders, with the cookie of
a sign-in session opened for its account while the database is prepared. The server signs each
ticket and records it in its ticket book (in memory, or in Redis with two processes), and the
WebSocket redeems it once. Fetching the tickets is part of connecting (the "in N s" figure), not
of the measured period, which starts once every viewer has its hello; at most
`--ticket-concurrency` requests are in flight per client process (the endpoint answers fewer per
second when flooded). Each server answers WARM_UP ticket requests before its memory is first
read; even so, serving the viewers' ticket requests leaves the server a few KiB per viewer larger
than connecting alone did (tickets signed here, before single-use tickets), so the memory per
viewer is not comparable with figures from before 2026-12-05. The session is made live
by writing its plan row directly (status 'live'), not through the stream gate, and the senders'
accounts and sessions are written directly too (no password check, so no sign-in throttle).
Loopback only; every phase is bounded in time and every loop in count."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import platform
import resource
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import Any

import httpx
import orjson
import uvloop
from picows import WSFrame, WSListener, WSMsgType, WSTransport, ws_connect

ROOT = Path(__file__).resolve().parent.parent
SUNLIT = str(ROOT / ".venv" / "bin" / "sunlit")
PY_SPY = str(ROOT / ".venv" / "bin" / "py-spy")
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
SECRET = "bench-secret-key-that-is-long-enough-0123456789"  # noqa: S105 - the bench's own
HOST = "127.0.0.1"
HIST_MS = 10_000  # latency buckets of 1 ms; the last one holds everything slower
TAG = "lf"  # chat text: "lf <message id> <send time, unix seconds>"
CLK_TCK = os.sysconf("SC_CLK_TCK")
WARM_UP = 200  # ticket requests to each server before its memory is read (see warm_up)


# --- the client processes ---------------------------------------------------------------------


@dataclass
class Stats:
    """What one client process saw. Every viewer of a room receives the same frame bytes, so a
    frame is parsed once and the result kept for the viewers that receive it after."""

    hist: list[int] = field(default_factory=lambda: [0] * (HIST_MS + 1))
    messages: dict[str, list[float]] = field(default_factory=dict)  # id → [count, first, last]
    max_latency: float = 0.0
    refused: Counter[str] = field(default_factory=Counter)
    closes: Counter[int] = field(default_factory=Counter)
    joined: int = 0
    disconnected: int = 0
    frames: int = 0
    room_viewers: int | None = None  # the viewer count in the room's last state message
    cache: dict[bytes, tuple[list[tuple[str, float]], bool]] = field(default_factory=dict)

    def parse(self, payload: bytes) -> tuple[list[tuple[str, float]], bool]:
        chats: list[tuple[str, float]] = []
        hello = False
        unique = False
        for message in orjson.loads(payload):
            kind = message.get("t")
            if kind == "chat":
                parts = str(message.get("text", "")).split()
                if len(parts) == 3 and parts[0] == TAG:
                    chats.append((parts[1], float(parts[2])))
            elif kind == "hello":
                hello = unique = True
            elif kind == "error":
                self.refused[str(message.get("code"))] += 1
                unique = True
            elif kind == "state" and message.get("viewers") is not None:
                self.room_viewers = int(message["viewers"])
        parsed = (chats, hello)
        if not unique:  # a frame every viewer gets; a hello or refusal is one viewer's
            self.cache[payload] = parsed
            if len(self.cache) > 64:
                del self.cache[next(iter(self.cache))]
        return parsed

    def take(self, payload: bytes) -> bool:
        """One text frame received now; True if it was the viewer's hello."""
        now = time.time()
        self.frames += 1
        parsed = self.cache.get(payload)
        if parsed is None:
            parsed = self.parse(payload)
        chats, hello = parsed
        for message_id, sent in chats:
            delay = now - sent
            self.hist[min(max(int(delay * 1000), 0), HIST_MS)] += 1
            if delay > self.max_latency:
                self.max_latency = delay
            seen = self.messages.get(message_id)
            if seen is None:
                self.messages[message_id] = [1, delay, delay]
            else:
                seen[0] += 1
                seen[2] = delay  # frames reach this process's viewers in order
        return hello


class Watcher(WSListener):
    def __init__(self, stats: Stats) -> None:
        super().__init__()
        self.stats = stats
        self.transport: WSTransport | None = None
        self.joined = False
        self.alive = False

    def on_ws_connected(self, transport: WSTransport) -> None:
        self.transport = transport
        self.alive = True

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        kind = frame.msg_type
        if kind == WSMsgType.TEXT:
            if self.stats.take(frame.get_payload_as_bytes()) and not self.joined:
                self.joined = True
                self.stats.joined += 1
        elif kind == WSMsgType.CLOSE:
            self.stats.closes[frame.get_close_code()] += 1

    def on_ws_disconnected(self, transport: WSTransport) -> None:
        if self.alive:
            self.alive = False
            self.stats.disconnected += 1

    def send(self, data: bytes) -> bool:
        if self.alive and self.transport is not None:
            self.transport.send(WSMsgType.TEXT, data)
            return True
        return False


def emit(line: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


async def heartbeats(watchers: dict[int, Watcher], every: float, until: float) -> None:
    """Each viewer sends {"t":"hb"} once per ``every`` seconds, spread over the period."""
    slots = max(1, round(every))
    tick = 0
    hb = b'{"t":"hb"}'
    while time.monotonic() < until:
        for index, watcher in watchers.items():
            if index % slots == tick % slots:
                watcher.send(hb)
        tick += 1
        await asyncio.sleep(every / slots)


async def loop_lag(lags: list[float], until: float) -> None:
    """How late this process's event loop runs a 20 ms timer: >0 means it is saturated."""
    while time.monotonic() < until:
        due = time.monotonic() + 0.02
        await asyncio.sleep(0.02)
        lags.append(time.monotonic() - due)


async def fetch_ticket(
    http: httpx.AsyncClient, url: str, cookies: str, account: str | None
) -> str | None:
    """A fresh ticket from the room's ticket endpoint, as a room page gets one when it
    reconnects; None if the server refused or answered for someone else."""
    try:
        response = await http.get(url, headers={"Cookie": cookies})
        body = response.json() if response.status_code == 200 else {}
    except (httpx.HTTPError, ValueError):
        return None
    ticket = body.get("ticket")
    if not isinstance(ticket, str) or body.get("account") != account:
        return None
    return ticket


async def client_main(spec: dict[str, Any]) -> None:
    stats = Stats()
    watchers: dict[int, Watcher] = {}
    ports: list[int] = spec["ports"]
    http_ports: list[int] = spec["http_ports"]
    # viewer → (sender number, account id, sign-in session token)
    senders: dict[int, tuple[int, str, str]] = {
        int(v): (int(s), str(account), str(token))
        for v, (s, account, token) in spec["senders"].items()
    }
    deadline = time.monotonic() + spec["connect_timeout"]
    failed = 0
    no_ticket = 0
    gate = asyncio.Semaphore(spec["concurrency"])
    ticket_gate = asyncio.Semaphore(spec["ticket_concurrency"])
    # One pooled HTTP client; every request carries its viewer's own cookies and none the
    # server sets are kept, so each viewer is a browser of its own.
    http = httpx.AsyncClient(
        cookies=CookieJar(DefaultCookiePolicy(allowed_domains=[])),
        timeout=10,
        limits=httpx.Limits(max_connections=spec["ticket_concurrency"]),
    )

    async def connect(index: int) -> None:
        nonlocal failed, no_ticket
        sender = senders.get(index)
        server = index % len(ports)
        cookies = f"sunlit_viewer=bench-{spec['run']}-{index:07d}; sunlit_lang=zh"
        if sender is not None:
            cookies += f"; sunlit_session={sender[2]}"
        ticket_url = f"http://{HOST}:{http_ports[server]}/live/{spec['session']}/ticket"
        account = None if sender is None else sender[1]
        async with gate:
            for _attempt in range(3):
                if time.monotonic() > deadline:
                    break
                async with ticket_gate:
                    ticket = await fetch_ticket(http, ticket_url, cookies, account)
                if ticket is None:
                    no_ticket += 1
                    await asyncio.sleep(0.5)
                    continue
                url = f"ws://{HOST}:{ports[server]}/live/{spec['session']}?ticket={ticket}"
                try:
                    _, watcher = await ws_connect(
                        lambda: Watcher(stats),
                        url,
                        websocket_handshake_timeout=10,
                        read_buffer_init_size=4096,
                    )
                except Exception:  # refused, reset or timed out: try again, bounded
                    await asyncio.sleep(0.5)
                    continue
                watchers[index] = watcher
                return
        failed += 1

    indices = range(spec["first"], spec["last"])
    hb_task = asyncio.create_task(heartbeats(watchers, spec["heartbeat"], deadline + 900))
    connecting = [asyncio.create_task(connect(i)) for i in indices]
    await asyncio.wait(connecting, timeout=max(1.0, deadline - time.monotonic() + 5))
    for task in connecting:
        task.cancel()
    await http.aclose()
    for _ in range(600):  # every connected viewer has its hello, or 60 s have passed
        if stats.joined >= len(watchers) or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    gc.freeze()  # the viewers live to the end: keep the collector from walking them
    emit(
        {
            "event": "connected",
            "connected": len(watchers),
            "failed": failed,
            "no_ticket": no_ticket,
            "joined": stats.joined,
        }
    )

    command = json.loads(await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline))
    t0, rate, duration = command["t0"], command["rate"], command["duration"]
    count = int(rate * duration)
    total_senders = command["senders"]
    mine = {s: watchers[v] for v, (s, _, _) in senders.items() if v in watchers}
    before = {"disconnected": stats.disconnected, "closes": Counter(stats.closes)}
    stats.refused.clear()
    measuring_until = time.monotonic() + (t0 - time.time()) + duration + command["drain"]
    lags: list[float] = []
    lag_task = asyncio.create_task(loop_lag(lags, measuring_until))
    sent: list[str] = []
    skipped = 0
    cpu0 = time.process_time()
    for k in range(count):  # message k is due at t0 + k / rate, from sender k mod senders
        watcher = mine.get(k % total_senders)
        if watcher is None:
            continue
        delay = t0 + k / rate - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        message_id = f"{spec['client']}.{k}"
        text = f"{TAG} {message_id} {time.time():.6f}"
        if watcher.send(orjson.dumps({"t": "chat", "text": text})):
            sent.append(message_id)
        else:
            skipped += 1
    await asyncio.sleep(max(0.0, measuring_until - time.monotonic()))
    await lag_task
    hb_task.cancel()
    lags.sort()
    emit(
        {
            "event": "result",
            "hist": {str(i): n for i, n in enumerate(stats.hist) if n},
            "max": stats.max_latency,
            "messages": stats.messages,
            "sent": sent,
            "skipped": skipped,
            "refused": dict(stats.refused),
            "viewers": len(watchers),
            "alive": sum(1 for w in watchers.values() if w.alive),
            "disconnected": stats.disconnected - before["disconnected"],
            "closes": {str(k): v for k, v in (stats.closes - before["closes"]).items()},
            "room_viewers": stats.room_viewers,
            "frames": stats.frames,
            "lag_p99": lags[int(0.99 * (len(lags) - 1))] if lags else 0.0,
            "lag_max": lags[-1] if lags else 0.0,
            "cpu": time.process_time() - cpu0,
        }
    )
    os._exit(0)  # the kernel closes the sockets; nothing else to tidy


# --- the orchestrating process ------------------------------------------------------------------


def raise_nofile() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # children inherit it


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def machine() -> str:
    model = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    kib = int(Path("/proc/meminfo").read_text().split()[1])
    return (
        f"{os.cpu_count()} vCPU ({model}), {kib / 1024 / 1024:.0f} GiB, "
        f"Python {platform.python_version()}"
    )


def cores(args: argparse.Namespace) -> tuple[list[set[int]], set[int]]:
    """With --pin: the CPUs of each server process, and those of the client processes (the
    cores no server has, or all of them when the servers take every core)."""
    every = sorted(os.sched_getaffinity(0))
    servers = [{every[i % len(every)]} for i in range(args.processes)]
    rest = set(every) - set().union(*servers)
    return servers, rest or set(every)


def pinning(args: argparse.Namespace) -> str:
    servers, clients = cores(args)
    named = ", ".join(f"server {i + 1} on CPU {min(c)}" for i, c in enumerate(servers))
    return f"pinned: {named}, clients on CPU {','.join(map(str, sorted(clients)))}"


def make_env(args: argparse.Namespace, url: str, port: int, live_port: int, workdir: Path) -> dict:
    env = {
        **os.environ,
        "SUNLIT_DATABASE_URL": url,
        "SUNLIT_PORT": str(port),
        "SUNLIT_LIVE_PORT": str(live_port),
        "SUNLIT_SECRET_KEY": SECRET,
        "SUNLIT_LOG_LEVEL": "WARNING",
        "SUNLIT_BACKGROUND_JOBS": "false",
        "SUNLIT_FILES_DIR": str(workdir / "files"),
    }
    if args.frame_ms:
        env["SUNLIT_LIVE_FRAME_MS"] = str(args.frame_ms)
    if args.processes > 1:
        env["SUNLIT_REDIS_URL"] = f"redis://127.0.0.1:6379/{args.redis_db}"
    else:
        env.pop("SUNLIT_REDIS_URL", None)
    return env


async def prepare(url: str, senders: int) -> tuple[str, list[tuple[str, str]]]:
    """An official and their session plan, live now (written directly, not via the gate), and
    ``senders`` consumer accounts, each with a sign-in session opened by the accounts service
    (what signing in does once the password has been checked): the plan's id, and each
    sender's account id and session token, for the cookie its viewer fetches tickets with."""
    import sunlit.app.schema  # noqa: F401 - every mapped table, for the foreign keys
    from sunlit.accounts.sessions import open_session
    from sunlit.accounts.tables import AccountRow
    from sunlit.core.db import Database
    from sunlit.core.ids import new_id
    from sunlit.filing.tables import SessionPlanRow
    from sunlit.settings import Settings

    database = Database(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
    now = datetime.now(UTC)
    session = new_id("s")
    async with database.transaction() as db:
        official = new_id("a")
        db.add(
            AccountRow(
                id=official,
                username=f"bench{secrets.token_hex(4)}",
                display_name="Bench official",
                role="official",
                password_hash="!",
                created_at=now,
            )
        )
        await db.flush()
        db.add(
            SessionPlanRow(
                id=session,
                official_id=official,
                title="砀山酥梨 fan-out bench",
                starts_at=now - timedelta(minutes=5),
                ends_at=now + timedelta(hours=2),
                purpose="regional_brand",
                promotions="",
                status="live",
                findings=[],
                created_at=now,
                updated_at=now,
            )
        )
        tag = secrets.token_hex(4)
        accounts = [
            AccountRow(
                id=new_id("a"),
                username=f"bench{tag}s{n}",
                display_name=f"Sender {n}",
                role="consumer",
                password_hash="!",  # no password signs in: only the session below
                created_at=now,
            )
            for n in range(senders)
        ]
        db.add_all(accounts)
        await db.flush()
        signed_in = [(row.id, open_session(db, row, now=now)) for row in accounts]
    await database.dispose()
    return session, signed_in


def wait_up(port: int, proc: subprocess.Popen[bytes]) -> None:
    import httpx

    deadline = time.monotonic() + 90  # a busy machine can take half a minute to start two servers
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("a server exited")
        try:
            if httpx.get(f"http://{HOST}:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("a server did not start")


def room_count(port: int, session: str) -> Any:
    import httpx

    try:
        return httpx.get(f"http://{HOST}:{port}/api/v1/live/{session}", timeout=5).json()
    except (httpx.HTTPError, ValueError):
        return {}


def redis_pid(db: int) -> int | None:
    from redis import Redis

    try:
        client = Redis.from_url(f"redis://127.0.0.1:6379/{db}")
        pid = int(client.info("server")["process_id"])
        client.close()
        return pid
    except Exception:  # only for the CPU figure
        return None


async def read_line(proc: asyncio.subprocess.Process, seconds: float) -> dict[str, Any]:
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), seconds)
    if not line:
        raise RuntimeError("a client process exited early")
    return json.loads(line)


def percentile(hist: list[int], share: float) -> int:
    total = sum(hist)
    goal = share * total
    running = 0
    for ms, count in enumerate(hist):
        running += count
        if running >= goal and count:
            return ms + 1  # the bucket's upper edge
    return HIST_MS


async def warm_up(http_ports: list[int], session: str, concurrency: int) -> None:
    """WARM_UP tickets from each server before its memory is first read, so that the memory per
    viewer is what the viewers hold, not the HTTP path's first use. They are never redeemed and
    lapse with their minute (a few KiB in the book until then)."""
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(timeout=10) as http:

        async def one(port: int, n: int) -> None:
            async with gate:
                with contextlib.suppress(httpx.HTTPError):
                    await http.get(
                        f"http://{HOST}:{port}/live/{session}/ticket",
                        headers={"Cookie": f"sunlit_viewer=bench-warm-up-{n:07d}"},
                    )

        await asyncio.gather(*(one(port, n) for port in http_ports for n in range(WARM_UP)))


async def measure(
    args: argparse.Namespace, session: str, signed_in: list[tuple[str, str]], servers: list[Any]
) -> dict[str, Any]:
    ports = [live for _, _, live in servers]
    http_ports = [port for _, port, _ in servers]
    senders = {}
    step = max(args.processes, args.viewers // args.senders)
    for s in range(args.senders):
        # every step-th viewer, moved to the next one on server s mod processes
        senders[s * step + (s - s * step) % args.processes] = s
    run = secrets.token_hex(3)
    clients = []
    share = args.viewers / args.clients
    await warm_up(http_ports, session, args.ticket_concurrency)
    rss_before = [rss_kib(proc.pid) for proc, _, _ in servers]
    for c in range(args.clients):
        first, last = round(c * share), round((c + 1) * share)
        spec = {
            "client": c,
            "run": run,
            "session": session,
            "ports": ports,
            "http_ports": http_ports,
            "first": first,
            "last": last,
            "senders": {
                str(v): [s, *signed_in[s]] for v, s in senders.items() if first <= v < last
            },
            "connect_timeout": args.connect_timeout,
            "concurrency": args.concurrency,
            "ticket_concurrency": args.ticket_concurrency,
            "heartbeat": args.heartbeat,
        }
        clients.append(
            await asyncio.create_subprocess_exec(
                sys.executable,
                __file__,
                "--client",
                json.dumps(spec),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                limit=1 << 26,  # the result line holds every message's deliveries
            )
        )
        if args.pin:
            os.sched_setaffinity(clients[-1].pid, cores(args)[1])
    try:
        started = time.monotonic()
        joined = [await read_line(p, args.connect_timeout + 60) for p in clients]
        connect_seconds = time.monotonic() - started
        await asyncio.sleep(args.settle)
        rss_after = [rss_kib(proc.pid) for proc, _, _ in servers]
        pids = {
            **{f"server {i + 1}": proc.pid for i, (proc, _, _) in enumerate(servers)},
            **{f"client {i + 1}": p.pid for i, p in enumerate(clients)},
        }
        if args.processes > 1 and (pid := redis_pid(args.redis_db)) is not None:
            pids["redis"] = pid
        spies = []
        if args.profile:
            for i, (proc, _, _) in enumerate(servers):
                out = str(Path(args.profile) / f"server{i + 1}.txt")
                spies.append(
                    await asyncio.create_subprocess_exec(
                        args.py_spy, "record", "--pid", str(proc.pid),
                        "-d", str(int(args.duration)), "-r", "100",
                        "-f", "raw", "-o", out, "--nonblocking",
                        stdout=asyncio.subprocess.DEVNULL,
                        stderr=asyncio.subprocess.DEVNULL,
                    )
                )  # fmt: skip
        t0 = time.time() + 1.0
        command = {
            "t0": t0,
            "rate": args.rate,
            "duration": args.duration,
            "senders": args.senders,
            "drain": args.drain,
        }
        for p in clients:
            assert p.stdin is not None
            p.stdin.write((json.dumps(command) + "\n").encode())
            await p.stdin.drain()
        await asyncio.sleep(max(0.0, t0 - time.time()))
        cpu0 = {name: cpu_seconds(pid) for name, pid in pids.items()}
        await asyncio.sleep(args.duration)
        cpu1 = {name: cpu_seconds(pid) for name, pid in pids.items()}
        counts = [room_count(port, session) for _, port, _ in servers]
        results = [await read_line(p, args.drain + 60) for p in clients]
        for spy in spies:
            await asyncio.wait_for(spy.wait(), 60)
    finally:
        for p in clients:
            if p.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    p.kill()
            await p.wait()
    return {
        "joined": joined,
        "connect_seconds": connect_seconds,
        "rss_before": rss_before,
        "rss_after": rss_after,
        "cpu": {name: (cpu1[name] - cpu0[name]) / args.duration for name in pids},
        "counts": counts,
        "results": results,
    }


def report(args: argparse.Namespace, figures: dict[str, Any]) -> bool:
    results = figures["results"]
    hist = [0] * (HIST_MS + 1)
    for r in results:
        for ms, n in r["hist"].items():
            hist[int(ms)] += n
    messages: dict[str, list[float]] = {}
    for r in results:
        for message_id, (n, first, last) in r["messages"].items():
            seen = messages.setdefault(message_id, [0, first, last])
            seen[0] += n
            seen[1], seen[2] = min(seen[1], first), max(seen[2], last)
    sent = [m for r in results for m in r["sent"]]
    refused = Counter[str]()
    for r in results:
        refused.update(r["refused"])
    viewers = sum(r["viewers"] for r in results)
    joined = sum(j["joined"] for j in figures["joined"])
    failed = sum(j["failed"] for j in figures["joined"])
    no_ticket = sum(j["no_ticket"] for j in figures["joined"])
    accepted = len(sent) - refused["too_fast"]
    expected = accepted * viewers
    delivered = sum(hist)
    lost = expected - delivered
    complete = sum(1 for m in sent if messages.get(m, [0])[0] >= viewers)
    spread = sorted(v[2] - v[1] for v in messages.values())
    disconnected = sum(r["disconnected"] for r in results)
    closes = Counter[str]()
    for r in results:
        closes.update(r["closes"])
    p50, p90, p99 = (percentile(hist, q) for q in (0.5, 0.9, 0.99))
    worst = max((r["max"] for r in results), default=0.0) * 1000
    rss_before, rss_after = figures["rss_before"], figures["rss_after"]
    grown = [after - before for before, after in zip(rss_before, rss_after, strict=True)]
    cpu = figures["cpu"]
    server_cpu = sum(v for k, v in cpu.items() if k.startswith("server"))
    client_cpu = sum(v for k, v in cpu.items() if k.startswith("client"))
    frame = args.frame_ms or 100
    print(
        f"# live fan-out: {args.processes} server process(es)"
        f"{' sharing the room via Redis' if args.processes > 1 else ''}, {args.viewers:,} viewers "
        f"({args.senders} senders), {args.rate:g} chat msg/s for {args.duration:g} s, "
        f"frame {frame} ms, {args.clients} client processes, {args.backend}"
        f"{', ' + pinning(args) if args.pin else ''}"
    )
    print(f"# {machine()}, {platform.node()}")
    rows = [
        ("viewers connected / joined", f"{viewers:,} / {joined:,} (failed {failed}"
         f"{f', ticket refused {no_ticket}' if no_ticket else ''}) "
         f"in {figures['connect_seconds']:.1f} s"),
        ("delivery latency", f"p50 {p50} ms  p90 {p90} ms  p99 {p99} ms  max {worst:.0f} ms"),
        ("goal p99 < 250 ms", "MET" if p99 < 250 else "MISSED"),
        ("messages", f"sent {len(sent):,}, refused {dict(refused) or 0}, "
         f"reached every viewer {complete:,}/{len(sent):,}"),
        ("deliveries", f"expected {expected:,}, delivered {delivered:,}, lost {lost:,} "
         f"({lost / expected if expected else 0:.3%})"),
        ("fan-out spread", "first→last viewer of a message: "
         f"p50 {1000 * spread[len(spread) // 2] if spread else 0:.0f} ms, "
         f"max {1000 * spread[-1] if spread else 0:.0f} ms"),
        ("viewers dropped", f"{disconnected} disconnected during the run, close codes "
         f"{dict(closes) or '-'}; still connected {sum(r['alive'] for r in results):,}"),
        ("room's viewer count", ", ".join(
            f"server {i + 1}: {c.get('viewers')}" for i, c in enumerate(figures["counts"]))),
        ("server memory", ", ".join(
            f"server {i + 1}: {b / 1024:.0f} → {a / 1024:.0f} MiB"
            for i, (b, a) in enumerate(zip(rss_before, rss_after, strict=True)))
         + f"; {sum(grown) / max(1, viewers):.1f} KiB per viewer"),
        ("CPU (1.0 = one core)", ", ".join(f"{k} {v:.2f}" for k, v in cpu.items())
         + f"; servers {server_cpu:.2f}, clients {client_cpu:.2f}"),
        ("client loop lag", ", ".join(
            f"client {i + 1}: p99 {r['lag_p99'] * 1000:.0f} ms, max {r['lag_max'] * 1000:.0f} ms"
            for i, r in enumerate(results))),
    ]  # fmt: skip
    for name, value in rows:
        print(f"{name:<28} {value}")
    return p99 < 250 and lost == 0 and disconnected == 0


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--client":
        raise_nofile()
        uvloop.run(client_main(json.loads(sys.argv[2])))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", type=int, default=10_000)
    parser.add_argument("--duration", type=float, default=60.0, help="steady-state seconds")
    parser.add_argument("--rate", type=float, default=20.0, help="chat messages/s in all")
    parser.add_argument("--senders", type=int, default=200, help="signed-in viewers who chat")
    parser.add_argument("--processes", type=int, choices=[1, 2], default=1, help="servers")
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--frame-ms", type=int, default=0, help="SUNLIT_LIVE_FRAME_MS (0: 100)")
    parser.add_argument("--heartbeat", type=float, default=15.0, help="seconds between hbs")
    parser.add_argument("--drain", type=float, default=3.0, help="seconds to wait after sending")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds before measuring")
    parser.add_argument("--connect-timeout", type=float, default=180.0)
    parser.add_argument("--concurrency", type=int, default=64, help="connects in flight/client")
    parser.add_argument(
        "--ticket-concurrency", type=int, default=8, help="ticket requests in flight/client"
    )
    parser.add_argument("--port", type=int, default=8830, help="first HTTP port")
    parser.add_argument("--redis-db", type=int, default=11)
    parser.add_argument("--profile", help="py-spy the server(s) while measuring, into this dir")
    parser.add_argument("--py-spy", default=PY_SPY, help="the py-spy binary for --profile")
    parser.add_argument(
        "--pin", action="store_true", help="each server on a core of its own, clients on the rest"
    )
    parser.add_argument("--quick", action="store_true", help="1,000 viewers for 10 s")
    args = parser.parse_args()
    if args.quick:
        args.viewers, args.duration, args.senders = 1_000, 10.0, 100
    if not (
        1 <= args.viewers <= 20_000
        and 0 < args.duration <= 600
        and 0 < args.rate <= 200
        and 1 <= args.senders <= args.viewers // max(1, args.processes)
        and 1 <= args.clients <= 8
        and args.connect_timeout <= 600
        and 1 <= args.ticket_concurrency <= args.concurrency <= 256
    ):
        parser.error("bounded: ≤ 20,000 viewers, ≤ 600 s, ≤ 200 msg/s, 1-8 clients")
    per_account = args.rate / args.senders * 10
    if per_account > 5:
        print(f"warning: {per_account:.1f} msgs per sender per 10 s passes the default limit (5)")

    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
    raise_nofile()
    workdir = Path(tempfile.mkdtemp(prefix="sunlit-fanout-"))
    database_name = None
    if args.backend == "sqlite":
        url = f"sqlite+aiosqlite:///{workdir / 'fanout.db'}"
    else:
        database_name = f"sunlit_fanout_{secrets.token_hex(4)}"
        subprocess.run(
            ["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {database_name}"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database_name}"
    servers: list[tuple[subprocess.Popen[bytes], int, int]] = []
    ok = False
    try:
        first_env = make_env(args, url, args.port, args.port + 100, workdir)
        subprocess.run([SUNLIT, "migrate"], env=first_env, check=True, stdout=subprocess.DEVNULL)
        session, signed_in = asyncio.run(prepare(url, args.senders))
        for i in range(args.processes):
            port, live_port = args.port + i, args.port + 100 + i
            env = make_env(args, url, port, live_port, workdir)
            proc = subprocess.Popen([SUNLIT, "serve"], env=env, stdout=subprocess.DEVNULL)
            servers.append((proc, port, live_port))
            if args.pin:
                os.sched_setaffinity(proc.pid, cores(args)[0][i])
        for proc, port, _ in servers:
            wait_up(port, proc)
        figures = uvloop.run(measure(args, session, signed_in, servers))
        ok = report(args, figures)
    finally:
        for proc, _, _ in servers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        for proc, _, _ in servers:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        if database_name:
            subprocess.run(
                ["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {database_name} WITH (FORCE)"],
                check=False,
                stdout=subprocess.DEVNULL,
            )
    print("RESULT:", "PASS" if ok else "FAIL (see above)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
