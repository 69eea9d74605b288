"""The stream gate. Through nginx's callbacks: only nginx may call (an allowed address and the
shared callback secret in the URL); only the stream key of an approved plan, with its own current
secret, inside its window goes live — a wrong secret for the right plan, the key of a plan changed
and approved again, and an ended plan's secret under another plan are refused. With real
nginx-rtmp and ffmpeg: an approved key inside its window goes live (HLS segments appear under the
plan id, not the key); an unknown key, a wrong secret, a key whose approval was withdrawn, an
approved key outside its window and an nginx without the callback secret are refused."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from sunlit.filing.nginx import RTMP_MODULE, IngestConfig, render
from sunlit.settings import Settings
from tests.support import (
    LiveServer,
    free_port,
    ingest_url,
    live_server,
    settings_for,
    wait_until,
)
from tests.test_catalog_api import api_as
from tests.test_cli import SUNLIT
from tests.test_filing_api import WINDOW, agreed, plan_body, product
from tests.test_web import events_of

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
FFMPEG = shutil.which("ffmpeg")
VIDEO = [
    pytest.mark.video,
    pytest.mark.skipif(
        not (Path(NGINX).exists() and FFMPEG and RTMP_MODULE.exists()),
        reason="video suite not run: apt-get install nginx-light libnginx-mod-rtmp ffmpeg",
    ),
]


def video(test: Any) -> Any:
    """Marks a test that runs real nginx-rtmp and ffmpeg."""
    for mark in VIDEO:
        test = mark(test)
    return test


@contextmanager
def running_ingest(
    server: LiveServer, folder: Path, *, http_port: int | None = None, secret: str | None = None
) -> Iterator[IngestConfig]:
    """nginx with the RTMP module, configured by ``sunlit stream nginx-config``'s renderer,
    calling ``server`` with its callback secret (or ``secret``); stopped on exit."""
    config = IngestConfig(
        prefix=folder,
        hls_dir=folder / "hls",
        record_dir=folder / "recordings",
        callback=server.url,
        callback_secret=server.settings.callback_secret() if secret is None else secret,
        rtmp_port=free_port(),
        http_port=http_port or free_port(),
        foreground=True,
        user="root" if os.geteuid() == 0 else None,
    )
    for place in (config.hls_dir, config.record_dir):
        place.mkdir()
    (folder / "nginx.conf").write_text(render(config), "utf-8")
    process = subprocess.Popen(
        [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", config.rtmp_port), timeout=0.5).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("nginx did not start") from None
            time.sleep(0.1)
    try:
        yield config
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def ingest(served: LiveServer, tmp_path: Path) -> Iterator[IngestConfig]:
    with running_ingest(served, tmp_path) as config:
        yield config


def ffmpeg_command(
    config: IngestConfig, key: str, seconds: int, application: str = "live"
) -> list[str]:
    """An ffmpeg test pattern with a tone, published for ``seconds`` (to nginx-rtmp's
    ``application``: the live one, or the practice rooms')."""
    assert FFMPEG is not None
    return [
        FFMPEG,
        "-hide_banner",
        "-loglevel",
        "error",
        "-re",
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=320x240:rate=15",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440",
        "-t",
        str(seconds),
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-tune",
        "zerolatency",
        "-g",
        "15",
        "-c:a",
        "aac",
        "-f",
        "flv",
        f"rtmp://127.0.0.1:{config.rtmp_port}/{application}/{key}",
    ]


def publish(
    config: IngestConfig, key: str, seconds: int, application: str = "live"
) -> subprocess.CompletedProcess[bytes]:
    """Publish the test pattern for ``seconds`` and wait (bounded by a timeout)."""
    return subprocess.run(
        ffmpeg_command(config, key, seconds, application),
        capture_output=True,
        timeout=seconds + 30,
        check=False,
    )


def served_file(url: str) -> httpx.Response | None:
    """The answer for ``url`` once it is 200 (None while it is not)."""
    answer = httpx.get(url, timeout=10)
    return answer if answer.status_code == 200 else None


def wait_for_recording(server: LiveServer, session: str, seconds: float = 20) -> str:
    """The recording's file name once nginx has converted it and Sunlit knows it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        room = httpx.get(f"{server.url}/api/v1/live/{session}", timeout=10).json()
        if room.get("recording"):
            return str(room["recording"])
        time.sleep(0.3)
    raise AssertionError("no recording was reported")


def approved_plan(served: LiveServer, **extra: Any) -> tuple[str, str]:
    """An approved plan of official.dangshan (``extra`` changes its body); returns its id and
    stream key."""
    with (
        api_as(served, "official.dangshan") as official,
        api_as(served, "supervisor1") as supervisor,
    ):
        body = plan_body([product(official, "砀山")], **extra)
        made = official.post("/api/v1/plans", json=body)
        assert made.status_code == 201, made.text
        plan = made.json()["id"]
        agreed(served, official, plan)
        assert official.post(f"/api/v1/plans/{plan}/submit").json()["status"] == "checked"
        supervisor.post(f"/api/v1/plans/{plan}/approve", json={"reason": "报备齐全"})
        key = official.get(f"/api/v1/plans/{plan}").json()["stream_key"]
    return plan, key


@video
def test_an_approved_key_goes_live_and_others_are_refused(
    served: LiveServer, ingest: IngestConfig
) -> None:
    plan, key = approved_plan(served)

    early = publish(ingest, key, 2)  # a day before the window
    assert early.returncode != 0
    assert not list(ingest.hls_dir.glob("*.m3u8"))

    served.clock.advance(WINDOW[0] - served.clock.now() + timedelta(minutes=5))
    unknown = publish(ingest, "s-0000000000?key=0123456789abcdef", 2)
    assert unknown.returncode != 0
    wrong = publish(ingest, f"{plan}?key={'0' * 40}", 2)  # the right plan, a wrong secret
    assert wrong.returncode != 0
    assert not list(ingest.hls_dir.glob("*.m3u8"))

    live = publish(ingest, key, 6)
    assert live.returncode == 0, live.stderr.decode()[-500:]
    playlist = ingest.hls_dir / f"{plan}.m3u8"
    assert playlist.is_file(), list(ingest.hls_dir.iterdir())
    secret = key.split("?key=")[1]
    assert secret not in " ".join(p.name for p in ingest.hls_dir.iterdir())
    assert list(ingest.hls_dir.glob(f"{plan}-*.ts"))
    assert any(ingest.record_dir.iterdir())  # the recording is kept
    # on_publish_done arrives as the stream closes
    wait_until(lambda: status_of(served, plan) == "ended", "the session ended")
    # After the end, nginx converts the recording to MP4 and tells Sunlit its name; nginx
    # serves it for the room's replay.
    recording = wait_for_recording(served, plan)
    assert recording.startswith(f"{plan}-") and recording.endswith(".mp4")
    # nginx-rtmp starts exec_record_done (the conversion) and on_record_done together, so Sunlit
    # may know the name a moment before the file is written (docs/live.md, "Known limits").
    replay = wait_until(
        lambda: served_file(f"http://127.0.0.1:{ingest.http_port}/recordings/{recording}"),
        "nginx serves the recording",
        seconds=30,
    )
    assert replay.headers["content-type"] == "video/mp4"
    assert replay.content[4:8] == b"ftyp"  # an MP4 file
    events = [
        (e.type, e.data.get("reason"))
        for e in events_of(served)
        if e.session in (plan, None) and e.type.startswith(("session.", "stream."))
    ]
    assert ("stream.refused", "outside the approved window") in events
    assert ("stream.refused", "unknown key") in events
    assert ("stream.refused", "wrong key") in events
    assert ("session.started", None) in events and ("session.ended", None) in events


@video
def test_a_key_stops_working_when_the_plan_changes(
    served: LiveServer, ingest: IngestConfig
) -> None:
    plan, key = approved_plan(served)
    with api_as(served, "official.dangshan") as official:
        pears = product(official, "砀山")
        changed = official.put(
            f"/api/v1/plans/{plan}", json={**plan_body([pears], title="改"), "reopen": True}
        )
        assert changed.json()["status"] == "draft"
    served.clock.advance(WINDOW[0] - served.clock.now() + timedelta(minutes=5))
    refused = publish(ingest, key, 2)
    assert refused.returncode != 0
    assert not (ingest.hls_dir / f"{plan}.m3u8").exists()
    reasons = [e.data["reason"] for e in events_of(served) if e.type == "stream.refused"]
    assert reasons == ["plan not approved"]


@video
def test_nginx_without_the_callback_secret_is_refused(served: LiveServer, tmp_path: Path) -> None:
    """An nginx whose configuration carries another callback secret cannot let even a valid
    stream key through: Sunlit refuses its on_publish, so nginx refuses the stream."""
    plan, key = approved_plan(served)
    served.clock.advance(WINDOW[0] - served.clock.now() + timedelta(minutes=5))
    with running_ingest(served, tmp_path, secret="not-" + served.settings.callback_secret()) as ng:
        refused = publish(ng, key, 2)
        assert refused.returncode != 0
        assert not list(ng.hls_dir.glob("*.m3u8"))
    assert status_of(served, plan) == "approved"
    assert not [e for e in events_of(served) if e.type == "session.started"]


LATER = {  # a window three hours after WINDOW's: another session the same afternoon
    "starts_at": (WINDOW[0] + timedelta(hours=3)).isoformat(),
    "ends_at": (WINDOW[1] + timedelta(hours=3)).isoformat(),
    "title": "砀山酥梨助农直播（下午场）",
}


# --- the callbacks, called as nginx calls them ---------------------------------------------


def go_live(served: LiveServer, key: str) -> httpx.Response:
    """nginx's on_publish for a publisher who used ``key`` (``<plan>?key=<secret>``)."""
    name, _, secret = key.partition("?key=")
    fields = {"call": "publish", "app": "live", "name": name, "key": secret}
    return httpx.post(ingest_url(served, "on_publish"), data=fields, timeout=10)


def stop(served: LiveServer, plan: str) -> httpx.Response:
    fields = {"call": "publish_done", "app": "live", "name": plan}
    return httpx.post(ingest_url(served, "on_publish_done"), data=fields, timeout=10)


def status_of(served: LiveServer, plan: str) -> str:
    with api_as(served, "official.dangshan") as official:
        return str(official.get(f"/api/v1/plans/{plan}").json()["status"])


def refusals(served: LiveServer) -> list[str]:
    return [e.data["reason"] for e in events_of(served) if e.type == "stream.refused"]


def test_callbacks_without_the_shared_secret_are_refused(served: LiveServer) -> None:
    plan, key = approved_plan(served)
    served.clock.advance(WINDOW[0] - served.clock.now() + timedelta(minutes=5))
    secret = served.settings.callback_secret()
    stream = {"call": "publish", "name": plan, "key": key.split("?key=")[1]}

    def call(callback: str, cb: str | None, fields: dict[str, str]) -> httpx.Response:
        query = "" if cb is None else f"?cb={quote(cb, safe='')}"
        return httpx.post(f"{served.url}/stream/{callback}{query}", data=fields, timeout=10)

    wrong = [None, "", "wrong", secret[:-1], secret[:-1] + ("0" if secret[-1] != "0" else "1")]
    for cb in [*wrong, secret + "x", secret.upper()]:
        answer = call("on_publish", cb, stream)
        assert (answer.status_code, answer.text) == (403, "not the ingest server"), cb
    # The secret counts in the URL only, not in the form nginx fills from the publisher's URL.
    assert call("on_publish", None, {**stream, "cb": secret}).status_code == 403
    assert status_of(served, plan) == "approved"
    assert [e for e in events_of(served) if e.type == "session.started"] == []

    assert call("on_publish", secret, stream).status_code == 200
    assert status_of(served, plan) == "live"
    recording = {"call": "record_done", "name": plan, "path": f"/rec/{plan}-1.flv"}
    assert call("on_record_done", None, recording).status_code == 403
    assert call("on_record_done", "wrong", recording).status_code == 403
    for cb in wrong:
        assert call("on_publish_done", cb, {"name": plan}).status_code == 403, cb
    assert status_of(served, plan) == "live"  # nobody but nginx ends the session
    ended = call("on_publish_done", secret, {"name": plan})
    assert (ended.status_code, ended.text) == (200, "ended")
    assert call("on_record_done", secret, recording).text == "kept"


def test_the_address_check_stays(sqlite_url: str) -> None:
    settings = settings_for(sqlite_url, stream_callback_hosts="192.0.2.7")
    with live_server(settings) as server:
        answer = httpx.post(
            ingest_url(server, "on_publish"), data={"name": "x", "key": "y"}, timeout=10
        )
    assert (answer.status_code, answer.text) == (403, "not the ingest server")


def test_the_callback_secret_is_a_setting_required_in_production(sqlite_url: str) -> None:
    dev = settings_for(sqlite_url)
    assert dev.stream_callback_secret is None
    derived = dev.callback_secret()  # outside production: derived from the secret key
    assert len(derived) == 64 and dev.secret_key not in derived
    other = settings_for(sqlite_url, secret_key="another-test-secret-key-long-enough-0123")
    assert other.callback_secret() != derived
    chosen = settings_for(sqlite_url, stream_callback_secret="c" * 40)
    assert chosen.callback_secret() == "c" * 40
    production = {
        "env": "production",
        "demo_password": "another-long-password",
        "allow_sandbox_payments": True,  # a staging deployment: production refuses the sandbox
    }
    for missing in (None, "", "short"):
        with pytest.raises(ValueError, match="SUNLIT_STREAM_CALLBACK_SECRET"):
            settings_for(sqlite_url, **production, stream_callback_secret=missing)
    assert settings_for(sqlite_url, **production, stream_callback_secret="p" * 32)


def test_the_generated_configuration_carries_the_secret(tmp_path: Path) -> None:
    secret = "s3cr/t $x;y&z=1 秘"
    config = IngestConfig(
        prefix=tmp_path,
        hls_dir=tmp_path,
        record_dir=tmp_path,
        callback="http://h:1/",
        callback_secret=secret,
    )
    text = render(config)
    encoded = quote(secret, safe="")
    for callback in ("on_publish", "on_publish_done", "on_record_done"):
        assert f" http://h:1/stream/{callback}?cb={encoded};" in text
    assert secret not in text

    # `sunlit stream nginx-config`, as an operator runs it.
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "SUNLIT_ENV": "production"}
    env |= {"SUNLIT_SECRET_KEY": "k" * 40, "SUNLIT_DEMO_PASSWORD": "another-long-password"}
    env["SUNLIT_ALLOW_SANDBOX_PAYMENTS"] = "true"
    command = [SUNLIT, "stream", "nginx-config", "--callback", "http://10.0.0.2:8000"]
    run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "SUNLIT_STREAM_CALLBACK_SECRET" in run.stderr
    env["SUNLIT_STREAM_CALLBACK_SECRET"] = "q" * 48
    run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert f"on_publish http://10.0.0.2:8000/stream/on_publish?cb={'q' * 48};" in run.stdout
    assert f"/stream/on_publish_done?cb={'q' * 48};" in run.stdout
    assert f"/stream/on_record_done?cb={'q' * 48};" in run.stdout
    del env["SUNLIT_ENV"], env["SUNLIT_STREAM_CALLBACK_SECRET"]
    run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    derived = Settings(_env_file=None, secret_key="k" * 40).callback_secret()  # type: ignore[call-arg]
    assert f"/stream/on_publish?cb={derived};" in run.stdout


