"""Anonymous reports hold no identifier of the reporter: not in the row, not in the event, not
in the logs, not in the session's last-seen time (docs/anonymous-reports.md)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from sunlit.accounts.model import token_digest
from sunlit.accounts.tables import AccountRow, WebSessionRow
from sunlit.core.db import Database
from sunlit.core.eventlog.tables import EventRow
from sunlit.participation.tables import AnonymousReportRow
from sunlit.settings import Settings
from tests.support import LiveServer, csrf_of, live_server, run_async, sign_in, submit
from tests.test_web import PASSWORD, client, load_demo_into

SECRET_TEXT = "乡镇要求每名干部至少购买50元砀山酥梨，并上报截图。"


def rows(server: LiveServer, model: type) -> list:  # type: ignore[type-arg]
    async def run() -> list:  # type: ignore[type-arg]
        database = Database(server.settings)
        async with database.sessions() as db:
            found = list((await db.scalars(select(model))).all())
        await database.dispose()
        return found

    return run_async(run())  # type: ignore[no-any-return]


@pytest.fixture
def served(settings: Settings) -> Iterator[LiveServer]:
    """The demo on each backend, logging every request (INFO), as a deployment would."""
    with live_server(settings.model_copy(update={"log_level": "INFO"})) as server:
        load_demo_into(server)
        yield server


def test_a_report_keeps_nothing_that_links_it_to_the_reporter(
    served: LiveServer, capfd: pytest.CaptureFixture[str]
) -> None:
    with client(served, "zh") as c:
        assert sign_in(c, "official.dangshan", PASSWORD).status_code == 303
        session_token = c.cookies["sunlit_session"]
        reporter = next(a for a in rows(served, AccountRow) if a.username == "official.dangshan")
        before = next(
            s for s in rows(served, WebSessionRow) if s.digest == token_digest(session_token)
        ).last_seen_at
        served.clock.advance(timedelta(minutes=30))
        capfd.readouterr()  # only what the report itself writes
        form = c.get("/reports/new")
        assert "匿名反映问题" in form.text
        sent = c.post(
            "/reports",
            data={
                "csrf_token": csrf_of(form.text),
                "category": "forced_purchase",
                "text": SECRET_TEXT,
                "region": "341321",
            },
        )
        assert sent.status_code == 200 and "已送达监督员" in sent.text
        # The access log line is written after the response; wait for it.
        out, err = "", ""
        deadline = time.monotonic() + 5
        while "/reports" not in out + err and time.monotonic() < deadline:
            time.sleep(0.05)
            more = capfd.readouterr()
            out, err = out + more.out, err + more.err
    identifiers = {
        reporter.id,
        reporter.username,
        reporter.display_name,
        token_digest(session_token),
        session_token,
        "127.0.0.1",
    }
    log_text = out + err
    assert "/reports" in log_text  # the request was logged ...
    assert [i for i in identifiers if i in log_text] == []  # ... and nothing of who sent it

    [report] = rows(served, AnonymousReportRow)
    stored = " ".join(str(getattr(report, column)) for column in report.__table__.columns.keys())
    assert report.text == SECRET_TEXT
    assert [i for i in identifiers if i in stored] == []
    assert report.received_on.isoformat() == "2026-03-02"  # the day, nothing finer

    after = next(
        s for s in rows(served, WebSessionRow) if s.digest == token_digest(session_token)
    ).last_seen_at
    assert after == before  # the visit left no trace on the session

    # Not in the event log yet; the next day a supervisor's visit releases it.
    assert [e for e in rows(served, EventRow) if e.type == "report.filed"] == []
    served.clock.advance(timedelta(days=1))
    with client(served, "en") as supervisor:
        sign_in(supervisor, "supervisor1", PASSWORD)
        queue = supervisor.get("/supervisor/reports")
        assert SECRET_TEXT in queue.text
    [event] = [e for e in rows(served, EventRow) if e.type == "report.filed"]
    assert event.actor is None and event.session is None
    assert event.data == {"category": "forced_purchase", "text": SECRET_TEXT, "region": "341321"}
    local = event.ts.replace(tzinfo=event.ts.tzinfo or __import__("datetime").UTC)
    assert local.astimezone(served.services.zone).strftime("%H:%M:%S") == "00:00:00"
    assert [i for i in identifiers if i in str(event.data)] == []


def test_who_may_file_and_read_and_the_daily_limit(served: LiveServer) -> None:
    with client(served, "en") as buyer:
        sign_in(buyer, "buyer1", PASSWORD)
        assert buyer.get("/reports/new").status_code == 403
        assert buyer.get("/supervisor/reports").status_code == 403
    with client(served, "en") as farmer:
        sign_in(farmer, "farmer.xuwen", PASSWORD)
        assert farmer.get("/supervisor/reports").status_code == 403
        short = submit(
            farmer, "/reports/new", "/reports", {"category": "below_cost", "text": "too short"}
        )
        assert short.status_code == 422 and "at least 10 characters" in short.text
        for n in range(served.settings.anonymous_reports_per_day):
            sent = submit(
                farmer,
                "/reports/new",
                "/reports",
                {
                    "category": "below_cost",
                    "text": f"收购商压价到成本以下，第{n}次反映。",
                },
            )
            assert sent.status_code == 200
        over = submit(
            farmer,
            "/reports/new",
            "/reports",
            {"category": "below_cost", "text": "再反映一次收购商压价的问题。"},
        )
        assert over.status_code == 429
    with client(served, "en") as official:
        token = official.post(
            "/api/v1/tokens", json={"username": "official.xuwen", "password": PASSWORD}
        ).json()["token"]
        receipt = official.post(
            "/api/v1/reports",
            json={
                "category": "fake_data",
                "text": "直播间观看人数明显注水，评论重复。",
                "session": "s-0001",
            },
            headers={"Authorization": f"Bearer {token}"},
        )
        assert receipt.status_code == 202 and set(receipt.json()) == {"received_on"}
    with client(served, "en") as supervisor:
        token = supervisor.post(
            "/api/v1/tokens", json={"username": "supervisor2", "password": PASSWORD}
        ).json()["token"]
        listed = supervisor.get(
            "/api/v1/reports", headers={"Authorization": f"Bearer {token}"}
        ).json()
        assert len(listed) == served.settings.anonymous_reports_per_day + 1
        assert {r["category"] for r in listed} == {"below_cost", "fake_data"}


def test_an_api_report_leaves_no_trace_on_the_token(served: LiveServer) -> None:
    from sunlit.accounts.tables import ApiTokenRow

    with client(served, "en") as c:
        token = c.post(
            "/api/v1/tokens", json={"username": "official.enshi", "password": PASSWORD}
        ).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        assert c.get("/api/v1/me", headers=auth).status_code == 200  # an ordinary use
        [before] = [t.last_used_at for t in rows(served, ApiTokenRow)]
        served.clock.advance(timedelta(minutes=20))
        sent = c.post(
            "/api/v1/reports",
            headers=auth,
            json={"category": "conflict_of_interest", "text": "直播合作企业是领导亲属开办的公司。"},
        )
        assert sent.status_code == 202
        [after] = [t.last_used_at for t in rows(served, ApiTokenRow)]
    assert after == before


def test_the_sqlite_table_keeps_no_arrival_order(sqlite_url: str) -> None:
    import sqlite3

    path = sqlite_url.split("///", 1)[1]
    with sqlite3.connect(path) as connection:
        [(sql,)] = connection.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'anonymous_reports'"
        ).fetchall()
    assert "WITHOUT ROWID" in sql.upper()
