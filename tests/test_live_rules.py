"""The live room's rules end to end, over a real server and real WebSocket clients: bad input
answered to its sender alone, tickets and closed rooms, hiding and muting (only for abuse, seen
by supervisors), pins and timed offers, buying only what is pinned, a slow viewer dropped and a
silent one closed."""

from __future__ import annotations

import base64
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from sunlit.live.model import Ticket, sign_ticket
from tests.support import LiveServer, csrf_of, ingest_url, live_server, settings_for
from tests.test_catalog_api import api_as
from tests.test_filing_api import WINDOW, agreed, plan_body, product
from tests.test_live import Viewer, browser_like, go_live, kind, room_ticket, viewer
from tests.test_orders import buy
from tests.test_web import events_of, load_demo_into

Check = Callable[[dict[str, Any]], bool]

# --- helpers ---


def next_match(v: Viewer, check: Check, seconds: float = 10) -> dict[str, Any]:
    """The first message not read before this call for which ``check`` holds."""
    mark = len(v.seen)
    deadline = time.monotonic() + seconds
    while True:
        for message in v.seen[mark:]:
            if check(message):
                return message
        mark = len(v.seen)
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"nothing new matched within {seconds}s; saw {v.seen[-8:]}")
        try:
            frame = v.connection.recv(timeout=left)
        except TimeoutError:
            continue
        v.seen.extend(json.loads(frame))


def until(v: Viewer, done: Callable[[], bool], seconds: float = 10) -> None:
    """Read frames until ``done()`` holds."""
    deadline = time.monotonic() + seconds
    while not done():
        left = deadline - time.monotonic()
        assert left > 0, f"not done within {seconds}s; saw {v.seen[-8:]}"
        try:
            v.seen.extend(json.loads(v.connection.recv(timeout=left)))
        except TimeoutError:
            continue


