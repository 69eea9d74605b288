"""Integrity engine benchmark (issue 7): `sunlit integrity analyze` on the 600,000-viewer
Dangshan evening, and the simulator that writes it.

Simulates the `dangshan-evening` preset (or reuses the stream left in the directory by an
earlier run, when its labels say it was made with the same preset and seed), printing events,
seconds, events/s and the file's size; then runs `sunlit integrity analyze --timings` on it in a
child process pinned to one core (`taskset -c CPU`), once per `--runs`, printing wall seconds,
peak RSS (the child's own, from wait4), events/s, the split between reading and each detector
(analyze's own timings), and how busy the machine's other cores were meanwhile (/proc/stat).
Goals: analyze under 60 s and under 4 GiB on one core; simulate at least 200,000 events/s.

    .venv/bin/python bench/integrity_analyze.py                  # var/bench/, one analyze run
    .venv/bin/python bench/integrity_analyze.py --runs 2 --fresh # simulate again, analyze twice

Every child is bounded by a timeout and killed when it passes it."""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from sunlit.simulate.model import PRESETS
from sunlit.simulate.services import labels_path_for

ROOT = Path(__file__).resolve().parent.parent
SUNLIT = str(ROOT / ".venv" / "bin" / "sunlit")
GOAL_SECONDS = 60.0
GOAL_BYTES = 4 << 30
GOAL_SIM_RATE = 200_000
SIM_LINE = re.compile(r"([\d,]+) events in ([\d.]+) s \(([\d,]+)/s\)")
EVENTS_LINE = re.compile(r"([\d,]+) events, (\d+) session\(s\), (\d+) finding\(s\)")
CLK_TCK = os.sysconf("SC_CLK_TCK")
TIMINGS_LINE = re.compile(r"timings \(s\): (.*); total ([\d.]+)")


@dataclass
class Child:
    returncode: int
    seconds: float
    max_rss_kib: int
    user: float
    system: float
    other_cores_busy: float  # 0–1, the mean over the cores not pinned to
    shared: float  # 0–1, the share of the pinned core that other processes took meanwhile
    stderr: str


def machine() -> str:
    model = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    kib = int(Path("/proc/meminfo").read_text().split()[1])
    return (
        f"{os.cpu_count()} vCPU ({model}), {kib / 1024 / 1024:.0f} GiB, "
        f"Python {platform.python_version()}, {platform.platform(terse=True)}"
    )


def cpu_ticks() -> dict[int, tuple[int, int]]:
    """Per CPU: (busy, total) clock ticks since boot."""
    out = {}
    for line in Path("/proc/stat").read_text().splitlines():
        name, *fields = line.split()
        if name.startswith("cpu") and name != "cpu":
            ticks = [int(v) for v in fields]
            idle = ticks[3] + ticks[4]  # idle + iowait
            out[int(name[3:])] = (sum(ticks[:8]) - idle, sum(ticks[:8]))
    return out


def pinned(command: list[str], cpu: int | None) -> list[str]:
    if cpu is None:
        return command
    if shutil.which("taskset") is None:
        print("warning: no taskset; the child is not pinned")
        return command
    return ["taskset", "-c", str(cpu), *command]


