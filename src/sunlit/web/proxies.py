"""The client's address behind trusted reverse proxies (``SUNLIT_TRUSTED_PROXIES``), as
uvicorn's ``--proxy-headers`` and granian's ``wrap_asgi_with_proxy_headers`` take it: when the
peer is a trusted proxy, the client is the right-most address of ``X-Forwarded-For`` that is
not itself a trusted proxy (the left-most if all are), and ``X-Forwarded-Proto`` gives the
scheme. A peer that is not trusted is the client, whatever it sends. The sign-in throttle and
the device fingerprint read this address.

Written here rather than taken from granian because granian's wrapper parses the peer's
address on every request, which cost a fifth of ``/healthz`` (docs/benchmarks.md): here a
peer's verdict is remembered (a deployment has few peers: its proxies)."""

from __future__ import annotations

import ipaddress

from starlette.types import ASGIApp, Receive, Scope, Send

SCHEMES = {"http", "https", "ws", "wss"}
MAX_REMEMBERED = 1024


class TrustedProxies:
    def __init__(self, app: ASGIApp, trusted: str) -> None:
        self.app = app
        names = [item.strip() for item in trusted.split(",") if item.strip()]
        self.everyone = "*" in names
        self.networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        self.literals: set[str] = set()  # names that are no address (a Unix socket's peer)
        for name in names:
            try:
                self.networks.append(ipaddress.ip_network(name, strict=False))
            except ValueError:
                self.literals.add(name)
        self._verdicts: dict[str, bool] = {}

    def trusts(self, host: str) -> bool:
        found = self._verdicts.get(host)
        if found is None:
            found = self._judge(host)
            if len(self._verdicts) >= MAX_REMEMBERED:
                self._verdicts.clear()
            self._verdicts[host] = found
        return found

    def _judge(self, host: str) -> bool:
        if self.everyone:
            return True
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return host in self.literals
        return any(address in network for network in self.networks)

    def client_of(self, forwarded_for: str) -> str:
        hosts = [item.strip() for item in forwarded_for.split(",")]
        if not self.everyone:
            for host in reversed(hosts):
                if not self.trusts(host):
                    return host
        return hosts[0]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        client = scope.get("client")
        if kind in ("http", "websocket") and client and self.trusts(client[0]):
            forwarded: list[str] = []
            proto = ""
            for name, value in scope["headers"]:
                if name == b"x-forwarded-for":
                    forwarded.append(value.decode("latin-1").strip())
                elif name == b"x-forwarded-proto" and not proto:
                    proto = value.decode("latin-1").strip().lower()
            chain = ", ".join(item for item in forwarded if item)
            if chain:
                host = self.client_of(chain)
                if host:
                    scope["client"] = (host, 0)
            if proto in SCHEMES:
                if kind == "websocket":
                    proto = proto.replace("http", "ws")
                scope["scheme"] = proto
        await self.app(scope, receive, send)
