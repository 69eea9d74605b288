"""Test support: settings for a throwaway database, and a real granian server in a thread."""

from __future__ import annotations

import asyncio
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from granian._granian import SocketHolder
from granian.constants import HTTPModes, Interfaces
from granian.server.embed import Server as EmbeddedGranian

from sunlit.app.app import create_app
from sunlit.app.asgi import behind_proxies
from sunlit.app.services import Services
from sunlit.core.clock import FixedClock
from sunlit.settings import Settings

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def settings_for(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "env": "test",
        "database_url": database_url,
        "secret_key": "test-secret-key-that-is-long-enough-0123456789",
        "argon2_time_cost": 1,
        "argon2_memory_kib": 1024,
        "log_json": True,
        "log_level": "WARNING",
        "node_modules_dir": ROOT / "node_modules",
        "files_dir": Path(tempfile.mkdtemp(prefix="sunlit-files-")),
        "redis_url": None,
        "sandbox_max_delay_ms": 0,
        "live_port": 0,
        # Tests change things through the services and look at them as a visitor at once; the
        # page cache has its own tests (tests/test_page_cache.py).
        "page_cache_seconds": 0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def wait_until(
    condition: Callable[[], T], what: str, *, seconds: float = 10, every: float = 0.05
) -> T:
    """Wait for something that happens in another thread or process: poll ``condition`` until it
    returns a true value, which is returned; fail saying ``what`` did not happen by the deadline.
    (Never a bare sleep: a slow machine only waits longer, a fast one does not wait at all.)"""
    deadline = time.monotonic() + seconds
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds:g} s")
        time.sleep(every)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _OnSocket(EmbeddedGranian):
    """granian embedded in this thread's event loop (as `sunlit serve` runs it, in one process
    with the test), serving a socket the test bound itself."""

    def __init__(self, app: Any, sock: socket.socket) -> None:
        self._sock = sock
        super().__init__(
            app,
            address="127.0.0.1",
            port=int(sock.getsockname()[1]),
            interface=Interfaces.ASGI,
            http=HTTPModes.http1,
            websockets=False,
            log_enabled=False,
        )

    def _init_shared_socket(self) -> None:
        # granian closes the descriptor it is given when it stops: it gets a copy of its own.
        self._ssp = None
        self._shd = SocketHolder(os.dup(self._sock.fileno()), False, 128)


class LiveServer:
    """Sunlit served by granian on a loopback port, in a background thread."""

    def __init__(self, settings: Settings, clock: FixedClock | None = None) -> None:
        # The socket is bound here and handed to the server, so no other test can take the port
        # between choosing it and serving on it (free_port() alone raced under CI's load).
        # IPPROTO_TCP is named so that TCP_NODELAY applies to accepted connections: without it
        # every answer written in two parts waited ~40 ms for the client's delayed ACK.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(128)
        self.port = int(self._socket.getsockname()[1])
        # The server's own address, for the sandbox gateway's notifications to reach it.
        self.settings = settings.model_copy(update={"port": self.port})
        self.clock = clock or FixedClock(START)
        self.url = f"http://127.0.0.1:{self.port}"
        self.services: Services | None = None
        self._server: _OnSocket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> LiveServer:
        services = Services.build(self.settings)
        services.clock = self.clock
        self.services = services
        # As `sunlit serve` does: tests name a client's address in X-Forwarded-For.
        app = behind_proxies(create_app(self.settings, services), self.settings)
        self._server = _OnSocket(app, self._socket)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        # The socket listens already; the first answer comes once the app's startup has run.
        deadline = time.monotonic() + 15
        while True:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the test server did not start")
            try:
                httpx.get(self.url + "/healthz", timeout=1)
                return self
            except httpx.TransportError:
                time.sleep(0.02)

    def _run(self) -> None:
        assert self._server is not None and self.services is not None
        server, services = self._server, self.services

        async def serve() -> None:
            self._loop = asyncio.get_running_loop()
            try:
                await server.serve()
            finally:
                await services.close()

        asyncio.run(serve())

    def stop(self) -> None:
        if self._server is not None and self._loop is not None and not self._loop.is_closed():
            try:
                self._loop.call_soon_threadsafe(self._server.stop)
            except RuntimeError:  # the loop closed in between
                pass
        if self._thread is not None:
            self._thread.join(timeout=15)
        self._socket.close()


def ingest_url(server: LiveServer, callback: str) -> str:
    """The URL nginx-rtmp calls for ``callback`` (``on_publish``, ``on_publish_done``,
    ``on_record_done``), with the shared callback secret its generated configuration carries."""
    secret = quote(server.settings.callback_secret(), safe="")
    return f"{server.url}/stream/{callback}?cb={secret}"


@contextmanager
def live_server(settings: Settings, clock: FixedClock | None = None) -> Iterator[LiveServer]:
    server = LiveServer(settings, clock).start()
    try:
        yield server
    finally:
        server.stop()


CSRF = __import__("re").compile(r'name="csrf_token" value="([0-9a-f]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found is not None, "the page has no CSRF field"
    return found.group(1)


def submit(client: Any, page: str, action: str, fields: dict[str, str]) -> Any:
    """Load ``page`` like a browser, then post its form to ``action`` with the CSRF token."""
    token = csrf_of(client.get(page).text)
    return client.post(action, data={"csrf_token": token, **fields})


def switch(client: Any, action: str, fields: dict[str, str]) -> Any:
    """Post a header switch (``/language``, ``/display``) as a visitor's browser does from this
    site's page: the page carries no form token for a visitor, the browser names its origin."""
    origin = str(client.base_url).rstrip("/")
    return client.post(action, data=fields, headers={"Origin": origin})


def sign_in(client: Any, username: str, password: str, language: str | None = None) -> Any:
    if language is not None:
        client.cookies.set("sunlit_lang", language)
    return submit(client, "/signin", "/signin", {"username": username, "password": password})


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def run_async(coroutine: Any) -> Any:
    """Run a coroutine to completion from sync test code, even where a loop is running
    (Playwright's sync API keeps one on the main thread)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
