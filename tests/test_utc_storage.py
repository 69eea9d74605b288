"""Moments are stored in UTC on both backends (security probe finding D4): a time sent with
any offset, through any API field or the filing form, reads back as the same instant, and the
rules and queries that compare stored times see that instant. SQLite used to drop the offset
and keep the wall time, so ``01:00+08:00`` came back as ``01:00Z``."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import DateTime, select, text
from sqlalchemy.exc import StatementError

import sunlit.app.schema  # noqa: F401  (every context's tables, in Base.metadata)
from sunlit.app.app import create_app
from sunlit.core.clock import in_utc
from sunlit.core.db import Base, Database, UTCDateTime
from sunlit.core.eventlog.tables import EventRow
from sunlit.filing import facts as filing
from tests.support import START, LiveServer, csrf_of, run_async, settings_for, sign_in
from tests.test_catalog_api import api_as
from tests.test_filing_api import agreed, plan_body, product
from tests.test_web import PASSWORD, client

BEIJING = timezone(timedelta(hours=8))
ROUND_TRIP = hypothesis_settings(max_examples=25, deadline=None)
#: Every offset in use on Earth, to the minute (-12:00 .. +14:00).
OFFSETS = st.integers(-12 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))

#: Every date-time a client can send, as (method, path, field) of the OpenAPI document. A new
#: one fails ``test_every_datetime_input_of_the_api_is_covered`` until it is added here and
#: to ``test_every_datetime_input_keeps_its_instant_whatever_the_offset``.
DATETIME_INPUTS = {
    ("POST", "/api/v1/plans", "starts_at"),
    ("POST", "/api/v1/plans", "ends_at"),
    ("PUT", "/api/v1/plans/{plan_id}", "starts_at"),
    ("PUT", "/api/v1/plans/{plan_id}", "ends_at"),
    ("GET", "/api/v1/events", "since"),
}


def moment(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert parsed.tzinfo is not None, value
    return parsed


def stored(server: LiveServer, sql: str, **params: Any) -> Any:
    """One value as the database holds it (SQLite: the text; PostgreSQL: a timestamptz)."""

    async def run() -> Any:
        database = Database(server.settings)
        async with database.sessions() as db:
            value = (await db.execute(text(sql), params)).scalar_one()
        await database.dispose()
        return value

    return run_async(run())


# --- the probe's example, the 72-hour rule, the form ------------------------------------


def test_a_plan_filed_at_plus_eight_hours_reads_back_the_same_instant(served: LiveServer) -> None:
    with api_as(served, "official.dangshan") as official:
        body = plan_body(
            [product(official, "砀山")],
            starts_at="2026-12-21T01:00:00+08:00",
            ends_at="2026-12-21T03:00:00+08:00",
        )
        made = official.post("/api/v1/plans", json=body)
        assert made.status_code == 201, made.text
        read = official.get(f"/api/v1/plans/{made.json()['id']}").json()
        naive = official.post("/api/v1/plans", json=body | {"starts_at": "2026-12-21T01:00:00"})
        assert naive.status_code == 422  # no guessing: docs/events.md times carry an offset
        beyond = body | {"starts_at": "9999-12-31T20:00:00-12:00"}  # year 10000 in UTC
        assert official.post("/api/v1/plans", json=beyond).status_code == 422
    assert moment(read["starts_at"]) == datetime(2026, 12, 20, 17, 0, tzinfo=UTC)
    assert moment(read["ends_at"]) == datetime(2026, 12, 20, 19, 0, tzinfo=UTC)
    held = stored(served, "SELECT starts_at FROM session_plans WHERE id = :id", id=read["id"])
    if isinstance(held, str):  # SQLite: UTC text in one format, so text order is time order
        assert held == "2026-12-20 17:00:00.000000"
    else:
        assert held == datetime(2026, 12, 20, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(("hours", "accepted"), [(73, True), (71, False)])
def test_the_72_hour_rule_reads_the_instant_filed_in_beijing_time(
    served: LiveServer, hours: int, accepted: bool
) -> None:
    starts = (START + timedelta(hours=hours)).astimezone(BEIJING)
    with api_as(served, "official.dangshan") as official:
        body = plan_body(
            [product(official, "砀山")],
            starts_at=starts.isoformat(),
            ends_at=(starts + timedelta(hours=1)).isoformat(),
        )
        assert "+08:00" in body["starts_at"]
        plan = official.post("/api/v1/plans", json=body).json()["id"]
        agreed(served, official, plan)
        filed = official.post(f"/api/v1/plans/{plan}/submit").json()
    rules = {f["rule"] for f in filed["findings"]}
    if accepted:
        assert (filed["status"], rules) == ("checked", set())
    else:
        assert (filed["status"], rules) == ("rejected", {"filed_ahead"})


def test_the_filing_form_reads_its_times_in_the_deployments_zone(served: LiveServer) -> None:
    assert served.services is not None
    zone = served.services.zone
    with client(served, "en") as official:
        sign_in(official, "official.dangshan", PASSWORD)
        editor = official.get("/plans/new").text
        pears = editor.split('name="products" value="', 1)[1].split('"', 1)[0]
        saved = official.post(
            "/plans",
            data={
                "csrf_token": csrf_of(editor),
                "title": "砀山酥梨助农直播",
                "starts_at": "2026-12-21T01:00",
                "ends_at": "2026-12-21T03:00",
                "products": [pears],
                "purpose": "regional_brand",
                "declares_no_payment": "yes",
                "partner_name_0": "",
            },
        )
        assert saved.status_code == 303, saved.text
        plan_id = saved.headers["location"].split("?")[0].rsplit("/", 1)[1]
        page = official.get(f"/plans/{plan_id}/edit").text
    with api_as(served, "official.dangshan") as api:
        read = api.get(f"/api/v1/plans/{plan_id}").json()
    assert moment(read["starts_at"]) == datetime(2026, 12, 21, 1, 0, tzinfo=zone)
    assert 'value="2026-12-21T01:00"' in page  # shown again in the viewer's zone


# --- every API date-time, any offset, both backends ---------------------------------------


def datetime_inputs(document: dict[str, Any]) -> set[tuple[str, str, str]]:
    """(method, path, field) of every request body property or parameter of format
    date-time in an OpenAPI document (following $refs and anyOf)."""
    schemas = document.get("components", {}).get("schemas", {})

    def is_datetime(node: Any, seen: frozenset[str] = frozenset()) -> bool:
        if not isinstance(node, dict):
            return False
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[1]
            return name not in seen and is_datetime(schemas[name], seen | {name})
        if node.get("format") == "date-time":
            return True
        return any(
            is_datetime(n, seen) for key in ("anyOf", "oneOf", "allOf") for n in node.get(key, [])
        ) or is_datetime(node.get("items"), seen)

    def fields(node: Any, seen: frozenset[str] = frozenset()) -> set[str]:
        if not isinstance(node, dict):
            return set()
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[1]
            return set() if name in seen else fields(schemas[name], seen | {name})
        found = {k for k, v in node.get("properties", {}).items() if is_datetime(v)}
        for v in node.get("properties", {}).values():
            found |= {f"{inner}" for inner in fields(v, seen)}
        for key in ("anyOf", "oneOf", "allOf"):
            for n in node.get(key, []):
                found |= fields(n, seen)
        return found | fields(node.get("items"), seen)

    found = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if is_datetime(parameter.get("schema")):
                    found.add((method.upper(), path, parameter["name"]))
            for media in operation.get("requestBody", {}).get("content", {}).values():
                for name in fields(media.get("schema")):
                    found.add((method.upper(), path, name))
    return found


def test_every_datetime_input_of_the_api_is_covered(sqlite_url: str) -> None:
    document = create_app(settings_for(sqlite_url)).openapi()
    assert datetime_inputs(document) == DATETIME_INPUTS


def test_the_openapi_walk_finds_a_new_datetime_field() -> None:
    document = {
        "paths": {
            "/x": {
                "post": {
                    "requestBody": {
                        "content": {"application/json": {"schema": {"$ref": "#/c/schemas/In"}}}
                    },
                    "parameters": [{"name": "until", "schema": {"format": "date-time"}}],
                }
            }
        },
        "components": {
            "schemas": {
                "In": {
                    "properties": {
                        "at": {"anyOf": [{"format": "date-time"}, {"type": "null"}]},
                        "title": {"type": "string"},
                    }
                }
            }
        },
    }
    assert datetime_inputs(document) == {("POST", "/x", "at"), ("POST", "/x", "until")}


def local_instants(base: datetime) -> st.SearchStrategy[datetime]:
    """An instant within a day after ``base``, to the second, written in a random offset."""
    return st.builds(
        lambda seconds, zone: (base + timedelta(seconds=seconds)).astimezone(zone),
        st.integers(0, 86_400 - 1),
        OFFSETS,
    )


def test_every_datetime_input_keeps_its_instant_whatever_the_offset(served: LiveServer) -> None:
    covered: set[tuple[str, str, str]] = set()
    days = itertools.count(5, 3)  # each example gets days of its own: no overlapping windows
    with api_as(served, "official.dangshan") as official:
        pears = product(official, "砀山")

        def window(c: httpx.Client, method: str, url: str, path: str, data: Any) -> str:
            base = START + timedelta(days=next(days))
            starts, length = data.draw(local_instants(base)), timedelta(hours=1)
            ends = (starts + length).astimezone(data.draw(OFFSETS))
            body = plan_body([pears], starts_at=starts.isoformat(), ends_at=ends.isoformat())
            answer = c.request(method, url, json=body)
            assert answer.status_code in (200, 201), answer.text
            read = c.get(f"/api/v1/plans/{answer.json()['id']}").json()
            assert moment(read["starts_at"]) == starts, (body, read)
            assert moment(read["ends_at"]) == ends, (body, read)
            covered.update({(method, path, "starts_at"), (method, path, "ends_at")})
            return str(answer.json()["id"])

        @ROUND_TRIP
        @given(data=st.data())
        def plans(data: Any) -> None:
            plan = window(official, "POST", "/api/v1/plans", "/api/v1/plans", data)
            window(official, "PUT", f"/api/v1/plans/{plan}", "/api/v1/plans/{plan_id}", data)

        plans()

        # Events at known, distinct instants for ``since`` to cut between.
        for step in range(6):
            served.clock.advance(timedelta(minutes=50))
            starts = START + timedelta(days=1000 + step)
            made = official.post(
                "/api/v1/plans",
                json=plan_body(
                    [pears],
                    starts_at=starts.isoformat(),
                    ends_at=(starts + timedelta(hours=1)).isoformat(),
                ),
            )
            assert made.status_code == 201, made.text
    with api_as(served, "supervisor1") as supervisor:
        logged = [orjson.loads(line) for line in supervisor.get("/api/v1/events").iter_lines()]
        times = {e["id"]: moment(e["ts"]) for e in logged}
        assert len(set(times.values())) > 6

        @ROUND_TRIP
        @given(since=local_instants(START - timedelta(hours=6)))
        def events(since: datetime) -> None:
            answer = supervisor.get("/api/v1/events", params={"since": since.isoformat()})
            assert answer.status_code == 200, answer.text
            got = {orjson.loads(line)["id"] for line in answer.iter_lines()}
            assert got == {i for i, ts in times.items() if ts >= since}, since

        events()
        covered.add(("GET", "/api/v1/events", "since"))
    assert covered == DATETIME_INPUTS


def test_an_api_time_is_put_in_utc_and_refused_where_it_cannot_be() -> None:
    assert in_utc(datetime(2026, 12, 21, 1, tzinfo=BEIJING)) == datetime(
        2026, 12, 20, 17, tzinfo=UTC
    )
    assert in_utc(datetime(2026, 12, 21, 1, tzinfo=BEIJING)).tzinfo is UTC
    for edge in (
        datetime(9999, 12, 31, 20, tzinfo=timezone(-timedelta(hours=12))),
        datetime(9999, 12, 31, 1, tzinfo=UTC),
        datetime(1, 1, 1, 5, tzinfo=BEIJING),
    ):
        with pytest.raises(ValueError, match="out of range"):
            in_utc(edge)


# --- the column type ------------------------------------------------------------------------


def test_every_datetime_column_stores_utc() -> None:
    plain = [
        f"{table.name}.{column.name}"
        for table in Base.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, DateTime)
    ]
    typed = [
        column
        for table in Base.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, UTCDateTime)
    ]
    assert plain == [] and len(typed) > 50


async def test_a_naive_datetime_is_refused_before_it_is_stored(database: Database) -> None:
    async with database.sessions() as db:
        db.add(EventRow(id="e-naive", type="like", ts=datetime(2026, 3, 2, 12), data={}))
        with pytest.raises(StatementError, match="naive datetime"):
            await db.flush()


def test_stored_moments_compare_and_sort_as_instants(database_url: str) -> None:
    """Written in random offsets, compared with a bound in another random offset: SQLite's
    text comparison and PostgreSQL's timestamptz both agree with Python, and read back UTC."""
    runs = itertools.count()

    async def check(moments: list[datetime], bound: datetime) -> None:
        session = f"s-{next(runs)}"
        database = Database(settings_for(database_url))
        try:
            async with database.transaction() as db:
                await db.execute(
                    EventRow.__table__.insert(),
                    [
                        {
                            "id": f"e-{session}-{i}",
                            "type": "like",
                            "ts": m,  # as written, in its own offset: the column converts it
                            "session": session,
                            "data": {},
                        }
                        for i, m in enumerate(moments)
                    ],
                )
            async with database.sessions() as db:
                after = (
                    await db.scalars(
                        select(EventRow.ts)
                        .where(EventRow.session == session, EventRow.ts >= bound)
                        .order_by(EventRow.ts)
                    )
                ).all()
        finally:
            await database.dispose()
        # SQLite used to hand back naive values: read as UTC here, so that what is compared is
        # the instants the query selected, then that they come back in UTC.
        instants = [ts if ts.tzinfo is not None else ts.replace(tzinfo=UTC) for ts in after]
        assert instants == sorted(m for m in moments if m >= bound)
        assert all(ts.tzinfo is UTC for ts in after)

    @ROUND_TRIP
    @given(st.lists(local_instants(START), min_size=1, max_size=8), local_instants(START))
    def stored_and_compared(moments: list[datetime], bound: datetime) -> None:
        run_async(check(moments, bound))

    stored_and_compared()


def test_the_monthly_count_is_the_same_whatever_the_offset_of_the_start(
    served: LiveServer,
) -> None:
    """The editor's live feedback counts with the draft's own offset, the filing with the
    stored UTC start: both must find the same month (the UTC one)."""
    with api_as(served, "official.dangshan") as official:
        starts = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)  # 20:00 on 31 March in Beijing
        body = plan_body(
            [product(official, "砀山")],
            starts_at=starts.isoformat(),
            ends_at=(starts + timedelta(hours=1)).isoformat(),
        )
        plan = official.post("/api/v1/plans", json=body).json()["id"]
        agreed(served, official, plan)
        assert official.post(f"/api/v1/plans/{plan}/submit").json()["status"] == "checked"
        official_id = official.get("/api/v1/me").json()["id"]
    later = datetime(2026, 3, 31, 21, 0, tzinfo=UTC)  # 05:00 on 1 April in Beijing

    async def count(start: datetime) -> int:
        database = Database(served.settings)
        async with database.sessions() as db:
            found = await filing.sessions_in_month(db, official_id, start, None)
        await database.dispose()
        return found

    assert run_async(count(later)) == 1
    assert run_async(count(later.astimezone(BEIJING))) == 1
