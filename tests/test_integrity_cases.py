"""The integrity engine inside a deployment, over real HTTP: a stream posted to
``POST /api/v1/events`` opens cases; supervisors assign, annotate, confirm or dismiss with a
reason and publish (a second supervisor); the public sees what was published with the
session's verified figures, and never the accounts named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from sunlit.simulate.model import ScenarioSpec, SimConfig
from sunlit.simulate.services import simulate
from tests.support import LiveServer, csrf_of, sign_in
from tests.test_catalog_api import api_as
from tests.test_web import PASSWORD, client, events_of


@pytest.fixture(scope="module")
def stream_file(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A small simulated evening with a 40-cadre quota and a price far above the band."""
    path = tmp_path_factory.mktemp("streams") / "evening.jsonl"
    config = SimConfig(
        seed=3,
        viewers=300,
        minutes=60,
        scenarios=(ScenarioSpec.parse("quota:default:40"), ScenarioSpec.parse("gouging")),
    )
    simulate(config, path)
    return path.read_bytes()


def post_stream(c: httpx.Client, data: bytes, **params: Any) -> httpx.Response:
    return c.post(
        "/api/v1/events",
        content=data,
        params=params,
        headers={"Content-Type": "application/x-ndjson"},
    )


def by_rule(cases: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {c["rule"]: c for c in cases}


def test_a_posted_stream_becomes_cases_that_supervisors_decide_and_publish(
    served: LiveServer, stream_file: bytes
) -> None:
    with (
        api_as(served, "supervisor1") as first,
        api_as(served, "supervisor2") as second,
        client(served, "en") as public,
    ):
        answer = post_stream(first, stream_file, filename="other-platform.jsonl")
        assert answer.status_code == 201, answer.text
        imported = answer.json()
        assert imported["events"] == stream_file.count(b"\n")
        assert imported["skipped"] == 0 and imported["sessions"] == 1
        rules = {f["rule"] for s in imported["findings"]["sessions"] for f in s["findings"]}
        assert {"forced_purchases", "price_gouging"} <= rules
        queue = first.get("/api/v1/cases", params={"status": "open"}).json()
        assert {c["id"] for c in queue} == set(imported["cases_opened"])
        quota = by_rule(queue)["forced_purchases"]
        assert len(quota["orders"]) == 40 and quota["status"] == "open"

        # Posting the same file again is a second import: its cases are its own.
        again = post_stream(first, stream_file)
        assert again.status_code == 201 and again.json()["import"] != imported["import"]

        me = second.get("/api/v1/me").json()["id"]
        assigned = first.post(f"/api/v1/cases/{quota['id']}/assign", json={"assignee": me})
        assert assigned.status_code == 200 and assigned.json()["assignee"] == me
        noted = first.post(
            f"/api/v1/cases/{quota['id']}/notes", json={"text": "县直机关干部订单集中在50元"}
        )
        assert noted.status_code == 201 and noted.json()["notes"][0]["text"].startswith("县直")

        # Only the supervisor it is assigned to decides, and only with a reason.
        refused = first.post(
            f"/api/v1/cases/{quota['id']}/decision",
            json={"decision": "confirm", "reason": "摊派属实"},
        )
        assert refused.status_code == 403
        no_reason = second.post(
            f"/api/v1/cases/{quota['id']}/decision", json={"decision": "confirm", "reason": " "}
        )
        assert no_reason.status_code == 422 and "reason" in no_reason.json()["error"]["fields"]
        confirmed = second.post(
            f"/api/v1/cases/{quota['id']}/decision",
            json={"decision": "confirm", "reason": "经核实，40名干部按50元摊派购买"},
        )
        assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
        twice = second.post(
            f"/api/v1/cases/{quota['id']}/decision",
            json={"decision": "dismiss", "reason": "改变主意"},
        )
        assert twice.status_code == 409

        # Four eyes: the one who confirmed does not publish.
        assert second.post(f"/api/v1/cases/{quota['id']}/publish").status_code == 403
        assert public.get("/api/v1/findings").json() == []
        published = first.post(f"/api/v1/cases/{quota['id']}/publish")
        assert published.status_code == 200 and published.json()["published_at"]
        assert first.post(f"/api/v1/cases/{quota['id']}/publish").status_code == 409

        gouging = by_rule(queue)["price_gouging"]
        dismissed = first.post(
            f"/api/v1/cases/{gouging['id']}/decision",
            json={"decision": "dismiss", "reason": "礼盒装，与散装参考价不可比"},
        )
        assert dismissed.json()["status"] == "dismissed"
        assert first.post(f"/api/v1/cases/{gouging['id']}/publish").status_code == 409

        shown = public.get("/api/v1/findings").json()
        assert [f["id"] for f in shown] == [quota["id"]]
        figures = shown[0]["verified_figures"]
        assert figures["confirmed_flagged_orders"] == 40
        assert figures["gmv"] < figures["gross_gmv"]
        assert "accounts" not in shown[0] and "orders" not in shown[0]
        assert shown[0]["accounts_named"] == 40
        page = public.get("/findings")
        assert page.status_code == 200 and "Forced purchases" in page.text
        assert not any(account in page.text for account in quota["accounts"])

    kinds = [e.type for e in events_of(served)]
    for kind in ("events.imported", "case.opened", "case.assigned", "case.noted"):
        assert kind in kinds
    for kind in ("case.confirmed", "case.dismissed", "case.published", "figures.verified"):
        assert kind in kinds


def test_a_stream_with_bad_lines_is_refused_with_their_numbers_unless_asked_to_skip(
    served: LiveServer, stream_file: bytes
) -> None:
    lines = stream_file.splitlines(keepends=True)
    broken = b"".join([lines[0], b'{"id": "x", "type": "like"\n', *lines[1:]])
    with api_as(served, "operator") as operator:
        refused = post_stream(operator, broken)
        assert refused.status_code == 422
        assert "line 2" in refused.json()["error"]["message"]
        assert operator.get("/api/v1/cases").status_code == 403  # operators import, not judge
        skipped = post_stream(operator, broken, skip_bad="true")
        assert skipped.status_code == 201, skipped.text
        body = skipped.json()
        assert body["skipped"] == 1 and body["skipped_lines"][0].startswith("line 2: not JSON")
        assert body["events"] == len(lines)
        empty = post_stream(operator, b"")
        assert empty.status_code == 422 and "empty" in empty.json()["error"]["message"]
    with api_as(served, "buyer1") as buyer:
        assert post_stream(buyer, stream_file).status_code == 403


def test_supervisors_work_the_queue_on_its_pages(
    served: LiveServer, stream_file: bytes, tmp_path: Path
) -> None:
    with client(served, "zh") as c:
        assert sign_in(c, "supervisor1", PASSWORD).status_code == 303
        page = c.get("/supervisor/cases")
        assert page.status_code == 200 and "分析其他平台的事件流" in page.text
        uploaded = c.post(
            "/supervisor/cases/import",
            data={"csrf_token": csrf_of(page.text), "skip_bad": "on"},
            files={"file": ("evening.jsonl", stream_file, "application/x-ndjson")},
        )
        assert uploaded.status_code == 200, uploaded.text[:500]
        assert "evening.jsonl" in uploaded.text
        link = uploaded.text.split('href="/supervisor/cases/c-', 1)[1].split('"', 1)[0]
        case = f"/supervisor/cases/c-{link}"
        shown = c.get(case)
        assert shown.status_code == 200
        token = csrf_of(shown.text)
        empty = c.post(case, data={"csrf_token": token, "action": "confirm", "reason": ""})
        assert empty.status_code == 422 and 'aria-invalid="true"' in empty.text
        done = c.post(case, data={"csrf_token": token, "action": "confirm", "reason": "核实无误"})
        assert done.status_code == 303
        after = c.get(done.headers["location"])
        assert "核实无误" in after.text and "已确认" in after.text
