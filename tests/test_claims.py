"""Claims check (issue 16, item 4): a press account, created by an operator, registers the
figures it announced about a session; Sunlit writes them as ``claim.published``; the public
page sets them against the verified figures with the gap; a gap above the ``hype_gap`` rule's
tolerance opens a case for the supervisors, one within it does not; bad input changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from sunlit.core.db import Database
from sunlit.core.migrate import alembic_config, head_revision, upgrade
from sunlit.disclosure.claims.model import NewClaim, check_claim
from sunlit.disclosure.claims.views import figure_gaps
from sunlit.integrity.detectors.hype import TOLERANCE, claim_gaps
from sunlit.integrity.figures import figures_key
from sunlit.integrity.tables import VerifiedFiguresRow
from sunlit.settings import Settings
from tests.support import (
    LiveServer,
    ingest_url,
    live_server,
    run_async,
    sign_in,
    submit,
    wait_until,
)
from tests.test_catalog_api import api_as
from tests.test_disclosure import PHONE, PUBLIC_FIELDS, fields_of, filed_plan
from tests.test_filing_api import WINDOW
from tests.test_live import go_live
from tests.test_orders import buy, pay_in_sandbox, wait_for
from tests.test_web import PASSWORD, client, events_of, load_demo_into

#: Every field the claims JSON may carry (a claim, and each of its figures).
CLAIM_FIELDS = {
    "id", "source", "link", "published_at", "by", "figures", "verified", "over",
    "figures.name", "figures.announced", "figures.verified", "figures.gap", "figures.over",
}  # fmt: skip


@pytest.fixture
def watched(settings: Settings) -> Iterator[LiveServer]:
    """The demo on a server whose monitor runs a finished session again as soon as something
    late happens to it (``SUNLIT_INTEGRITY_LATE_MINUTES=0``)."""
    with live_server(settings.model_copy(update={"integrity_late_minutes": 0})) as server:
        load_demo_into(server)
        yield server


def claims_of(served: LiveServer, session: str) -> list[Any]:
    return [e for e in events_of(served) if e.type == "claim.published" and e.session == session]


def verified_figures(served: LiveServer, session: str) -> dict[str, Any] | None:
    async def run() -> dict[str, Any] | None:
        database = Database(served.settings)
        async with database.sessions() as db:
            row = await db.get(VerifiedFiguresRow, figures_key(None, session))
        await database.dispose()
        return dict(row.figures) if row is not None else None

    return run_async(run())  # type: ignore[no-any-return]


def ended_session_with_sales(served: LiveServer) -> tuple[str, int]:
    """A session of the Dangshan pears that went live, sold 2 + 1 units in two paid orders and
    ended; returns it and the pears' price (fen), once its verified figures are computed."""
    session, (pear,) = go_live(served)
    with (
        api_as(served, "official.dangshan") as official,
        api_as(served, "buyer1") as first,
        api_as(served, "buyer2") as second,
    ):
        assert official.put(f"/api/v1/live/{session}/pin", json={"product_id": pear}).is_success
        price = int(first.get(f"/api/v1/products/{pear}").json()["price"])
        for c, name, qty in ((first, "buyer1", 2), (second, "buyer2", 1)):
            placed = buy(c, pear, f"claims-{name}-0001", qty, session_id=session)
            assert placed.status_code == 201, placed.text
            pay_in_sandbox(served, name, placed.json()["id"])
            wait_for(c, placed.json()["id"], "paid")
        key = official.get(f"/api/v1/plans/{session}").json()["stream_key"]
    served.clock.advance(timedelta(minutes=30))
    ended = httpx.post(
        ingest_url(served, "on_publish_done"),
        data={"name": session, "key": key.split("?key=")[1]},
        timeout=10,
    )
    assert ended.status_code == 200, ended.text
    wait_until(lambda: verified_figures(served, session), "the final run's figures", seconds=30)
    return session, price


def hype_cases(served: LiveServer, session: str) -> list[dict[str, Any]]:
    with api_as(served, "supervisor1") as supervisor:
        cases = supervisor.get("/api/v1/cases").json()
    return [c for c in cases if c["rule"] == "hype_gap" and c["session"] == session]


def figures_verified_count(served: LiveServer, session: str) -> int:
    return sum(
        1 for e in events_of(served) if e.type == "figures.verified" and e.session == session
    )