# --- the stream key: its secret, not only its plan id, decides ---------------------------


def test_the_right_plan_with_a_wrong_secret_is_refused(served: LiveServer) -> None:
    plan, key = approved_plan(served)
    other, other_key = approved_plan(served, **LATER)
    served.clock.advance(WINDOW[0] - served.clock.now() + timedelta(minutes=5))
    secret = key.split("?key=")[1]
    flipped = secret[:-1] + ("0" if secret[-1] != "0" else "1")
    wrong = [
        other_key.split("?key=")[1],  # another approved plan's secret
        flipped,
        secret[:-1],
        secret + "0",
        secret.upper(),
        "",
        "0" * len(secret),
    ]
    for guess in wrong:
        answer = go_live(served, f"{plan}?key={guess}")
        assert (answer.status_code, answer.text) == (403, "wrong key"), guess
    assert go_live(served, plan).status_code == 403  # no key at all
    assert status_of(served, plan) == "approved"
    assert refusals(served) == ["wrong key"] * (len(wrong) + 1)
    assert go_live(served, key).status_code == 200
    assert status_of(served, plan) == "live" and status_of(served, other) == "approved"


def test_a_key_from_before_a_change_is_refused_after_approval_again(served: LiveServer) -> None:
    plan, old = approved_plan(served)
    with (
        api_as(served, "official.dangshan") as official,
        api_as(served, "supervisor1") as supervisor,
    ):
        body = {
            **plan_body([product(official, "砀山")], title="砀山酥梨助农直播（改）"),
            "reopen": True,
        }
        assert official.put(f"/api/v1/plans/{plan}", json=body).json()["status"] == "draft"
        agreed(served, official, plan)
        assert official.post(f"/api/v1/plans/{plan}/submit").json()["status"] == "checked"
        supervisor.post(f"/api/v1/plans/{plan}/approve", json={"reason": "改后报备齐全"})
        new = official.get(f"/api/v1/plans/{plan}").json()["stream_key"]
    assert new != old and new.startswith(f"{plan}?key=")
    served.clock.advance(WINDOW[0] - served.clock.now() + timedelta(minutes=5))
    answer = go_live(served, old)
    assert (answer.status_code, answer.text) == (403, "wrong key")
    assert status_of(served, plan) == "approved"
    assert go_live(served, new).status_code == 200


