"""What the payments context needs of the running services, beyond the web kit."""

from __future__ import annotations

from typing import Protocol, cast

from fastapi import Request

from sunlit.payments.sandbox import SandboxGateway
from sunlit.payments.services import Rates
from sunlit.web.deps import Kit


class PaymentsKit(Kit, Protocol):
    @property
    def payment_gateway(self) -> SandboxGateway: ...
    @property
    def rates(self) -> Rates: ...


def payments_kit(request: Request) -> PaymentsKit:
    return cast(PaymentsKit, request.app.state.services)
