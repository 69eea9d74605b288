"""The gateway boundary. A gateway takes charges and refunds and tells us what happened in
signed notifications (webhooks) that may come late, twice or out of order. Adding WeChat Pay
or Alipay means one module that implements :class:`Gateway` and one line in ``GATEWAYS``."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.core.errors import N_, InvalidInput, SunlitError


class SignatureRefused(SunlitError):
    """A notification whose signature is missing, forged or too old (a replay)."""

    code = "bad_signature"
    status = 400


class NoticeType(StrEnum):
    CHARGE_SUCCEEDED = "charge.succeeded"
    CHARGE_FAILED = "charge.failed"
    REFUND_SUCCEEDED = "refund.succeeded"


@dataclass(frozen=True, slots=True)
class Charge:
    ref: str
    pay_url: str


@dataclass(frozen=True, slots=True)
class Notice:
    """A verified gateway notification."""

    id: str
    type: NoticeType
    charge: str
    amount: int
    refund: str | None = None


class Gateway(Protocol):
    name: str

    async def create_charge(
        self, db: AsyncSession, *, amount: int, description: str, return_url: str, now: datetime
    ) -> Charge: ...

    async def refund(self, db: AsyncSession, *, charge: str, amount: int, now: datetime) -> str: ...

    def verify(self, headers: Mapping[str, str], body: bytes, *, now: datetime) -> Notice: ...


SIGNATURE_HEADER = "sandbox-signature"
#: A notification signed longer ago than this is refused as a replay.
TOLERANCE_SECONDS = 300


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """``t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">``: the timestamp is signed too, so
    an old notification cannot be replayed with a fresh time."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def verify_signature(secret: str, header: str | None, body: bytes, *, now: datetime) -> None:
    if not header:
        raise SignatureRefused(N_("The notification is not signed."))
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    stamp = parts.get("t", "")
    if not stamp.isdigit() or "v1" not in parts:
        raise SignatureRefused(N_("The notification's signature is malformed."))
    expected = sign(secret, body, int(stamp)).split("v1=", 1)[1]
    if not hmac.compare_digest(expected.encode(), parts["v1"].encode("utf-8", "replace")):
        raise SignatureRefused(N_("The notification's signature does not match."))
    if abs(now.timestamp() - int(stamp)) > TOLERANCE_SECONDS:
        raise SignatureRefused(N_("The notification is too old: a replay is refused."))


def parse_notice(body: bytes) -> Notice:
    try:
        raw = orjson.loads(body)
        refund = raw.get("refund")
        return Notice(
            id=str(raw["id"]),
            type=NoticeType(raw["type"]),
            charge=str(raw["charge"]),
            amount=int(raw["amount"]),
            refund=str(refund) if refund is not None else None,
        )
    except (orjson.JSONDecodeError, KeyError, ValueError, TypeError, AttributeError):
        raise InvalidInput(N_("The notification is not one this gateway sends.")) from None


def notice_body(notice: Notice) -> bytes:
    return orjson.dumps(
        {
            "id": notice.id,
            "type": notice.type.value,
            "charge": notice.charge,
            "amount": notice.amount,
            "refund": notice.refund,
        }
    )
