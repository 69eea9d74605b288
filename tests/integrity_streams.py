"""Small hand-made event streams for the detector tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from sunlit.integrity.engine import run_detectors
from sunlit.integrity.model import Finding
from sunlit.integrity.reader import read_lines

T0 = datetime(2020, 4, 20, 12, 0, tzinfo=UTC)


class Events:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(
        self,
        type_: str,
        seconds: float,
        data: dict[str, Any],
        *,
        actor: str | None = None,
        session: str | None = "s-1",
    ) -> Events:
        ts = (T0 + timedelta(seconds=seconds)).isoformat(timespec="milliseconds")
        self.items.append(
            {
                "id": f"e-{len(self.items)}",
                "type": type_,
                "ts": ts,
                "session": session,
                "actor": actor,
                "data": data,
            }
        )
        return self

    def account(
        self,
        aid: str,
        *,
        days_old: float = 800,
        device: str | None = None,
        ip: str = "10.0.0.1",
        org: str | None = None,
    ) -> Events:
        created = (T0 - timedelta(days=days_old)).isoformat(timespec="milliseconds")
        return self.add(
            "account.registered",
            -days_old * 86400,
            {
                "created_at": created,
                "role": "consumer",
                "device": device or f"d-{aid}",
                "ip": ip,
                "phone_prefix": None,
                "org": org,
            },
            actor=aid,
            session=None,
        )

    def session(
        self,
        *,
        products: list[dict[str, Any]],
        partners: list[dict[str, Any]] | None = None,
        purpose: str = "助农直播",
        minutes: int = 60,
        sid: str = "s-1",
        official: str = "a-official",
        region: str = "341321",
        host_kind: str | None = None,  # Sunlit's addition: "producer" for a producer's own
    ) -> Events:
        self.add(
            "session.filed",
            -86400,
            {
                "official": official,
                "official_region": region,
                "scheduled_start": "",
                "scheduled_end": "",
                "products": [p["product"] for p in products],
                "partners": partners or [],
                "purpose": purpose,
                **({"host_kind": host_kind} if host_kind else {}),
            },
            actor=official,
            session=sid,
        )
        for p in products:
            data = {
                "name": p["product"],
                "category": "fruit",
                "origin_region": "341321",
                "producer": "合作社",
                "producer_kind": "cooperative",
                "price": 3000,
                "reference_price_low": 2500,
                "reference_price_high": 3500,
                "declared_cost": 2000,
                "stock": 1000,
                **p,
            }
            self.add("product.listed", -3600, data, session=sid)
        self.add("session.started", 0, {}, session=sid)
        self.add("session.ended", minutes * 60, {}, session=sid)
        return self

    def order(
        self,
        oid: str,
        buyer: str,
        product: str,
        seconds: float,
        *,
        amount: int = 3000,
        qty: int = 1,
        payment: str = "wallet",
        address: str | None = None,
        sid: str = "s-1",
        paid: bool = True,
        refunded: bool = False,
        complaint: str | None = None,
        region: str = "110105",
        device: str | None = None,
        ip: str = "10.0.0.1",
        shipped: bool = False,
    ) -> Events:
        self.add(
            "order.placed",
            seconds,
            {
                "order": oid,
                "product": product,
                "qty": qty,
                "unit_price": amount // qty,
                "amount": amount,
                "address": {"region": region, "detail_hash": address or f"h-{buyer}"},
                "device": device or f"d-{buyer}",
                "ip": ip,
                "payment_method": payment,
            },
            actor=buyer,
            session=sid,
        )
        if paid:
            self.add("order.paid", seconds + 30, {"order": oid}, session=sid)
        if shipped:
            self.add(
                "order.shipped",
                seconds + 86400,
                {"order": oid, "carrier": "sf"},
                session=sid,
            )
        if refunded:
            self.add(
                "order.refunded",
                seconds + 7200,
                {"order": oid, "amount": amount, "reason": "buyer"},
                session=sid,
            )
        if complaint:
            self.add(
                "complaint.filed",
                seconds + 86400 * 3,
                {"order": oid, "category": complaint, "text": "坏了"},
                actor=buyer,
                session=sid,
            )
        return self

    def lines(self) -> list[bytes]:
        return [orjson.dumps(e) + b"\n" for e in self.items]

    def findings(self, rule: str) -> list[Finding]:
        stream, _ = read_lines(self.lines())
        return [f for found in run_detectors(stream).values() for f in found if f.rule == rule]