def test_an_operator_creates_a_press_account(server: LiveServer) -> None:
    load_demo_into(server)
    with client(server, "en") as c:
        sign_in(c, "operator", PASSWORD)
        page = c.get("/operator/accounts").text
        assert 'value="press"' in page and "Press (newsroom or propaganda office)" in page
        made = submit(
            c,
            "/operator/accounts",
            "/operator/accounts",
            {
                "username": "press.chenggu",
                "display_name": "城固县融媒体中心值班编辑",
                "role": "press",
                "org": "城固县融媒体中心",
                "password": "a-long-password",
            },
        )
        assert made.status_code == 303, made.text
        listed = c.get("/api/v1/accounts?role=press").json()
        new = next(a for a in listed if a["username"] == "press.chenggu")
        assert new["role"] == "press" and new["verified"] is True
    with client(server) as alone:  # nobody gives themselves the role: one signs up a consumer
        tried = alone.post(
            "/api/v1/accounts",
            json={
                "username": "press.self",
                "display_name": "自称记者",
                "password": "a-long-password",
                "role": "press",
            },
        )
        assert tried.status_code == 201 and tried.json()["role"] == "consumer", tried.text
    registered = [
        e for e in events_of(server) if e.type == "account.registered" and e.actor == new["id"]
    ]
    assert [e.data["role"] for e in registered] == ["press"]
    assert registered[0].data["created_by"]  # the operator


def test_a_claim_is_recorded_shown_against_the_verified_figures_and_checked(
    watched: LiveServer,
) -> None:
    session, price = ended_session_with_sales(watched)
    verified = verified_figures(watched, session)
    assert verified is not None
    assert (verified["gmv"], verified["orders"], verified["units"]) == (3 * price, 2, 3)
    with api_as(watched, "press.dangshan") as press:
        press_id = press.get("/api/v1/me").json()["id"]
    runs = figures_verified_count(watched, session)

    # A claim within the tolerance: recorded and shown, and no case.
    watched.clock.advance(timedelta(minutes=1))
    with client(watched, "en") as c:
        sign_in(c, "press.dangshan", PASSWORD)
        form = c.get(f"/sessions/{session}/claims/new")
        assert form.status_code == 200 and "Register announced figures" in form.text
        honest = submit(
            c,
            f"/sessions/{session}/claims/new",
            f"/sessions/{session}/claims/new",
            {"source": "砀山县融媒体中心：直播带货成交 2 单", "orders": "2", "units": "3"},
        )
        assert honest.status_code == 303, honest.text
        assert honest.headers["location"] == f"/sessions/{session}#claims"
    wait_until(lambda: figures_verified_count(watched, session) > runs, "the late run", seconds=30)
    assert hype_cases(watched, session) == []

    # A claim far above: GMV typed in yuan, ten times what was paid; a case opens.
    watched.clock.advance(timedelta(minutes=1))
    ten_times = 10 * 3 * price
    with api_as(watched, "press.dangshan") as press:
        made = press.post(
            f"/api/v1/sessions/{session}/claims",
            json={
                "source": "https://news.example.cn/dangshan-pears-record",
                "gmv": ten_times,
                "orders": 2,
                "viewers": None,
            },
        )
        assert made.status_code == 201, made.text
        shown = made.json()
    assert shown["over"] is True and shown["by"] == "砀山县融媒体中心"
    assert shown["link"] == "https://news.example.cn/dangshan-pears-record"
    gmv = next(f for f in shown["figures"] if f["name"] == "gmv")
    assert (gmv["announced"], gmv["verified"], gmv["gap"], gmv["over"]) == (
        ten_times,
        3 * price,
        9.0,
        True,
    )
    orders = next(f for f in shown["figures"] if f["name"] == "orders")
    assert (orders["gap"], orders["over"]) == (0.0, False)

    case = wait_until(lambda: hype_cases(watched, session), "a hype_gap case", seconds=30)[0]
    assert case["status"] == "open" and case["source"] == "final"
    assert case["evidence"]["claim"]["gmv"] == ten_times
    assert case["evidence"]["verified"]["gmv"] == 3 * price

    recorded = claims_of(watched, session)
    assert [(e.actor, e.session) for e in recorded] == [(press_id, session)] * 2
    assert recorded[0].data == {
        "source": "砀山县融媒体中心：直播带货成交 2 单",
        "gmv": None,
        "orders": 2,
        "units": 3,
        "viewers": None,
    }
    assert recorded[1].data["gmv"] == ten_times and recorded[1].data["units"] is None

    # The public page, in both languages, and its JSON.
    with client(watched, "en") as c:
        page = c.get(f"/sessions/{session}").text
        listed = c.get(f"/api/v1/sessions/{session}/claims").json()
        disclosed = c.get(f"/api/v1/sessions/{session}/disclosure").json()
    part = page.split('id="claims"', 1)[1].split("</section>", 1)[0]
    assert "Announced against verified" in part and "+900%" in part
    assert "above the verified figure" in part and "砀山县融媒体中心" in part
    assert f"¥{ten_times // 100:,}.{ten_times % 100:02d}" in part
    assert "Register announced figures" not in part  # a visitor is not offered the form
    with client(watched, "zh") as c:
        zh = c.get(f"/sessions/{session}").text
    zh_part = zh.split('id="claims"', 1)[1].split("</section>", 1)[0]
    assert "公示" in zh and "+900%" in zh_part and "砀山县融媒体中心：直播带货成交 2 单" in zh_part
    assert [c["over"] for c in listed] == [False, True]
    assert fields_of(listed) <= CLAIM_FIELDS, sorted(fields_of(listed) - CLAIM_FIELDS)
    assert disclosed["claims"] == listed and disclosed["stage"] == "after"
    assert fields_of(disclosed) <= PUBLIC_FIELDS, sorted(fields_of(disclosed) - PUBLIC_FIELDS)
    assert not PHONE.search(str(listed)) and "press.dangshan" not in str(listed) + page
    with client(watched, "en") as c:
        sign_in(c, "press.dangshan", PASSWORD)
        assert "Register announced figures" in c.get(f"/sessions/{session}").text


