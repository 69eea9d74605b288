"""What the shipments need of the running services, beyond fulfilment's kit: the carrier."""

from __future__ import annotations

from typing import Protocol, cast

from fastapi import Request

from sunlit.fulfilment.deps import FulfilmentKit
from sunlit.fulfilment.shipments.sandbox import SandboxCarrier


class ShipmentsKit(FulfilmentKit, Protocol):
    @property
    def carrier(self) -> SandboxCarrier: ...


def shipments_kit(request: Request) -> ShipmentsKit:
    return cast(ShipmentsKit, request.app.state.services)
