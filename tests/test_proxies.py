"""The client's address behind trusted proxies (``sunlit.web.proxies``), as uvicorn's
``--proxy-headers`` took it before granian served Sunlit: the right-most forwarded address that
is not a trusted proxy, only when the peer itself is trusted. End to end, the sign-in throttle
reads it (tests/test_hardening.py)."""

from __future__ import annotations

from typing import Any

import pytest

from sunlit.web.proxies import MAX_REMEMBERED, TrustedProxies
from tests.support import run_async


def seen_by_app(
    trusted: str, peer: str, headers: list[tuple[bytes, bytes]], kind: str = "http"
) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.update(client=scope["client"][0], scheme=scope["scheme"])

    scope = {
        "type": kind,
        "client": (peer, 50000),
        "scheme": "ws" if kind == "websocket" else "http",
        "headers": headers,
    }
    run_async(TrustedProxies(app, trusted)(scope, None, None))
    return seen


XFF, PROTO = b"x-forwarded-for", b"x-forwarded-proto"


@pytest.mark.parametrize(
    ("trusted", "peer", "headers", "client", "scheme"),
    [
        # A peer that is not a trusted proxy is the client, whatever it claims.
        ("127.0.0.1", "203.0.113.9", [(XFF, b"1.2.3.4"), (PROTO, b"https")], "203.0.113.9", "http"),
        # The proxy names the client, and the scheme it was reached on.
        ("127.0.0.1,::1", "127.0.0.1", [(XFF, b"1.2.3.4"), (PROTO, b"https")], "1.2.3.4", "https"),
        ("127.0.0.1,::1", "::1", [(XFF, b"2001:db8::7")], "2001:db8::7", "http"),
        # A chain: the right-most address that is no proxy of ours; a forged left part is not it.
        (
            "127.0.0.1,10.0.0.0/8",
            "127.0.0.1",
            [(XFF, b"6.6.6.6, 1.2.3.4, 10.0.0.2")],
            "1.2.3.4",
            "http",
        ),
        # Two headers are one chain, in order.
        (
            "127.0.0.1,10.0.0.0/8",
            "127.0.0.1",
            [(XFF, b"1.2.3.4"), (XFF, b"10.0.0.2")],
            "1.2.3.4",
            "http",
        ),
        # Every hop a proxy: the left-most.
        ("127.0.0.1,10.0.0.0/8", "127.0.0.1", [(XFF, b"10.0.0.3, 10.0.0.2")], "10.0.0.3", "http"),
        # Everyone trusted: the left-most.
        ("*", "203.0.113.9", [(XFF, b"1.2.3.4, 5.6.7.8")], "1.2.3.4", "http"),
        # No header: the peer; an unknown scheme is ignored.
        ("127.0.0.1", "127.0.0.1", [(PROTO, b"gopher")], "127.0.0.1", "http"),
        # Trust none.
        ("", "127.0.0.1", [(XFF, b"1.2.3.4")], "127.0.0.1", "http"),
    ],
)
def test_the_client_is_the_first_address_that_is_no_trusted_proxy(
    trusted: str, peer: str, headers: list[tuple[bytes, bytes]], client: str, scheme: str
) -> None:
    assert seen_by_app(trusted, peer, headers) == {"client": client, "scheme": scheme}


def test_a_websocket_behind_https_is_wss() -> None:
    seen = seen_by_app(
        "127.0.0.1", "127.0.0.1", [(XFF, b"1.2.3.4"), (PROTO, b"https")], "websocket"
    )
    assert seen == {"client": "1.2.3.4", "scheme": "wss"}


def test_verdicts_are_remembered_without_growing_beyond_the_bound() -> None:
    proxies = TrustedProxies(lambda *a: None, "127.0.0.1,10.0.0.0/8")
    assert proxies.trusts("10.1.2.3") and proxies.trusts("10.1.2.3")
    assert not proxies.trusts("11.0.0.1") and not proxies.trusts("not an address")
    for n in range(MAX_REMEMBERED + 10):
        proxies.trusts(f"192.0.2.{n % 256}-{n}")
    assert len(proxies._verdicts) <= MAX_REMEMBERED
    assert proxies.trusts("127.0.0.1") and not proxies.trusts("192.0.2.1")