def test_bad_claims_are_refused_clearly_and_change_nothing(served: LiveServer) -> None:
    plan = filed_plan(served, approve=True)
    later = {"starts_at": (WINDOW[0] + timedelta(days=1)).isoformat(),
             "ends_at": (WINDOW[1] + timedelta(days=1)).isoformat()}  # fmt: skip
    unapproved = filed_plan(served, approve=False, **later)
    with api_as(served, "press.dangshan") as press:
        negative = press.post(
            f"/api/v1/sessions/{plan}/claims", json={"source": "县报", "gmv": -100, "orders": 3}
        )
        assert negative.status_code == 422
        assert negative.json()["error"]["fields"] == {"gmv": "A figure cannot be negative."}
        nothing = press.post(f"/api/v1/sessions/{plan}/claims", json={"source": "县报"})
        assert nothing.status_code == 422
        assert "at least one figure" in nothing.json()["error"]["fields"]["figures"]
        no_source = press.post(f"/api/v1/sessions/{plan}/claims", json={"source": " ", "orders": 1})
        assert no_source.status_code == 422 and "source" in no_source.json()["error"]["fields"]
        long_source = press.post(
            f"/api/v1/sessions/{plan}/claims", json={"source": "报" * 301, "orders": 1}
        )
        assert long_source.status_code == 422
        unknown = press.post(
            "/api/v1/sessions/s-nosuchplan000/claims", json={"source": "县报", "orders": 1}
        )
        assert unknown.status_code == 404
        not_public = press.post(
            f"/api/v1/sessions/{unapproved}/claims", json={"source": "县报", "orders": 1}
        )
        assert not_public.status_code == 404
        assert press.get(f"/api/v1/sessions/{unapproved}/claims").status_code == 404
    with api_as(served, "buyer1") as consumer:
        refused = consumer.post(
            f"/api/v1/sessions/{plan}/claims", json={"source": "我", "orders": 1}
        )
        assert refused.status_code == 403
    with client(served, "en") as c:
        sign_in(c, "buyer1", PASSWORD)
        page = c.get(f"/sessions/{plan}/claims/new")
        assert page.status_code == 403
        assert "Only a press account (a newsroom or a propaganda office)" in page.text
    with client(served, "en") as c:
        sign_in(c, "press.dangshan", PASSWORD)
        form = f"/sessions/{plan}/claims/new"
        bad = submit(c, form, form, {"source": "县报", "gmv": "-12.50", "viewers": "-3"})
        assert bad.status_code == 422
        assert bad.text.count("A figure cannot be negative.") == 2
        assert 'value="-12.50"' in bad.text  # what was typed is shown again
        empty = submit(c, form, form, {"source": "县报"})
        assert empty.status_code == 422 and "Give at least one figure" in empty.text
        typo = submit(c, form, form, {"source": "县报", "orders": "十二"})
        assert typo.status_code == 422 and "Enter a whole number." in typo.text
        assert c.get("/sessions/s-nosuchplan000/claims/new").status_code == 404
        assert c.get(f"/sessions/{unapproved}/claims/new").status_code == 404
    assert claims_of(served, plan) == [] and claims_of(served, unapproved) == []
    with client(served, "en") as c:
        part = c.get(f"/sessions/{plan}").text.split('id="claims"', 1)[1]
        assert "No figures have been announced about this session." in part


