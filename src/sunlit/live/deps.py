"""What the live context needs of the running services, beyond the web kit."""

from __future__ import annotations

from typing import Protocol, cast

from fastapi import Request

from sunlit.live.hub import Hub
from sunlit.live.ports import SessionSales
from sunlit.web.deps import Kit


class LiveKit(Kit, Protocol):
    @property
    def live(self) -> Hub:
        """The live rooms this process serves."""

    @property
    def sales(self) -> SessionSales:
        """The orders placed in a live session, as its room shows them."""

    @property
    def live_port(self) -> int | None:
        """Where the live rooms' WebSocket server listens, once it does."""


def live_kit(request: Request) -> LiveKit:
    return cast(LiveKit, request.app.state.services)
