"""The columns and constraints that recur across the migrations, one factory each.

Every factory returns exactly what the migrations used to spell out by hand (the same type,
nullability, server default and constraint name), so the schema they build is unchanged. The
constraint factories name their constraint the way ``sunlit.core.db.NAMING`` would, but pin the
name with ``op.f()`` as autogenerate does: a later change to the naming convention cannot rename
what an old revision creates. ``create_table`` hands each of them its table's name, and makes
the primary key ``pk_<table>`` of the ``key()`` (``serial()``, ``sequence()``) columns.

These are frozen with the revisions that call them: add a factory rather than change what an
existing one returns, or replaying an old revision would build a different schema. Columns are
NOT NULL unless ``null=True``, as in the tables' ``Mapped[...]`` annotations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.util import set_creation_order

#: What ``sunlit.core.db.UTCDateTime`` stores: a migration names the plain type, not the
#: decorator, which converts values in Python and leaves the DDL as this.
UTC = sa.DateTime(timezone=True)

Column = sa.Column[Any]


def _column(name: str, type_: Any, *, null: bool, **kw: Any) -> Column:
    return sa.Column(name, type_, nullable=null, **kw)


def key(name: str = "id", *, length: int = 40) -> Column:
    """A column of the table's primary key: by default the row's own ``id``, ``String(40)``.
    ``create_table`` makes the ``pk_<table>`` constraint of the key columns, in their order."""
    return sa.Column(name, sa.String(length=length), primary_key=True, nullable=False)


def ident(name: str, *, null: bool = False, length: int = 40) -> Column:
    """An identifier that points at another row (``String(40)``)."""
    return _column(name, sa.String(length=length), null=null)


def string(name: str, length: int, *, null: bool = False) -> Column:
    return _column(name, sa.String(length=length), null=null)


def text(name: str, *, null: bool = False) -> Column:
    """Unbounded text (``Text``)."""
    return _column(name, sa.Text(), null=null)


def region(name: str = "region", *, null: bool = False) -> Column:
    """A six-digit GB/T 2260 region code."""
    return _column(name, sa.String(length=6), null=null)


def moment(name: str, *, null: bool = False) -> Column:
    """A moment in UTC (``UTCDateTime`` in the tables)."""
    return _column(name, UTC, null=null)


def created_at() -> Column:
    return moment("created_at")


def updated_at() -> Column:
    return moment("updated_at")


def day(name: str, *, null: bool = False) -> Column:
    """A calendar date (``Date``)."""
    return _column(name, sa.Date(), null=null)


def fen(name: str, *, null: bool = False, zero: bool = False) -> Column:
    """An amount of money in fen (``BigInteger``); ``zero``: the server default is 0."""
    return _integer(name, sa.BigInteger(), null=null, zero=zero)


def bigint(name: str) -> Column:
    """A quantity that may outgrow 32 bits: stock, bytes (``BigInteger``)."""
    return _column(name, sa.BigInteger(), null=False)


def integer(name: str, *, null: bool = False, zero: bool = False) -> Column:
    """A small count (``Integer``); ``zero``: the server default is 0."""
    return _integer(name, sa.Integer(), null=null, zero=zero)


def _integer(name: str, type_: Any, *, null: bool, zero: bool) -> Column:
    if zero:
        return _column(name, type_, null=null, server_default="0")
    return _column(name, type_, null=null)


def flag(name: str, *, default: bool) -> Column:
    """A boolean with its server default."""
    return _column(
        name, sa.Boolean(), null=False, server_default=sa.true() if default else sa.false()
    )


def json(name: str) -> Column:
    return _column(name, sa.JSON(), null=False)


def serial(name: str = "id") -> Column:
    """An autoincrementing INTEGER primary key."""
    return sa.Column(name, sa.Integer(), primary_key=True, autoincrement=True, nullable=False)


def sequence(name: str = "seq") -> Column:
    """An append-only log's autoincrementing primary key: BIGINT (a sequence) on PostgreSQL,
    the INTEGER rowid on SQLite, which autoincrements nothing else."""
    return sa.Column(
        name,
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
        nullable=False,
    )


@dataclass(frozen=True)
class Named:
    """A constraint that takes its name from its table's: ``create_table`` builds it."""

    build: Callable[[str], sa.Constraint]


@dataclass(frozen=True)
class Choice:
    """A string column and the CHECK that it holds one of its values: ``create_table`` adds
    both, the CHECK before the constraints listed after the columns."""

    column: Column
    check: Named


def choice(name: str, *values: str, length: int = 16) -> Choice:
    """A ``String(length)`` state, status or kind holding one of ``values`` (``one_of``)."""
    return Choice(_column(name, sa.String(length=length), null=False), one_of(name, *values))


def create_table(name: str, *items: sa.schema.SchemaItem | Named | Choice, **kw: Any) -> sa.Table:
    """``op.create_table``, building the ``Named`` constraints (a ``Choice``'s CHECK where its
    column stands) and the primary key of the ``key()`` columns, in their order.

    SQLAlchemy writes the primary key first and then the other constraints in the order they
    were created, and SQLite keeps that DDL as written: they are renumbered here in the order
    given, so that a hand-written constraint (built before the ``Named`` ones) keeps its place
    among them."""
    built: list[sa.schema.SchemaItem] = []
    for item in items:
        if isinstance(item, Choice):
            built += [item.column, item.check.build(name)]
        else:
            built.append(item.build(name) if isinstance(item, Named) else item)
    keys = [item.name for item in built if isinstance(item, sa.Column) and item.primary_key]
    if keys:
        built.append(sa.PrimaryKeyConstraint(*keys, name=op.f(f"pk_{name}")))
    for item in built:
        if isinstance(item, sa.Constraint):
            set_creation_order(item)
    return op.create_table(name, *built, **kw)


def foreign_key(column: str, target: str, **kw: Any) -> Named:
    """``column`` references ``target``: a table (its ``id``) or ``table.column``. ``kw``:
    ``ondelete``, ``deferrable``..."""
    referred, _, referred_column = target.partition(".")
    return Named(
        lambda table: sa.ForeignKeyConstraint(
            [column],
            [f"{referred}.{referred_column or 'id'}"],
            name=op.f(f"fk_{table}_{column}_{referred}"),
            **kw,
        )
    )


def unique(column: str) -> Named:
    return Named(lambda table: sa.UniqueConstraint(column, name=op.f(f"uq_{table}_{column}")))


def check(name: str, condition: str) -> Named:
    return Named(lambda table: sa.CheckConstraint(condition, name=op.f(f"ck_{table}_{name}")))


def one_of(column: str, *values: str) -> Named:
    """``column`` holds one of ``values``: the CHECK ``<column>_known``."""
    listed = ", ".join(f"'{value}'" for value in values)
    return check(f"{column}_known", f"{column} IN ({listed})")


def positive(column: str) -> Named:
    """The CHECK ``<column>_positive``: ``column > 0``."""
    return check(f"{column}_positive", f"{column} > 0")


def refund_within_amount() -> Named:
    """What was refunded never exceeds the amount (the ``refunded`` and ``amount`` columns)."""
    return check("refund_within_amount", "refunded >= 0 AND refunded <= amount")


def create_index(table: str, *columns: str, unique: bool = False) -> None:
    """The index ``ix_<table>_<columns>``, as the naming convention names it."""
    op.create_index(_index_name(table, columns), table, list(columns), unique=unique)


def drop_index(table: str, *columns: str) -> None:
    op.drop_index(_index_name(table, columns), table_name=table)


def _index_name(table: str, columns: tuple[str, ...]) -> str:
    return f"ix_{table}_{'_'.join(columns)}"
