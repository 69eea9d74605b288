"""The live room over real HTTP and real WebSockets: joining, history, chat, likes, shares,
presence, pins and timed offers, moderation, buying only what is pinned, and every bad input
of the issue answered to its sender alone."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect

from tests.support import LiveServer, ingest_url, sign_in, wait_until
from tests.test_catalog_api import api_as
from tests.test_filing_api import WINDOW, agreed, plan_body, product
from tests.test_web import PASSWORD, client, events_of


def go_live(served: LiveServer, team: tuple[str, ...] = ()) -> tuple[str, list[str]]:
    """An approved plan of official.dangshan for its pears (with ``team`` as its product
    specialists), live now (published through the stream gate as nginx-rtmp would); returns the
    session and its products."""
    with (
        api_as(served, "official.dangshan") as official,
        api_as(served, "supervisor1") as supervisor,
    ):
        products = [product(official, "砀山")]
        members = []
        for name in team:
            with api_as(served, name) as member:
                mine = member.get("/api/v1/me").json()["id"]
            members.append({"account": mine, "role": "product_specialist"})
        filed = official.post("/api/v1/plans", json=plan_body(products, team=members))
        assert filed.status_code == 201, filed.text
        plan = filed.json()["id"]
        agreed(served, official, plan)
        assert official.post(f"/api/v1/plans/{plan}/submit").json()["status"] == "checked"
        supervisor.post(f"/api/v1/plans/{plan}/approve", json={"reason": "报备齐全"})
        key = official.get(f"/api/v1/plans/{plan}").json()["stream_key"]
    served.clock.advance(WINDOW[0] - served.clock.now() + timedelta(minutes=5))
    answer = httpx.post(
        ingest_url(served, "on_publish"),
        data={"name": plan, "key": key.split("?key=")[1]},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return plan, products


@contextmanager
def browser_like(
    served: LiveServer, username: str | None = None, language: str = "en"
) -> Iterator[httpx.Client]:
    with client(served, language) as c:
        if username is not None:
            assert sign_in(c, username, PASSWORD).status_code == 303
        yield c


def room_ticket(c: httpx.Client, session: str) -> tuple[str, str]:
    """What the room's script has to join: the WebSocket address from the page, and a signed
    ticket. A signed-in viewer's page carries one; a visitor's page carries none (it is the
    same page for every visitor, and a cache may keep it), and the script asks
    /live/{session}/ticket for it, as live.js does."""
    page = c.get(f"/live/{session}")
    assert page.status_code == 200, page.text[:500]
    ws = re.search(r'data-ws="([^"]+)"', page.text)
    ticket = re.search(r'data-ticket="([^"]*)"', page.text)
    signed_in = 'data-signed-in="yes"' in page.text
    assert ws and ticket and bool(ticket.group(1)) == signed_in
    if signed_in:
        return ws.group(1), ticket.group(1)
    fetched = c.get(f"/live/{session}/ticket")
    assert fetched.status_code == 200
    return ws.group(1), str(fetched.json()["ticket"])


class Viewer:
    """A real WebSocket client in the room, reading the frames the server sends."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.seen: list[dict[str, Any]] = []

    def send(self, message: dict[str, Any] | str | bytes) -> None:
        self.connection.send(message if isinstance(message, str | bytes) else json.dumps(message))

    def wait_for(self, check: Any, seconds: float = 10) -> dict[str, Any]:
        """The first message (seen or arriving) for which ``check`` holds."""
        for message in self.seen:
            if check(message):
                return message
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                frame = self.connection.recv(timeout=max(0.01, deadline - time.monotonic()))
            except TimeoutError:
                break
            batch = json.loads(frame)
            assert isinstance(batch, list), "every frame is a list of messages"
            self.seen.extend(batch)
            for message in batch:
                if check(message):
                    return message
        raise AssertionError(f"nothing matched within {seconds}s; saw {self.seen[-8:]}")


@contextmanager
def viewer(served: LiveServer, session: str, username: str | None = None) -> Iterator[Viewer]:
    with browser_like(served, username) as c:
        ws, ticket = room_ticket(c, session)
    with connect(f"{ws}{session}?ticket={ticket}", open_timeout=10) as connection:
        yield Viewer(connection)


def kind(name: str) -> Any:
    return lambda m: m.get("t") == name


def test_viewers_chat_like_share_and_are_counted(served: LiveServer) -> None:
    session, _ = go_live(served)
    with viewer(served, session, "buyer1") as one, viewer(served, session, "buyer2") as two:
        hello = one.wait_for(kind("hello"))
        assert hello["history"] == [] and hello["you"]["muted"] is None
        two.wait_for(kind("hello"))
        one.send({"t": "chat", "text": "梨子甜不甜？"})
        said = two.wait_for(kind("chat"))
        assert said["text"] == "梨子甜不甜？" and said["account"] is not None
        one.send({"t": "like", "n": 3})
        two.send({"t": "like", "n": 2})
        assert two.wait_for(lambda m: m.get("t") == "likes" and m["total"] == 5)
        one.send({"t": "share", "channel": "wechat"})
        counted = one.wait_for(lambda m: m.get("t") == "state" and m.get("signed_in") == 2)
        assert counted["viewers"] == 2
        with viewer(served, session) as anonymous:
            hello = anonymous.wait_for(kind("hello"))
            assert [m["text"] for m in hello["history"]] == ["梨子甜不甜？"]
            anonymous.send({"t": "chat", "text": "我也想问"})
            refused = anonymous.wait_for(kind("error"))
            assert refused["code"] == "sign_in"
            both = one.wait_for(lambda m: m.get("t") == "state" and m.get("viewers") == 3)
            assert both["signed_in"] == 2
    wait_until(  # the recorder writes in batches: wait for the last things that happened
        lambda: (
            [e.type for e in events_of(served) if e.session == session].count("viewer.left") == 3
        ),
        "all three viewers' leaving recorded",
    )
    events = [(e.type, e.actor is not None) for e in events_of(served) if e.session == session]
    assert ("chat.message", True) in events
    assert ("share", True) in events
    assert events.count(("viewer.joined", True)) == 2
    assert ("viewer.joined", False) in events and ("viewer.left", False) in events
    likes = [e.data["count"] for e in events_of(served) if e.type == "like"]
    assert sum(likes) == 5


def test_an_ended_room_says_so_when_no_recording_is_coming(served: LiveServer) -> None:
    """A room that ended within the hour may still get its recording (nginx-rtmp closes the
    file, ffmpeg converts it): it waits. An hour past the session's window with none, it says
    none was kept, rather than "being prepared" for ever (seen on the demo's old sessions)."""
    from tests.test_claims import ended_session_with_sales

    session, _ = ended_session_with_sales(served)

    def room() -> str:
        answer = httpx.get(f"{served.url}/live/{session}", cookies={"sunlit_lang": "en"})
        assert answer.status_code == 200
        return answer.text

    assert 'data-recording-missing="no"' in room()
    served.clock.advance(timedelta(hours=3))
    later = room()
    assert 'data-recording-missing="yes"' in later
    assert "No recording of this session was kept." in later
