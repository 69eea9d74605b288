"""Issue 20: the nginx site `sunlit site nginx-config` writes, run by Debian's nginx in front of
Sunlit: a visitor's second request for a public page is answered by nginx from its cache
without reaching Sunlit; signed-in people, pages with a form and writes always reach Sunlit; the
language switch of a kept page works through it."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sunlit.settings import Settings
from sunlit.web.nginx_site import SiteConfig, render_site
from tests.support import free_port, live_server, sign_in, wait_until
from tests.test_cli import SUNLIT
from tests.test_stream_gate import NGINX
from tests.test_web import PASSWORD, load_demo_into

pytestmark = [
    pytest.mark.video,
    pytest.mark.skipif(
        not Path(NGINX).exists(), reason="video suite not run: apt-get install nginx-light"
    ),
]


@pytest.fixture
def fronted(settings: Settings, tmp_path: Path) -> Iterator[str]:
    """The demo with its page cache on, behind nginx; yields nginx's URL."""
    update = {"page_cache_seconds": 60, "background_jobs": False}
    with live_server(settings.model_copy(update=update)) as server:
        load_demo_into(server)
        port = free_port()
        config = SiteConfig(
            prefix=tmp_path,
            upstream=f"127.0.0.1:{server.port}",
            listen=f"127.0.0.1:{port}",
            foreground=True,
            user="root" if os.geteuid() == 0 else None,
        )
        (tmp_path / "site.conf").write_text(render_site(config), "utf-8")
        nginx = subprocess.Popen(
            [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "site.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        front = f"http://127.0.0.1:{port}"

        def up() -> bool:
            if nginx.poll() is not None:
                raise RuntimeError(f"nginx exited: {nginx.stderr.read() if nginx.stderr else ''}")
            try:
                return httpx.get(front + "/healthz", timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        try:
            wait_until(up, "nginx in front of Sunlit answering")
            yield front
        finally:
            nginx.terminate()
            nginx.wait(timeout=10)


def test_nginx_keeps_visitors_pages_and_passes_everyone_else_on(
    fronted: str,
) -> None:
    front = fronted
    with httpx.Client(base_url=front, timeout=10) as visitor:
        visitor.cookies.set("sunlit_lang", "en")
        first = visitor.get("/products")
        assert first.status_code == 200 and '<html lang="en">' in first.text
        assert first.headers["x-cache-status"] == "MISS"
        second = visitor.get("/products")
        assert second.headers["x-cache-status"] == "HIT"
        assert second.text == first.text
        # The key holds the language: Chinese is a page of its own.
        visitor.cookies.set("sunlit_lang", "zh")
        chinese = visitor.get("/products")
        assert chinese.headers["x-cache-status"] == "MISS"
        assert '<html lang="zh-Hans">' in chinese.text
        # A page with a form sets a cookie: nginx does not keep it.
        assert visitor.get("/signin").headers["x-cache-status"] == "MISS"
        assert visitor.get("/signin").headers["x-cache-status"] == "MISS"
        # The language switch from a kept page, through nginx (the Host keeps its port).
        switched = visitor.post(
            "/language", data={"language": "en", "next": "/"}, headers={"Origin": front}
        )
        assert switched.status_code == 303
        assert "sunlit_lang=en" in switched.headers["set-cookie"]
    with httpx.Client(base_url=front, timeout=10) as farmer:
        assert sign_in(farmer, "farmer.dangshan", PASSWORD).status_code == 303
        mine = farmer.get("/products")
        assert mine.headers["x-cache-status"] == "BYPASS"
        assert mine.headers["cache-control"] == "no-store"
        assert "Sign out" in mine.text or "退出" in mine.text
    with httpx.Client(base_url=front, timeout=10) as caller:
        api = caller.get("/api/v1/products", headers={"Authorization": "Bearer x"})
        assert api.headers["x-cache-status"] == "BYPASS"


def test_the_command_writes_a_site_that_nginx_accepts(tmp_path: Path) -> None:
    written = subprocess.run(
        [SUNLIT, "site", "nginx-config", "--prefix", str(tmp_path), "--upstream", "127.0.0.1:9"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "SUNLIT_MAX_UPLOAD_BYTES": "8388608"},
    )
    assert "server 127.0.0.1:9;" in written.stdout
    assert "client_max_body_size 8454144;" in written.stdout  # the upload, and its form
    (tmp_path / "site.conf").write_text(written.stdout, "utf-8")
    checked = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "site.conf")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
