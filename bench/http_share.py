"""HTTP share benchmark (issue 20, item 5): a bare Starlette endpoint (bench/bare.py) and
Sunlit's endpoints, measured by `wrk` in one interleaved run: in each round the bare /healthz on
uvicorn, the same bare endpoint on granian, then every Sunlit endpoint (`sunlit serve`, which
runs granian: docs/adr/0013). Prints each endpoint's req/s per round, the median, and the median
as a share of the bare endpoint on uvicorn (the ceiling of this machine in this run, as an
outside check would serve a bare Starlette app) and of the bare endpoint on granian. Every server
logs warnings only, without the server's access log. Sunlit serves a fresh demo database.

    .venv/bin/python bench/http_share.py
    .venv/bin/python bench/http_share.py --rounds 3 --duration 10 --json figures.json
    .venv/bin/python bench/http_share.py --backend postgres --redis redis://127.0.0.1:6379/5 \\
        --workers 2
    .venv/bin/python bench/http_share.py --url-base http://127.0.0.1:8000

The bare server always has one worker: with --workers N the shares say what N Sunlit workers
give against one bare process. With --url-base nothing is started for Sunlit, so its settings
are whatever that server was started with. Fails (exit 1) if any request answers other than
200, or wrk reports a socket error; a page that redirects fails before the run.

Named http_share.py, not http.py: bench/ is on sys.path when its scripts run (flash_sale.py
puts it there), and a bench/http.py would shadow the standard library's http package, which
httpx, urllib and uvicorn import. Loopback only; every loop is bounded by rounds × endpoints ×
duration."""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import re
import secrets
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
SUNLIT = str(ROOT / ".venv" / "bin" / "sunlit")
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
TRUSTED_PROXIES = "127.0.0.1,::1"  # Sunlit's default, given to both servers
WRK_TIMEOUT = "10s"  # wrk's default of 2 s would count a slow page's answers as socket errors


@dataclass
class WrkResult:
    requests: int
    seconds: float
    rps: float
    non_2xx_3xx: int
    socket_errors: dict[str, int]
    latency_ms: dict[str, float]  # avg, max, p50, p75, p90, p99

    @property
    def errors(self) -> int:
        return self.non_2xx_3xx + sum(self.socket_errors.values())


@dataclass
class Endpoint:
    name: str
    url: str
    rounds: list[WrkResult] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(r.rps for r in self.rounds)

    def latency(self, key: str) -> float:
        return statistics.median(r.latency_ms[key] for r in self.rounds)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def loopback(url: str) -> str:
    host = urlsplit(url).hostname
    if urlsplit(url).scheme not in ("http", "redis") or host not in LOOPBACK:
        raise SystemExit(f"loopback targets only: {url}")
    return url.rstrip("/")


def sunlit_env(
    database_url: str,
    port: int,
    workdir: Path,
    workers: int,
    redis: str | None,
    page_cache: int | None = None,
) -> dict[str, str]:
    """flash_sale.py's environment, plus the workers, Redis, the trusted proxies given to the
    bare server too, and a live rooms' port of the system's choosing. The log level is left at
    its default (INFO), as `make run` has it: the access log line is part of every request."""
    env = {
        **os.environ,
        "SUNLIT_DATABASE_URL": database_url,
        "SUNLIT_PORT": str(port),
        "SUNLIT_SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
        "SUNLIT_BACKGROUND_JOBS": "false",
        "SUNLIT_ARGON2_TIME_COST": "1",
        "SUNLIT_ARGON2_MEMORY_KIB": "1024",
        "SUNLIT_FILES_DIR": str(workdir / "files"),
        "SUNLIT_WORKERS": str(workers),
        "SUNLIT_TRUSTED_PROXIES": TRUSTED_PROXIES,
        "SUNLIT_LIVE_PORT": "0",
    }
    if redis:
        env["SUNLIT_REDIS_URL"] = redis
    if page_cache is not None:
        env["SUNLIT_PAGE_CACHE_SECONDS"] = str(page_cache)
    return env


