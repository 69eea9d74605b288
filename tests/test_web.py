"""The web shell over real HTTP: forms, errors in both languages, CSRF, sessions, tokens,
language switching, request ids and metrics."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from sunlit.core.db import Database
from sunlit.core.eventlog.tables import EventRow
from sunlit.demo.services import load_demo
from sunlit.web.health import HealthFront
from tests.support import (
    LiveServer,
    csrf_of,
    run_async,
    sign_in,
    submit,
    switch,
)

PASSWORD = "sunlit-demo-2026"


def client(server: LiveServer, language: str | None = None) -> httpx.Client:
    c = httpx.Client(base_url=server.url, follow_redirects=False, timeout=10)
    if language:
        c.cookies.set("sunlit_lang", language)
    return c


def load_demo_into(server: LiveServer) -> None:
    assert server.services is not None

    async def run() -> None:
        database = Database(server.settings)
        async with database.transaction() as db:
            await load_demo(
                db,
                server.services.passwords,
                password=PASSWORD,
                now=server.clock.now(),
                files=server.services.files,
            )
        await database.dispose()

    run_async(run())


def events_of(server: LiveServer) -> list[EventRow]:
    async def run() -> list[EventRow]:
        database = Database(server.settings)
        async with database.sessions() as db:
            rows = list((await db.scalars(select(EventRow).order_by(EventRow.seq))).all())
        await database.dispose()
        return rows

    return run_async(run())


def test_home_page_is_chinese_by_default_and_english_on_request(server: LiveServer) -> None:
    with client(server) as c:
        zh = c.get("/")
        assert zh.status_code == 200
        assert '<html lang="zh-Hans">' in zh.text
        assert "公开透明，直播卖丰收" in zh.text  # the headline, in Chinese
        assert "Sell the harvest live" not in zh.text
    with client(server, "en") as c:
        en = c.get("/")
        assert '<html lang="en">' in en.text
        assert "Sell the harvest live, in the open" in en.text


def test_language_switch_persists_in_a_cookie(server: LiveServer) -> None:
    with client(server) as c:
        answer = switch(c, "/language", {"language": "en", "next": "/signin"})
        assert answer.status_code == 303
        assert answer.headers["location"] == "/signin"
        assert "Account name" in c.get("/signin").text
        switch(c, "/language", {"language": "zh", "next": "https://evil.example/"})
        page = c.get("/signin")
        assert "账号名" in page.text


def test_signup_rerenders_with_field_errors_in_the_users_language(server: LiveServer) -> None:
    bad = {"username": "X", "display_name": "", "password": "short", "password_confirm": "other"}
    with client(server, "en") as c:
        answer = submit(c, "/signup", "/signup", bad)
        assert answer.status_code == 422
        assert "The two passwords do not match." in answer.text
        assert 'aria-invalid="true"' in answer.text
    with client(server, "zh") as c:
        answer = submit(c, "/signup", "/signup", {**bad, "password_confirm": "short"})
        assert answer.status_code == 422
        assert "至少" in answer.text  # the password rule, in Chinese
        assert 'value="X"' in answer.text  # what the user typed is kept


def test_signup_signs_in_and_records_the_registration(server: LiveServer) -> None:
    with client(server, "en") as c:
        answer = submit(
            c,
            "/signup",
            "/signup",
            {
                "username": "li.na",
                "display_name": "李娜",
                "phone": "13800000000",
                "password": "a-long-password",
                "password_confirm": "a-long-password",
            },
        )
        assert answer.status_code == 303
        cookie = answer.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
        page = c.get(answer.headers["location"])
        assert page.status_code == 200 and "李娜" in page.text and "Consumer" in page.text
        duplicate = submit(
            c,
            "/signup",
            "/signup",
            {
                "username": "li.na",
                "display_name": "另一个",
                "password": "a-long-password",
                "password_confirm": "a-long-password",
            },
        )
        assert "This account name is taken" in duplicate.text
    registered = [e for e in events_of(server) if e.type == "account.registered"]
    assert len(registered) == 1
    assert registered[0].data["phone_prefix"] == "1380000"
    assert registered[0].data["role"] == "consumer"


def test_forms_without_a_csrf_token_are_refused(server: LiveServer) -> None:
    with client(server, "en") as c:
        c.get("/signin")
        answer = c.post("/signin", data={"username": "x", "password": "y"})
        assert answer.status_code == 403
        assert "This form has expired" in answer.text
        forged = c.post("/signin", data={"username": "x", "password": "y", "csrf_token": "0" * 64})
        assert forged.status_code == 403


def test_wrong_password_then_throttle(server: LiveServer) -> None:
    load_demo_into(server)
    with client(server, "en") as c:
        for _ in range(server.settings.login_max_failures):
            answer = sign_in(c, "buyer1", "wrong-password")
            assert answer.status_code == 401
            assert "The account name or password is wrong." in answer.text
        answer = sign_in(c, "buyer1", PASSWORD)
        assert answer.status_code == 429
        assert "Too many failed sign-ins. Try again in 1 second." in answer.text


def test_protected_page_redirects_to_sign_in_and_back(server: LiveServer) -> None:
    load_demo_into(server)
    with client(server, "en") as c:
        answer = c.get("/account")
        assert answer.status_code == 303
        assert answer.headers["location"] == "/signin?next=/account"
        token = csrf_of(c.get("/signin?next=/account").text)
        answer = c.post(
            "/signin",
            data={
                "csrf_token": token,
                "username": "buyer1",
                "password": PASSWORD,
                "next": "/account",
            },
        )
        assert answer.headers["location"] == "/account"


def test_expired_session_gets_its_own_page(server: LiveServer) -> None:
    load_demo_into(server)
    with client(server, "en") as c:
        assert sign_in(c, "buyer2", PASSWORD).status_code == 303
        assert c.get("/account").status_code == 200
        server.clock.advance(timedelta(minutes=server.settings.session_idle_minutes + 1))
        page = c.get("/account")
        assert page.status_code == 401
        assert "Your session has expired" in page.text
        assert "/signin?next=/account" in page.text


def test_missing_permission_and_unknown_route_pages_in_both_languages(
    server: LiveServer,
) -> None:
    load_demo_into(server)
    with client(server, "en") as c:
        sign_in(c, "buyer3", PASSWORD)
        denied = c.get("/operator/accounts")
        assert denied.status_code == 403
        assert "It is for: Operator." in denied.text
        missing = c.get("/no/such/page")
        assert missing.status_code == 404 and "Page not found" in missing.text
        assert "Sign out" in missing.text  # still shown as signed in
    with client(server, "zh") as c:
        sign_in(c, "buyer3", PASSWORD)
        denied = c.get("/supervisor/cases")
        # The roles a page is for are named as the rest of the page names them, never by code.
        assert denied.status_code == 403 and "仅限以下角色：监督员" in denied.text
        assert "supervisor" not in denied.text.split("<main")[1].split("</main>")[0]
        missing = c.get("/no/such/page")
        assert missing.status_code == 404 and "页面不存在" in missing.text


def test_json_errors_have_one_shape(server: LiveServer) -> None:
    with client(server, "en") as c:
        for path, status, code in [
            ("/api/v1/me", 401, "authentication_required"),
            ("/api/v1/nothing", 404, "not_found"),
            ("/api/v1/regions/999999", 404, "not_found"),
            ("/api/v1/regions?limit=0", 422, "invalid_input"),
        ]:
            answer = c.get(path)
            assert answer.status_code == status, path
            body = answer.json()
            assert set(body) == {"error"}
            assert set(body["error"]) == {"code", "message", "fields"}
            assert body["error"]["code"] == code
        bad = c.post("/api/v1/accounts", json={"username": "x"})
        assert bad.status_code == 422
        assert "password" in bad.json()["error"]["fields"]
        invalid = c.post(
            "/api/v1/accounts",
            json={
                "username": "Bad Name",
                "display_name": "x",
                "password": "short",
            },
        )
        assert invalid.status_code == 422
        assert set(invalid.json()["error"]["fields"]) == {"username", "password"}
    with client(server, "zh") as c:
        assert "没有" in c.get("/api/v1/regions/999999").json()["error"]["message"]


def test_api_token_flow(server: LiveServer) -> None:
    with client(server) as c:
        created = c.post(
            "/api/v1/accounts",
            json={
                "username": "api.buyer",
                "display_name": "接口买家",
                "password": "a-long-password",
            },
        )
        assert created.status_code == 201 and created.json()["role"] == "consumer"
        refused = c.post("/api/v1/tokens", json={"username": "api.buyer", "password": "nope"})
        assert refused.status_code == 401
        issued = c.post(
            "/api/v1/tokens",
            json={
                "username": "api.buyer",
                "password": "a-long-password",
                "name": "laptop",
            },
        )
        assert issued.status_code == 201
        token = issued.json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        assert c.get("/api/v1/me", headers=auth).json()["username"] == "api.buyer"
        tokens = c.get("/api/v1/tokens", headers=auth).json()
        assert [t["name"] for t in tokens] == ["laptop"]
        assert c.delete(f"/api/v1/tokens/{tokens[0]['id']}", headers=auth).status_code == 204
        assert c.get("/api/v1/me", headers=auth).status_code == 401


def test_operator_creates_an_official_and_verifies_a_farmer(server: LiveServer) -> None:
    load_demo_into(server)
    with client(server, "en") as c:
        sign_in(c, "operator", PASSWORD)
        bad = submit(
            c,
            "/operator/accounts",
            "/operator/accounts",
            {
                "username": "official.new",
                "display_name": "新干部",
                "role": "official",
                "region": "999999",
                "password": "a-long-password",
            },
        )
        assert bad.status_code == 422 and "six-digit GB/T 2260 code" in bad.text
        answer = submit(
            c,
            "/operator/accounts",
            "/operator/accounts",
            {
                "username": "official.new",
                "display_name": "新干部",
                "role": "official",
                "org": "砀山县人民政府",
                "region": "341321",
                "password": "a-long-password",
            },
        )
        assert answer.status_code == 303
        listing = c.get("/api/v1/accounts?role=official").json()
        new = next(a for a in listing if a["username"] == "official.new")
        assert new["verified"] is True and new["region"] == "341321"
        name = c.get("/operator/region-name?region=341321")
        assert name.text == "Dangshan County, Suzhou, Anhui"
        role = submit(
            c, "/operator/accounts", f"/operator/accounts/{new['id']}/role", {"role": "supervisor"}
        )
        assert role.status_code == 303
        # a cooperative's representative signed up alone; the operator checks and verifies
        with client(server) as alone:
            joined = alone.post(
                "/api/v1/accounts",
                json={
                    "username": "coop.rep",
                    "display_name": "合作社代表",
                    "password": "a-long-password",
                },
            ).json()
        assert joined.get("verified") is False, joined
        verified = submit(
            c,
            "/operator/accounts",
            f"/operator/accounts/{joined['id']}/verify",
            {"org": "砀山县酥梨种植专业合作社"},
        )
        assert verified.status_code == 303
        after = next(a for a in c.get("/api/v1/accounts").json() if a["id"] == joined["id"])
        assert after["verified"] is True and after["org"] == "砀山县酥梨种植专业合作社"
    operator_id = next(
        e.actor
        for e in events_of(server)
        if e.type == "account.registered" and e.data["role"] == "operator"
    )
    changes = [e for e in events_of(server) if e.type == "account.role_changed"]
    assert changes[-1].data["to"] == "supervisor" and changes[-1].actor == operator_id
    verifications = [e for e in events_of(server) if e.type == "account.verified"]
    assert [(v.actor, v.data["account"]) for v in verifications] == [(operator_id, joined["id"])]


def test_requests_carry_an_id_and_are_counted(server: LiveServer) -> None:
    with client(server) as c:
        answer = c.get("/healthz", headers={"X-Request-ID": "trace-123"})
        assert answer.json()["status"] == "ok"
        assert answer.headers["x-request-id"] == "trace-123"
        assert len(c.get("/healthz").headers["x-request-id"]) >= 12
        metrics = c.get("/metrics").text
        assert 'sunlit_http_requests_total{method="GET",route="/healthz",status="200"}' in metrics


@pytest.mark.parametrize(
    "payload",
    [
        {"username": "\x00", "display_name": "\u200b", "password": "x" * 10_000},
        {
            "username": "' OR 1=1 --",
            "display_name": "<script>",
            "password": "p" * 12,
            "password_confirm": "p" * 12,
        },
        {"username": "名字", "display_name": "😀" * 100, "phone": "1" * 40, "password": ""},
    ],
)
def test_nothing_typed_into_a_form_produces_a_server_error(
    server: LiveServer, payload: dict[str, str]
) -> None:
    with client(server, "en") as c:
        answer = submit(c, "/signup", "/signup", payload)
        assert answer.status_code in (303, 422)
        assert "<script>" not in answer.text


def test_invalid_utf8_in_a_form_is_a_clear_error_not_a_crash(server: LiveServer) -> None:
    with client(server, "en") as c:
        token = csrf_of(c.get("/signup").text)
        body = f"csrf_token={token}&username=%FF%FE&display_name=%ED%A0%80&password=x".encode()
        answer = c.post(
            "/signup", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
        )
        assert answer.status_code == 422
        assert "Use 3 to 32 lower-case letters" in answer.text


def test_json_calls_with_a_session_cookie_need_the_csrf_header(server: LiveServer) -> None:
    load_demo_into(server)
    with client(server, "en") as c:
        sign_in(c, "operator", PASSWORD)
        body = {"code": "341322"}
        refused = c.post("/api/v1/served-regions", json=body)
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "csrf_failed"
        token = csrf_of(c.get("/account").text)
        accepted = c.post("/api/v1/served-regions", json=body, headers={"X-CSRF-Token": token})
        assert accepted.status_code == 201 and accepted.json()["name_en"] == "Xiao County"


def test_the_footer_s_public_log_exists_and_it_links_to_it(server: LiveServer) -> None:
    """The footer once promised a public log that did not exist (issue 16); now it does (issue
    22), and the promise is a link to it, in both languages."""
    for language, said, promise in (
        ("zh", "所有公开数据均依据实际发生的记录核验", "每项变更都记入公开日志"),
        (
            "en",
            "verified against the record of what happened",
            "Every change is recorded in the public log",
        ),
    ):
        with client(server, language) as c:
            footer = c.get("/").text.split("<footer", 1)[1]
            assert said in footer and f'<a href="/open-data">{promise}</a>' in footer
            assert c.get("/open-data").status_code == 200


def test_health_says_503_when_the_database_does_not_answer() -> None:
    """/healthz is answered before the routing (sunlit.web.health): it still asks the database,
    and says so when it cannot reach it (the check here fails as a lost database does)."""

    async def lost() -> None:
        raise OSError("connection refused")

    async def never(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("/healthz must not reach the application")

    front = HealthFront(never, check=lost, version="test")

    async def ask() -> httpx.Response:
        transport = httpx.ASGITransport(app=front)
        async with httpx.AsyncClient(transport=transport, base_url="http://sunlit") as c:
            return await c.get("/healthz")

    answer = run_async(ask())
    assert answer.status_code == 503
    assert answer.json() == {"status": "unavailable", "version": "test"}
