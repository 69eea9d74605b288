"""Tampering with the public log in the database is caught by ``sunlit verify`` (issue 22):
a record changed, one dropped, two swapped, the log rolled back to an older head, each named
in the command's message with exit status 1, while an honest run passes. The command runs as
a user runs it, in its own process, against a live server, on SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import text

from sunlit.core.db import Database
from sunlit.disclosure.opendata.bulk import make_day
from sunlit.settings import Settings
from tests.support import LiveServer, live_server, run_async
from tests.test_catalog_api import api_as, product_named
from tests.test_open_data import publish
from tests.test_web import load_demo_into


@pytest.fixture
def logged(settings: Settings) -> Iterator[LiveServer]:
    """The demo published twice: a first head, then a price change and a second head."""
    with live_server(settings.model_copy(update={"background_jobs": False})) as server:
        load_demo_into(server)
        publish(server)
        with api_as(server, "farmer.dangshan") as farmer:
            pears = product_named(farmer, "砀山")
            assert (
                farmer.post(
                    f"/api/v1/products/{pears['id']}/price", json={"price": 420}
                ).status_code
                == 200
            )
        server.clock.advance(timedelta(minutes=5))
        assert publish(server) >= 1
        yield server


def verify(server: LiveServer, state: Path, *more: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from sunlit.cli import main; main()", "verify"]
    return subprocess.run(
        [*command, "--server", server.url, "--state", str(state), *more],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def sql(server: LiveServer, statement: str, **params: Any) -> list[Any]:
    async def run() -> list[Any]:
        database = Database(server.settings)
        try:
            async with database.transaction() as db:
                result = await db.execute(text(statement), params)
                return list(result.all()) if result.returns_rows else []
        finally:
            await database.dispose()

    found: list[Any] = run_async(run())
    return found


def record(server: LiveServer, seq: int) -> dict[str, Any]:
    [row] = sql(server, "SELECT * FROM open_records WHERE seq = :seq", seq=seq)
    return dict(row._mapping)


def put_back(server: LiveServer, row: dict[str, Any]) -> None:
    names, values = ", ".join(row), ", ".join(f":{name}" for name in row)
    statement = f"INSERT INTO open_records ({names}) VALUES ({values})"  # noqa: S608 - our names
    sql(server, statement, **row)


def failed(run: subprocess.CompletedProcess[str]) -> str:
    assert run.returncode == 1, (run.returncode, run.stdout, run.stderr)
    return " ".join(run.stderr.split())  # Rich wraps long lines


def test_an_honest_log_passes_and_each_tampering_is_named(
    logged: LiveServer, tmp_path: Path
) -> None:
    state = tmp_path / "newsroom.json"
    first = verify(logged, state)
    assert first.returncode == 0, first.stderr
    assert "first run" in first.stdout and state.exists()
    again = verify(logged, state)
    assert again.returncode == 0 and "first run" not in again.stdout, again.stderr
    [(size,)] = sql(logged, "SELECT MAX(tree_size) FROM open_tree_heads")
    assert f"signed head of {size} records" in " ".join(again.stdout.split())

    # One stored record changed: the price in a product's record.
    target = next(
        r.seq
        for r in sql(logged, "SELECT seq, kind, line FROM open_records ORDER BY seq")
        if r.kind == "product" and '"price":398' in r.line
    )
    sql(
        logged,
        "UPDATE open_records SET line = REPLACE(line, :old, :new) WHERE seq = :seq",
        old='"price":398',
        new='"price":298',
        seq=target,
    )
    said = failed(verify(logged, state))
    assert f"Record {target} (product" in said and "does not check out" in said
    sql(
        logged,
        "UPDATE open_records SET line = REPLACE(line, :old, :new) WHERE seq = :seq",
        old='"price":298',
        new='"price":398',
        seq=target,
    )
    assert verify(logged, state).returncode == 0

    # One dropped.
    dropped = record(logged, 3)
    sql(logged, "DELETE FROM open_records WHERE seq = 3")
    said = failed(verify(logged, state))
    assert "Record 3 is missing" in said
    put_back(logged, dropped)
    assert verify(logged, state).returncode == 0

    # Two swapped.
    a, b = record(logged, 4), record(logged, 5)
    for row, other in ((a, b), (b, a)):
        sql(
            logged,
            "UPDATE open_records SET line = :line, leaf_hash = :leaf WHERE seq = :seq",
            line=other["line"],
            leaf=other["leaf_hash"],
            seq=row["seq"],
        )
    said = failed(verify(logged, state))
    assert "Record 4 is missing or out of order" in said
    for row in (a, b):
        sql(
            logged,
            "UPDATE open_records SET line = :line, leaf_hash = :leaf WHERE seq = :seq",
            line=row["line"],
            leaf=row["leaf_hash"],
            seq=row["seq"],
        )
    assert verify(logged, state).returncode == 0

    # Rolled back to the older head: its records after it and its later head deleted.
    [(older,)] = sql(logged, "SELECT MIN(tree_size) FROM open_tree_heads")
    assert older < size
    sql(logged, "DELETE FROM open_records WHERE seq >= :older", older=older)
    sql(logged, "DELETE FROM open_tree_heads WHERE tree_size > :older", older=older)
    said = failed(verify(logged, state))
    assert (
        f"rolled back: it had {size} records when last checked" in said
        and f"now says {older}" in said
    )
    # A newsroom that never ran before sees a log that checks out: only a kept state catches it.
    assert verify(logged, tmp_path / "first-time.json").returncode == 0


def test_a_downloaded_bulk_file_is_checked_record_by_record(
    logged: LiveServer, tmp_path: Path
) -> None:
    async def export() -> None:
        database = Database(logged.settings)
        async with database.transaction() as db:
            await make_day(db, logged.clock.now().date(), tmp_path, now=logged.clock.now())
        await database.dispose()

    run_async(export())
    [honest] = tmp_path.glob("sunlit-open-*.jsonl.gz")
    state = tmp_path / "state.json"
    checked = verify(logged, state, "--bulk", str(honest))
    assert checked.returncode == 0, checked.stderr
    lines = gzip.decompress(honest.read_bytes()).splitlines()
    assert f"OK: {len(lines)} records checked" in checked.stdout

    altered = tmp_path / "altered.jsonl.gz"
    index = next(i for i, line in enumerate(lines) if b'"price":398' in line)
    lines[index] = lines[index].replace(b'"price":398', b'"price":298')
    altered.write_bytes(gzip.compress(b"".join(line + b"\n" for line in lines)))
    said = failed(verify(logged, state, "--bulk", str(altered)))
    seq = orjson.loads(lines[index])["seq"]
    assert f"Record {seq} (product" in said and "does not check out" in said
