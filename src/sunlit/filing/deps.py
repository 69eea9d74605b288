"""What the filing context needs of the running services, beyond the web kit."""

from __future__ import annotations

from typing import Protocol, cast

from fastapi import Request

from sunlit.filing.ports import SessionRatings
from sunlit.web.deps import Kit


class FilingKit(Kit, Protocol):
    @property
    def ratings(self) -> SessionRatings:
        """The producers' ratings of sessions, shown on a plan's page."""


def filing_kit(request: Request) -> FilingKit:
    return cast(FilingKit, request.app.state.services)
