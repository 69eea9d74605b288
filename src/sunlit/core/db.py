"""Storage: SQLAlchemy 2 async. SQLite (WAL) is the embedded default, PostgreSQL the
production store. Every context's tables share one ``Base.metadata`` so that Alembic sees them."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import DateTime, MetaData, String, event, text
from sqlalchemy.engine.interfaces import DBAPIConnection, Dialect
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapper
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

from sunlit.settings import Settings

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A moment, stored in UTC on every backend; the type of every datetime column.

    ``DateTime(timezone=True)`` alone is a ``timestamptz`` on PostgreSQL, which converts an
    offset correctly, but on SQLite it writes the wall time and drops the offset, so
    ``01:00+08:00`` was stored (and read back) as ``01:00Z``, eight hours late. This type
    converts every value to UTC before either backend sees it, so SQLite keeps one uniform
    UTC text format (``2026-12-20 17:00:00.000000``: its string comparisons order moments
    correctly) and query bounds are converted the same way as stored values. A naive datetime
    is refused: every time in Sunlit carries its offset (the clock, the API's ``AwareDatetime``
    fields, the forms' zone), and a naive one is a bug whose meaning cannot be guessed. Values
    come back aware, in UTC, on both backends."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, not {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: every time in Sunlit carries its offset")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        # SQLite hands back the stored (UTC) wall time without an offset.
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


E = TypeVar("E", bound=StrEnum)


class StrEnumType(TypeDecorator[E]):
    """A column of a domain ``StrEnum``, stored as its value in a ``VARCHAR(length)``: the
    schema is the plain string column it always was (no native enum, no new constraint), and
    the row attribute is the enum member (``Mapped[OrderState]``).

    Writing checks the value: a member of the enum, or a string that is one of its values
    (``Row.state == "paid"`` still works), else ``ValueError`` before the database sees it.
    Reading a value the enum does not know (written behind Sunlit's back, or left by a member
    since removed) raises ``ValueError`` naming the enum and its values, rather than handing
    a stray string to code that trusts the type."""

    impl = String
    cache_ok = True

    def __init__(self, enum_class: type[E], length: int) -> None:
        too_long = [m.value for m in enum_class if len(m.value) > length]
        if too_long:
            raise ValueError(f"{enum_class.__name__} values longer than {length}: {too_long}")
        super().__init__(length)
        self.enum_class = enum_class
        self.length = length
        self._members: dict[str, E] = {m.value: m for m in enum_class}

    def _known(self, value: object, reading: bool) -> E:
        member = self._members.get(value) if isinstance(value, str) else None
        if member is None:
            where = "read from the database" if reading else "to store"
            known = ", ".join(self._members)
            raise ValueError(
                f"{value!r} {where} is not a value of {self.enum_class.__name__} ({known})"
            )
        return member

    def coerce(self, value: E | str | None) -> E | None:
        """The member for ``value`` (None stays None); ``ValueError`` for anything else."""
        return None if value is None else self._known(value, reading=False)

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self._known(value, reading=False).value

    def process_literal_param(self, value: E | str | None, dialect: Dialect) -> str:
        return self._known(value, reading=False).value  # NULL never reaches a type

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        return None if value is None else self._known(value, reading=True)

    @property
    def python_type(self) -> type[E]:
        return self.enum_class


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


@event.listens_for(Base, "mapper_configured", propagate=True)
def _coerce_enum_attributes(mapper: Mapper[Any], class_: type[Any]) -> None:
    """Make a ``StrEnumType`` column's attribute hold its member from the moment it is set,
    not only once the row is read back: ``OrderRow(state="placed").state is OrderState.PLACED``,
    and an unknown value fails at the assignment that made it."""
    for prop in mapper.column_attrs:
        column_type = prop.columns[0].type
        if isinstance(column_type, StrEnumType):
            event.listen(getattr(class_, prop.key), "set", _coercer(column_type), retval=True)


def _coercer(column_type: StrEnumType[Any]) -> Callable[..., Any]:
    def coerce(_target: object, value: Any, _old: object, _initiator: object) -> Any:
        return column_type.coerce(value)

    return coerce


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(settings: Settings, **kwargs: Any) -> AsyncEngine:
    """The engine for ``settings.database_url``; creates the SQLite file's folder if needed."""
    if settings.is_sqlite:
        path = settings.sqlite_path()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        if path is not None:  # a file: pooled like PostgreSQL (memory databases are not)
            kwargs = _pool(settings, kwargs)
        engine = create_async_engine(settings.database_url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # Recycled every half hour instead of a ping on every checkout (a round trip per request).
    kwargs.setdefault("pool_recycle", 1800)
    return create_async_engine(settings.database_url, **_pool(settings, kwargs))


def _pool(settings: Settings, kwargs: dict[str, Any]) -> dict[str, Any]:
    """A fixed pool large enough for a busy process: requests beyond it wait for a connection
    rather than open (and then close) one of their own, which under load costs more than the
    query (a TLS attempt, a thread for SQLite)."""
    kwargs.setdefault("pool_size", settings.db_pool_size)
    kwargs.setdefault("max_overflow", 0)
    kwargs.setdefault("pool_timeout", 60)
    return kwargs


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


class Database:
    """The engine and session factory one process uses."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = make_engine(settings)
        self.sessions = make_sessionmaker(self.engine)
        self._answered_at = float("-inf")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits on success, rolls back on any exception."""
        async with self.sessions() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()

    async def reachable(self, *, within: float = 1.0) -> None:
        """Fail unless the database answered within the last ``within`` seconds: asked at most
        that often, however often a load balancer asks this process (``/healthz``)."""
        now = time.monotonic()
        if now - self._answered_at < within:
            return
        async with self.sessions() as db:
            await ping(db)
        self._answered_at = now


async def ping(db: AsyncSession) -> None:
    """Fail unless the database answers."""
    await db.execute(text("SELECT 1"))
