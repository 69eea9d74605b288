"""What the orders context needs of the running services, beyond the web kit."""

from __future__ import annotations

from typing import Protocol, cast

from fastapi import Request

from sunlit.orders.desk import OrderDesk
from sunlit.payments.deps import PaymentsKit


class OrdersKit(PaymentsKit, Protocol):
    @property
    def desk(self) -> OrderDesk: ...


def orders_kit(request: Request) -> OrdersKit:
    return cast(OrdersKit, request.app.state.services)
