"""Alembic environment: runs migrations on the async engine from Sunlit's settings."""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

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
    if sqlite:
        # Batch mode rebuilds a table to change it (a copy, then DROP and RENAME). With foreign
        # keys on, dropping a table that others refer to deletes its rows first, cascading to
        # (or failing on) theirs. SQLite ignores this pragma inside a transaction: it is set
        # before the migrations' transaction begins, and the keys are checked at the end.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
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


async def run_online() -> None:
    engine = make_engine(settings)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    asyncio.run(run_online())