def run_child(command: list[str], timeout: float, cpu: int | None, log: Path) -> Child:
    """Run one child to completion (or kill it at the timeout) and return its own figures:
    wait4 gives the rusage of this child alone, unlike RUSAGE_CHILDREN (the largest so far)."""
    before = cpu_ticks()
    began = time.perf_counter()
    with log.open("wb") as err:
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err)
        deadline = began + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                break
            if time.perf_counter() > deadline:
                print(f"timeout: {timeout:.0f} s passed, killing {proc.pid}")
                os.kill(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        seconds = time.perf_counter() - began
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    after = cpu_ticks()
    others = [c for c in after if c != cpu] if cpu is not None else []
    busy = [
        (after[c][0] - before[c][0]) / max(1, after[c][1] - before[c][1])
        for c in others
        if c in before
    ]
    shared = 0.0
    if cpu is not None and cpu in before:
        ticks = after[cpu][1] - before[cpu][1]
        mine = (usage.ru_utime + usage.ru_stime) * CLK_TCK
        shared = max(0.0, after[cpu][0] - before[cpu][0] - mine) / max(1, ticks)
    return Child(
        proc.returncode,
        seconds,
        usage.ru_maxrss,
        usage.ru_utime,
        usage.ru_stime,
        sum(busy) / len(busy) if busy else 0.0,
        shared,
        log.read_text(encoding="utf-8", errors="replace"),
    )


def reusable(events: Path, preset: str, seed: int) -> bool:
    labels = labels_path_for(events)
    if not events.is_file() or not labels.is_file():
        return False
    try:
        config = orjson.loads(labels.read_bytes())["config"]
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return False
    want = PRESETS[preset]
    return bool(
        config.get("seed") == seed
        and config.get("viewers") == want.viewers
        and config.get("orders") == want.orders
        and config.get("sessions") == want.sessions
        and config.get("minutes") == want.minutes
        and config.get("scenarios") == []
    )


def simulate(args: argparse.Namespace, events: Path) -> dict[str, Any]:
    figures_path = events.with_suffix(".simulate.json")
    if not args.fresh and reusable(events, args.preset, args.seed):
        print(f"reusing {events} (preset {args.preset}, seed {args.seed})")
        if figures_path.is_file():
            return dict(orjson.loads(figures_path.read_bytes()), reused=True)
        return {"reused": True, "bytes": events.stat().st_size}
    command = pinned(
        [
            SUNLIT,
            "simulate",
            "--preset",
            args.preset,
            "--seed",
            str(args.seed),
            "--out",
            str(events),
        ],
        args.cpu,
    )
    child = run_child(command, args.simulate_timeout, args.cpu, events.with_suffix(".simulate.log"))
    found = SIM_LINE.search(child.stderr)
    if child.returncode != 0 or found is None:
        print(child.stderr[-2000:])
        sys.exit(f"simulate failed (exit {child.returncode})")
    figures = {
        "events": int(found[1].replace(",", "")),
        "seconds": float(found[2]),
        "rate": int(found[3].replace(",", "")),
        "wall": round(child.seconds, 2),
        "max_rss_kib": child.max_rss_kib,
        "other_cores_busy": round(child.other_cores_busy, 2),
        "bytes": events.stat().st_size,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    figures_path.write_bytes(orjson.dumps(figures))
    return dict(figures, reused=False)


def analyze(args: argparse.Namespace, events: Path, run: int) -> dict[str, Any]:
    out = events.with_suffix(f".findings.{run}.json")
    command = pinned(
        [SUNLIT, "integrity", "analyze", str(events), "--out", str(out), "--timings"], args.cpu
    )
    load = os.getloadavg()[0]
    child = run_child(command, args.analyze_timeout, args.cpu, events.with_suffix(".analyze.log"))
    counted = EVENTS_LINE.search(child.stderr)
    timings = TIMINGS_LINE.search(child.stderr)
    if child.returncode != 0 or counted is None:
        print(child.stderr[-2000:])
        sys.exit(f"analyze failed (exit {child.returncode})")
    split: dict[str, float] = {}
    if timings is not None:
        for part in timings[1].split(", "):
            name, _, value = part.rpartition(" ")
            split[name] = float(value)
    return {
        "events": int(counted[1].replace(",", "")),
        "sessions": int(counted[2]),
        "findings": int(counted[3]),
        "digest": hashlib.sha256(out.read_bytes()).hexdigest()[:16],
        "wall": child.seconds,
        "cpu": child.user + child.system,
        "max_rss_kib": child.max_rss_kib,
        "split": split,
        "load_before": load,
        "other_cores_busy": child.other_cores_busy,
        "shared": child.shared,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("directory", nargs="?", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--preset", choices=sorted(PRESETS), default="dangshan-evening")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cpu", type=int, default=0, help="the core to pin children to")
    parser.add_argument("--no-pin", action="store_true", help="do not pin the children")
    parser.add_argument("--runs", type=int, default=1, help="analyze runs on the same stream")
    parser.add_argument("--fresh", action="store_true", help="simulate even if a stream is there")
    parser.add_argument("--simulate-timeout", type=float, default=900.0)
    parser.add_argument("--analyze-timeout", type=float, default=600.0)
    args = parser.parse_args()
    if args.no_pin:
        args.cpu = None
    elif args.cpu not in os.sched_getaffinity(0):
        parser.error(f"CPU {args.cpu} is not available to this process")
    args.directory.mkdir(parents=True, exist_ok=True)
    events = args.directory / f"{args.preset}-seed{args.seed}.jsonl"

    print(f"# integrity analyze: preset {args.preset}, seed {args.seed}, {events}")
    print(f"# {machine()}, {platform.node()}")
    print(f"# {'pinned to CPU ' + str(args.cpu) if args.cpu is not None else 'not pinned'}")
    sim = simulate(args, events)
    size = f"{sim['bytes'] / 2**20:,.0f} MiB"
    if "events" in sim:
        note = f" (made {sim['date']})" if sim["reused"] else ""
        print(
            f"{'simulate':<22} {sim['events']:,} events in {sim['seconds']:.1f} s "
            f"= {sim['rate']:,} events/s, {size}; wall {sim['wall']:.1f} s, "
            f"peak RSS {sim['max_rss_kib'] / 2**20:.2f} GiB, "
            f"other cores {sim['other_cores_busy']:.0%} busy{note}"
        )
        met = "MET" if sim["rate"] >= GOAL_SIM_RATE else "MISSED"
        print(f"{'goal ≥ 200,000 ev/s':<22} {met}")
    else:
        print(f"{'simulate':<22} reused, {size} (no figures recorded)")

    ok = True
    for run in range(1, args.runs + 1):
        got = analyze(args, events, run)
        rss = got["max_rss_kib"] * 1024
        met = got["wall"] < GOAL_SECONDS and rss < GOAL_BYTES
        ok = ok and met
        split = ", ".join(f"{k} {v:.2f}" for k, v in got["split"].items() if v >= 0.005)
        if got["split"]:  # outside analyze's marks: the interpreter, the imports, the exit
            split = f"start-up + exit {got['wall'] - sum(got['split'].values()):.2f}, {split}"
        rows = [
            ("analyze run", f"{run} of {args.runs}"),
            ("events", f"{got['events']:,} in {got['sessions']} session(s), "
             f"{got['findings']} finding(s), document sha256 {got['digest']}…"),
            ("wall", f"{got['wall']:.1f} s (CPU {got['cpu']:.1f} s) = "
             f"{got['events'] / got['wall']:,.0f} events/s"),
            ("peak RSS", f"{rss / 2**30:.2f} GiB"),
            ("split (s)", split or "-"),
            ("other processes", f"took {got['shared']:.0%} of the pinned core; the other "
             f"cores were {got['other_cores_busy']:.0%} busy (load average "
             f"{got['load_before']:.2f} before the run)"),
            ("goal < 60 s, < 4 GiB", "MET" if met else "MISSED"),
        ]  # fmt: skip
        for name, value in rows:
            print(f"{name:<22} {value}")
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"# this script's own peak RSS {peak_self / 1024:.0f} MiB")
    print("RESULT:", "PASS" if ok else "FAIL (see above)")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
