"""The guarantee fund pays first and recovers (先行赔付, ADR 0011): a refund after the producer
was paid comes from the fund at once, the producer's next payout gives it back, and the public
sees it in aggregate on /fund and /api/v1/fund. And never more back than paid: two refunds of
one payment at once, on both backends, one wins and the other is refused, changing nothing."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError

from sunlit.app import reactions as wiring
from sunlit.core.db import Database
from sunlit.core.errors import Conflict, InvalidInput, SunlitError
from sunlit.payments import ledger
from sunlit.payments import services as payments
from sunlit.payments.gateway import parse_notice
from sunlit.payments.sandbox import SandboxGateway
from sunlit.payments.tables import PaymentRow, RefundRow, SandboxChargeRow
from tests.support import START, LiveServer, sign_in
from tests.test_catalog_api import api_as, product_named
from tests.test_ledger import (
    SECRET,
    apply,
    placed_and_paid_at_the_gateway,
    queued_bodies,
)
from tests.test_orders import buy, pay_in_sandbox, trial_balance, wait_for
from tests.test_web import PASSWORD, client, events_of


def sold_and_paid_out(
    server: LiveServer, buyer: httpx.Client, key: str, qty: int
) -> dict[str, Any]:
    """An order of pears bought, paid, shipped, delivered and, after the holding period, paid
    out: the operator's payout run, as it answers."""
    pears = product_named(buyer, "砀山酥梨")
    order = buy(buyer, pears["id"], key, qty=qty).json()
    pay_in_sandbox(server, "buyer1", order["id"])
    wait_for(buyer, order["id"], "paid")
    with api_as(server, "farmer.dangshan") as farmer:
        shipped = farmer.post(f"/api/v1/orders/{order['id']}/shipment")
        assert shipped.status_code == 201, shipped.text
    assert buyer.post(f"/api/v1/orders/{order['id']}/deliver").json()["state"] == "delivered"
    server.clock.advance(timedelta(days=server.settings.payout_hold_days, minutes=1))
    with api_as(server, "operator") as operator:
        made = operator.post("/api/v1/payouts/run").json()
    wait_for(buyer, order["id"], "completed")
    return {"order": order, "payouts": made}


def fund_now(server: LiveServer) -> dict[str, int]:
    with client(server) as anyone:
        answer = anyone.get("/api/v1/fund")
    assert answer.status_code == 200, answer.text
    fund: dict[str, int] = answer.json()
    assert fund["balance"] == fund["contributions"] - fund["compensated"] + fund["recovered"]
    return fund


def test_the_fund_pays_a_refund_after_payout_and_the_next_payout_recovers_it(
    served: LiveServer,
) -> None:
    settings = served.settings
    with api_as(served, "buyer1") as buyer:
        before = fund_now(served)
        first = sold_and_paid_out(served, buyer, "fund-1", qty=2)
        order = first["order"]
        (payout,) = first["payouts"]
        amount = order["amount"]
        fee = amount * settings.platform_fee_bp // 10_000
        fund = amount * settings.guarantee_fund_bp // 10_000
        assert payout["amount"] == amount - fee - fund and payout["recovered"] == 0

        # The pears were rotten: the farmer (here; after-sales later) refunds half, after payout.
        half = amount // 2
        with api_as(served, "farmer.dangshan") as farmer:
            asked = farmer.post(
                f"/api/v1/orders/{order['id']}/refunds", json={"amount": half, "reason": "rotten"}
            )
            assert asked.status_code == 202, asked.text
        refunded = wait_refunded(buyer, order["id"], half)
        assert refunded["state"] == "completed"
        owed = ledger.owed_back(amount, fee, fund, 0, half)
        after_refund = fund_now(served)
        assert after_refund["compensations"] == before["compensations"] + 1
        assert after_refund["compensated"] == before["compensated"] + half
        assert after_refund["outstanding"] == before["outstanding"] + owed
        assert after_refund["recovered"] == before["recovered"]
        assert after_refund["balance"] == before["balance"] + fund - half

        # The farmer sees what it owes on its sales page, in yuan.
        with client(served, "en") as web:
            sign_in(web, "farmer.dangshan", PASSWORD)
            page = web.get("/producer/orders").text
        assert "Owed to the guarantee fund" in page
        assert f"¥{owed // 100:,}.{owed % 100:02d}" in page

        # The next sale's payout gives the fund back what is owed, and pays the rest.
        second = sold_and_paid_out(served, buyer, "fund-2", qty=3)
        (payout,) = second["payouts"]
        gross = second["order"]["amount"] - sum(
            ledger.fee_and_fund(
                second["order"]["amount"], settings.platform_fee_bp, settings.guarantee_fund_bp
            )
        )
        assert payout["recovered"] == min(owed, gross)
        assert payout["amount"] == gross - payout["recovered"]
        assert sum(line["amount"] for line in payout["lines"]) == payout["amount"]

    after = fund_now(served)
    assert after["recovered"] == before["recovered"] + payout["recovered"]
    assert after["outstanding"] == before["outstanding"] + owed - payout["recovered"]
    balances = trial_balance(served)
    assert balances["guarantee_fund"] == -after["balance"]
    assert balances["refunds"] == 0

    kinds = [(e.type, e.data) for e in events_of(served) if e.type.startswith("fund.")]
    (compensated,) = [data for kind, data in kinds if kind == "fund.compensated"]
    assert compensated["reference"] == order["id"] and compensated["amount"] == half
    assert compensated["owed"] == owed and compensated["producer"] == order["producer_id"]
    (recovered,) = [data for kind, data in kinds if kind == "fund.recovered"]
    assert recovered["payout"] == payout["id"] and recovered["amount"] == payout["recovered"]
    assert recovered["recoveries"] == [
        {"recovery": compensated["recovery"], "amount": payout["recovered"]}
    ]

    # The public page says it in words and in yuan, never in fen, in both languages.
    with client(served, "en") as web:
        english = web.get("/fund").text
    assert "Guarantee fund" in english and "pays the buyer first" in english
    yuan = after["recovered"]
    assert f"¥{yuan // 100:,}.{yuan % 100:02d}" in english
    with client(served) as web:
        chinese = web.get("/fund", headers={"Accept-Language": "zh-CN"}).text
    assert '<html lang="zh-Hans">' in chinese and f"¥{yuan // 100:,}.{yuan % 100:02d}" in chinese
    assert "基金现状" in chinese and "从农户扣回" in chinese  # the words in Chinese too


