"""How soon the integrity monitor raises an alert during a live session (issue 7: within 10 s
of an abuse becoming detectable).

An alert reaches the supervisors' queue at most one interval (SUNLIT_INTEGRITY_EVERY_SECONDS,
2 s) plus the recorder's batch (0.2 s) plus one monitor step after the events that make the
abuse detectable are in the room. The step re-reads the session so far and runs every detector,
so it grows with the room. This benchmark measures that step on real rooms: it simulates a
session (paid praise and a 40-cadre quota among honest viewers), writes its events into a real
SQLite event log minute by minute of the session's own time, runs one monitor step after each
minute, and prints the step's seconds as the session grows, the worst case of
interval + batch + step, and the minute at which each abuse's case was opened.

    .venv/bin/python bench/integrity_alert.py --viewers 2000 20000 60000

Each size is bounded by --budget seconds of stepping (the rest of the session is skipped and
said so)."""

from __future__ import annotations

import argparse
import asyncio
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import insert, select

from sunlit.core.clock import FixedClock, parse_rfc3339
from sunlit.core.db import Database
from sunlit.core.eventlog.tables import EventRow
from sunlit.core.files.store import LocalFileStore
from sunlit.core.migrate import upgrade
from sunlit.integrity.monitor import Monitor
from sunlit.integrity.tables import CaseRow
from sunlit.settings import Settings
from sunlit.simulate.model import ScenarioSpec, SimConfig
from sunlit.simulate.services import simulate

INTERVAL = 2.0
BATCH = 0.2
GOAL = 10.0
MINUTE_MS = 60_000


def rows_of(lines: list[bytes]) -> list[dict[str, Any]]:
    out = []
    for line in lines:
        event = orjson.loads(line)
        out.append(
            {
                "id": event["id"],
                "type": event["type"],
                "ts": parse_rfc3339(event["ts"]),
                "session": event.get("session"),
                "actor": event.get("actor"),
                "data": event["data"],
            }
        )
    return out


def database_for(viewers: int, folder: Path) -> Settings:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=f"sqlite+aiosqlite:///{folder}/alert-{viewers}.db"
    )
    upgrade(settings)  # runs its own event loop: before ours
    return settings


async def measure(viewers: int, folder: Path, budget: float, settings: Settings) -> dict[str, Any]:
    path = folder / f"room-{viewers}.jsonl"
    config = SimConfig(
        seed=11,
        viewers=viewers,
        minutes=90,
        scenarios=(ScenarioSpec.parse("paid_praise"), ScenarioSpec.parse("quota:default:40")),
    )
    simulate(config, path)
    lines = path.read_bytes().splitlines()
    ended = next(i for i, x in enumerate(lines) if b'"session.ended"' in x)
    lines = lines[: ended + 1]  # the live part: what comes after is the final run's
    db = Database(settings)
    started = next(orjson.loads(x) for x in lines if b'"session.started"' in x)
    start_ms = int(parse_rfc3339(started["ts"]).timestamp() * 1000)  # minute 0: what came before
    clock = FixedClock(parse_rfc3339(started["ts"]))
    monitor = Monitor(
        db, LocalFileStore(folder / "files"), ZoneInfo(settings.timezone), clock, every=0.0
    )
    steps: list[tuple[int, int, float]] = []  # (minute, events so far, seconds)
    opened: dict[str, int] = {}
    fed, minute, spent = 0, -1, 0.0
    try:
        while fed < len(lines) and spent < budget:
            minute += 1
            end = fed
            limit = start_ms + minute * MINUTE_MS
            while end < len(lines):
                ts = parse_rfc3339(orjson.loads(lines[end])["ts"])
                if ts.timestamp() * 1000 >= limit:
                    break
                end += 1
            if end > fed:
                async with db.transaction() as session:
                    await session.execute(insert(EventRow), rows_of(lines[fed:end]))
                fed = end
            began = time.perf_counter()
            await monitor.step()
            seconds = time.perf_counter() - began
            spent += seconds
            steps.append((minute, fed, seconds))
            async with db.sessions() as session:
                for rule in await session.scalars(select(CaseRow.rule)):
                    opened.setdefault(rule, minute)
    finally:
        await db.dispose()
    return {
        "viewers": viewers,
        "events": len(lines),
        "fed": fed,
        "steps": steps,
        "opened": opened,
    }


def report(result: dict[str, Any]) -> None:
    steps = result["steps"]
    seconds = [s for _, _, s in steps]
    worst = max(seconds)
    print(
        f"{result['viewers']:,} viewers: {result['events']:,} events in the session, "
        f"{result['fed']:,} fed over {len(steps)} minutes"
        + ("" if result["fed"] == result["events"] else " (budget reached: the rest skipped)")
    )
    for minute, fed, spent in [*steps[:: max(1, len(steps) // 6)], steps[-1]]:
        print(f"  minute {minute:3d}: {fed:>9,} events so far, step {spent:6.2f} s")
    print(
        f"  step median {statistics.median(seconds):.2f} s, max {worst:.2f} s; worst alert "
        f"latency = {INTERVAL:.1f} + {BATCH:.1f} + {worst:.2f} = {INTERVAL + BATCH + worst:.2f} s "
        f"({'within' if INTERVAL + BATCH + worst <= GOAL else 'over'} the {GOAL:.0f} s goal)"
    )
    for rule, minute in sorted(result["opened"].items(), key=lambda kv: kv[1]):
        print(f"  case opened: {rule} after minute {minute}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", type=int, nargs="+", default=[2000, 20000, 60000])
    parser.add_argument("--budget", type=float, default=300.0, help="seconds of steps per size")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]} on {platform.machine()}, {platform.platform()}")
    with tempfile.TemporaryDirectory() as tmp:
        for viewers in args.viewers:
            settings = database_for(viewers, Path(tmp))
            report(asyncio.run(measure(viewers, Path(tmp), args.budget, settings)))


if __name__ == "__main__":
    main()