def drain(v: Viewer, seconds: float = 0.3) -> None:
    """Read whatever arrives within ``seconds`` (so that a check of ``seen`` is complete)."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            v.seen.extend(json.loads(v.connection.recv(timeout=left)))
        except TimeoutError:
            return


def said(text: str) -> Check:
    return lambda m: m.get("t") == "chat" and m.get("text") == text


def error(code: str) -> Check:
    return lambda m: m.get("t") == "error" and m.get("code") == code


def texts(v: Viewer) -> list[str]:
    return [m["text"] for m in v.seen if m.get("t") == "chat"]


def errors(v: Viewer) -> list[dict[str, Any]]:
    return [m for m in v.seen if m.get("t") == "error"]


def account_id(served: LiveServer, username: str) -> str:
    with api_as(served, username) as c:
        return str(c.get("/api/v1/me").json()["id"])


def wait_for_event(served: LiveServer, check: Callable[[Any], bool], seconds: float = 5) -> Any:
    """The first event in the log for which ``check`` holds (the room writes in batches)."""
    deadline = time.monotonic() + seconds
    while True:
        found = [e for e in events_of(served) if check(e)]
        if found:
            return found[0]
        assert time.monotonic() < deadline, "the event was not recorded in time"
        time.sleep(0.1)


def chat_recorded(served: LiveServer, message_id: str) -> None:
    wait_for_event(served, lambda e: e.id == message_id and e.type == "chat.message")


LATER = {
    "starts_at": (WINDOW[0] + timedelta(days=1)).isoformat(),
    "ends_at": (WINDOW[1] + timedelta(days=1)).isoformat(),
}


def approved_plan(served: LiveServer) -> str:
    """Another approved plan of official.dangshan for its pears, a day after go_live's: it is
    not live."""
    with (
        api_as(served, "official.dangshan") as official,
        api_as(served, "supervisor1") as supervisor,
    ):
        products = [product(official, "砀山")]
        plan = official.post("/api/v1/plans", json=plan_body(products, **LATER)).json()["id"]
        agreed(served, official, plan)
        assert official.post(f"/api/v1/plans/{plan}/submit").json()["status"] == "checked"
        supervisor.post(f"/api/v1/plans/{plan}/approve", json={"reason": "报备齐全"})
        assert official.get(f"/api/v1/plans/{plan}").json()["status"] == "approved"
    return str(plan)


def end_stream(served: LiveServer, session: str) -> None:
    answer = httpx.post(ingest_url(served, "on_publish_done"), data={"name": session}, timeout=10)
    assert answer.status_code == 200 and answer.text == "ended", answer.text


def refused(url: str) -> tuple[list[dict[str, Any]], int | None]:
    """Connect, then read until the server closes: what it said and its close code."""
    messages: list[dict[str, Any]] = []
    with connect(url, open_timeout=10, close_timeout=2) as connection:
        deadline = time.monotonic() + 10
        while True:
            try:
                frame = connection.recv(timeout=max(0.01, deadline - time.monotonic()))
            except ConnectionClosed as closed:
                return messages, closed.rcvd.code if closed.rcvd else None
            messages.extend(json.loads(frame))


@contextmanager
def demo_server(database_url: str, **overrides: Any) -> Iterator[LiveServer]:
    """A server with its own settings, and the demo region."""
    with live_server(settings_for(database_url, **overrides)) as running:
        load_demo_into(running)
        yield running


# --- bad input ---

BAD_INPUT: list[tuple[Any, str, str]] = [
    ({"t": "chat", "text": "梨" * 201}, "too_long", "A chat message is at most 200 characters."),
    (
        "梨子甜不甜",
        "not_json",
        "That message is not one this room understands (not JSON).",
    ),
    (
        {"t": "shout", "text": "梨子甜不甜"},
        "unknown_type",
        "That message is not one this room understands.",
    ),
    (b"\x00\x01\x02 pears", "binary", "This room takes text messages only."),
    ({"t": "chat", "text": "  \n "}, "empty", "Write something first."),
    ({"t": "chat", "text": ""}, "empty", "Write something first."),
    (
        {"t": "chat", "text": "便宜卖，加 Ｖ Ｘ 详聊"},
        "blocked_word",
        "Your message contains a word this room does not allow.",
    ),
    ({"t": "chat", "text": 5}, "bad_field", "That message has a missing or wrong field."),
    ({"t": "chat", "text": "a\x00b"}, "bad_field", "That message has a missing or wrong field."),
    ({"t": "like", "n": 0}, "bad_field", "That message has a missing or wrong field."),
    ({"t": "share", "channel": "x"}, "bad_field", "That message has a missing or wrong field."),
]


def test_bad_input_is_answered_to_its_sender_alone(served: LiveServer) -> None:
    session, _ = go_live(served)
    with (
        viewer(served, session, "buyer1") as sender,
        viewer(served, session, "buyer2") as other,
        viewer(served, session) as anonymous,
    ):
        for v in (sender, other, anonymous):
            v.wait_for(kind("hello"))
        alive = []  # what the other viewer says in between (within its own chat allowance)
        for n, (sent, code, message) in enumerate(BAD_INPUT):
            sender.send(sent)
            answer = next_match(sender, kind("error"))
            assert (answer["code"], answer["message"]) == (code, message), sent
            if n % 4 == 3:
                alive.append(f"我还在：{code}")
                other.send({"t": "chat", "text": alive[-1]})
                assert next_match(other, said(alive[-1]))
        sender.send({"t": "chat", "text": "梨子多少钱一斤？"})
        for v in (sender, other, anonymous):
            assert next_match(v, said("梨子多少钱一斤？"))["account"] is not None
        for sent in ({"t": "chat", "text": "我也想问"}, {"t": "like", "n": 2}):
            anonymous.send(sent)
            answer = next_match(anonymous, kind("error"))
            assert answer == {
                "t": "error",
                "code": "sign_in",
                "message": "Sign in to chat, like or share.",
            }
        anonymous.send({"t": "hb"})  # a heartbeat is no chat: it needs no account
        other.send({"t": "chat", "text": "最后一句"})
        for v in (sender, other, anonymous):
            next_match(v, said("最后一句"))
        drain(other)
        assert errors(other) == []
        assert [m["code"] for m in errors(anonymous)] == ["sign_in", "sign_in"]
        assert len(errors(sender)) == len(BAD_INPUT)
        for v in (sender, other, anonymous):
            assert texts(v) == [*alive, "梨子多少钱一斤？", "最后一句"]


def test_a_sixth_message_within_ten_seconds_is_too_fast(served: LiveServer) -> None:
    session, _ = go_live(served)
    sent = [f"第{n}问：梨子甜不甜？" for n in range(1, 7)]
    with viewer(served, session, "buyer1") as sender, viewer(served, session, "buyer2") as other:
        sender.wait_for(kind("hello"))
        other.wait_for(kind("hello"))
        for text in sent:
            sender.send({"t": "chat", "text": text})
        answer = next_match(sender, error("too_fast"))
        assert answer["message"] == "You are sending messages too fast; wait a few seconds."
        until(other, lambda: len(texts(other)) >= 5)
        delivered = texts(other)
        other.send({"t": "chat", "text": "我来说一句"})  # another account is not slowed
        next_match(other, said("我来说一句"))
        next_match(sender, said("我来说一句"))
        assert sorted(delivered) == sorted(sent[:5])  # in order when the count is in memory
        assert texts(other) == [*delivered, "我来说一句"]
        assert sent[5] not in texts(sender)
        assert errors(other) == [] and len(errors(sender)) == 1
    buyer1 = account_id(served, "buyer1")
    wait_for_event(served, lambda e: e.type == "chat.message" and e.data["text"] == "我来说一句")
    chats = [e for e in events_of(served) if e.type == "chat.message" and e.actor == buyer1]
    assert sorted(e.data["text"] for e in chats) == sorted(sent[:5])


def test_a_lone_surrogate_is_refused_and_does_not_break_the_room(served: LiveServer) -> None:
    """JSON may escape half of a surrogate pair ("\\ud800"), which is no character at all: the
    parser refuses such a frame as not JSON, the sender is told, and the room goes on."""
    session, _ = go_live(served)
    with viewer(served, session, "buyer1") as sender, viewer(served, session, "buyer2") as other:
        sender.wait_for(kind("hello"))
        other.wait_for(kind("hello"))
        sender.send('{"t": "chat", "text": "\\ud800 梨"}')
        assert sender.wait_for(kind("error"))["code"] == "not_json"  # the frame was read
        other.send({"t": "chat", "text": "还有人吗？"})
        next_match(other, said("还有人吗？"), seconds=5)
        next_match(sender, said("还有人吗？"), seconds=5)
        assert [m["code"] for m in errors(sender)] == ["not_json"]
    with viewer(served, session) as late:
        hello = late.wait_for(kind("hello"), seconds=5)
        assert [m["text"] for m in hello["history"]] == ["还有人吗？"]
    # and the room's events still reach the log (no event the database refuses blocks them)
    wait_for_event(served, lambda e: e.type == "chat.message" and e.data["text"] == "还有人吗？")


def test_deeply_nested_json_is_not_json_and_the_sender_stays(served: LiveServer) -> None:
    """A frame of 8 KiB holds thousands of nested brackets; the parser must not raise."""
    session, _ = go_live(served)
    with viewer(served, session, "buyer1") as sender, viewer(served, session, "buyer2") as other:
        sender.wait_for(kind("hello"))
        other.wait_for(kind("hello"))
        sender.send("[" * 4000 + "]" * 4000)
        answer = next_match(sender, kind("error"), seconds=5)
        assert answer["code"] == "not_json"
        sender.send({"t": "chat", "text": "刚才手滑了"})
        next_match(other, said("刚才手滑了"), seconds=5)
        next_match(sender, said("刚才手滑了"), seconds=5)


# --- tickets and closed rooms ---


def test_a_ticket_that_does_not_hold_closes_the_connection_with_4003(served: LiveServer) -> None:
    later = approved_plan(served)
    session, _ = go_live(served)
    with browser_like(served, "buyer1") as c:
        ws, ticket = room_ticket(c, session)
        _, later_ticket = room_ticket(c, later)
    body, _, mac = ticket.partition(".")
    later_body = later_ticket.partition(".")[0]
    flipped = ("A" if mac[0] != "A" else "B") + mac[1:]
    room = f"{ws}{session}"
    expected = [
        (room, "sign_in"),
        (f"{room}?ticket=", "sign_in"),
        (f"{room}?ticket=garbage", "sign_in"),
        (f"{room}?ticket={body}.{flipped}", "sign_in"),
        (f"{room}?ticket={later_body}.{mac}", "sign_in"),  # another body under this mac
        (f"{room}?ticket={body}", "sign_in"),
        (f"{room}?ticket={body}.{quote('票')}", "sign_in"),  # a mac that is not ASCII
        (f"{room}?ticket={later_ticket}", "bad_field"),  # good, but for another session
        (f"{ws}{later}?ticket={ticket}", "bad_field"),
    ]
    outcomes = []
    for url, _ in expected:
        try:
            messages, closed = refused(url)
        except InvalidStatus as exc:  # the upgrade itself failed
            outcomes.append((url, f"HTTP {exc.response.status_code}", None))
            continue
        assert all(m["t"] == "error" and m["message"] for m in messages), url
        outcomes.append((url, ",".join(m["code"] for m in messages), closed))
    assert outcomes == [(url, code, 4003) for url, code in expected]
    # A well-signed ticket past its lifetime, or one whose nonce was never given out, is closed
    # with 4001: the page asks for a fresh one (tests/test_live_tickets.py covers the rest).
    secret = served.settings.secret_key
    now = int(served.clock.now().timestamp())
    expired = Ticket(session, "v-expired-0123456789", None, "", "en", now - 5, nonce="n-1")
    never_given = Ticket(session, "v-forged-0123456789", None, "", "en", now + 60, nonce="n-2")
    for made in (expired, never_given):
        assert refused(f"{room}?ticket={sign_ticket(made, secret)}") == ([], 4001)
    with viewer(served, session, "buyer2") as still:  # the refusals disturbed nothing
        still.wait_for(kind("hello"))


def test_a_room_that_is_not_live_refuses_with_4004(served: LiveServer) -> None:
    later = approved_plan(served)
    session, _ = go_live(served)
    with browser_like(served, "buyer1") as c:
        ws, later_ticket = room_ticket(c, later)
        _, ticket = room_ticket(c, session)
    messages, closed = refused(f"{ws}{later}?ticket={later_ticket}")
    assert closed == 4004
    assert messages == [{"t": "error", "code": "room_closed", "message": "This room is not live."}]
    with viewer(served, session, "buyer2") as watching:
        watching.wait_for(kind("hello"))
        end_stream(served, session)
        ended = watching.wait_for(kind("ended"), seconds=5)
        assert ended["status"] == "ended"
        with pytest.raises(ConnectionClosed) as closing:
            while True:
                watching.connection.recv(timeout=5)
        assert closing.value.rcvd is not None and closing.value.rcvd.code == 4000
    messages, closed = refused(f"{ws}{session}?ticket={ticket}")
    assert closed == 4004
    assert messages == [{"t": "error", "code": "room_closed", "message": "This room is not live."}]
    with browser_like(served, "buyer3") as c:  # a fresh page's ticket changes nothing
        _, fresh = room_ticket(c, session)
    assert refused(f"{ws}{session}?ticket={fresh}")[1] == 4004


# --- moderation ---

INSULT = "主播就是个骗子，脑子有病"
CRITICISM = "价格太贵了，去年才三块一斤"


def test_a_hidden_message_disappears_and_supervisors_see_why(served: LiveServer) -> None:
    session, _ = go_live(served)
    author = account_id(served, "buyer1")
    host = account_id(served, "official.dangshan")
    with viewer(served, session, "buyer1") as one, viewer(served, session, "buyer2") as two:
        one.wait_for(kind("hello"))
        two.wait_for(kind("hello"))
        one.send({"t": "chat", "text": INSULT})
        one.send({"t": "chat", "text": CRITICISM})
        insult = two.wait_for(said(INSULT))
        criticism = two.wait_for(said(CRITICISM))
        chat_recorded(served, insult["id"])
        chat_recorded(served, criticism["id"])
        url = f"/api/v1/live/{session}/messages/{insult['id']}/hide"
        with api_as(served, "official.dangshan") as official, api_as(served, "buyer2") as buyer:
            for body in (
                {},
                {"note": "差评"},
                {"reason": ""},
                {"reason": "negative", "note": "差评"},
                {"reason": "off_topic"},
                {"reason": "INSULT"},
                {"reason": None},
                {"reason": "insult", "note": "x" * 201},
            ):
                answer = official.post(url, json=body)
                assert answer.status_code == 422, (body, answer.text)
                assert answer.json()["error"]["code"] == "invalid_input"
            assert buyer.post(url, json={"reason": "insult"}).status_code == 403
            crit_url = f"/api/v1/live/{session}/messages/{criticism['id']}/hide"
            assert official.post(crit_url, json={"reason": "negative"}).status_code == 422
            missing = official.post(
                f"/api/v1/live/{session}/messages/evt_nothing/hide", json={"reason": "spam"}
            )
            assert missing.status_code == 404
            with viewer(served, session) as before:
                history = before.wait_for(kind("hello"))["history"]
                assert [m["text"] for m in history] == [INSULT, CRITICISM]
            hidden = official.post(url, json={"reason": "insult", "note": "辱骂主播"})
            assert hidden.status_code == 200, hidden.text
            assert hidden.json() == {"hidden": insult["id"]}
        for v in (one, two):
            assert v.wait_for(kind("hide"), seconds=5) == {"t": "hide", "id": insult["id"]}
        one.send({"t": "chat", "text": "好吧"})
        for v in (one, two):
            next_match(v, said("好吧"))
            assert [m for m in v.seen if m.get("t") == "hide"] == [
                {"t": "hide", "id": insult["id"]}
            ]
        with viewer(served, session) as late:
            history = late.wait_for(kind("hello"))["history"]
            assert [m["text"] for m in history] == [CRITICISM, "好吧"]
    event = wait_for_event(served, lambda e: e.type == "chat.hidden")
    assert event.session == session and event.actor == host
    assert event.data == {
        "message": insult["id"],
        "author": author,
        "text": INSULT,
        "reason": "insult",
        "note": "辱骂主播",
    }
    assert [e.type for e in events_of(served)].count("chat.hidden") == 1
    with api_as(served, "supervisor1") as supervisor:
        log = supervisor.get("/api/v1/live/moderation/log")
        assert log.status_code == 200
        assert [(r["type"], r["session"], r["actor"]) for r in log.json()] == [
            ("chat.hidden", session, host)
        ]
        assert log.json()[0]["data"]["text"] == INSULT
        assert log.json()[0]["data"]["reason"] == "insult"
        mine = supervisor.get("/api/v1/live/moderation/log", params={"session": session})
        assert [r["id"] for r in mine.json()] == [event.id]
        other = supervisor.get("/api/v1/live/moderation/log", params={"session": "plan_other"})
        assert other.json() == []
    with api_as(served, "buyer2") as buyer, api_as(served, "official.dangshan") as official:
        assert buyer.get("/api/v1/live/moderation/log").status_code == 403
        assert official.get("/api/v1/live/moderation/log").status_code == 403
    with browser_like(served, "supervisor1") as web:
        page = web.get("/supervisor/moderation")
        assert page.status_code == 200
        assert INSULT in page.text and "Insult or harassment" in page.text
        assert "辱骂主播" in page.text and f"/live/{session}" in page.text
        assert CRITICISM not in page.text
    with browser_like(served, "buyer2") as web:
        assert web.get("/supervisor/moderation").status_code == 403


def test_a_muted_account_cannot_chat_until_unmuted(served: LiveServer) -> None:
    session, _ = go_live(served)
    muted = account_id(served, "buyer1")
    host = account_id(served, "official.dangshan")
    mute_url = f"/api/v1/live/{session}/mutes/{muted}"
    with (
        viewer(served, session, "buyer1") as one,
        viewer(served, session, "buyer2") as two,
        api_as(served, "official.dangshan") as official,
        api_as(served, "buyer2") as buyer,
    ):
        one.wait_for(kind("hello"))
        two.wait_for(kind("hello"))
        for body in ({}, {"reason": "negative"}, {"reason": "complaint", "note": "总说差评"}):
            assert official.put(mute_url, json=body).status_code == 422, body
        assert buyer.put(mute_url, json={"reason": "spam"}).status_code == 403
        host_url = f"/api/v1/live/{session}/mutes/{host}"
        assert official.put(host_url, json={"reason": "insult"}).status_code == 422
        answer = official.put(mute_url, json={"reason": "spam", "note": "反复发广告"})
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"muted": muted}
        assert next_match(one, kind("muted"), seconds=5) == {"t": "muted", "reason": "spam"}
        one.send({"t": "chat", "text": "还能说话吗？"})
        refusal = next_match(one, error("muted"))
        assert refusal["message"] == "You have been muted in this room: Advertising or spam"
        two.send({"t": "chat", "text": "我能说话"})
        next_match(two, said("我能说话"))
        next_match(one, said("我能说话"))
        assert "还能说话吗？" not in texts(two) and "还能说话吗？" not in texts(one)
        assert not [m for m in two.seen if m.get("t") in ("muted", "error")]
        with viewer(served, session, "buyer1") as again:  # reconnecting does not shake it off
            assert again.wait_for(kind("hello"))["you"]["muted"] == "spam"
            again.send({"t": "chat", "text": "换个窗口"})
            assert next_match(again, kind("error"))["code"] == "muted"
        with browser_like(served, "buyer1") as web:
            assert web.get(f"/live/{session}").status_code == 200
        assert buyer.delete(mute_url).status_code == 403
        unmuted = official.delete(mute_url)
        assert unmuted.status_code == 200 and unmuted.json() == {"unmuted": muted}
        assert next_match(one, kind("muted"), seconds=5) == {"t": "muted", "reason": None}
        assert official.delete(mute_url).status_code == 404
        one.send({"t": "chat", "text": "谢谢，不发广告了"})
        next_match(two, said("谢谢，不发广告了"))
    with browser_like(served, "official.dangshan") as web:  # the room's own moderation log
        page = web.get(f"/live/{session}/control")
        assert "Advertising or spam" in page.text
        assert "Project-Id-Version" not in page.text  # an unmute has no reason to translate
    log = [e for e in events_of(served) if e.type in ("chat.muted", "chat.unmuted")]
    assert [(e.type, e.actor, e.data["account"]) for e in log] == [
        ("chat.muted", host, muted),
        ("chat.unmuted", host, muted),
    ]
    assert log[0].data["reason"] == "spam" and log[0].data["note"] == "反复发广告"


def test_the_team_cannot_be_muted(served: LiveServer) -> None:
    session, _ = go_live(served, team=("farmer.dangshan",))
    member = account_id(served, "farmer.dangshan")
    with api_as(served, "official.dangshan") as official:
        refused = official.put(f"/api/v1/live/{session}/mutes/{member}", json={"reason": "spam"})
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["message"] == "The host and the team cannot be muted."
    assert not [e for e in events_of(served) if e.type == "chat.muted"]


def test_the_control_page_form_hides_a_message(served: LiveServer) -> None:
    session, _ = go_live(served)
    with viewer(served, session, "buyer1") as one, viewer(served, session, "buyer2") as two:
        one.wait_for(kind("hello"))
        two.wait_for(kind("hello"))
        one.send({"t": "chat", "text": INSULT})
        insult = two.wait_for(said(INSULT))
        chat_recorded(served, insult["id"])
        control = f"/live/{session}/control"
        with browser_like(served, "buyer2") as web:
            assert web.get(control).status_code == 403
        with browser_like(served, "official.dangshan") as web:
            page = web.get(control)
            assert page.status_code == 200 and INSULT in page.text
            token = csrf_of(page.text)
            form = {"csrf_token": token, "action": "hide", "message_id": insult["id"]}
            for reason in ("", "negative"):
                answer = web.post(control, data={**form, "reason": reason, "note": "差评"})
                assert answer.status_code == 400, answer.text[:300]
                assert "Choose why: only abuse is a reason to hide or mute." in answer.text
            assert (
                web.post(
                    control, data={**form, "reason": "insult"} | {"csrf_token": ""}
                ).status_code
                == 403
            )
            done = web.post(control, data={**form, "reason": "insult", "note": "辱骂主播"})
            assert done.status_code == 303, done.text[:300]
            assert done.headers["location"] == control
            after = web.get(control)
            assert "Message hidden" in after.text
        for v in (one, two):
            assert v.wait_for(kind("hide"), seconds=5) == {"t": "hide", "id": insult["id"]}
    hidden = wait_for_event(served, lambda e: e.type == "chat.hidden")
    assert hidden.data["reason"] == "insult" and hidden.data["text"] == INSULT
    assert [e.type for e in events_of(served)].count("chat.hidden") == 1


# --- pins and timed offers ---


def showing(product_id: str | None) -> Check:
    def check(m: dict[str, Any]) -> bool:
        shown = m.get("product")
        return m.get("t") == "state" and (shown["id"] if shown else None) == product_id

    return check


def test_pins_and_timed_offers_reach_every_viewer(served: LiveServer) -> None:
    later = approved_plan(served)
    session, (pear,) = go_live(served)
    pin_url = f"/api/v1/live/{session}/pin"
    with (
        viewer(served, session, "buyer1") as one,
        viewer(served, session) as anonymous,
        api_as(served, "official.dangshan") as official,
        api_as(served, "buyer2") as buyer,
    ):
        one.wait_for(kind("hello"))
        anonymous.wait_for(kind("hello"))
        other = next(p["id"] for p in official.get("/api/v1/products").json() if p["id"] != pear)
        catalog = official.get(f"/api/v1/products/{pear}").json()
        answer = official.put(pin_url, json={"product_id": pear})
        assert answer.status_code == 200, answer.text
        assert answer.json()["product"]["id"] == pear and answer.json()["offer_ends_at"] is None
        for v in (one, anonymous):
            state = v.wait_for(showing(pear), seconds=5)
            shown = state["product"]
            assert shown["name"] == {"zh": catalog["name_zh"], "en": catalog["name_en"]}
            assert shown["name"]["zh"] and shown["name"]["en"]
            assert (shown["price"], shown["stock"]) == (catalog["price"], catalog["stock"])
            assert isinstance(shown["price"], int) and shown["price"] > 0
            assert set(shown["band"]) >= {"low", "high", "status", "percent"}
            assert shown["band"]["low"] <= shown["band"]["high"]
            assert state["offer_ends_at"] is None and state["status"] == "live"

        now = served.clock.now()
        ends = int((now + timedelta(minutes=5)).timestamp() * 1000)
        answer = official.put(pin_url, json={"product_id": pear, "offer_minutes": 5})
        assert answer.status_code == 200 and answer.json()["offer_ends_at"] == ends
        for v in (one, anonymous):
            offer = next_match(v, lambda m: m.get("t") == "state" and m["offer_ends_at"] == ends)
            assert offer["product"]["id"] == pear

        not_filed = official.put(pin_url, json={"product_id": other})
        assert not_filed.status_code == 422
        assert not_filed.json()["error"]["fields"] == {
            "product_id": "This product is not filed for this session."
        }
        for minutes in (0, 121, -5):
            bad = official.put(pin_url, json={"product_id": pear, "offer_minutes": minutes})
            assert bad.status_code == 422, minutes
        not_live = official.put(f"/api/v1/live/{later}/pin", json={"product_id": pear})
        assert not_live.status_code == 422
        assert not_live.json()["error"]["message"] == "This room is not live."
        assert buyer.put(pin_url, json={"product_id": pear}).status_code == 403
        state = official.get(f"/api/v1/live/{session}").json()
        assert state["product"]["id"] == pear and state["offer_ends_at"] == ends

        served.clock.advance(timedelta(minutes=6))
        for v in (one, anonymous):
            over = next_match(v, showing(None), seconds=5)
            assert over["offer_ends_at"] is None
        assert official.get(f"/api/v1/live/{session}").json()["product"] is None
        with api_as(served, "buyer3") as late_buyer:
            too_late = buy(late_buyer, pear, "live-offer-over-0001", 1, session_id=session)
            assert too_late.status_code == 422
    pins = [e for e in events_of(served) if e.type == "product.pinned" and e.session == session]
    assert len(pins) == 2 and "offer_ends_at" in pins[1].data


# --- buying in the room ---


def test_in_a_live_room_only_the_pinned_product_can_be_bought(served: LiveServer) -> None:
    session, (pear,) = go_live(served)
    with (
        viewer(served, session, "buyer2") as watching,
        api_as(served, "buyer1") as buyer,
        api_as(served, "official.dangshan") as official,
        api_as(served, "farmer.dangshan") as farmer,
    ):
        watching.wait_for(kind("hello"))
        stock = buyer.get(f"/api/v1/products/{pear}").json()["stock"]
        assert stock >= 3

        nothing_pinned = buy(buyer, pear, "live-buy-unpinned-0001", 2, session_id=session)
        assert nothing_pinned.status_code == 422, nothing_pinned.text
        assert nothing_pinned.json()["error"]["fields"] == {
            "session_id": "This product is not on offer in the room right now."
        }
        assert buyer.get("/api/v1/orders").json() == []
        assert buyer.get(f"/api/v1/products/{pear}").json()["stock"] == stock

        assert official.put(f"/api/v1/live/{session}/pin", json={"product_id": pear}).is_success
        placed = buy(buyer, pear, "live-buy-pinned-0001", 2, session_id=session)
        assert placed.status_code == 201, placed.text
        order = placed.json()
        assert order["session_id"] == session and order["qty"] == 2
        seen = watching.wait_for(
            lambda m: (
                m.get("t") == "state"
                and m["orders"] == 1
                and (m["product"] or {}).get("stock") == stock - 2
            ),
            seconds=5,
        )
        assert seen["product"]["id"] == pear

        emptied = farmer.post(f"/api/v1/products/{pear}/stock", json={"stock": 0})
        assert emptied.status_code == 200, emptied.text
        watching.wait_for(
            lambda m: m.get("t") == "state" and (m["product"] or {}).get("stock") == 0, seconds=5
        )
        sold_out = buy(buyer, pear, "live-buy-soldout-0001", 1, session_id=session)
        assert sold_out.status_code == 409, sold_out.text
        assert sold_out.json()["error"]["code"] == "sold_out"
        assert sold_out.json()["error"]["message"]

        assert [o["id"] for o in buyer.get("/api/v1/orders").json()] == [order["id"]]
        assert buyer.get(f"/api/v1/orders/{order['id']}").json()["state"] == order["state"]
        assert buyer.get(f"/api/v1/products/{pear}").json()["stock"] == 0
        room = buyer.get(f"/api/v1/live/{session}").json()
        assert room["orders"] == 1 and room["product"]["id"] == pear
        assert room["product"]["stock"] == 0
        drain(watching, 1.2)
        states = [m for m in watching.seen if m.get("t") == "state"]
        assert states[-1]["orders"] == 1 and states[-1]["product"]["stock"] == 0


# --- a slow viewer ---


def stalled_viewer(ws: str, session: str, ticket: str) -> socket.socket:
    """A WebSocket client that completes the handshake and then never reads: a tiny receive
    buffer and a tiny segment size, so that the server's socket fills after a few KiB."""
    address = urlsplit(ws)
    raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 536)
    raw.settimeout(10)
    raw.connect((address.hostname, address.port))
    key = base64.b64encode(os.urandom(16)).decode()
    raw.sendall(
        (
            f"GET /live/{session}?ticket={ticket} HTTP/1.1\r\n"
            f"Host: {address.hostname}:{address.port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = raw.recv(1)
        assert chunk, "the server closed the handshake"
        head += chunk
    assert head.startswith(b"HTTP/1.1 101"), head
    return raw


SENDERS = [
    "buyer1",
    "buyer2",
    "buyer3",
    "farmer.dangshan",
    "official.chenggu",
    "farmer.chenggu",
    "official.enshi",
    "farmer.enshi",
    "official.xuwen",
    "farmer.xuwen",
    "official.quzhou",
    "farmer.quzhou",
    "official.majiang",
    "farmer.majiang",
    "supervisor1",
    "supervisor2",
    "operator",
]


def test_a_viewer_who_does_not_read_is_dropped_and_the_others_get_everything(
    sqlite_url: str,
) -> None:
    with demo_server(sqlite_url, live_max_buffer_bytes=4096) as served:
        session, _ = go_live(served)
        hub = served.services.live if served.services else None
        assert hub is not None
        with browser_like(served) as c:
            ws, ticket = room_ticket(c, session)
            _, stalled_ticket = room_ticket(c, session)  # a ticket opens one connection
        with ExitStack() as stack:
            reader = Viewer(
                stack.enter_context(
                    connect(f"{ws}{session}?ticket={ticket}", open_timeout=10, max_queue=None)
                )
            )
            reader.wait_for(kind("hello"))
            stalled = stack.enter_context(stalled_viewer(ws, session, stalled_ticket))
            senders = [stack.enter_context(viewer(served, session, name)) for name in SENDERS]
            for sender in senders:
                sender.wait_for(kind("hello"))
            assert hub.dropped == 0
            sent: list[str] = []
            # A steady stream, so that the room sends a frame every tick: once the stalled
            # socket's kernel buffers are full, what waits for it passes the limit.
            for round_ in range(4):  # each account may send 5 in 10 s: one is kept for later
                for n, sender in enumerate(senders):
                    text = f"{round_}-{n}:" + "🍐" * 190  # 4 bytes each in UTF-8
                    sender.send({"t": "chat", "text": text})
                    sent.append(text)
                    time.sleep(0.02)
                if hub.dropped:
                    break
            for text in sent:
                reader.wait_for(said(text), seconds=5)
            assert hub.dropped == 1, "the stalled viewer was not dropped"
            for n, sender in enumerate(senders):  # the room goes on for everyone else
                sender.send({"t": "chat", "text": f"after-{n}: 还在"})
                sent.append(f"after-{n}: 还在")
            for text in sent:
                reader.wait_for(said(text), seconds=5)
            assert hub.dropped == 1
            assert len(hub.rooms[session].viewers) == len(senders) + 1
            assert len(texts(reader)) == len(sent)
            assert not errors(reader)
            for sender in senders:
                assert not errors(sender), sender.seen[-3:]
            # the dropped socket was cut off: reading it ends (or resets) soon
            stalled.settimeout(5)
            try:
                while stalled.recv(65536):
                    pass
            except TimeoutError:
                pytest.fail("the dropped viewer's connection was left open")
            except ConnectionResetError:
                pass
        assert hub.dropped == 1


# --- heartbeats ---


def test_a_viewer_without_heartbeats_is_closed_with_4008(sqlite_url: str) -> None:
    with demo_server(sqlite_url, live_heartbeat_seconds=1) as served:
        session, _ = go_live(served)
        with (
            viewer(served, session, "buyer1") as beating,
            viewer(served, session, "buyer2") as silent,
        ):
            beating.send({"t": "hb"})
            beating.wait_for(kind("hello"))
            silent.wait_for(kind("hello"))
            joined = time.monotonic()
            beating.send({"t": "hb"})
            both = next_match(beating, lambda m: m.get("t") == "state" and m["viewers"] == 2)
            assert both["signed_in"] == 2
            code: int | None = None
            while time.monotonic() - joined < 8:
                beating.send({"t": "hb"})
                try:
                    silent.seen.extend(json.loads(silent.connection.recv(timeout=0.4)))
                except TimeoutError:
                    continue
                except ConnectionClosed as closed:
                    code = closed.rcvd.code if closed.rcvd else None
                    break
            assert code == 4008  # the silent one, not the one that kept beating (below)
            counted = None
            deadline = time.monotonic() + 4
            while counted is None and time.monotonic() < deadline:
                beating.send({"t": "hb"})
                try:
                    counted = next_match(
                        beating, lambda m: m.get("t") == "state" and m["viewers"] == 1, 0.4
                    )
                except AssertionError:
                    continue
            assert counted is not None and counted["signed_in"] == 1
            beating_since = time.monotonic()
            while time.monotonic() - beating_since < 2.5:  # well past three silent seconds
                beating.send({"t": "hb"})
                drain(beating, 0.4)
            beating.send({"t": "chat", "text": "我还在看"})
            next_match(beating, said("我还在看"), seconds=5)
        silent_account = account_id(served, "buyer2")
        wait_for_event(served, lambda e: e.type == "viewer.left" and e.actor == silent_account)