def test_an_ended_plan_key_is_not_reused_inside_a_window(served: LiveServer) -> None:
    """Plan A went live and ended; inside the window, A's key neither brings A back nor opens
    B, the same official's next approved plan."""
    first, first_key = approved_plan(served)
    second, second_key = approved_plan(served, **LATER)
    served.clock.advance(WINDOW[0] - served.clock.now() + timedelta(minutes=5))
    assert go_live(served, first_key).status_code == 200
    served.clock.advance(timedelta(minutes=30))
    assert stop(served, first).text == "ended"

    again = go_live(served, first_key)  # inside A's window
    assert (again.status_code, again.text) == (403, "plan is ended")
    served.clock.advance(timedelta(hours=3))  # inside B's window (and past A's grace)
    borrowed = go_live(served, f"{second}?key={first_key.split('?key=')[1]}")
    assert (borrowed.status_code, borrowed.text) == (403, "wrong key")
    assert status_of(served, first) == "ended" and status_of(served, second) == "approved"
    assert refusals(served) == ["plan is ended", "wrong key"]
    assert go_live(served, second_key).status_code == 200


def test_the_window_widened_by_the_grace_is_exact(served: LiveServer) -> None:
    """A key works from the start less the grace to the end plus the grace, and not a second
    outside it (here: a second early for one plan, a second late for another)."""
    grace = timedelta(minutes=served.settings.stream_grace_minutes)
    first, first_key = approved_plan(served)
    second, second_key = approved_plan(served, **LATER)
    served.clock.advance(WINDOW[0] - grace - timedelta(seconds=1) - served.clock.now())
    early = go_live(served, first_key)
    assert (early.status_code, early.text) == (403, "outside the approved window")
    served.clock.advance(timedelta(seconds=1))
    assert go_live(served, first_key).status_code == 200
    assert stop(served, first).text == "ended"
    later_end = WINDOW[1] + timedelta(hours=3)
    served.clock.advance(later_end + grace + timedelta(seconds=1) - served.clock.now())
    late = go_live(served, second_key)
    assert (late.status_code, late.text) == (403, "outside the approved window")
    served.clock.advance(timedelta(seconds=-1))
    assert go_live(served, second_key).status_code == 200
    assert status_of(served, second) == "live"
