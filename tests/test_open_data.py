"""Open data and the public log (issue 22), end to end on both databases: the publisher turns
the demo's public things into records; the change feed, the signed head, the inclusion and
consistency proofs answer as RFC 9162 says; a change is a new revision naming the one it
replaces; a mirror in another process ends with exactly the bulk file's records; and bad
input is a 4xx in the error shape."""

from __future__ import annotations

import gzip
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from sunlit.core import merkle
from sunlit.core.db import Database
from sunlit.disclosure.opendata.bulk import FOLDER, make_day
from sunlit.disclosure.opendata.log import OpenLog, key_file
from sunlit.disclosure.opendata.model import TreeHead
from sunlit.disclosure.opendata.publisher import Publisher
from sunlit.disclosure.opendata.signing import verify_head
from sunlit.settings import Settings
from tests.support import LiveServer, live_server, run_async
from tests.test_catalog_api import api_as, product_named
from tests.test_web import client, load_demo_into

API = "/api/open/v1"


@pytest.fixture
def published(settings: Settings) -> Iterator[LiveServer]:
    """The demo, its public things published once; no background jobs, so that each test
    says when the publisher runs."""
    with live_server(settings.model_copy(update={"background_jobs": False})) as server:
        load_demo_into(server)
        publish(server)
        yield server


def publish(server: LiveServer) -> int:
    """Run the publisher to the end of the event log, as the server's job does: records
    appended."""

    async def run() -> int:
        database = Database(server.settings)
        try:
            log = OpenLog(key_file(server.settings))
            return await Publisher(database, log, server.clock).catch_up()
        finally:
            await database.dispose()

    made: int = run_async(run())
    return made


def feed(c: httpx.Client, since: int = 0) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    while True:
        page = c.get(f"{API}/changes", params={"since": since, "limit": 7}).json()
        records += page["records"]
        if page["next"] == since:
            return records
        since = page["next"]


def head_of(c: httpx.Client) -> TreeHead:
    return TreeHead.from_json(c.get(f"{API}/log/head").json())


def leaf(record: dict[str, Any]) -> bytes:
    return merkle.leaf_hash(orjson.dumps(record, option=orjson.OPT_SORT_KEYS))


def test_the_feed_gives_every_record_and_they_make_the_signed_root(
    published: LiveServer,
) -> None:
    with client(published, "en") as c:
        records = feed(c)
        head = head_of(c)
        key = bytes.fromhex(c.get(f"{API}/log/key").json()["public_key"])
    assert verify_head(key, head)
    assert [r["seq"] for r in records] == list(range(head.tree_size))
    assert merkle.root([leaf(r) for r in records]) == head.root_hash
    kinds = {r["kind"] for r in records}
    assert {"product", "producer", "band", "rules"} <= kinds
    assert all(r["revision"] == 1 and r["replaces"] is None for r in records)
    # a head altered by one bit no longer checks out
    forged = TreeHead(
        head.tree_size + 1, head.root_hash, head.timestamp_ms, head.signature, head.key_id
    )
    assert not verify_head(key, forged)