def bare_command(port: int) -> list[str]:
    """The fixed ceiling: the bare endpoint on uvicorn, as one would serve a bare Starlette app
    (loop and HTTP "auto", which are uvloop and httptools here), one worker, warnings only, no
    access log. The outside check measures Sunlit against such an endpoint."""
    return [
        *(PYTHON, "-m", "uvicorn", "--app-dir", str(BENCH), "bare:app"),
        *("--host", "127.0.0.1", "--port", str(port), "--workers", "1"),
        *("--log-level", "warning", "--no-access-log"),
        *("--proxy-headers", "--forwarded-allow-ips", TRUSTED_PROXIES),
    ]


def bare_granian_command(port: int) -> list[str]:
    """The same bare endpoint on the server `sunlit serve` runs: granian as `sunlit serve` starts
    it (ASGI, uvloop, HTTP/1, no WebSockets, no access log), one worker."""
    return [
        *(PYTHON, "-m", "granian", "--interface", "asgi", "--working-dir", str(BENCH)),
        *("--host", "127.0.0.1", "--port", str(port), "--workers", "1"),
        *("--loop", "uvloop", "--http", "1", "--no-ws", "--log-level", "warning"),
        "bare:app",
    ]


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as sink:
        return subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=sink, start_new_session=True
        )


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGINT as Ctrl-C would (uvicorn and granian pass it to their workers), then the
    process group if it lingers."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def wait_up(base: str, proc: subprocess.Popen[bytes] | None, log: Path | None) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log else ""
            raise RuntimeError(f"the server at {base} exited ({proc.returncode}):\n{tail}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server at {base} did not start")


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def milliseconds(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", value)
    if not match:
        raise ValueError(f"wrk latency {value!r}")
    return float(match.group(1)) * UNITS[match.group(2)]


def parse_wrk(out: str) -> WrkResult:
    def number(pattern: str) -> str:
        match = re.search(pattern, out, re.MULTILINE)
        if not match:
            raise ValueError(f"no {pattern!r} in wrk's output:\n{out}")
        return match.group(1)

    requests = re.search(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h)", out, re.MULTILINE)
    if not requests:
        raise ValueError(f"no request count in wrk's output:\n{out}")
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    non = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    latency = re.search(r"^\s*Latency\s+(\S+)\s+\S+\s+(\S+)", out, re.MULTILINE)
    if not latency:
        raise ValueError(f"no latency in wrk's output:\n{out}")
    figures = {"avg": milliseconds(latency.group(1)), "max": milliseconds(latency.group(2))}
    for share in ("50", "75", "90", "99"):
        figures[f"p{share}"] = milliseconds(number(rf"^\s*{share}%\s+(\S+)$"))
    names = ("connect", "read", "write", "timeout")
    return WrkResult(
        requests=int(requests.group(1)),
        seconds=milliseconds(requests.group(2) + requests.group(3)) / 1000,
        rps=float(number(r"^Requests/sec:\s+([\d.]+)")),
        non_2xx_3xx=int(non.group(1)) if non else 0,
        socket_errors={n: int(sockets.group(i + 1)) if sockets else 0 for i, n in enumerate(names)},
        latency_ms=figures,
    )


def wrk_command(url: str, seconds: int, connections: int) -> list[str]:
    return [
        *("wrk", "-t1", f"-c{connections}", f"-d{seconds}s"),
        *("--latency", "--timeout", WRK_TIMEOUT, url),
    ]


def run_wrk(url: str, seconds: int, connections: int) -> WrkResult:
    done = subprocess.run(
        wrk_command(url, seconds, connections),
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    )
    return parse_wrk(done.stdout)


def discover(base: str) -> tuple[str, str]:
    """A product from the JSON API, and a session whose room page answers, from the home
    page's links to the rooms."""
    with httpx.Client(base_url=base, timeout=30) as client:
        products = client.get("/api/v1/products")
        products.raise_for_status()
        if not products.json():
            raise RuntimeError("no products in /api/v1/products")
        product = str(products.json()[0]["id"])
        home = client.get("/")
        home.raise_for_status()
        for session in dict.fromkeys(re.findall(r'href="/live/([A-Za-z0-9_-]+)"', home.text)):
            if client.get(f"/live/{session}").status_code == 200:
                return product, session
    raise RuntimeError("no room page on the home page answers 200")


def preflight(endpoints: list[Endpoint]) -> None:
    """Every URL answers 200 itself, not a redirect (wrk counts only 4xx and 5xx)."""
    wrong = []
    for endpoint in endpoints:
        status = httpx.get(endpoint.url, timeout=30, follow_redirects=False).status_code
        if status != 200:
            wrong.append(f"{endpoint.name} ({endpoint.url}): {status}")
    if wrong:
        raise SystemExit("endpoints that do not answer 200:\n  " + "\n  ".join(wrong))


def implementation() -> str:
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    import granian
    import uvicorn

    return (
        f"uvicorn {uvicorn.__version__} (loop {loop}, http {http}); "
        f"granian {granian.__version__} (loop uvloop, http 1)"
    )


def table(endpoints: list[Endpoint], ceiling: float, granian: float) -> list[str]:
    """Each endpoint's rounds and median, its share of the bare endpoint on uvicorn (the fixed
    ceiling) and, beside it, of the same bare endpoint on granian (Sunlit's own server)."""
    rounds = len(endpoints[0].rounds)
    head = f"{'endpoint':<26}" + "".join(f"{f'round {n + 1}':>10}" for n in range(rounds))
    lines = [
        head + f"{'median':>10}{'share':>8}{'granian':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}",
        "-" * (len(head) + 53),
    ]
    for e in endpoints:
        lines.append(
            f"{e.name:<26}"
            + "".join(f"{r.rps:>10.1f}" for r in e.rounds)
            + f"{e.median:>10.1f}{e.median / ceiling:>8.1%}{e.median / granian:>9.1%}"
            + f"{e.latency('p50'):>9.1f}{e.latency('p99'):>9.1f}"
            + f"{sum(r.errors for r in e.rounds):>8}"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--redis", help="SUNLIT_REDIS_URL, e.g. redis://127.0.0.1:6379/5")
    parser.add_argument("--workers", type=int, default=1, help="SUNLIT_WORKERS for Sunlit")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per endpoint")
    parser.add_argument("--warmup", type=int, default=1, help="seconds per endpoint, once")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, help="Sunlit's port (default: a free one)")
    parser.add_argument("--bare-port", type=int, help="the bare server's port (default: free)")
    parser.add_argument("--url-base", help="an already running Sunlit, e.g. http://127.0.0.1:8000")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument(
        "--page-cache",
        type=int,
        help="SUNLIT_PAGE_CACHE_SECONDS for Sunlit (0: every request made; default: Sunlit's)",
    )
    args = parser.parse_args()
    if not (1 <= args.rounds <= 20 and 1 <= args.duration <= 120 and 0 <= args.warmup <= 30):
        parser.error("bounded: 1-20 rounds of 1-120 s, warm-up 0-30 s")
    if not (1 <= args.connections <= 1024 and 1 <= args.workers <= 64):
        parser.error("bounded: 1-1,024 connections, 1-64 workers")
    if args.redis:
        loopback(args.redis)
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed (apt-get install wrk)")

    started = datetime.now(UTC)
    load = os.getloadavg()
    workdir = Path(tempfile.mkdtemp(prefix="sunlit-http-"))
    bare_port = args.bare_port or free_port()
    bare_base = f"http://127.0.0.1:{bare_port}"
    database_name = None
    processes: list[subprocess.Popen[bytes]] = []
    failed = True
    try:
        bare_log = workdir / "bare.log"
        processes.append(start(bare_command(bare_port), dict(os.environ), bare_log))
        wait_up(bare_base, processes[-1], bare_log)
        granian_port = free_port()
        granian_base = f"http://127.0.0.1:{granian_port}"
        granian_log = workdir / "bare-granian.log"
        processes.append(start(bare_granian_command(granian_port), dict(os.environ), granian_log))
        wait_up(granian_base, processes[-1], granian_log)
        if args.url_base:
            base = loopback(args.url_base)
            wait_up(base, None, None)
            sunlit = f"already running at {base}"
        else:
            port = args.port or free_port()
            base = f"http://127.0.0.1:{port}"
            if args.backend == "sqlite":
                url = f"sqlite+aiosqlite:///{workdir / 'http.db'}"
            else:
                database_name = f"sunlit_http_{secrets.token_hex(4)}"
                subprocess.run(
                    ["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {database_name}"],
                    check=True,
                    stdout=subprocess.DEVNULL,
                )
                url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database_name}"
            env = sunlit_env(url, port, workdir, args.workers, args.redis, args.page_cache)
            for step in ("migrate", "demo"):
                subprocess.run([SUNLIT, step], env=env, check=True, stdout=subprocess.DEVNULL)
            sunlit_log = workdir / "sunlit.log"
            processes.append(start([SUNLIT, "serve"], env, sunlit_log))
            wait_up(base, processes[-1], sunlit_log)
            redis = f", Redis {args.redis}" if args.redis else ""
            sunlit = f"{args.workers} worker(s) on {args.backend} (fresh demo){redis}"

        product, session = discover(base)
        endpoints = [
            Endpoint("bare /healthz", f"{bare_base}/healthz"),
            Endpoint("bare /healthz (granian)", f"{granian_base}/healthz"),
            *(
                Endpoint(name, base + path)
                for name, path in [
                    ("/healthz", "/healthz"),
                    ("/api/v1/products", "/api/v1/products"),
                    ("/findings", "/findings"),
                    ("/products", "/products"),
                    ("/ (home)", "/"),
                    ("/products/{id}", f"/products/{product}"),
                    ("/live/{id} (room)", f"/live/{session}"),
                    ("/rules", "/rules"),
                ]
            ),
        ]
        preflight(endpoints)
        total = len(endpoints) * (args.rounds * args.duration + args.warmup)
        print(f"# about {total} s: {len(endpoints)} endpoints × {args.rounds} round(s)", flush=True)
        if args.warmup:
            for endpoint in endpoints:
                run_wrk(endpoint.url, args.warmup, args.connections)
        for _ in range(args.rounds):
            for endpoint in endpoints:
                endpoint.rounds.append(run_wrk(endpoint.url, args.duration, args.connections))
        ceiling, granian = endpoints[0].median, endpoints[1].median

        header = [
            f"# http share, {started:%Y-%m-%d %H:%M} UTC: {platform.node()}, "
            f"{platform.platform()}, {os.cpu_count()} cpus, Python {platform.python_version()}, "
            f"load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
            f"# command: {shlex.join(sys.orig_argv)}",
            f"# servers: {implementation()}, log level warning, no server access log; "
            f"bare Starlette 1 worker on each; Sunlit {sunlit} on granian (its own access log "
            f"at INFO), "
            f"page cache {'default' if args.page_cache is None else args.page_cache} s",
            f"# {shlex.join(wrk_command('URL', args.duration, args.connections))}, "
            f"{args.rounds} round(s) interleaved (bare first in each), warm-up {args.warmup} s; "
            f"product {product}, session {session}",
        ]
        print("\n".join([*header, *table(endpoints, ceiling, granian)]))
        errors = [
            f"{e.name} round {n + 1}: {r.non_2xx_3xx} non-2xx/3xx, socket errors {r.socket_errors}"
            for e in endpoints
            for n, r in enumerate(e.rounds)
            if r.errors
        ]
        if args.json:
            figures: dict[str, Any] = {
                "date": started.isoformat(),
                "machine": {
                    "node": platform.node(),
                    "platform": platform.platform(),
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "load_average": load,
                },
                "command": sys.orig_argv,
                "servers": {"bare": implementation(), "sunlit": sunlit},
                "wrk": wrk_command("URL", args.duration, args.connections),
                "rounds": args.rounds,
                "product": product,
                "session": session,
                "ceiling_rps": ceiling,
                "bare_granian_rps": granian,
                "endpoints": [
                    {
                        "name": e.name,
                        "url": e.url,
                        "median_rps": e.median,
                        "share": e.median / ceiling,
                        "share_of_bare_granian": e.median / granian,
                        "rounds": [asdict(r) for r in e.rounds],
                    }
                    for e in endpoints
                ],
                "errors": errors,
            }
            args.json.write_text(json.dumps(figures, indent=2) + "\n")
        if errors:
            print("FAIL: requests that did not answer 2xx/3xx:\n  " + "\n  ".join(errors))
            sys.exit(1)
        failed = False
    finally:
        for proc in reversed(processes):
            stop(proc)
        if database_name:
            subprocess.run(
                ["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {database_name} WITH (FORCE)"],
                check=False,
                stdout=subprocess.DEVNULL,
            )
        if failed:
            print(f"# server logs kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