def wait_refunded(buyer: httpx.Client, order_id: str, amount: int) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while True:
        order: dict[str, Any] = buyer.get(f"/api/v1/orders/{order_id}").json()
        if order["refunded"] == amount or time.monotonic() > deadline:
            assert order["refunded"] == amount, order
            return order
        time.sleep(0.1)


async def test_two_refunds_of_one_payment_at_once_one_wins_and_the_other_changes_nothing(
    database: Database,
) -> None:
    wiring.connect()
    gateway = SandboxGateway(SECRET, max_delay_ms=0)
    _, order_id, (capture, _) = await placed_and_paid_at_the_gateway(database, gateway)
    await apply(database, gateway, capture, START)
    async with database.sessions() as db:
        (payment,) = await payments.payments_for(db, order_id)
    share = payment.amount * 7 // 10  # 70% each: both cannot go back
    notices = len(await queued_bodies(database))

    async def attempt() -> SunlitError | None:
        async with database.sessions() as db:
            await db.begin()
            mine = await db.get(PaymentRow, payment.id)
            assert mine is not None
            try:
                await payments.request_refund(
                    db, gateway, mine, share, reason="spoiled", by=None, now=START
                )
                await asyncio.sleep(0.05)  # the other attempt reaches the lock meanwhile
                await db.commit()
            except SunlitError as exc:
                await db.rollback()
                return exc
            return None

    outcomes = await asyncio.gather(attempt(), attempt())
    refused = [o for o in outcomes if o is not None]
    assert len(refused) == 1, outcomes
    # A clear error: what is left (another refund came first), or try again (SQLite).
    assert isinstance(refused[0], InvalidInput | Conflict)
    async with database.sessions() as db:
        row = await db.get(PaymentRow, payment.id)
        refunds = (await db.scalars(select(RefundRow))).all()
        charge = await db.get(SandboxChargeRow, payment.gateway_ref)
        assert row is not None and charge is not None
        assert [r.amount for r in refunds] == [share]
        assert row.refund_pending == share and row.refunded == 0
        assert charge.refunded == share
        assert await payments.refundable(db, row) == payment.amount - share
    bodies = await queued_bodies(database)
    assert len(bodies) == notices + 2  # one refund's notice, sent twice
    assert {parse_notice(b.encode()).amount for b in bodies[notices:]} == {share}


async def test_the_database_refuses_refunds_adding_up_to_more_than_paid(
    database: Database,
) -> None:
    wiring.connect()
    gateway = SandboxGateway(SECRET, max_delay_ms=0)
    _, order_id, (capture, _) = await placed_and_paid_at_the_gateway(database, gateway)
    await apply(database, gateway, capture, START)

    with pytest.raises(DBAPIError, match="pending_within_amount"):
        async with database.transaction() as db:
            await db.execute(
                update(PaymentRow)
                .where(PaymentRow.reference == order_id)
                .values(refund_pending=PaymentRow.amount, refunded=1)
            )
    async with database.sessions() as db:
        (payment,) = await payments.payments_for(db, order_id)
        count = await db.scalar(select(func.count()).select_from(RefundRow))
    assert payment.refund_pending == 0 and payment.refunded == 0 and count == 0