def test_each_record_has_an_inclusion_proof_and_the_log_only_grows(
    published: LiveServer,
) -> None:
    with client(published, "en") as c:
        records = feed(c)
        first = head_of(c)
        for record in records[:: max(1, len(records) // 8)]:
            proof = c.get(f"{API}/log/inclusion", params={"seq": record["seq"]}).json()
            path = [bytes.fromhex(p) for p in proof["audit_path"]]
            assert merkle.verify_inclusion(
                leaf(record), record["seq"], first.tree_size, path, first.root_hash
            )
            assert not merkle.verify_inclusion(
                leaf(records[0] if record["seq"] else records[1]),
                record["seq"],
                first.tree_size,
                path,
                first.root_hash,
            )

    with api_as(published, "farmer.dangshan") as farmer:
        pears = product_named(farmer, "砀山")
        moved = farmer.post(f"/api/v1/products/{pears['id']}/price", json={"price": 420})
        assert moved.status_code == 200, moved.text
    published.clock.advance(timedelta(minutes=5))
    assert publish(published) >= 1

    with client(published, "en") as c:
        second = head_of(c)
        assert second.tree_size > first.tree_size
        proof = c.get(f"{API}/log/consistency", params={"first": first.tree_size}).json()
        path = [bytes.fromhex(p) for p in proof["proof"]]
        assert merkle.verify_consistency(
            first.tree_size, second.tree_size, first.root_hash, second.root_hash, path
        )
        # A change is a new revision that names the one it replaces; the old one stays.
        records = feed(c)
    revisions = [r for r in records if r["kind"] == "product" and r["key"] == pears["id"]]
    assert [r["revision"] for r in revisions] == [1, 2]
    old, new = revisions
    assert new["replaces"] == old["seq"] and new["reason"] == "product.price_changed"
    assert (old["body"]["price"], new["body"]["price"]) == (398, 420)


def test_a_household_is_counted_never_named(published: LiveServer) -> None:
    with api_as(published, "farmer.xuwen") as farmer, client(published, "en") as c:
        before = [r for r in feed(c) if r["kind"] == "households" and r["key"] == "440825"]
        made = farmer.post(
            "/api/v1/producers",
            json={
                "kind": "household",
                "name": "陈家菠萝园",
                "region": "440825",
                "village": "角尾乡",
            },
        )
        assert made.status_code == 201, made.text
        publish(published)
        text = c.get(f"{API}/changes", params={"limit": 1000}).text
        after = [r for r in feed(c) if r["kind"] == "households" and r["key"] == "440825"]
    assert "陈家菠萝园" not in text and "角尾乡" not in text
    counted = [r["body"]["households"] for r in after]
    assert counted[-1] == (before[-1]["body"]["households"] if before else 0) + 1


def test_a_mirror_polling_the_feed_ends_with_the_records_of_the_bulk_file(
    published: LiveServer, tmp_path: Path
) -> None:
    mirror = tmp_path / "mirror.jsonl"
    script = (
        "import sys, httpx, orjson\n"
        "base, out = sys.argv[1], sys.argv[2]\n"
        "since, lines = 0, []\n"
        "with httpx.Client(base_url=base) as c:\n"
        "    while True:\n"
        "        page = c.get('/api/open/v1/changes', params={'since': since, 'limit': 5}).json()\n"
        "        lines += [orjson.dumps(r, option=orjson.OPT_SORT_KEYS) for r in page['records']]\n"
        "        if page['next'] == since: break\n"
        "        since = page['next']\n"
        "open(out, 'wb').write(b''.join(l + b'\\n' for l in lines))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, published.url, str(mirror)], timeout=120, check=False
    )
    assert done.returncode == 0

    async def export() -> None:
        database = Database(published.settings)
        async with database.transaction() as db:
            await make_day(db, published.clock.now().date(), folder, now=published.clock.now())
        await database.dispose()

    folder = tmp_path / FOLDER
    run_async(export())
    day = published.clock.now().date().isoformat()
    with gzip.open(folder / f"sunlit-open-{day}.jsonl.gz", "rb") as handle:
        exported = handle.read()
    assert exported and mirror.read_bytes() == exported
    with gzip.open(folder / f"sunlit-open-{day}.csv.gz", "rt", encoding="utf-8") as handle:
        rows = handle.read().splitlines()
    assert rows[0] == "seq,kind,key,revision,replaces,reason,published_at,body"
    assert len(rows) == 1 + exported.count(b"\n")


def test_bad_input_is_a_4xx_in_the_error_shape(published: LiveServer) -> None:
    with client(published, "en") as c:
        size = head_of(c).tree_size
        asked = {
            "a cursor from the future": c.get(f"{API}/changes", params={"since": size + 5}),
            "a malformed cursor": c.get(f"{API}/changes", params={"since": "yesterday"}),
            "a negative record": c.get(f"{API}/log/inclusion", params={"seq": -1}),
            "a record past the log": c.get(f"{API}/log/inclusion", params={"seq": size}),
            "a malformed proof request": c.get(f"{API}/log/inclusion", params={"seq": "x1"}),
            "a tree size past the log": c.get(
                f"{API}/log/inclusion", params={"seq": 0, "tree_size": size + 1}
            ),
            "a consistency size past the log": c.get(
                f"{API}/log/consistency", params={"first": 1, "second": size + 1}
            ),
            "a first size past the second": c.get(
                f"{API}/log/consistency", params={"first": size + 1}
            ),
            "a size never signed": c.get(f"{API}/log/consistency", params={"first": 1, "second": 1})
            if size > 2
            else c.get(f"{API}/log/consistency", params={"first": 0}),
        }
        missing_file = c.get("/open-data/files/sunlit-open-2020-01-01.jsonl.gz")
    for what, answer in asked.items():
        assert 400 <= answer.status_code < 500, (what, answer.status_code, answer.text)
        assert answer.json()["error"]["message"], what
    assert asked["a cursor from the future"].status_code == 422
    assert "past the end of the log" in asked["a cursor from the future"].json()["error"]["message"]
    assert "no head of" in asked["a tree size past the log"].json()["error"]["message"]
    assert missing_file.status_code == 404


def test_the_schema_served_is_the_one_in_the_repository(published: LiveServer) -> None:
    from sunlit.disclosure.opendata.schema import json_schema

    kept = (
        Path(__file__).resolve().parent.parent
        / "src/sunlit/disclosure/opendata/sunlit-open-1.schema.json"
    )
    with client(published, "en") as c:
        served = c.get(f"{API}/schema.json")
    assert served.status_code == 200
    assert orjson.loads(served.content) == orjson.loads(kept.read_bytes()) == json_schema()


def test_the_page_lists_the_day_s_files_once_the_day_is_over(published: LiveServer) -> None:
    import hashlib

    from sunlit.disclosure.opendata.bulk import make_due

    with client(published, "zh") as c:
        page = c.get("/open-data")
        head = head_of(c)
        so_far = gzip.decompress(c.get("/open-data/today.jsonl.gz").content).splitlines()
    assert page.status_code == 200 and "开放数据与公开日志" in page.text
    assert head.key_id in page.text and head.root_hash.hex() in page.text
    assert "首批文件将于明天生成" in page.text
    assert [orjson.loads(line)["seq"] for line in so_far] == list(range(head.tree_size))

    async def make(now: Any) -> list[Any]:
        database = Database(published.settings)
        try:
            async with database.transaction() as db:
                return await make_due(db, published.settings.files_dir / FOLDER, now=now)
        finally:
            await database.dispose()

    today = published.clock.now()
    assert run_async(make(today)) == []  # the day is not over
    assert run_async(make(today + timedelta(days=1))) == [today.date()]
    assert run_async(make(today + timedelta(days=1))) == []  # made once
    name = f"sunlit-open-{today.date().isoformat()}.jsonl.gz"
    with client(published, "en") as c:
        page = c.get("/open-data")
        assert f'href="/open-data/files/{name}"' in page.text
        file = c.get(f"/open-data/files/{name}")
    assert file.status_code == 200
    assert hashlib.sha256(file.content).hexdigest() in page.text
    assert gzip.decompress(file.content).splitlines() == so_far
