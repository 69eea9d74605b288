"""The orders API's request and response bodies, each response with its ``of(...)`` builder."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from sunlit.core.ids import ID_PATTERN
from sunlit.core.text import CleanText
from sunlit.orders.model import Order, OrderState, PaymentMethod
from sunlit.payments.model import Payment, Refund


class AddressIn(BaseModel):
    region: str = Field(min_length=6, max_length=6, pattern=r"^\d{6}$")
    detail: CleanText = Field(min_length=1, max_length=200)
    recipient: CleanText = Field(min_length=1, max_length=40)
    phone: str = Field(min_length=1, max_length=15)


class OrderIn(BaseModel):
    product_id: str = Field(pattern=ID_PATTERN)
    qty: int = Field(1, ge=1, le=999)
    session_id: str | None = Field(None, pattern=ID_PATTERN)
    address: AddressIn
    payment_method: PaymentMethod = Field(
        PaymentMethod.WALLET,
        description="union_card and corporate only for an organisation's staff (an account "
        "of another role than consumer, with its organisation on record); a consumer's is 422",
    )


class OrderOut(BaseModel):
    id: str
    state: OrderState
    buyer_id: str
    product_id: str
    producer_id: str
    session_id: str | None
    qty: int
    unit_price: int
    shipping_fee: int
    amount: int
    refunded: int
    payment_method: PaymentMethod
    address_region: str
    placed_at: datetime
    expires_at: datetime
    paid_at: datetime | None
    shipped_at: datetime | None
    carrier: str | None
    tracking_no: str | None
    delivered_at: datetime | None
    confirmed_at: datetime | None
    closed_at: datetime | None
    cancel_reason: str | None

    @classmethod
    def of(cls, row: Order) -> OrderOut:
        return cls.model_validate(row, from_attributes=True)


class PaymentOut(BaseModel):
    payment_id: str
    pay_url: str
    amount: int

    @classmethod
    def of(cls, payment: Payment) -> PaymentOut:
        return cls(payment_id=payment.id, pay_url=payment.pay_url, amount=payment.amount)


class CancelIn(BaseModel):
    reason: CleanText = Field("", max_length=200)


class RefundIn(BaseModel):
    amount: int = Field(ge=-(2**62), le=2**62)
    reason: CleanText = Field(min_length=1, max_length=200)


class RefundOut(BaseModel):
    id: str
    amount: int
    reason: str
    state: str

    @classmethod
    def of(cls, refund: Refund) -> RefundOut:
        return cls(id=refund.id, amount=refund.amount, reason=refund.reason, state=refund.state)


class SalesIn(BaseModel):
    on_sale: bool
    per_buyer_limit: int | None = Field(None, ge=-(2**31), le=2**31)


class SalesOut(BaseModel):
    product_id: str
    on_sale: bool
    per_buyer_limit: int | None
    stock: int
