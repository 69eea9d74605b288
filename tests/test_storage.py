"""Storage behaves the same on SQLite and PostgreSQL: migrations, the append-only event log
written in the same transaction as the change, and its JSON Lines export."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import orjson
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

import sunlit.app.schema  # noqa: F401  (every context's tables, in Base.metadata)
from sunlit.accounts.model import NewAccount
from sunlit.accounts.services import Origin, Passwords, do_register
from sunlit.accounts.tables import AccountRow
from sunlit.core.db import Base, Database
from sunlit.core.eventlog import Event, append, export_jsonl
from sunlit.core.eventlog.tables import EventRow
from sunlit.core.migrate import current_revision, head_revision
from sunlit.settings import Settings

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2020, 3, 2, 12, 15, 3, 120000, tzinfo=UTC)


async def test_database_is_migrated_to_head_and_matches_the_models(
    database: Database, settings: Settings
) -> None:
    assert await current_revision(database.engine) == head_revision(settings)

    def diff(connection: object) -> list[object]:
        context = MigrationContext.configure(connection)  # type: ignore[arg-type]
        return list(compare_metadata(context, Base.metadata))

    async with database.engine.connect() as connection:
        differences = await connection.run_sync(diff)
    assert differences == []


async def test_event_commits_with_the_change(database: Database, settings: Settings) -> None:
    passwords = Passwords(settings)
    async with database.transaction() as db:
        await do_register(
            db,
            passwords,
            NewAccount("lihua", "李华", "a-long-password"),
            now=T0,
            origin=Origin("10.0.0.1", "dev-1"),
        )
    async with database.sessions() as db:
        events = (await db.scalars(select(EventRow))).all()
        assert [e.type for e in events] == ["account.registered"]
        assert events[0].actor == (await db.scalar(select(AccountRow.id)))
        assert events[0].data["role"] == "consumer"
        assert events[0].data["ip"] == "10.0.0.1"


async def test_event_rolls_back_with_the_change(database: Database, settings: Settings) -> None:
    passwords = Passwords(settings)
    with pytest.raises(RuntimeError):
        async with database.transaction() as db:
            await do_register(
                db,
                passwords,
                NewAccount("wangfang", "王芳", "a-long-password"),
                now=T0,
                origin=Origin("10.0.0.1", "dev-1"),
            )
            raise RuntimeError("the request failed after the change")
    async with database.sessions() as db:
        assert await db.scalar(select(func.count()).select_from(EventRow)) == 0
        assert await db.scalar(select(func.count()).select_from(AccountRow)) == 0


@pytest.mark.parametrize(
    "statement",
    ["UPDATE event_log SET type = 'forged'", "DELETE FROM event_log"],
)
async def test_event_log_refuses_rewrites(database: Database, statement: str) -> None:
    async with database.transaction() as db:
        append(db, Event(type="session.started", ts=T0, data={}, session="s-1"))
    with pytest.raises(DBAPIError, match="append-only"):
        async with database.transaction() as db:
            await db.execute(text(statement))
    async with database.sessions() as db:
        rows = (await db.scalars(select(EventRow))).all()
        assert [(r.type, r.session) for r in rows] == [("session.started", "s-1")]


async def test_export_writes_the_spec_envelope_in_order_and_filters_by_time(
    database: Database,
) -> None:
    async with database.transaction() as db:
        for minute in range(5):
            append(
                db,
                Event(
                    type="chat.message",
                    ts=T0 + timedelta(minutes=minute),
                    session="s-0001",
                    actor=f"a-{minute}",
                    data={"text": f"砀山酥梨 {minute} 号"},
                ),
            )
    out = io.BytesIO()
    async with database.sessions() as db:
        written = await export_jsonl(db, out, SHANGHAI, since=T0 + timedelta(minutes=2))
    lines = out.getvalue().decode("utf-8").splitlines()
    assert written == 3 == len(lines)
    first = orjson.loads(lines[0])
    assert set(first) == {"id", "type", "ts", "session", "actor", "data"}
    assert first["ts"] == "2020-03-02T20:17:03.120+08:00"  # RFC 3339, ms, offset
    assert first["data"] == {"text": "砀山酥梨 2 号"}
    assert [orjson.loads(line)["actor"] for line in lines] == ["a-2", "a-3", "a-4"]


async def test_username_is_unique_in_the_database(database: Database, settings: Settings) -> None:
    async with database.transaction() as db:
        db.add(
            AccountRow(
                id="a-1",
                username="same",
                display_name="x",
                role="consumer",
                password_hash="h",
                created_at=T0,
            )
        )
    with pytest.raises(DBAPIError):
        async with database.transaction() as db:
            db.add(
                AccountRow(
                    id="a-2",
                    username="same",
                    display_name="y",
                    role="consumer",
                    password_hash="h",
                    created_at=T0,
                )
            )


async def test_unknown_role_is_refused_by_the_database(database: Database) -> None:
    # Plain SQL: the ORM refuses "emperor" before the database sees it (StrEnumType), and
    # this is about the CHECK constraint that guards everything else that writes.
    with pytest.raises(DBAPIError):
        async with database.transaction() as db:
            await db.execute(
                text(
                    "INSERT INTO accounts (id, username, display_name, role, password_hash,"
                    " created_at) VALUES ('a-1', 'x1', 'x', 'emperor', 'h',"
                    " '2020-03-02 12:15:03.120000')"
                )
            )
