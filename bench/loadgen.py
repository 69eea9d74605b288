"""A small HTTP/1.1 load generator on asyncio streams (uvloop): keep-alive connections that
each send their share of a fixed list of requests, one at a time, and record every status,
latency and body. Exact request counts, per-request latency, nothing but the standard library
and uvloop (already installed with uvicorn[standard]); loopback targets only."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class Result:
    statuses: list[int] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # seconds
    bodies: list[bytes] = field(default_factory=list)
    finished: list[float] = field(default_factory=list)  # monotonic time of each answer
    started: float = 0.0
    ended: float = 0.0

    @property
    def seconds(self) -> float:
        return self.ended - self.started

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = 0
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        lowered = name.strip().lower()
        if lowered == b"content-length":
            length = int(value.strip())
        elif lowered == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            body += chunk[:-2]
        return status, body
    return status, await reader.readexactly(length) if length else b""


async def _worker(
    host: str, port: int, requests: Sequence[bytes], result: Result, keep_bodies: bool
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for raw in requests:
            sent = time.monotonic()
            writer.write(raw)
            status, body = await _read_response(reader)
            now = time.monotonic()
            result.statuses.append(status)
            result.latencies.append(now - sent)
            result.finished.append(now)
            result.bodies.append(body if keep_bodies else b"")
    finally:
        writer.close()


def request_bytes(
    method: str, path: str, host: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: keep-alive"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if body or method in ("POST", "PUT"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def run(
    host: str,
    port: int,
    requests: Sequence[bytes],
    *,
    connections: int,
    keep_bodies: bool = False,
) -> Result:
    """Send every request once over ``connections`` keep-alive connections (request i goes
    on connection i % connections, in order)."""
    if host not in ("127.0.0.1", "::1", "localhost"):
        raise ValueError("load tests target loopback addresses only")
    result = Result()
    shares = [requests[i::connections] for i in range(connections)]
    result.started = time.monotonic()
    await asyncio.gather(*(_worker(host, port, share, result, keep_bodies) for share in shares))
    result.ended = time.monotonic()
    return result
