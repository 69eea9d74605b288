"""What the open data's routes need of the running services: the public log."""

from __future__ import annotations

from typing import Protocol, cast

from fastapi import Request

from sunlit.disclosure.opendata.log import OpenLog
from sunlit.web.deps import Kit


class OpenKit(Kit, Protocol):
    @property
    def open_log(self) -> OpenLog: ...


def open_kit(request: Request) -> OpenKit:
    return cast(OpenKit, request.app.state.services)
