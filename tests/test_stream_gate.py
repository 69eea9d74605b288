"""The stream gate with real nginx-rtmp and ffmpeg: an approved key inside its window goes live
(HLS segments appear under the plan id, not the key); an unknown key, a key whose approval was
withdrawn and an approved key outside its window are refused."""

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

import httpx
import pytest

from sunlit.filing.nginx import RTMP_MODULE, IngestConfig, render
from tests.support import LiveServer, free_port
from tests.test_catalog_api import api_as
from tests.test_filing_api import WINDOW, plan_body, product
from tests.test_web import events_of

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
FFMPEG = shutil.which("ffmpeg")
pytestmark = [
    pytest.mark.video,
    pytest.mark.skipif(
        not (Path(NGINX).exists() and FFMPEG and RTMP_MODULE.exists()),
        reason="video suite not run: apt-get install nginx-light libnginx-mod-rtmp ffmpeg",
    ),
]


@contextmanager
def running_ingest(
    callback: str, folder: Path, *, http_port: int | None = None
) -> Iterator[IngestConfig]:
    """nginx with the RTMP module, configured by ``sunlit stream nginx-config``'s renderer,
    calling Sunlit at ``callback``; stopped on exit."""
    config = IngestConfig(
        prefix=folder,
        hls_dir=folder / "hls",
        record_dir=folder / "recordings",
        callback=callback,
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
    with running_ingest(served.url, tmp_path) as config:
        yield config


def ffmpeg_command(config: IngestConfig, key: str, seconds: int) -> list[str]:
    """An ffmpeg test pattern with a tone, published for ``seconds``."""
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
        f"rtmp://127.0.0.1:{config.rtmp_port}/live/{key}",
    ]


def publish(config: IngestConfig, key: str, seconds: int) -> subprocess.CompletedProcess[bytes]:
    """Publish the test pattern for ``seconds`` and wait (bounded by a timeout)."""
    return subprocess.run(
        ffmpeg_command(config, key, seconds),
        capture_output=True,
        timeout=seconds + 30,
        check=False,
    )


def wait_for_recording(server: LiveServer, session: str, seconds: float = 20) -> str:
    """The recording's file name once nginx has converted it and Sunlit knows it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        room = httpx.get(f"{server.url}/api/v1/live/{session}", timeout=10).json()
        if room.get("recording"):
            return str(room["recording"])
        time.sleep(0.3)
    raise AssertionError("no recording was reported")


def approved_plan(served: LiveServer) -> tuple[str, str]:
    """An approved plan of official.dangshan; returns its id and stream key."""
    with (
        api_as(served, "official.dangshan") as official,
        api_as(served, "supervisor1") as supervisor,
    ):
        plan = official.post("/api/v1/plans", json=plan_body([product(official, "砀山")])).json()[
            "id"
        ]
        assert official.post(f"/api/v1/plans/{plan}/submit").json()["status"] == "checked"
        supervisor.post(f"/api/v1/plans/{plan}/approve", json={"reason": "报备齐全"})
        key = official.get(f"/api/v1/plans/{plan}").json()["stream_key"]
    return plan, key


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

    live = publish(ingest, key, 6)
    assert live.returncode == 0, live.stderr.decode()[-500:]
    playlist = ingest.hls_dir / f"{plan}.m3u8"
    assert playlist.is_file(), list(ingest.hls_dir.iterdir())
    secret = key.split("?key=")[1]
    assert secret not in " ".join(p.name for p in ingest.hls_dir.iterdir())
    assert list(ingest.hls_dir.glob(f"{plan}-*.ts"))
    assert any(ingest.record_dir.iterdir())  # the recording is kept
    time.sleep(1)  # on_publish_done arrives as the stream closes

    with api_as(served, "official.dangshan") as official:
        assert official.get(f"/api/v1/plans/{plan}").json()["status"] == "ended"
    # After the end, nginx converts the recording to MP4 and tells Sunlit its name; nginx
    # serves it for the room's replay.
    recording = wait_for_recording(served, plan)
    assert recording.startswith(f"{plan}-") and recording.endswith(".mp4")
    replay = httpx.get(f"http://127.0.0.1:{ingest.http_port}/recordings/{recording}", timeout=10)
    assert replay.status_code == 200 and replay.headers["content-type"] == "video/mp4"
    assert replay.content[4:8] == b"ftyp"  # an MP4 file
    events = [
        (e.type, e.data.get("reason"))
        for e in events_of(served)
        if e.session in (plan, None) and e.type.startswith(("session.", "stream."))
    ]
    assert ("stream.refused", "outside the approved window") in events
    assert ("stream.refused", "unknown key") in events
    assert ("session.started", None) in events and ("session.ended", None) in events


def test_a_key_stops_working_when_the_plan_changes(
    served: LiveServer, ingest: IngestConfig
) -> None:
    plan, key = approved_plan(served)
    with api_as(served, "official.dangshan") as official:
        pears = product(official, "砀山")
        changed = official.put(f"/api/v1/plans/{plan}", json=plan_body([pears], title="改"))
        assert changed.json()["status"] == "draft"
    served.clock.advance(WINDOW[0] - served.clock.now() + timedelta(minutes=5))
    refused = publish(ingest, key, 2)
    assert refused.returncode != 0
    assert not (ingest.hls_dir / f"{plan}.m3u8").exists()
    reasons = [e.data["reason"] for e in events_of(served) if e.type == "stream.refused"]
    assert reasons == ["plan not approved"]