def test_the_gap_is_the_hype_rules_own() -> None:
    verified = {"gmv": 10000, "orders": 10, "units": 20, "viewers": 0}
    announced = {"gmv": 11000, "orders": 12, "units": None, "viewers": 5}
    assert claim_gaps(announced, verified) == {"orders": 0.2, "viewers": None}
    shown = {f.name: f for f in figure_gaps(announced, verified)}
    assert set(shown) == {"gmv", "orders", "viewers"}
    assert (shown["gmv"].gap, shown["gmv"].over) == (0.1, False)  # at the tolerance: not over
    assert (shown["orders"].gap, shown["orders"].over) == (0.2, True)
    assert (shown["viewers"].verified, shown["viewers"].gap, shown["viewers"].over) == (
        0,
        None,
        True,
    )
    before = {f.name: f for f in figure_gaps(announced, None)}  # not verified yet
    assert all(f.verified is None and f.gap is None and not f.over for f in before.values())
    assert TOLERANCE == 0.10
    assert check_claim(NewClaim("县报", orders=0)) == {}
    assert set(check_claim(NewClaim("", units=-1))) == {"source", "units"}
    assert set(check_claim(NewClaim("县报\n换行"))) == {"source", "figures"}


def test_migration_0016_adds_the_press_role_and_takes_it_back(settings: Settings) -> None:
    from alembic import command

    def run(statement: str, **values: Any) -> list[Any] | None:
        async def go() -> list[Any] | None:
            database = Database(settings)
            try:
                async with database.transaction() as db:
                    result = await db.execute(text(statement), values)
                    return list(result.all()) if result.returns_rows else None
            finally:
                await database.dispose()

        return run_async(go())  # type: ignore[no-any-return]

    def account(name: str, role: str) -> None:
        run(
            "INSERT INTO accounts (id, username, display_name, role, password_hash, created_at,"
            " disabled) VALUES (:id, :name, :name, :role, 'h', :at, false)",
            id=f"a-{name}",
            name=name,
            role=role,
            at=datetime(2026, 12, 1, tzinfo=UTC),
        )

    config = alembic_config(settings)
    command.downgrade(config, "0015")
    account("reader", "consumer")
    run(
        "INSERT INTO web_sessions VALUES ('d-reader', 'a-reader', :at, :at)",
        at=datetime(2026, 12, 1, tzinfo=UTC),
    )
    with pytest.raises(IntegrityError):
        account("early", "press")
    upgrade(settings)
    account("newsroom", "press")
    with pytest.raises(RuntimeError, match="press account"):
        command.downgrade(config, "0015")
    run("DELETE FROM accounts WHERE role = 'press'")
    command.downgrade(config, "0015")
    with pytest.raises(IntegrityError):
        account("late", "press")
    upgrade(settings)
    assert run("SELECT COUNT(*) FROM web_sessions") == [(1,)]  # rebuilding accounts kept it
    assert run("SELECT version_num FROM alembic_version") == [(head_revision(settings),)]
    account("after", "press")


def test_the_demo_has_a_claim_with_a_gap_and_its_case(served: LiveServer) -> None:
    from sunlit.demo.claims import SOURCE, load_demo_claim
    from tests.test_demo_session import load_session, log_size

    made = load_session(served)
    assert served.services is not None
    files = served.services.files

    def load() -> None:
        async def run() -> None:
            database = Database(served.settings)
            try:
                async with database.transaction() as db:
                    await load_demo_claim(db, served.settings, files, made, now=served.clock.now())
            finally:
                await database.dispose()

        run_async(run())

    load()
    [claim] = claims_of(served, made.session)
    assert claim.data["source"] == SOURCE
    [case] = hype_cases(served, made.session)
    assert case["status"] == "open" and case["evidence"]["gaps"]["gmv"] > TOLERANCE
    with client(served, "zh") as c:
        [shown] = c.get(f"/api/v1/sessions/{made.session}/claims").json()
        page = c.get(f"/sessions/{made.session}").text
    assert shown["over"] and shown["verified"] and SOURCE in page
    viewers = [f for f in shown["figures"] if f["name"] == "viewers"]
    assert all(not f["over"] for f in viewers)  # the viewers were announced as verified
    size = log_size(served)
    load()  # loading the demo again changes nothing
    assert log_size(served) == size
