"""Accounts, sessions, tokens and roles, through the services, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from sunlit.accounts import roles, sessions
from sunlit.accounts import services as accounts
from sunlit.accounts.errors import BadCredentials
from sunlit.accounts.model import NewAccount, Role
from sunlit.accounts.services import Origin, Passwords
from sunlit.accounts.tables import AccountRow, WebSessionRow
from sunlit.core.db import Database
from sunlit.core.errors import InvalidInput, PermissionDenied, SessionExpired
from sunlit.core.eventlog.tables import EventRow
from sunlit.core.ratelimit import MemoryAttemptCounter
from sunlit.settings import Settings

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
HERE = Origin("192.0.2.7", "device-a")


async def register(
    database: Database, settings: Settings, new: NewAccount, actor: AccountRow | None = None
) -> AccountRow:
    async with database.transaction() as db:
        return await accounts.do_register(
            db, Passwords(settings), new, now=T0, origin=HERE, actor=actor
        )


async def test_passwords_are_stored_as_argon2id(database: Database, settings: Settings) -> None:
    row = await register(database, settings, NewAccount("zhang.wei", "张伟", "pear-harvest-2020"))
    assert row.password_hash.startswith("$argon2id$")
    assert "pear-harvest-2020" not in row.password_hash


async def test_registration_reports_every_bad_field(database: Database, settings: Settings) -> None:
    with pytest.raises(InvalidInput) as caught:
        await register(database, settings, NewAccount("A", " ", "short", phone="12345"))
    assert set(caught.value.fields) == {"username", "display_name", "password", "phone"}


async def test_a_consumer_cannot_make_themselves_an_official(
    database: Database, settings: Settings
) -> None:
    with pytest.raises(PermissionDenied):
        await register(
            database,
            settings,
            NewAccount("fake.official", "假干部", "a-long-password", Role.OFFICIAL),
        )
    consumer = await register(database, settings, NewAccount("buyer", "买家", "a-long-password"))
    with pytest.raises(PermissionDenied):
        await register(
            database,
            settings,
            NewAccount("fake2", "假干部", "a-long-password", Role.OFFICIAL),
            consumer,
        )


async def test_operator_creates_verified_staff_and_role_changes_are_events(
    database: Database, settings: Settings
) -> None:
    async with database.transaction() as db:
        operator = await accounts.do_register(
            db,
            Passwords(settings),
            NewAccount("operator1", "运营", "a-long-password", Role.OPERATOR),
            now=T0,
            origin=HERE,
            trusted=True,
        )
    official = await register(
        database,
        settings,
        NewAccount(
            "official.dangshan",
            "县长",
            "a-long-password",
            Role.OFFICIAL,
            org="砀山县人民政府",
            region="341321",
        ),
        actor=operator,
    )
    assert official.verified_by == operator.id
    async with database.transaction() as db:
        await roles.do_change_role(db, operator, official.id, Role.SUPERVISOR, now=T0)
        with pytest.raises(PermissionDenied):
            await roles.do_change_role(db, operator, operator.id, Role.CONSUMER, now=T0)
    async with database.sessions() as db:
        events = (await db.scalars(select(EventRow).order_by(EventRow.seq))).all()
    assert [e.type for e in events] == [
        "account.registered",
        "account.registered",
        "account.role_changed",
    ]
    assert events[1].data["created_by"] == operator.id
    assert events[1].data["org"] == "砀山县人民政府"
    change = events[2]
    assert change.actor == operator.id
    assert change.data == {"account": official.id, "from": "official", "to": "supervisor"}


async def test_sessions_expire_when_idle_and_are_removed(
    database: Database, settings: Settings
) -> None:
    await register(database, settings, NewAccount("chen.jing", "陈静", "correct-password"))
    async with database.transaction() as db:
        account, token = await sessions.do_sign_in(
            db,
            Passwords(settings),
            MemoryAttemptCounter(),
            settings,
            username="Chen.Jing ",
            password="correct-password",
            ip="192.0.2.1",
            now=T0,
        )
    assert account.username == "chen.jing"
    later = T0 + timedelta(minutes=settings.session_idle_minutes - 1)
    async with database.transaction() as db:
        assert (await sessions.session_account(db, token, now=later, settings=settings)).id == (
            account.id
        )
    too_late = later + timedelta(minutes=settings.session_idle_minutes + 1)
    async with database.transaction() as db:
        with pytest.raises(SessionExpired):
            await sessions.session_account(db, token, now=too_late, settings=settings)
    async with database.sessions() as db:
        assert (await db.scalars(select(WebSessionRow))).all() == []


async def test_api_tokens_are_stored_as_digests_and_can_be_revoked(
    database: Database, settings: Settings
) -> None:
    account = await register(database, settings, NewAccount("api.user", "接口", "a-long-password"))
    async with database.transaction() as db:
        row, token = await sessions.do_create_api_token(db, account, "script", now=T0)
    assert token not in row.digest
    async with database.transaction() as db:
        assert (await sessions.token_account(db, token, now=T0)).id == account.id
        await sessions.do_revoke_api_token(db, account, row.id, now=T0)
    async with database.transaction() as db:
        with pytest.raises(BadCredentials):
            await sessions.token_account(db, token, now=T0)
