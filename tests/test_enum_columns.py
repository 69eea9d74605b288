"""Enum columns are typed: a status, state, kind or role column holds its domain ``StrEnum``
(``StrEnumType`` in core/db.py), stored as the same VARCHAR as before. Values round-trip as
members, an unknown value is refused before the database sees it, and a stray value found in
the database fails loudly when read."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import String, select, text, update
from sqlalchemy.exc import StatementError

import sunlit.app.schema  # noqa: F401  (every context's tables, in Base.metadata)
from sunlit.accounts.model import Role
from sunlit.accounts.tables import AccountRow
from sunlit.core.db import Base, Database, StrEnumType
from sunlit.participation.model import ReportCategory
from sunlit.participation.tables import AnonymousReportRow

T0 = datetime(2020, 3, 2, 12, 15, 3, tzinfo=UTC)

#: Columns named like an enum that hold free text on purpose: a product's kind is any
#: ``catalog.model.KIND`` word ("navel_orange"), not a closed set.
FREE_TEXT = {"products.kind", "reference_bands.kind"}


def account(role: Role | str) -> AccountRow:
    return AccountRow(
        id="a-1", username="lihua", display_name="李华", role=role, password_hash="h", created_at=T0
    )


async def test_an_enum_column_round_trips_its_member_and_refuses_an_unknown_value(
    database: Database,
) -> None:
    async with database.transaction() as db:
        db.add(account("farmer"))  # a plain string of a known value is taken as its member
    async with database.sessions() as db:
        row = await db.get_one(AccountRow, "a-1")
        assert row.role is Role.FARMER
        assert await db.scalar(select(AccountRow.role).where(AccountRow.role == "farmer")) == (
            Role.FARMER
        )
        # Stored as the value, in the same VARCHAR column as before.
        raw = await db.scalar(text("SELECT role FROM accounts WHERE id = 'a-1'"))
        assert raw == "farmer" and type(raw) is str

    with pytest.raises(ValueError, match="'emperor' to store is not a value of Role"):
        account("emperor")  # refused at the assignment, not at some later flush
    async with database.transaction() as db:
        row = await db.get_one(AccountRow, "a-1")
        with pytest.raises(ValueError, match="not a value of Role"):
            row.role = "emperor"  # type: ignore[assignment]
        with pytest.raises(StatementError, match="not a value of Role"):
            await db.execute(update(AccountRow).values(role="emperor"))


async def test_a_value_the_enum_does_not_know_fails_when_read(database: Database) -> None:
    # Written behind the ORM's back, into a column with no CHECK constraint.
    async with database.transaction() as db:
        await db.execute(
            text(
                "INSERT INTO anonymous_reports (id, category, text, received_on, released)"
                " VALUES ('r-1', 'gossip', 'x', :day, :released)"
            ),
            {"day": date(2020, 3, 2), "released": False},
        )
    async with database.sessions() as db:
        with pytest.raises(
            ValueError,
            match=r"'gossip' read from the database is not a value of ReportCategory \(",
        ):
            await db.scalar(select(AnonymousReportRow))
        assert ReportCategory.OTHER in ReportCategory  # the enum itself is untouched


def test_enum_like_columns_are_typed_with_the_same_length() -> None:
    untyped = []
    for table in Base.metadata.tables.values():
        for column in table.columns:
            name = f"{table.name}.{column.name}"
            if isinstance(column.type, StrEnumType):
                assert isinstance(column.type.impl_instance, String)
                assert column.type.impl_instance.length == column.type.length
            elif column.name in {"state", "status", "kind", "role"} and name not in FREE_TEXT:
                untyped.append(name)
    assert untyped == []
