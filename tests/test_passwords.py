"""Passwords: change one's own, reset links for staff, reset codes for buyers; each ends the
account's sessions through one place that records ``account.sessions_ended``."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from sunlit.accounts import credentials, sessions
from sunlit.accounts import services as accounts
from sunlit.accounts.errors import BadCredentials
from sunlit.accounts.model import NewAccount, Role
from sunlit.accounts.services import Passwords
from sunlit.accounts.tables import AccountRow, WebSessionRow
from sunlit.core.db import Database
from sunlit.core.errors import InvalidInput, PermissionDenied, SessionExpired, TooManyAttempts
from sunlit.core.eventlog.tables import EventRow
from sunlit.core.ratelimit import MemoryAttemptCounter
from sunlit.settings import Settings
from tests.support import LiveServer, csrf_of, sign_in, submit
from tests.test_accounts import HERE, T0, register
from tests.test_web import PASSWORD, client, events_of, load_demo_into

OLD = "old-password-1"
NEW = "brand-new-password-2"


class RecordingNotifier:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(self, account: AccountRow, message: str) -> None:
        self.sent.append((account.id, message))

    def code(self) -> str:
        found = re.search(r"\b(\d{6})\b", self.sent[-1][1])
        assert found is not None
        return found.group(1)


async def session_for(database: Database, account: AccountRow) -> str:
    async with database.transaction() as db:
        return sessions.open_session(db, account, now=T0)


async def live_sessions(database: Database, account_id: str) -> int:
    async with database.sessions() as db:
        rows = await db.scalars(select(WebSessionRow).where(WebSessionRow.account_id == account_id))
        return len(rows.all())


async def event_types(database: Database) -> list[str]:
    async with database.sessions() as db:
        return [row.type for row in await db.scalars(select(EventRow).order_by(EventRow.seq))]


async def can_sign_in(database: Database, settings: Settings, username: str, password: str) -> bool:
    async with database.transaction() as db:
        try:
            await sessions.authenticate(
                db,
                Passwords(settings),
                MemoryAttemptCounter(),
                settings,
                username=username,
                password=password,
                ip="192.0.2.1",
                now=T0,
            )
        except BadCredentials:
            return False
    return True


async def test_change_needs_the_current_password_and_ends_only_other_sessions(
    database: Database, settings: Settings
) -> None:
    account = await register(database, settings, NewAccount("li.na", "李娜", OLD))
    here, elsewhere = await session_for(database, account), await session_for(database, account)
    async with database.transaction() as db:
        _, api_token = await sessions.do_create_api_token(db, account, "script", now=T0)
    counter = MemoryAttemptCounter()

    async def change(current: str, new: str) -> None:
        async with database.transaction() as db:
            me = await sessions.session_account(db, here, now=T0, settings=settings)
            await credentials.do_change_password(
                db,
                Passwords(settings),
                counter,
                settings,
                me,
                current=current,
                new=new,
                ip=HERE.ip,
                now=T0,
                session_token=here,
            )

    with pytest.raises(InvalidInput) as wrong:
        await change("not-the-password", NEW)
    assert set(wrong.value.fields) == {"current_password"}
    for weak in ["short", "li.na", OLD]:
        with pytest.raises(InvalidInput) as refused:
            await change(OLD, weak)
        assert set(refused.value.fields) == {"new_password"}
    assert await live_sessions(database, account.id) == 2
    await change(OLD, NEW)
    assert await can_sign_in(database, settings, "li.na", NEW)
    assert not await can_sign_in(database, settings, "li.na", OLD)
    async with database.transaction() as db:
        assert (
            await sessions.session_account(db, here, now=T0, settings=settings)
        ).id == account.id
        with pytest.raises(SessionExpired):
            await sessions.session_account(db, elsewhere, now=T0, settings=settings)
        assert (await sessions.token_account(db, api_token, now=T0)).id == account.id  # kept
    async with database.sessions() as db:
        ended = await db.scalar(select(EventRow).where(EventRow.type == "account.sessions_ended"))
    assert ended is not None
    assert ended.actor == account.id
    assert ended.data == {
        "account": account.id,
        "reason": "password_changed",
        "sessions": 1,
        "kept_current": True,
        "api_tokens_revoked": 0,
    }
    assert (await event_types(database))[-2:] == [
        "account.password_changed",
        "account.sessions_ended",
    ]


async def test_guessing_the_current_password_is_throttled(
    database: Database, settings: Settings
) -> None:
    account = await register(database, settings, NewAccount("gao.min", "高敏", OLD))
    counter = MemoryAttemptCounter()
    refusals = []
    for n in range(settings.login_max_failures + 1):
        async with database.transaction() as db:
            me = await db.get(AccountRow, account.id)
            assert me is not None
            try:
                await credentials.do_change_password(
                    db,
                    Passwords(settings),
                    counter,
                    settings,
                    me,
                    current=f"guess-{n}",
                    new=NEW,
                    ip=HERE.ip,
                    now=T0,
                    session_token=None,
                )
            except InvalidInput:
                refusals.append("wrong")
            except TooManyAttempts:
                refusals.append("wait")
    assert refusals == ["wrong"] * settings.login_max_failures + ["wait"]


async def staff_and_operator(
    database: Database, settings: Settings
) -> tuple[AccountRow, AccountRow, AccountRow]:
    async with database.transaction() as db:
        operator = await accounts.do_register(
            db,
            Passwords(settings),
            NewAccount("operator1", "运营", "operator-password", Role.OPERATOR),
            now=T0,
            origin=HERE,
            trusted=True,
        )
    official = await register(
        database, settings, NewAccount("official.x", "干部", OLD, Role.OFFICIAL), actor=operator
    )
    buyer = await register(
        database, settings, NewAccount("buyer.x", "买家", OLD, phone="13800000001")
    )
    return operator, official, buyer


async def test_a_reset_link_is_for_staff_single_use_and_expires(
    database: Database, settings: Settings
) -> None:
    operator, official, buyer = await staff_and_operator(database, settings)
    session = await session_for(database, official)
    async with database.transaction() as db:
        _, api_token = await sessions.do_create_api_token(db, official, "script", now=T0)
    async with database.transaction() as db:
        for target, actor in [(buyer.id, operator), (operator.id, operator), (buyer.id, official)]:
            with pytest.raises(PermissionDenied):
                await credentials.do_issue_reset_link(db, actor, target, now=T0, settings=settings)
    async with database.transaction() as db:
        _, replaced = await credentials.do_issue_reset_link(
            db, operator, official.id, now=T0, settings=settings
        )
    async with database.transaction() as db:
        reset, token = await credentials.do_issue_reset_link(
            db, operator, official.id, now=T0, settings=settings
        )
    assert token not in reset.digest
    expiry = T0 + timedelta(hours=settings.password_reset_link_hours)
    async with database.transaction() as db:
        assert await credentials.open_reset_link(db, replaced, now=T0) is None
        assert await credentials.open_reset_link(db, token, now=expiry) is None
        opened = await credentials.open_reset_link(db, token, now=T0)
        assert opened is not None and opened.id == official.id
        with pytest.raises(InvalidInput, match="not valid"):
            await credentials.do_reset_with_link(
                db, Passwords(settings), token=token, new=NEW, now=expiry
            )
        with pytest.raises(InvalidInput) as weak:
            await credentials.do_reset_with_link(
                db, Passwords(settings), token=token, new="short", now=T0
            )
        assert set(weak.value.fields) == {"password"}
    async with database.transaction() as db:
        await credentials.do_reset_with_link(db, Passwords(settings), token=token, new=NEW, now=T0)
    async with database.transaction() as db:
        with pytest.raises(InvalidInput, match="not valid"):  # once only
            await credentials.do_reset_with_link(
                db, Passwords(settings), token=token, new="another-password-3", now=T0
            )
    assert await can_sign_in(database, settings, "official.x", NEW)
    async with database.transaction() as db:
        with pytest.raises(SessionExpired):
            await sessions.session_account(db, session, now=T0, settings=settings)
        with pytest.raises(BadCredentials):
            await sessions.token_account(db, api_token, now=T0)
    types = await event_types(database)
    assert types.count("account.password_reset_issued") == 2
    assert types[-2:] == ["account.password_reset", "account.sessions_ended"]


async def send_code(
    database: Database,
    settings: Settings,
    notifier: RecordingNotifier,
    counter: MemoryAttemptCounter,
    login: str,
) -> None:
    async with database.transaction() as db:
        await credentials.do_send_reset_code(
            db, notifier, counter, settings, login=login, ip=HERE.ip, now=T0
        )


async def use_code(
    database: Database,
    settings: Settings,
    counter: MemoryAttemptCounter,
    login: str,
    code: str,
    *,
    minutes: int = 0,
) -> AccountRow | None:
    async with database.transaction() as db:
        return await credentials.do_reset_with_code(
            db,
            Passwords(settings),
            counter,
            settings,
            login=login,
            code=code,
            new=NEW,
            ip=f"192.0.2.{len(code) + minutes}",
            now=T0 + timedelta(minutes=minutes),
        )


async def test_a_buyer_resets_with_a_code_once(database: Database, settings: Settings) -> None:
    _, official, buyer = await staff_and_operator(database, settings)
    session = await session_for(database, buyer)
    notifier, counter = RecordingNotifier(), MemoryAttemptCounter()
    for nobody in ["no.such.name", "13900000000", official.username]:  # staff use links
        await send_code(database, settings, notifier, counter, nobody)
    assert notifier.sent == []
    await send_code(database, settings, notifier, counter, "13800000001")  # by phone
    code = notifier.code()
    assert notifier.sent[0][0] == buyer.id
    assert "验证码" in notifier.sent[0][1]  # in the account's language (Chinese by default)
    expired = settings.password_reset_code_minutes
    assert await use_code(database, settings, counter, "buyer.x", code, minutes=expired) is None
    assert (await use_code(database, settings, counter, "buyer.x", code)) is not None
    assert await use_code(database, settings, counter, "buyer.x", code) is None  # once only
    assert await can_sign_in(database, settings, "buyer.x", NEW)
    async with database.transaction() as db:
        with pytest.raises(SessionExpired):
            await sessions.session_account(db, session, now=T0, settings=settings)


async def test_wrong_codes_void_the_code(database: Database, settings: Settings) -> None:
    await staff_and_operator(database, settings)
    notifier, counter = RecordingNotifier(), MemoryAttemptCounter()
    await send_code(database, settings, notifier, counter, "buyer.x")
    code = notifier.code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for n in range(settings.password_reset_code_attempts):
        assert await use_code(database, settings, counter, "buyer.x", wrong, minutes=n) is None
    assert await use_code(database, settings, counter, "buyer.x", code) is None  # void now
    assert await can_sign_in(database, settings, "buyer.x", OLD)
    await send_code(database, settings, notifier, counter, "buyer.x")  # a new code works
    assert await use_code(database, settings, counter, "buyer.x", notifier.code()) is not None


async def test_codes_sent_to_one_account_are_limited(
    database: Database, settings: Settings
) -> None:
    await staff_and_operator(database, settings)
    notifier, counter = RecordingNotifier(), MemoryAttemptCounter()
    for _ in range(settings.password_reset_codes_per_hour + 1):
        async with database.transaction() as db:
            await credentials.do_send_reset_code(
                db, notifier, counter, settings, login="buyer.x", ip=f"192.0.2.{_}", now=T0
            )
    assert len(notifier.sent) == settings.password_reset_codes_per_hour


# --- over HTTP ---------------------------------------------------------------------------


def test_the_forgot_page_answers_alike_for_anyone_and_the_code_is_logged(
    server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    load_demo_into(server)
    with client(server, "en") as c:
        signin = c.get("/signin").text
        assert 'href="/password/forgot"' in signin
        answers = set()
        for n, login in enumerate(["buyer1", "nobody.here", "supervisor1", "13999999999"]):
            c.headers["X-Forwarded-For"] = f"198.51.100.{n}"
            answer = submit(c, "/password/forgot", "/password/forgot", {"login": login})
            answers.add((answer.status_code, re.sub(r'value="[^"]*"', "", answer.text)))
        assert len(answers) == 1  # the same page for a buyer, nobody, staff, a stranger's phone
        assert next(iter(answers))[0] == 200
        logged = [
            json.loads(line)
            for line in capsys.readouterr().err.splitlines()
            if "notification written to the log" in line
        ]
        assert len(logged) == 1  # only the buyer got one
        code = re.search(r"\d{6}", logged[0]["message"])
        assert code is not None
        # A wrong code, then the right one.
        page = c.post(
            "/password/forgot",
            data={"csrf_token": csrf_of(signin), "login": "nobody.here"},
        ).text
        token = csrf_of(page)
        fields = {"csrf_token": token, "login": "buyer1", "password": NEW, "password_confirm": NEW}
        wrong_code = "000000" if code.group(0) != "000000" else "111111"
        wrong = c.post("/password/forgot/code", data={**fields, "code": wrong_code})
        assert wrong.status_code == 422
        assert "The code is wrong or has expired." in wrong.text
        right = c.post("/password/forgot/code", data={**fields, "code": code.group(0)})
        assert right.status_code == 303
        assert right.headers["location"] == "/signin?reset=1"
        assert "Your password has been changed." in c.get("/signin?reset=1").text
        assert sign_in(c, "buyer1", NEW).status_code == 303


def test_changing_the_password_on_the_account_page_signs_out_the_other_browser(
    server: LiveServer,
) -> None:
    load_demo_into(server)
    with client(server, "en") as mine, client(server, "zh") as other:
        assert sign_in(mine, "buyer2", PASSWORD).status_code == 303
        assert sign_in(other, "buyer2", PASSWORD).status_code == 303
        page = mine.get("/account")
        assert "Change password" in page.text
        fields = {
            "csrf_token": csrf_of(page.text),
            "current_password": PASSWORD,
            "new_password": NEW,
            "new_password_confirm": NEW,
        }
        wrong = mine.post("/account/password", data={**fields, "current_password": "nope"})
        assert wrong.status_code == 422
        assert "This is not your current password." in wrong.text
        done = mine.post("/account/password", data=fields)
        assert done.status_code == 303
        assert "Your other sign-ins have ended." in mine.get(done.headers["location"]).text
        assert other.get("/account").status_code == 401  # the other browser's session ended
    assert [e for e in events_of(server) if e.type == "account.sessions_ended"][-1].data[
        "reason"
    ] == "password_changed"


def test_an_operator_issues_a_reset_link_that_works_once(server: LiveServer) -> None:
    load_demo_into(server)
    with client(server, "en") as operator, client(server, "en") as official:
        sign_in(operator, "operator", PASSWORD)
        assert sign_in(official, "official.enshi", PASSWORD).status_code == 303
        page = operator.get("/operator/accounts").text
        assert "Password-reset link" in page
        row = next(row for row in page.split("<tr>") if "official.enshi" in row)
        target = re.search(r'action="/operator/accounts/([^/]+)/reset-link"', row)
        assert target is not None
        issued = operator.post(
            f"/operator/accounts/{target.group(1)}/reset-link",
            data={"csrf_token": csrf_of(page)},
        )
        assert issued.status_code == 200
        link = re.search(r"http://[^<\s]+/password/reset/[A-Za-z0-9_-]+", issued.text)
        assert link is not None
        path = link.group(0).split(str(server.port), 1)[1]
        with client(server, "zh") as person:
            form = person.get(path)
            assert form.status_code == 200
            assert form.headers["referrer-policy"] == "no-referrer"
            fields = {"csrf_token": csrf_of(form.text), "password": NEW, "password_confirm": NEW}
            assert person.post(path, data=fields).status_code == 303
            again = person.post(path, data=fields)
            assert again.status_code == 422
            assert person.get(path).status_code == 404
        assert official.get("/account").status_code == 401  # every session of theirs ended
    assert any(e.type == "account.password_reset" for e in events_of(server))


def test_the_api_changes_passwords_and_issues_links(server: LiveServer) -> None:
    load_demo_into(server)
    with client(server, "en") as c:
        token = c.post("/api/v1/tokens", json={"username": "buyer3", "password": PASSWORD})
        auth = {"Authorization": f"Bearer {token.json()['token']}"}
        body = {"current_password": "nope-nope-nope", "new_password": NEW}
        wrong = c.post("/api/v1/me/password", json=body, headers=auth)
        assert wrong.status_code == 422
        assert wrong.json()["error"]["fields"] == {
            "current_password": "This is not your current password."
        }
        body["current_password"] = PASSWORD
        assert c.post("/api/v1/me/password", json=body, headers=auth).status_code == 204
        assert c.get("/api/v1/me", headers=auth).status_code == 200  # tokens are kept
        for login in ("nobody", "buyer1"):  # the same answer, as its schema says
            sent = c.post("/api/v1/password/forgot", json={"login": login})
            assert (sent.status_code, sent.json()) == (202, {"status": "accepted"})
        reset = {"login": "nobody", "code": "123456", "new_password": NEW}
        assert c.post("/api/v1/password/reset", json=reset).status_code == 422
        op = c.post("/api/v1/tokens", json={"username": "operator", "password": PASSWORD})
        op_auth = {"Authorization": f"Bearer {op.json()['token']}"}
        official = next(
            a for a in c.get("/api/v1/accounts", headers=op_auth).json() if a["role"] == "official"
        )
        link = c.post(f"/api/v1/accounts/{official['id']}/reset-link", headers=op_auth)
        assert link.status_code == 201
        assert "/password/reset/" in link.json()["url"]


def test_every_flow_tells_the_process_after_sessions_end(server: LiveServer) -> None:
    """Services.revoke_access is where live-room sockets close: each flow must call it."""
    load_demo_into(server)
    assert server.services is not None
    told: list[str] = []

    async def record(account_id: str) -> None:
        told.append(account_id)

    server.services.revoke_access = record  # type: ignore[method-assign]
    with client(server, "en") as c:
        op = c.post("/api/v1/tokens", json={"username": "operator", "password": PASSWORD})
        auth = {"Authorization": f"Bearer {op.json()['token']}"}
        people = {a["username"]: a["id"] for a in c.get("/api/v1/accounts", headers=auth).json()}
        link = c.post(f"/api/v1/accounts/{people['supervisor2']}/reset-link", headers=auth)
        path = "/password/reset/" + link.json()["url"].rsplit("/", 1)[1]
        fields = {"password": NEW, "password_confirm": NEW}
        assert submit(c, path, path, fields).status_code == 303
        body = {"current_password": PASSWORD, "new_password": NEW}
        assert c.post("/api/v1/me/password", json=body, headers=auth).status_code == 204
    assert told == [people["supervisor2"], people["operator"]]
