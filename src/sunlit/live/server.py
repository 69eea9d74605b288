"""The live rooms' WebSocket server, on picows (ADR 0004): one listener object per viewer, the
upgrade checked against a signed, short-lived ticket from the room page (no database round trip
per connection; the hub redeems it once in the ticket book), frames handed to the hub. It runs
inside `sunlit serve`, on ``SUNLIT_LIVE_PORT``."""

from __future__ import annotations

import asyncio
import struct
from urllib.parse import parse_qs, urlsplit

from picows import (
    WSCloseCode,
    WSFrame,
    WSListener,
    WSMsgType,
    WSTransport,
    WSUpgradeRequest,
    ws_create_server,
)

from sunlit.live.hub import Hub
from sunlit.live.model import Refusal, Ticket, read_ticket
from sunlit.live.rooms import CLOSE_REFUSED, CLOSE_TICKET, Viewer

PATH_PREFIX = "/live/"
MAX_FRAME = 8192  # a chat message is a few hundred bytes; anything far larger is refused


class _Socket:
    __slots__ = ("_raw", "_transport")

    def __init__(self, transport: WSTransport) -> None:
        self._transport = transport
        self._raw = transport.underlying_transport

    def offer(self, frame: bytes, limit: int) -> bool:
        # A whole, pre-encoded frame, written as it is: a room's frame is shared by its viewers.
        raw = self._raw
        if raw.get_write_buffer_size() > limit:
            return False
        if not raw.is_closing():
            raw.write(frame)
        return True

    def close(self, code: int, reason: str) -> None:
        # Written by hand: picows' send_close knows only the standard codes, and a room's
        # own (4000-4999) tell the page why it was closed.
        if not self._raw.is_closing():
            payload = struct.pack("!H", code) + reason.encode()[:120]
            self._raw.write(struct.pack("!BB", 0x88, len(payload)) + payload)
        self._transport.disconnect(graceful=True)

    def abort(self) -> None:
        self._transport.disconnect(graceful=False)


class ViewerListener(WSListener):
    def __init__(self, hub: Hub, session: str, ticket: Ticket | None) -> None:
        self.hub = hub
        self.session = session
        self.ticket = ticket
        self.viewer: Viewer | None = None

    def on_ws_connected(self, transport: WSTransport) -> None:
        peer = transport.underlying_transport.get_extra_info("peername")
        ip = str(peer[0]) if peer else ""
        if self.ticket is None or self.ticket.session != self.session:
            ticket = Ticket(self.session, "", None, "", "zh", 0)
            refused = Viewer(ticket, _Socket(transport), ip, max_buffer=self.hub.rules.max_buffer)
            refused.refuse(Refusal.SIGN_IN if self.ticket is None else Refusal.BAD_FIELD)
            refused.socket.close(CLOSE_REFUSED, "ticket not valid for this room")
            return
        if self.ticket.expired(self.hub.clock.now().timestamp()):
            _Socket(transport).close(CLOSE_TICKET, "ticket expired")  # the page gets a new one
            return
        self.viewer = Viewer(
            self.ticket, _Socket(transport), ip, max_buffer=self.hub.rules.max_buffer
        )
        viewer = self.viewer
        self.hub.spawn(lambda: self.hub.admit(viewer))

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        viewer = self.viewer
        if viewer is None:
            return
        kind = frame.msg_type
        if kind == WSMsgType.TEXT:
            try:
                text = frame.get_payload_as_utf8_text()
            except UnicodeDecodeError:
                text = None
            self.hub.receive(viewer, text)
        elif kind == WSMsgType.BINARY:
            self.hub.receive(viewer, None)
        elif kind == WSMsgType.CLOSE:
            # Echo the client's code; a close without one (or with 1005, "no code", which must
            # never be sent) is answered with 1000.
            code = frame.get_close_code()
            transport.send_close(WSCloseCode.OK if code.value in (0, 1005) else code)
            transport.disconnect()

    def on_ws_disconnected(self, transport: WSTransport) -> None:
        if self.viewer is not None:
            self.hub.leave(self.viewer)


async def start_server(hub: Hub, host: str, port: int, secret: str) -> asyncio.Server:
    def factory(request: WSUpgradeRequest) -> WSListener | None:
        url = urlsplit(request.path.decode("latin-1"))
        if not url.path.startswith(PATH_PREFIX):
            return None
        session = url.path[len(PATH_PREFIX) :].strip("/")
        token = parse_qs(url.query).get("ticket", [""])[0]
        ticket = read_ticket(token, secret) if token else None
        return ViewerListener(hub, session, ticket)

    return await ws_create_server(
        factory,
        host,
        port,
        websocket_handshake_timeout=5,
        enable_auto_ping=True,
        auto_ping_idle_timeout=30,
        auto_ping_reply_timeout=30,
        max_frame_size=MAX_FRAME,
        read_buffer_init_size=1024,
        reuse_port=True,
    )
