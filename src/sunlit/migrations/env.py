"""Alembic environment: runs migrations on the async engine from Sunlit's settings."""

import asyncio
from typing import Any

from alembic import context
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

import sunlit.app.schema  # noqa: F401 - registers every context's tables on Base.metadata
from sunlit.core.db import Base, make_engine
from sunlit.settings import Settings

config = context.config
settings: Settings = config.attributes.get("settings") or Settings()


def run_offline() -> None:
    context.configure(
        url=settings.database_url,
        target_metadata=Base.metadata,
        literal_binds=True,
        render_as_batch=settings.is_sqlite,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=settings.is_sqlite,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migration broke foreign keys: {broken[:10]}")


def _transactional_sqlite(engine: AsyncEngine) -> None:
    """Make a migration run all or nothing on SQLite. The driver leaves DDL outside the
    transaction until the first DML statement, so a revision that refused half-way through a
    downgrade left the earlier steps' table rebuilds behind (``_alembic_tmp_*``); the recipe of
    SQLAlchemy's SQLite dialect documentation ("Serializable isolation / Savepoints /
    Transactional DDL") hands the transaction to SQLite itself.

    Foreign keys are switched off as each connection opens: batch mode rebuilds a table to
    change it (a copy, then DROP and RENAME), and with the keys on, dropping a table others
    refer to deletes its rows first, cascading to (or failing on) theirs. SQLite ignores the
    pragma inside a transaction; the keys are checked at the end instead."""

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=OFF")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")


async def run_online() -> None:
    engine = make_engine(settings)
    if settings.is_sqlite:
        _transactional_sqlite(engine)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    asyncio.run(run_online())
