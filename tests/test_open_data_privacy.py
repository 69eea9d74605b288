"""No personal data in the open data, ever (issue 22): the demo as ``sunlit demo`` loads it —
the counties' sessions and a season of Majiang's sales played through the real flows, 240
shoppers with addresses and phones, households with their villages — is published by the
server's own job; every record of the export is held to the JSON Schema and to the field
allowlist, and every value is scanned for phone numbers, ID-card numbers, street addresses,
account, order and address ids, and for the personal strings the database holds (names,
usernames, addresses, phones of buyers and households)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import jsonschema_rs
from sqlalchemy import text

from sunlit.core.db import Database
from sunlit.disclosure.opendata.schema import allowed_paths, json_schema, maps_of, paths_of
from tests.support import LiveServer, run_async, wait_until

API = "/api/open/v1"

PATTERNS = {
    "a mobile number": re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"),
    "an ID-card number": re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])"),
    "a street address": re.compile(r"\d+\s*(号|弄|栋|单元|室)|(路|街|巷|道)\s*\d+"),
    "an account id": re.compile(r"\ba-[0-9a-z]{20,}"),
    "an order id": re.compile(r"\bo-[0-9a-z]{20,}"),
    "an address id": re.compile(r"\bad-[0-9a-z]{20,}"),
}


def personal_strings(server: LiveServer) -> dict[str, str]:
    """What the database knows of people who are not public: consumers and farmers (their
    names, usernames, phones), saved addresses and order addresses, households (name,
    village, contact)."""

    async def read() -> dict[str, str]:
        database = Database(server.settings)
        found: dict[str, str] = {}
        queries = {
            "a buyer's or farmer's name": "SELECT display_name FROM accounts WHERE role "
            "IN ('consumer', 'farmer')",
            "a username": "SELECT username FROM accounts WHERE role IN ('consumer', 'farmer')",
            "an account's phone": "SELECT phone FROM accounts WHERE phone IS NOT NULL",
            "a saved address": "SELECT detail FROM saved_addresses",
            "a recipient": "SELECT recipient FROM saved_addresses",
            "an order's address": "SELECT DISTINCT address_detail FROM orders",
            "an order's phone": "SELECT DISTINCT phone FROM orders",
            "a household's name": "SELECT name FROM producers WHERE kind = 'household'",
            "a village": "SELECT village FROM producers",
            "a producer's contact": "SELECT contact_name FROM producers",
            "a producer's phone": "SELECT contact_phone FROM producers",
        }
        try:
            async with database.sessions() as db:
                for what, query in queries.items():
                    for (value,) in (await db.execute(text(query))).all():
                        if value and len(value) >= 2:
                            found[value] = what
        finally:
            await database.dispose()
        return found

    strings: dict[str, str] = run_async(read())
    return strings


def published_to_the_end(server: LiveServer) -> bool:
    async def read() -> bool:
        database = Database(server.settings)
        try:
            async with database.sessions() as db:
                last = await db.scalar(text("SELECT MAX(seq) FROM event_log"))
                at = await db.scalar(text("SELECT seq FROM open_cursor"))
        finally:
            await database.dispose()
        return at is not None and at == last

    done: bool = run_async(read())
    return done


def strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


def test_the_demo_s_open_data_holds_no_personal_data(demo_by_command: LiveServer) -> None:
    wait_until(
        lambda: published_to_the_end(demo_by_command), "the publisher read the log", seconds=120
    )
    records: list[dict[str, Any]] = []
    with httpx.Client(base_url=demo_by_command.url, timeout=30) as c:
        since = 0
        while True:
            page = c.get(f"{API}/changes", params={"since": since, "limit": 1000}).json()
            records += page["records"]
            if page["next"] == since:
                break
            since = page["next"]
    kinds = {r["kind"] for r in records}
    assert {"session", "figures", "claim", "concern", "product", "producer", "band"} <= kinds
    assert {"households", "rules"} <= kinds

    schema = jsonschema_rs.validator_for(json_schema())
    personal = personal_strings(demo_by_command)
    assert len(personal) > 300  # the shoppers, their addresses, the households: there to find
    for record in records:
        where = f"record {record['seq']} ({record['kind']} {record['key']})"
        errors = [str(e) for e in schema.iter_errors(record)]
        assert not errors, (where, errors[:3])
        kind = record["kind"]
        extra = set(paths_of(record["body"], maps=maps_of(kind))) - allowed_paths(kind)
        assert not extra, (where, extra)
        for value in strings_in(record):
            for what, pattern in PATTERNS.items():
                assert not pattern.search(value), (where, what, value)
            for secret, what in personal.items():
                assert secret not in value, (where, what, secret)


def test_the_schema_refuses_a_field_not_on_the_allowlist() -> None:
    schema = jsonschema_rs.validator_for(json_schema())
    record = {
        "spec": "sunlit-open/1", "seq": 0, "kind": "households", "key": "341321",
        "revision": 1, "replaces": None, "reason": "published",
        "published_at": "2026-12-07T00:00:00+00:00",
        "body": {"region": "341321", "households": 3, "verified": 3},
    }  # fmt: skip
    assert schema.is_valid(record)
    assert not schema.is_valid({**record, "body": {**record["body"], "names": ["张三"]}})
    assert not schema.is_valid({**record, "buyer": "a-1"})
    assert "names" not in allowed_paths("households")
