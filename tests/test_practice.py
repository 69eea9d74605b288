"""Issue 21, item 2: a host's private practice room. The page opens it and shows its key; the
key opens only that room (never a session), a session's key never opens it, a new key retires
the old one, a practice leaves nothing in the public record, and buyers have no room. With real
nginx-rtmp and ffmpeg: a practice stream plays back under its room's private name, in its own
folder, and nothing of it is recorded."""

from __future__ import annotations

import html
import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx

from sunlit.filing.nginx import IngestConfig
from tests.support import LiveServer, ingest_url, sign_in, submit, wait_until
from tests.test_filing_api import WINDOW
from tests.test_stream_gate import (
    approved_plan,
    ffmpeg_command,
    go_live,
    ingest,
    publish,
    refusals,
    video,
)
from tests.test_web import PASSWORD, client, events_of

__all__ = ["ingest"]  # a fixture this module's video test uses

KEY = re.compile(r'<textarea id="s-key"[^>]*>([^<]+)</textarea>')


def practise(served: LiveServer, key: str) -> httpx.Response:
    """nginx's practice application asks for a publisher who used ``key``."""
    name, _, secret = key.partition("?key=")
    fields = {"call": "publish", "app": "practice", "name": name, "key": secret}
    return httpx.post(ingest_url(served, "on_practice"), data=fields, timeout=10)


def practice_key(c: httpx.Client) -> str:
    page = c.get("/practice?show=key")
    assert page.status_code == 200
    found = KEY.search(page.text)
    assert found, "no practice key on the page"
    return html.unescape(found.group(1)).strip()


@contextmanager
def open_room(served: LiveServer, username: str) -> Iterator[httpx.Client]:
    """A signed-in client of ``username``, who has just opened a practice room."""
    with client(served, "en") as c:
        sign_in(c, username, PASSWORD)
        first = c.get("/practice")
        assert first.status_code == 200 and "Open my practice room" in first.text
        opened = submit(c, "/practice", "/practice", {})
        assert opened.status_code == 303
        yield c


def test_a_practice_key_opens_only_its_own_room(served: LiveServer) -> None:
    plan, plan_key = approved_plan(served)
    served.clock.advance(WINDOW[0] - served.clock.now() + timedelta(minutes=5))
    with open_room(served, "farmer.xuwen") as farmer:
        key = practice_key(farmer)
        room, _, secret = key.partition("?key=")
        assert room.startswith("pr-") and len(secret) == 40
        recorded = len(events_of(served))
        assert practise(served, key).status_code == 200
        assert len(events_of(served)) == recorded  # a practice leaves no trace
        assert not [e for e in events_of(served) if e.session == room]

        # Crossed keys: the practice secret under the session's name, the practice room on the
        # live application, the session's key in the practice application.
        assert go_live(served, f"{plan}?key={secret}").status_code == 403
        assert go_live(served, key).status_code == 403
        assert practise(served, plan_key).status_code == 403
        assert practise(served, f"{room}?key={'0' * 40}").status_code == 403
        assert refusals(served)[-4:] == [
            "wrong key",
            "unknown key",
            "not a practice room",
            "wrong practice key",
        ]

        renewed = submit(farmer, "/practice", "/practice", {"new_key": "yes"})
        assert renewed.status_code == 303
        new_key = practice_key(farmer)
        assert new_key.partition("?key=")[0] == room and new_key != key
        assert practise(served, key).status_code == 403
        assert practise(served, new_key).status_code == 200
    # The session's own key still goes live: practice changed nothing of it.
    assert go_live(served, plan_key).status_code == 200


def test_only_hosts_have_a_practice_room(served: LiveServer) -> None:
    with client(served, "zh") as buyer:
        sign_in(buyer, "buyer1", PASSWORD)
        assert buyer.get("/practice").status_code == 403
    with open_room(served, "official.dangshan") as official:
        official.cookies.set("sunlit_lang", "zh")
        page = official.get("/practice")
        assert "练习间" in page.text and "s-key" not in page.text  # the key only when asked


@video
def test_a_practice_stream_plays_back_privately_and_is_not_recorded(
    served: LiveServer, ingest: IngestConfig
) -> None:
    with open_room(served, "farmer.xuwen") as farmer:
        key = practice_key(farmer)
    room = key.partition("?key=")[0]
    playlist = ingest.hls_dir / "practice" / f"{room}.m3u8"
    streaming = subprocess.Popen(ffmpeg_command(ingest, key, 8, "practice"), stderr=subprocess.PIPE)
    try:
        wait_until(playlist.exists, "the practice playlist", seconds=20)
        wait_until(lambda: list(playlist.parent.glob(f"{room}*.ts")), "a segment", seconds=10)
        assert not list(ingest.hls_dir.glob("*.m3u8"))  # nothing in the sessions' folder
        assert streaming.wait(timeout=40) == 0
    finally:
        streaming.kill()
    assert not [p for p in Path(ingest.record_dir).iterdir() if room in p.name]
    refused = publish(ingest, f"{room}?key={'0' * 40}", 2, application="practice")
    assert refused.returncode != 0
