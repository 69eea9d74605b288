"""Detection while the session is on air, over real HTTP and real WebSockets: organised
praise posted in a live room opens a case in the supervisors' queue while the room is still
live, naming the accounts that posted it and not the buyers who asked honest questions; when
the session ends, the full run keeps the case and computes the verified figures."""

from __future__ import annotations

import html
import time
from contextlib import ExitStack
from datetime import timedelta
from typing import Any

import httpx
import numpy as np

from sunlit.simulate.chat import honest_lines
from tests.support import LiveServer, ingest_url
from tests.test_catalog_api import api_as
from tests.test_concerns import web_as
from tests.test_live import go_live, kind, viewer
from tests.test_web import PASSWORD, client

PRAISE = (
    "县长亲自带货，砀山酥梨又甜又脆，为县长点赞！",
    "县长亲自带货！砀山酥梨又甜又脆，给县长点赞",
    "为县长点赞，县长亲自带货，砀山酥梨又甜又脆",
    "县长亲自来带货，砀山酥梨又甜又脆，为县长点赞！！",
    "县长亲自带货 砀山酥梨又甜又脆 为县长点赞",
    "点赞县长！县长亲自带货，砀山酥梨又甜又脆",
)
AUDIENCE = 20
HONEST_MESSAGES = 100


def sign_up(served: LiveServer, username: str) -> str:
    answer = httpx.post(
        f"{served.url}/api/v1/accounts",
        json={"username": username, "display_name": username, "password": PASSWORD},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def wait_for_case(served: LiveServer, check: Any, seconds: float = 40) -> dict[str, Any]:
    with api_as(served, "supervisor1") as supervisor:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for case in supervisor.get("/api/v1/cases").json():
                if check(case):
                    return dict(case)
            time.sleep(0.5)
    raise AssertionError(f"no such case within {seconds}s")


def test_paid_praise_in_a_live_room_raises_an_alert_while_it_is_on_air(
    served: LiveServer,
) -> None:
    session, _ = go_live(served)
    audience = [sign_up(served, f"viewer{n}") for n in range(AUDIENCE)]
    lines = honest_lines(np.random.default_rng(7), HONEST_MESSAGES, "砀山酥梨", "砀山")
    with ExitStack() as stack:  # a room's ordinary chat: a message every half minute
        room = [stack.enter_context(viewer(served, session, f"viewer{n}")) for n in range(AUDIENCE)]
        for n, line in enumerate(lines):
            served.clock.advance(timedelta(seconds=30))
            room[n % AUDIENCE].send({"t": "chat", "text": line[:60]})
        room[0].wait_for(lambda m: m.get("t") == "chat" and m["text"] == lines[-1][:60])
    shills = [sign_up(served, f"shill{n}") for n in range(len(PRAISE))]
    for n, praise in enumerate(PRAISE):  # then, inside one minute, six accounts say the same
        served.clock.advance(timedelta(seconds=8))
        with viewer(served, session, f"shill{n}") as shill:
            shill.wait_for(kind("hello"))
            shill.send({"t": "chat", "text": praise})
            shill.wait_for(lambda m, text=praise: m.get("t") == "chat" and m["text"] == text)

    case = wait_for_case(served, lambda c: c["rule"] == "paid_comments" and c["session"] == session)
    assert case["source"] == "live" and case["status"] == "open"
    # Raised as soon as five had posted (the rule's minimum), perhaps before the sixth had:
    # the same case then grows to name all six.
    assert set(case["accounts"]) <= set(shills) and len(case["accounts"]) >= 5
    case = wait_for_case(served, lambda c: c["id"] == case["id"] and len(c["accounts"]) == 6)
    assert sorted(case["accounts"]) == sorted(shills)

    with api_as(served, "official.dangshan") as official:
        key = official.get(f"/api/v1/plans/{session}").json()["stream_key"]
    served.clock.advance(timedelta(minutes=5))
    ended = httpx.post(
        ingest_url(served, "on_publish_done"),
        data={"name": session, "key": key.split("?key=")[1]},
        timeout=10,
    )
    assert ended.status_code == 200, ended.text
    final = wait_for_case(served, lambda c: c["id"] == case["id"] and c["source"] == "final")
    assert sorted(final["accounts"]) == sorted(shills)  # the same case, not a second one
    with api_as(served, "supervisor1") as supervisor:
        cases = supervisor.get("/api/v1/cases").json()
    assert [c["id"] for c in cases if c["rule"] == "paid_comments"] == [case["id"]]
    with api_as(served, "supervisor1") as supervisor:  # figures recomputed from the event log
        decided = supervisor.post(
            f"/api/v1/cases/{case['id']}/decision",
            json={"decision": "confirm", "reason": "六个新注册账号一分钟内刷同一条好评"},
        )
        assert decided.status_code == 200, decided.text
    with client(served, "en") as visitor:  # the ended session's verified figures, in public
        home = visitor.get("/").text
        past = home.split('id="past"', 1)[1]
        assert "Verified sales" in past and "Viewers" in past
    assert audience  # the honest audience is named in no case
    assert not {a for c in cases for a in c["accounts"]} & set(audience)
    # The case links each shill to what it did in the room, from Sunlit's own event log.
    with web_as(served, "supervisor1", "en") as web:
        page = web.get(f"/supervisor/cases/{case['id']}").text
        for shill in shills:
            assert f'href="/supervisor/cases/{case["id"]}/accounts/{shill}"' in page
        mine = web.get(f"/supervisor/cases/{case['id']}/accounts/{shills[0]}").text
        assert "shill0" in mine and PRAISE[0] in mine, mine[mine.index("<main") :][:1500]
        assert "Sunlit's own records" in html.unescape(mine)
        log = web.get(f"/supervisor/cases/{case['id']}/chat").text
        assert log.count('class="marked"') == len(PRAISE)
        assert "messages" in log and f"{HONEST_MESSAGES + len(PRAISE)} messages" in log
