"""The `sunlit` command, run as a user runs it: a real process with its own environment."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from sunlit import __version__
from sunlit.demo.season import SHOPPERS

SUNLIT = str(Path(sys.executable).parent / "sunlit")


def run(
    tmp_path: Path,
    *args: str,
    input: str | None = None,
    timeout: int = 120,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    env = (env or {}) | {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "SUNLIT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'var' / 'sunlit.db'}",
        "SUNLIT_ARGON2_TIME_COST": "1",
        "SUNLIT_ARGON2_MEMORY_KIB": "1024",
        "COLUMNS": "200",
    }
    return subprocess.run(
        [SUNLIT, *args],
        cwd=tmp_path,
        env=env,
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_version(tmp_path: Path) -> None:
    done = run(tmp_path, "version")
    assert done.returncode == 0 and done.stdout.strip() == f"sunlit {__version__}"


def test_migrate_demo_users_and_export(tmp_path: Path) -> None:
    assert run(tmp_path, "migrate").returncode == 0
    first = run(tmp_path, "demo")
    assert first.returncode == 0, first.stderr
    assert "official.dangshan" in first.stdout and "sunlit-demo-2026" in first.stdout
    assert run(tmp_path, "demo").returncode == 0  # loading twice changes nothing
    _what_a_newcomer_finds(tmp_path / "var" / "sunlit.db")

    created = run(
        tmp_path,
        "users",
        "create",
        "--username",
        "inspector",
        "--name",
        "检查员",
        "--role",
        "supervisor",
        "--org",
        "纪委监委",
        input="a-long-password\n" * 2,
    )
    assert created.returncode == 0, created.stderr + created.stdout
    refused = run(
        tmp_path,
        "users",
        "create",
        "--username",
        "inspector",
        "--name",
        "again",
        input="a-long-password\n" * 2,
    )
    assert refused.returncode == 1 and "该账号名已被占用" in refused.stderr  # zh by default
    short = run(tmp_path, "users", "create", "--username", "x", "--name", "y", input="abc\n" * 2)
    assert short.returncode == 1
    assert "--username:" in short.stderr and "--password:" in short.stderr

    exported = run(tmp_path, "events", "export", "--since", "2000-01-01T00:00:00+08:00")
    assert exported.returncode == 0, exported.stderr
    events = [orjson.loads(line) for line in exported.stdout.splitlines()]
    registered = [e for e in events if e["type"] == "account.registered"]
    # 19 demo accounts, the Majiang season's shoppers (sunlit.demo.season) and the inspector,
    # each once
    assert len(registered) == 20 + SHOPPERS
    assert {e["data"]["role"] for e in registered} == {
        "operator",
        "supervisor",
        "official",
        "farmer",
        "consumer",
        "press",
    }
    assert sum(e["type"] == "region.served" for e in events) == 6
    # The demo's ended session (sunlit.demo.session) and the two of the Majiang season
    # (sunlit.demo.history), each played through once however often the demo is loaded: they
    # went live and ended, and the Dangshan one was paid out and its figures verified.
    filed = {e["session"]: e["data"] for e in events if e["type"] == "session.filed"}
    hosts = sorted((data["official_region"], data["host_kind"]) for data in filed.values())
    assert hosts == [
        ("341321", "official"),
        ("440825", "official"),  # what comes next (sunlit.demo.upcoming): Xuwen's pineapples
        ("522635", "official"),
        ("522635", "producer"),
    ]
    assert sum(e["type"] == "session.started" for e in events) == 3
    [dangshan] = [s for s, data in filed.items() if data["official_region"] == "341321"]
    # The Dangshan official's next plan waits for the cooperative's answer: asked, not filed.
    asked = [e for e in events if e["type"] == "plan.consent_asked" and e["session"] != dangshan]
    assert {e["session"] for e in asked} - set(filed)
    [ended] = [e for e in events if e["type"] == "session.ended" and e["session"] == dangshan]
    # Besides Majiang's weekly payouts, the Dangshan session's payout and the two of the
    # demo's parcels (sunlit.demo.fulfilment): the claim's order before the fund paid its
    # refund first, and the payout that recovered it.
    majiang = {
        e["data"]["producer"]
        for e in events
        if e["type"] == "producer.registered" and e["data"]["region"] == "522635"
    }
    payouts = [e for e in events if e["type"] == "payout.made"]
    assert sum(e["data"]["producer"] not in majiang for e in payouts) == 3
    assert sum(e["data"]["producer"] in majiang for e in payouts) >= 8  # weekly, all season
    assert sum(e["type"] == "fund.compensated" for e in events) == 1
    assert sum(e["type"] == "fund.recovered" for e in events) == 1
    assert any(e["type"] == "figures.verified" and e["session"] == ended["session"] for e in events)

    out = tmp_path / "events.jsonl"
    to_file = run(tmp_path, "events", "export", "--out", str(out))
    assert to_file.returncode == 0
    assert out.read_bytes().decode("utf-8").splitlines() == exported.stdout.splitlines()

    later = run(tmp_path, "events", "export", "--since", "2999-01-01T00:00:00+08:00")
    assert later.returncode == 0 and later.stdout == ""


@pytest.mark.parametrize("bad", ["yesterday", "2026-01-01T00:00:00"])
def test_export_refuses_a_time_it_cannot_read(tmp_path: Path, bad: str) -> None:
    run(tmp_path, "migrate")
    done = run(tmp_path, "events", "export", "--since", bad)
    assert done.returncode == 2 and "RFC 3339" in done.stderr


def _what_a_newcomer_finds(database: Path) -> None:
    """Majiang's season told farmer.majiang of three months of orders: a newcomer signing in
    finds them read, and only the last week's waiting (sunlit.app.notices.read_the_past). And
    what comes next (sunlit.demo.upcoming): an approved session ahead, which buyer1, who
    follows its county, was told of."""
    with closing(sqlite3.connect(database)) as db:
        rows = db.execute(
            "SELECT n.created_at, n.read_at FROM notifications n"
            " JOIN accounts a ON a.id = n.account_id WHERE a.username = 'farmer.majiang'"
        ).fetchall()
        upcoming = db.execute(
            "SELECT p.status FROM session_plans p JOIN accounts a ON a.id = p.official_id"
            " WHERE a.username = 'official.xuwen' AND p.starts_at > ?",
            (datetime.now(UTC).replace(tzinfo=None).isoformat(" "),),
        ).fetchall()
        told = db.execute(
            "SELECT n.kind FROM notifications n JOIN accounts a ON a.id = n.account_id"
            " WHERE a.username = 'buyer1' AND n.read_at IS NULL"
        ).fetchall()
    assert upcoming == [("approved",)]  # an approved session ahead, that buyer1 was told of
    assert ("followed_session_approved",) in told
    unread = [made for made, read in rows if read is None]
    assert len(rows) > 100  # the season's orders were told
    assert 0 < len(unread) < 30
    # The demo ran minutes ago, on the real clock (stored as UTC).
    week_before = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=7, minutes=15)
    assert all(datetime.fromisoformat(made) >= week_before for made in unread)
    assert sum(read is not None for _, read in rows) > 100


def test_serve_refuses_ports_another_server_holds(tmp_path: Path) -> None:
    """granian and the live rooms bind with SO_REUSEPORT, so a second `sunlit serve` on the
    same ports used to start and share them with the first at random. A port held as granian
    holds it (SO_REUSEPORT, listening) now stops the start with a message naming the setting,
    before anything is served."""
    with socket.socket() as held, socket.socket() as spare:
        held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        held.bind(("127.0.0.1", 0))
        held.listen()
        taken = held.getsockname()[1]
        spare.bind(("127.0.0.1", 0))
        free = spare.getsockname()[1]
        spare.close()
        web = run(tmp_path, "serve", "--port", str(taken), timeout=60)
        assert web.returncode == 2, web.stdout + web.stderr
        assert f"Port {taken} on 127.0.0.1 is already in use" in web.stderr
        assert "SUNLIT_PORT" in web.stderr
        live = run(
            tmp_path, "serve", "--port", str(free), env={"SUNLIT_LIVE_PORT": str(taken)}, timeout=60
        )
        assert live.returncode == 2, live.stdout + live.stderr
        assert f"Port {taken}" in live.stderr and "SUNLIT_LIVE_PORT" in live.stderr
