"""The double-entry ledger: its arithmetic (postings balance, refunds in parts take back
exactly the fee and the fund, cooperative splits), the rules the database itself enforces on
both backends, and a property test (on both backends) that drives orders, payments, late and
doubled gateway notifications, expiry, cancellations, refunds and payouts in random
interleavings and checks after every step that the money and the stock still add up, against
the test's own model of the money (docs/payments.md, "Rounding")."""

from __future__ import annotations

import asyncio
import functools
import secrets
import sqlite3
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.tables import AccountRow
from sunlit.app import reactions as wiring
from sunlit.catalog.tables import InspectionRow, ProducerRow, ProductRow
from sunlit.core.db import Database
from sunlit.core.errors import Conflict, InvalidInput, PermissionDenied
from sunlit.core.eventlog.tables import EventRow
from sunlit.core.files.tables import StoredFileRow
from sunlit.core.ids import new_id
from sunlit.fulfilment.shipments import services as shipments
from sunlit.fulfilment.shipments.sandbox import SandboxCarrier
from sunlit.orders import services as orders
from sunlit.orders import views as order_views
from sunlit.orders.desk import DeskRules, serve
from sunlit.orders.model import HOLDS_STOCK, BuyRequest, OrderState, PaymentMethod, Refusal
from sunlit.orders.tables import OrderRow
from sunlit.payments import ledger
from sunlit.payments import services as payments
from sunlit.payments.gateway import SIGNATURE_HEADER, NoticeType, parse_notice, sign
from sunlit.payments.sandbox import SandboxGateway
from sunlit.payments.store import open_account, post, trial_balance
from sunlit.payments.tables import (
    FundRecoveryRow,
    LedgerAccountRow,
    LedgerEntryRow,
    LedgerTransactionRow,
    PaymentRow,
    PayoutLineRow,
    PayoutRow,
    PayoutShareRow,
    RefundRow,
    SandboxChargeRow,
    SandboxWebhookRow,
    WebhookReceiptRow,
)
from tests.conftest import _pg_admin as pg_admin
from tests.conftest import _pg_url as pg_url
from tests.support import START, settings_for

T = TypeVar("T")

# --- the arithmetic ----------------------------------------------------------------------

AMOUNTS = st.integers(1, 10**9)
RATES = st.integers(0, 5000)  # the settings allow 0 to 50% each for the fee and the fund


def total(posting: ledger.Posting) -> int:
    return sum(amount for _, amount in posting.lines)


def balance_of(posting: ledger.Posting, account: str) -> int:
    return sum(amount for name, amount in posting.lines if name == account)


@given(AMOUNTS, RATES, RATES)
def test_a_capture_owes_the_producer_what_the_fee_and_fund_leave(
    amount: int, fee_bp: int, fund_bp: int
) -> None:
    fee, fund = ledger.fee_and_fund(amount, fee_bp, fund_bp)
    assert fee == amount * fee_bp // 10_000 and fund == amount * fund_bp // 10_000
    posting = ledger.capture("pay-1", "p-1", amount, fee, fund)
    assert total(posting) == 0
    assert balance_of(posting, ledger.CONSUMER_PAYMENTS) == amount
    assert balance_of(posting, ledger.payable("p-1")) == -(amount - fee - fund)
    assert balance_of(posting, ledger.PLATFORM_FEE) == -fee
    assert balance_of(posting, ledger.GUARANTEE_FUND) == -fund
    assert all(value != 0 for _, value in posting.lines)


@given(st.data(), AMOUNTS, RATES, RATES)
def test_refunds_in_any_number_of_parts_take_back_exactly_the_fee_and_fund(
    data: st.DataObject, amount: int, fee_bp: int, fund_bp: int
) -> None:
    fee, fund = ledger.fee_and_fund(amount, fee_bp, fund_bp)
    cuts: list[int] = []
    if amount > 1:
        cuts = sorted(set(data.draw(st.lists(st.integers(1, amount - 1), max_size=15))))
    parts = [end - start for start, end in zip([0, *cuts], [*cuts, amount], strict=True)]
    refunded = producer_back = fee_back = fund_back = 0
    for part in parts:
        back = ledger.reversal(amount, fee, fund, refunded, part)
        assert back.producer + back.fee + back.fund == part
        posting = ledger.refund_before_payout("rf-1", "p-1", part, back)
        assert total(posting) == 0
        assert balance_of(posting, ledger.REFUNDS) == 0  # a clearing account
        assert balance_of(posting, ledger.CONSUMER_PAYMENTS) == -part
        refunded += part
        producer_back += back.producer
        fee_back += back.fee
        fund_back += back.fund
        # However the refund was cut, what came back so far is what one refund would take.
        assert (producer_back, fee_back, fund_back) == tuple(
            getattr(ledger.reversal(amount, fee, fund, 0, refunded), name)
            for name in ("producer", "fee", "fund")
        )
        assert 0 <= fee_back <= fee and 0 <= fund_back <= fund
        assert ledger.producer_share(amount, fee, fund, refunded) == (
            amount - fee - fund - producer_back
        )
    assert (fee_back, fund_back, producer_back) == (fee, fund, amount - fee - fund)
    assert ledger.producer_share(amount, fee, fund, amount) == 0


@given(AMOUNTS)
def test_a_refund_after_payout_comes_from_the_guarantee_fund(amount: int) -> None:
    posting = ledger.refund_after_payout("rf-1", amount)
    assert total(posting) == 0
    assert balance_of(posting, ledger.GUARANTEE_FUND) == amount
    assert balance_of(posting, ledger.CONSUMER_PAYMENTS) == -amount
    assert not any(name.startswith("payable:") for name, _ in posting.lines)


@given(st.data(), AMOUNTS, RATES, RATES)
def test_a_producer_owes_back_its_part_of_a_refund_after_payout(
    data: st.DataObject, amount: int, fee_bp: int, fund_bp: int
) -> None:
    fee, fund = ledger.fee_and_fund(amount, fee_bp, fund_bp)
    before = data.draw(st.integers(0, amount - 1))
    refund = data.draw(st.integers(1, amount - before))
    owed = ledger.owed_back(amount, fee, fund, before, refund)
    back = ledger.reversal(amount, fee, fund, before, refund)
    # What a refund before payout would have taken from the payable (never below 0, never
    # more than the refund: the fund bears the fee and its own share of it).
    assert owed == max(0, back.producer) and 0 <= owed <= refund
    # A whole refund after payout: the producer owes back all it was paid, no more.
    assert ledger.owed_back(amount, fee, fund, 0, amount) == amount - fee - fund


@given(
    st.integers(0, 10**9),
    st.lists(st.integers(1, 10**8), max_size=6),
)
def test_a_payout_recovers_the_oldest_first_and_never_more_than_it_or_the_debt(
    gross: int, owed: list[int]
) -> None:
    outstanding = [(f"fr-{n}", value) for n, value in enumerate(owed)]
    taken = ledger.recover(gross, outstanding)
    recovered = sum(take for _, take in taken)
    assert recovered == min(gross, sum(owed))
    # Oldest first: every recovery but the last one reached is taken in full.
    assert [r for r, _ in taken] == [r for r, _ in outstanding[: len(taken)]]
    for (recovery, take), (_, due) in zip(taken, outstanding, strict=False):
        assert 0 < take <= due
        if recovery != taken[-1][0]:
            assert take == due
    lines = ledger.split(gross - recovered, "p-coop", {"p-m1": MEMBER_BP})
    if gross:
        posting = ledger.payout("po-1", "p-coop", lines, recovered)
        assert total(posting) == 0
        assert balance_of(posting, ledger.payable("p-coop")) == gross
        assert balance_of(posting, ledger.GUARANTEE_FUND) == -recovered
        payees = balance_of(posting, ledger.payee("p-coop")) + balance_of(
            posting, ledger.payee("p-m1")
        )
        assert payees == -(gross - recovered)


def test_a_payout_that_only_recovers_pays_no_one() -> None:
    assert ledger.recover(500, [("fr-1", 300), ("fr-2", 400)]) == [("fr-1", 300), ("fr-2", 200)]
    posting = ledger.payout("po-1", "p-1", [], 500)
    assert posting.lines == ((ledger.payable("p-1"), 500), (ledger.GUARANTEE_FUND, -500))
    assert posting.memo == "payout, less what the guarantee fund recovers"
    with pytest.raises(ValueError, match="positive"):
        ledger.recover(100, [("fr-1", 0)])
    with pytest.raises(ledger.Unbalanced):
        ledger.payout("po-1", "p-1", [("p-1", -5)], 10)


MEMBERS = st.dictionaries(
    st.from_regex(r"p-m[0-9a-z]{1,6}", fullmatch=True), st.integers(1, 10_000), max_size=8
).filter(lambda shares: sum(shares.values()) <= 10_000)


@given(st.integers(0, 10**9), MEMBERS)
def test_a_split_adds_up_and_gives_each_member_its_share(
    amount: int, shares: dict[str, int]
) -> None:
    lines = ledger.split(amount, "p-coop", shares)
    assert sum(value for _, value in lines) == amount
    assert all(value > 0 for _, value in lines)
    got = dict(lines)
    assert len(got) == len(lines)  # each payee once
    for member, bp in shares.items():
        exact, rest = divmod(amount * bp, 10_000)
        # A member gets its exact share, rounded down or (largest remainder first) up.
        assert got.get(member, 0) in ((exact,) if rest == 0 else (exact, exact + 1))
    own = amount * (10_000 - sum(shares.values())) // 10_000
    assert got.get("p-coop", 0) >= own
    if amount > 0:
        posting = ledger.payout("po-1", "p-coop", lines)
        assert total(posting) == 0
        assert balance_of(posting, ledger.payable("p-coop")) == amount
        assert sum(balance_of(posting, ledger.payee(who)) for who in got) == -amount


def test_a_split_goes_to_the_largest_remainders_first() -> None:
    # 100 fen in thirds: 33.33 each; the leftover fen goes to the first by remainder, then name.
    assert ledger.split(100, "p-coop", {"p-a": 3333, "p-b": 3333, "p-c": 3334}) == [
        ("p-a", 33),
        ("p-b", 33),
        ("p-c", 34),
    ]
    # 2.5 and 7.5 of 10: the member's remainder wins, the cooperative keeps the rest.
    assert ledger.split(10, "p-coop", {"p-a": 2500}) == [("p-coop", 7), ("p-a", 3)]
    with pytest.raises(ValueError, match="more than 100%"):
        ledger.split(100, "p-coop", {"p-a": 6000, "p-b": 5000})


@pytest.mark.parametrize(
    "lines",
    [
        ((ledger.CONSUMER_PAYMENTS, 100), (ledger.PLATFORM_FEE, -99)),
        ((ledger.CONSUMER_PAYMENTS, 100),),
        (),
        ((ledger.CONSUMER_PAYMENTS, 100), (ledger.PLATFORM_FEE, -100), (ledger.REFUNDS, 0)),
    ],
)
def test_a_posting_refuses_lines_that_do_not_balance(
    lines: tuple[tuple[str, int], ...],
) -> None:
    with pytest.raises(ledger.Unbalanced):
        ledger.Posting(ledger.PostingKind.CAPTURE, "pay-1", "test", lines)


# --- the rules in the database (SQLite and PostgreSQL) -----------------------------------


async def add_account(db: AsyncSession, username: str, role: str) -> AccountRow:
    row = AccountRow(
        id=new_id("a"),
        username=username,
        display_name=username,
        role=role,
        password_hash="not-a-hash",
        created_at=START,
    )
    db.add(row)
    await db.flush()
    return row


async def add_producer(
    db: AsyncSession, manager: str | None, kind: str = "cooperative", coop: str | None = None
) -> ProducerRow:
    row = ProducerRow(
        id=new_id("p"),
        kind=kind,
        name=f"producer {new_id('n')}",
        region="341321",
        account_id=manager,
        cooperative_id=coop,
        verification="verified",
        created_at=START,
    )
    db.add(row)
    await db.flush()
    return row


async def write_raw(db: AsyncSession, transaction: str, lines: list[tuple[str, int]]) -> None:
    """What a careless writer would do: entries, then the header, with no Posting checks."""
    if lines:
        await db.execute(
            insert(LedgerEntryRow),
            [{"transaction_id": transaction, "account_id": a, "amount": v} for a, v in lines],
        )
    await db.execute(
        insert(LedgerTransactionRow).values(
            id=transaction, kind="capture", reference=None, memo="raw", created_at=START
        )
    )


async def house_accounts(database: Database) -> str:
    """The platform's accounts, and a producer (run by a farmer) to owe money to."""
    async with database.transaction() as db:
        for account in (ledger.CONSUMER_PAYMENTS, ledger.PLATFORM_FEE, ledger.GUARANTEE_FUND):
            await open_account(db, account, now=START)
        farmer = await add_account(db, "farmer.x", "farmer")
        producer: str = (await add_producer(db, farmer.id)).id
        return producer


async def entry_count(database: Database) -> int:
    async with database.sessions() as db:
        return int(await db.scalar(select(func.count()).select_from(LedgerEntryRow)) or 0)


@pytest.mark.parametrize(
    "lines",
    [
        [(ledger.CONSUMER_PAYMENTS, 100), (ledger.PLATFORM_FEE, -99)],
        [(ledger.CONSUMER_PAYMENTS, 100), (ledger.PLATFORM_FEE, -100), (ledger.REFUNDS, 1)],
        [(ledger.CONSUMER_PAYMENTS, 0), (ledger.PLATFORM_FEE, 0)],
        [(ledger.CONSUMER_PAYMENTS, 100)],
        [],
    ],
    ids=["off-by-one", "three-lines-off", "zeros", "one-line", "no-lines"],
)
async def test_the_database_refuses_a_transaction_that_does_not_balance(
    database: Database, lines: list[tuple[str, int]]
) -> None:
    await house_accounts(database)
    async with database.transaction() as db:
        await open_account(db, ledger.REFUNDS, now=START)
    with pytest.raises(DBAPIError, match=r"does not balance|amount_not_zero"):
        async with database.transaction() as db:
            await write_raw(db, "lt-raw1", lines)
    assert await entry_count(database) == 0
    async with database.sessions() as db:
        assert (await trial_balance(db)).lines == []
        assert await db.get(LedgerTransactionRow, "lt-raw1") is None
    # The same writer with balanced lines gets through: the refusal was about the balance.
    async with database.transaction() as db:
        await write_raw(
            db, "lt-raw2", [(ledger.CONSUMER_PAYMENTS, 100), (ledger.PLATFORM_FEE, -100)]
        )
    async with database.sessions() as db:
        trial = await trial_balance(db)
    assert trial.balanced and trial.debits == 100 and trial.balance(ledger.PLATFORM_FEE) == -100


async def test_unbalanced_entries_are_refused_when_their_header_is_written(
    database: Database,
) -> None:
    await house_accounts(database)
    async with database.transaction() as db:
        await db.execute(
            insert(LedgerEntryRow),
            [
                {"transaction_id": "lt-raw", "account_id": ledger.CONSUMER_PAYMENTS, "amount": 100},
                {"transaction_id": "lt-raw", "account_id": ledger.PLATFORM_FEE, "amount": -99},
            ],
        )
        with pytest.raises(DBAPIError, match="does not balance"):
            await db.execute(
                insert(LedgerTransactionRow).values(
                    id="lt-raw", kind="capture", reference=None, memo="raw", created_at=START
                )
            )
        await db.rollback()
    assert await entry_count(database) == 0


async def test_ledger_entries_and_transactions_cannot_be_changed_or_deleted(
    database: Database,
) -> None:
    producer = await house_accounts(database)
    async with database.transaction() as db:
        posted = await post(db, ledger.capture("pay-1", producer, 1000, 10, 20), now=START)
    changes = [
        update(LedgerEntryRow).where(LedgerEntryRow.transaction_id == posted).values(amount=1),
        update(LedgerEntryRow)
        .where(LedgerEntryRow.account_id == ledger.PLATFORM_FEE)
        .values(account_id=ledger.GUARANTEE_FUND),
        delete(LedgerEntryRow).where(LedgerEntryRow.account_id == ledger.PLATFORM_FEE),
        update(LedgerTransactionRow).values(memo="edited"),
        delete(LedgerTransactionRow),
    ]
    for change in changes:
        with pytest.raises(DBAPIError, match="append-only"):
            async with database.transaction() as db:
                await db.execute(change)
    async with database.sessions() as db:
        trial = await trial_balance(db)
        header = await db.get(LedgerTransactionRow, posted)
    assert header is not None and header.memo == "payment captured"
    assert trial.balanced and trial.debits == 1000
    assert trial.balance(ledger.PLATFORM_FEE) == -10
    assert trial.balance(ledger.GUARANTEE_FUND) == -20


async def test_no_entry_joins_a_transaction_already_posted(database: Database) -> None:
    producer = await house_accounts(database)
    async with database.transaction() as db:
        posted = await post(db, ledger.capture("pay-1", producer, 1000, 10, 20), now=START)
    # Even a balanced pair of extra lines is refused: the posting is sealed.
    for lines in (
        [(ledger.PLATFORM_FEE, 5)],
        [(ledger.PLATFORM_FEE, 5), (ledger.GUARANTEE_FUND, -5)],
    ):
        with pytest.raises(DBAPIError, match="already posted"):
            async with database.transaction() as db:
                await db.execute(
                    insert(LedgerEntryRow),
                    [{"transaction_id": posted, "account_id": a, "amount": v} for a, v in lines],
                )
    assert await entry_count(database) == 4
    async with database.sessions() as db:
        assert (await trial_balance(db)).balance(ledger.PLATFORM_FEE) == -10


async def test_no_ledger_account_can_belong_to_an_official(database: Database) -> None:
    async with database.transaction() as db:
        official = await add_account(db, "official.x", "official")
        farmer = await add_account(db, "farmer.x", "farmer")
        run_by_official = await add_producer(db, official.id)
        run_by_farmer = await add_producer(db, farmer.id)
    # The truth about the owner is refused; so is a lie about its role.
    for owner_role, refusal in (("official", "never_official"), ("farmer", r"(?i)foreign key")):
        with pytest.raises(DBAPIError, match=refusal):
            async with database.transaction() as db:
                db.add(
                    LedgerAccountRow(
                        id=ledger.payee(run_by_official.id),
                        kind="payee",
                        producer_id=run_by_official.id,
                        owner_account=official.id,
                        owner_role=owner_role,
                        created_at=START,
                    )
                )
    # Sunlit's own writer says so before the database has to.
    with pytest.raises(PermissionDenied):
        async with database.transaction() as db:
            await open_account(db, ledger.payable(run_by_official.id), now=START)
    async with database.transaction() as db:
        await open_account(db, ledger.payee(run_by_farmer.id), now=START)
    async with database.sessions() as db:
        opened = (await db.scalars(select(LedgerAccountRow))).all()
    assert [(row.id, row.owner_account, row.owner_role) for row in opened] == [
        (ledger.payee(run_by_farmer.id), farmer.id, "farmer")
    ]


async def test_the_owner_of_a_payee_account_cannot_become_an_official(database: Database) -> None:
    async with database.transaction() as db:
        farmer = await add_account(db, "farmer.x", "farmer")
        producer = await add_producer(db, farmer.id)
        await open_account(db, ledger.payee(producer.id), now=START)
    with pytest.raises(DBAPIError, match="never_official"):
        async with database.transaction() as db:
            await db.execute(
                update(AccountRow).where(AccountRow.id == farmer.id).values(role="official")
            )
    async with database.sessions() as db:
        unchanged = await db.get(AccountRow, farmer.id)
    assert unchanged is not None and unchanged.role == "farmer"
    # Another role change goes through, and the ledger account follows it.
    async with database.transaction() as db:
        await db.execute(
            update(AccountRow).where(AccountRow.id == farmer.id).values(role="operator")
        )
    async with database.sessions() as db:
        account = await db.get(LedgerAccountRow, ledger.payee(producer.id))
    assert account is not None and account.owner_role == "operator"


async def test_entries_without_a_transaction_header_cannot_be_committed(
    database: Database,
) -> None:
    await house_accounts(database)
    try:
        async with database.transaction() as db:
            await db.execute(
                insert(LedgerEntryRow).values(
                    transaction_id="lt-orphan", account_id=ledger.PLATFORM_FEE, amount=-500
                )
            )
    except DBAPIError:
        pass
    async with database.sessions() as db:
        trial = await trial_balance(db)
    assert trial.balanced, "half a posting was committed and unbalanced the ledger"


# --- orders, payments and the ledger in random interleavings (SQLite) --------------------

STOCK = 4
LIMIT = 3
PRICE = 1_234
HOLD_DAYS = 1
RULES = DeskRules(expiry_minutes=15, default_limit=LIMIT, secret="ledger-test-secret")
FEE_BP, FUND_BP = 100, 200  # the rates the market runs at
MEMBER_BP = 3000  # the cooperative's one member household's payout share
RATES_USED = payments.Rates(fee_bp=FEE_BP, fund_bp=FUND_BP)
SECRET = "ledger-test-webhook-secret"


@dataclass
class World:
    farmer: str
    buyers: list[str]
    cooperative: str
    member: str
    product: str


async def build_world(db: AsyncSession) -> World:
    farmer = await add_account(db, "farmer.coop", "farmer")
    buyers = [(await add_account(db, f"buyer{n}", "consumer")).id for n in range(3)]
    cooperative = await add_producer(db, farmer.id)
    member = await add_producer(db, None, kind="household", coop=cooperative.id)
    db.add(PayoutShareRow(cooperative_id=cooperative.id, member_id=member.id, share_bp=MEMBER_BP))
    product = ProductRow(
        id=new_id("pr"),
        producer_id=cooperative.id,
        name_zh="砀山酥梨",
        name_en="Dangshan pears",
        kind="pear",
        category="fruit",
        origin_region="341321",
        unit="jin",
        price=PRICE,
        stock=STOCK,
        description_zh="",
        description_en="",
        story_zh="",
        story_en="",
        created_at=START,
        updated_at=START,
    )
    db.add(product)
    await db.flush()
    await add_certificate(db, product.id, farmer.id)
    return World(farmer.id, buyers, cooperative.id, member.id, product.id)


async def add_certificate(db: AsyncSession, product: str, by: str) -> None:
    """A compliance certificate valid for years around ``START``: without a valid quality
    document a product cannot be bought (docs/quality.md)."""
    sha = "c" * 64
    if await db.get(StoredFileRow, sha) is None:
        db.add(StoredFileRow(sha256=sha, content_type="application/pdf", size=1, created_at=START))
        await db.flush()
    db.add(
        InspectionRow(
            id=new_id("i"),
            product_id=product,
            kind="compliance_certificate",
            issuer="砀山县农业农村局",
            issued_on=START.date() - timedelta(days=365),
            expires_on=START.date() + timedelta(days=10 * 365),
            sha256=sha,
            file_name="certificate.pdf",
            uploaded_by=by,
            created_at=START,
        )
    )
    await db.flush()


def buy_request(world: World, buyer: int, key: str, qty: int) -> BuyRequest:
    return BuyRequest(
        buyer=world.buyers[buyer],
        product=world.product,
        qty=qty,
        idempotency_key=key,
        digest=f"{world.product}|{qty}",
        session=None,
        address_region="110105",
        address_detail="建国路 88 号",
        recipient="李梅",
        phone="13800138000",
        payment_method=PaymentMethod.WALLET,
        device="d",
        ip="127.0.0.1",
    )


def copy_sqlite(template: Path, target: Path) -> str:
    source, destination = sqlite3.connect(template), sqlite3.connect(target)
    source.backup(destination)
    source.close()
    destination.close()
    return f"sqlite+aiosqlite:///{target}"


@dataclass
class Databases:
    """A fresh migrated database for each example of the state machine, on one backend: a copy
    of the SQLite template file, or a PostgreSQL database made from the template database."""

    backend: str
    template: str  # the SQLite file, or the PostgreSQL template database's name
    folder: Path

    def fresh(self) -> str:
        if self.backend == "sqlite":
            return copy_sqlite(Path(self.template), self.folder / f"{new_id('db')}.db")
        name = f"sunlit_m_{secrets.token_hex(5)}"
        pg_admin(f"CREATE DATABASE {name} TEMPLATE {self.template}")
        return pg_url(name)

    def drop(self, url: str) -> None:
        if self.backend == "postgres":
            name = make_url(url).database
            pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@dataclass
class PaymentModel:
    """What the ledger should say about one captured payment, from docs/payments.md ("Rounding")
    in plain integer arithmetic, never from the code under test: the fee and the fund are the
    payment's basis points rounded down; a refund before payout takes back the fee and fund in
    proportion to the total refunded so far, rounded down (so parts add up to the whole); a refund
    after payout comes from the guarantee fund, and the producer owes back the part of it a
    refund before payout would have taken from its payable (ADR 0011)."""

    amount: int
    before: int = 0  # refunded before its payout
    after: int = 0  # refunded after it
    owed_back: int = 0  # what the producer owes the fund for the refunds after it
    paid_out: bool = False

    def refund_after(self, refund: int) -> None:
        """A refund after payout: the producer's part of it, with the fee's and the fund's
        shares of it (cumulative, rounded down) left with the fund."""
        done = self.before + self.after
        fee_part = self.fee * (done + refund) // self.amount - self.fee * done // self.amount
        fund_part = self.fund * (done + refund) // self.amount - self.fund * done // self.amount
        self.owed_back += max(0, refund - fee_part - fund_part)
        self.after += refund

    @property
    def fee(self) -> int:
        return self.amount * FEE_BP // 10_000

    @property
    def fund(self) -> int:
        return self.amount * FUND_BP // 10_000

    @property
    def fee_kept(self) -> int:
        return self.fee - self.fee * self.before // self.amount

    @property
    def fund_kept(self) -> int:
        return self.fund - self.fund * self.before // self.amount

    @property
    def owed(self) -> int:
        """What the producer is owed for it: what the buyer kept paid, less the fee and fund."""
        return self.amount - self.before - self.fee_kept - self.fund_kept


def member_part(payout: int) -> int:
    """The member household's part of a payout (largest remainder: with one member, the
    cooperative keeps its share rounded down and the member gets the rest)."""
    return payout - payout * (10_000 - MEMBER_BP) // 10_000


def having(*what: str) -> Callable[[Market], bool]:
    """Whether there is something of these kinds to act on."""
    return lambda machine: any(machine.seen[name] for name in what)


def acting_on(*what: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """A rule that does nothing when there is nothing of these kinds to act on. Not a hypothesis
    precondition: what there is depends on the database (ids are random, so equal inputs may
    order two rows either way), and a precondition that reads it made the choice of the next
    rule differ between replays of one example (FlakyStrategyDefinition in CI, twice)."""

    def wrap(rule_body: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(rule_body)
        def run(machine: Market, *args: Any, **kwargs: Any) -> None:
            if having(*what)(machine):
                rule_body(machine, *args, **kwargs)

        return run

    return wrap


class Market(RuleBasedStateMachine):
    """One product, three buyers, one cooperative; every step in its own transaction, the way
    separate requests and background jobs would run them."""

    databases: Databases

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.url = self.databases.fresh()
        self.database = Database(settings_for(self.url))
        self.gateway = SandboxGateway(SECRET, max_delay_ms=0, seed=7)
        self.carrier = SandboxCarrier(SECRET, step_seconds=3600, console_delay_ms=0, seed=7)
        self.now = START
        self.keys: list[tuple[int, str, int]] = []  # (buyer, key, qty) of earlier requests
        self.orders_by_key: dict[str, str | None] = {}
        self.world: World
        # What there is to act on, as the last check saw it: order states and notices.
        self.seen: Counter[str] = Counter()
        self.labels: dict[str, tuple[int, str, str, int]] = {}
        self.checks = 0
        # The test's own model of the money: each captured payment, what was paid to each payee.
        self.model: dict[str, PaymentModel] = {}
        self.paid_to: Counter[str] = Counter()
        self.debt = 0  # what the cooperative owes the guarantee fund, as the model counts it
        self.recovered = 0  # what its payouts gave back to the fund
        self.held: set[str] = set()  # payments after-sales holds out of payouts
        self.raced = 0  # concurrent refund pairs tried

    def run(self, work: Awaitable[T]) -> T:
        return self.loop.run_until_complete(work)

    def teardown(self) -> None:
        self.run(self.database.dispose())
        self.loop.close()
        self.databases.drop(self.url)

    @initialize()
    def open_the_market(self) -> None:
        async def seed() -> World:
            async with self.database.transaction() as db:
                return await build_world(db)

        self.world = self.run(seed())

    async def pick(self, db: AsyncSession, query: Any, index: int) -> Any:
        rows = (await db.scalars(query)).all()
        return rows[index % len(rows)] if rows else None

    def in_order(self, notices: Any) -> list[SandboxWebhookRow]:
        """Notices in a replayable order: ids are random, so by the label given to each when
        it first appeared (two copies of one event share a label, and are interchangeable)."""
        return sorted(notices, key=lambda row: self.labels[row.id])

    async def orders_in(self, db: AsyncSession, index: int, *states: OrderState) -> Any:
        query = select(OrderRow).where(OrderRow.state.in_([s.value for s in states]))
        return await self.pick(db, query.order_by(OrderRow.idempotency_key), index)

    async def account(self, db: AsyncSession, account_id: str) -> AccountRow:
        row = await db.get(AccountRow, account_id)
        assert row is not None
        return row

    # --- what people and jobs do ---------------------------------------------------------

    @rule(
        wanted=st.lists(st.tuples(st.integers(0, 2), st.integers(1, 3)), min_size=1, max_size=2),
        replay=st.none() | st.integers(0, 100),
    )
    @acting_on("stock")
    def buyers_order(self, wanted: list[tuple[int, int]], replay: int | None) -> None:
        requests = []
        for buyer, qty in wanted:
            self.keys.append((buyer, f"key-{len(self.keys)}", qty))
            requests.append(self.keys[-1])
        if replay is not None:  # the same request again, with the same key
            requests.append(self.keys[replay % len(self.keys)])

        async def place() -> None:
            asked = [buy_request(self.world, *r) for r in requests]
            async with self.database.transaction() as db:
                placed = await serve(db, asked, RULES, self.now)
            assert len(placed) == len(requests)
            for (_, key, _), outcome in zip(requests, placed, strict=True):
                if self.orders_by_key.get(key):  # the same request again: the same order
                    assert outcome.replayed and outcome.order is not None
                    assert outcome.order.id == self.orders_by_key[key]
                elif outcome.order is None:
                    assert outcome.refusal in (Refusal.SOLD_OUT, Refusal.OVER_LIMIT)
                self.orders_by_key[key] = outcome.order.id if outcome.order else None

        self.run(place())

    @rule(index=st.integers(0, 100), decision=st.sampled_from([True, True, False, None]))
    @acting_on("placed")
    def buyer_pays(self, index: int, decision: bool | None) -> None:
        """Start paying a placed order, then pay or decline on the pay page (or walk away)."""

        async def pay() -> None:
            async with self.database.transaction() as db:
                order = await self.orders_in(db, index, OrderState.PLACED)
                if order is None:
                    return
                payment = await payments.start_charge(
                    db,
                    self.gateway,
                    reference=order.id,
                    payer=order.buyer_id,
                    producer=order.producer_id,
                    amount=order.amount,
                    description=f"order {order.id}",
                    return_url=f"/orders/{order.id}",
                    now=self.now,
                )
                charge = await self.gateway.charge(db, payment.gateway_ref)
                if decision is not None and charge.state == "pending":
                    await self.gateway.decide(db, charge.ref, pay=decision, now=self.now)

        self.run(pay())

    async def deliver(self, row: SandboxWebhookRow) -> None:
        body = row.body.encode()
        headers = {SIGNATURE_HEADER: sign(SECRET, body, int(self.now.timestamp()))}
        notice = self.gateway.verify(headers, body, now=self.now)
        assert notice == parse_notice(body)
        try:
            async with self.database.transaction() as db:
                seen = await db.get(WebhookReceiptRow, notice.id) is not None
                outcome = await payments.handle_notice(
                    db, self.gateway, notice, rates=RATES_USED, now=self.now
                )
                assert outcome is (payments.Outcome.DUPLICATE if seen else payments.Outcome.APPLIED)
                fresh = await db.get(SandboxWebhookRow, row.id)
                assert fresh is not None
                fresh.delivered_at = self.now
        except Conflict:  # a refund before its capture: the gateway sends it again later
            assert notice.type is NoticeType.REFUND_SUCCEEDED

    @rule(index=st.integers(0, 100))
    @acting_on("notice:waiting")
    def gateway_delivers_a_notice(self, index: int) -> None:
        self.deliver_one(index, again=False)

    @rule(index=st.integers(0, 100))
    @acting_on("notice:delivered")
    def gateway_delivers_a_copy_again(self, index: int) -> None:
        self.deliver_one(index, again=True)

    def deliver_one(self, index: int, *, again: bool) -> None:
        """One copy of a notice: a waiting one, or one already delivered (a replay)."""

        async def deliver() -> None:
            async with self.database.sessions() as db:
                done = SandboxWebhookRow.delivered_at.is_not(None)
                query = select(SandboxWebhookRow).where(done if again else ~done)
                rows = self.in_order((await db.scalars(query)).all())
            if rows:
                await self.deliver(rows[index % len(rows)])

        self.run(deliver())

    @rule()
    @acting_on("notice:waiting")
    def gateway_delivers_everything_newest_first(self) -> None:
        async def deliver() -> None:
            async with self.database.sessions() as db:
                query = select(SandboxWebhookRow).where(SandboxWebhookRow.delivered_at.is_(None))
                rows = self.in_order((await db.scalars(query)).all())
            for row in reversed(rows):
                await self.deliver(row)

        self.run(deliver())

    @rule(minutes=st.sampled_from([1, 5, 16]))
    @acting_on("placed")
    def time_passes_and_unpaid_orders_expire(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

        async def sweep() -> None:
            async with self.database.transaction() as db:
                await orders.expire_due(db, now=self.now)
            async with self.database.sessions() as db:
                overdue = select(func.count()).where(
                    OrderRow.state == OrderState.PLACED.value, OrderRow.expires_at <= self.now
                )
                assert await db.scalar(overdue) == 0

        self.run(sweep())

    @rule(index=st.integers(0, 100))
    @acting_on("placed", "paid")
    def buyer_cancels(self, index: int) -> None:
        async def cancel() -> None:
            async with self.database.sessions() as db:
                order = await self.orders_in(db, index, OrderState.PLACED, OrderState.PAID)
                if order is None:
                    return
                buyer = await self.account(db, order.buyer_id)
                state = order.state
                try:
                    refund = await orders.do_cancel(
                        db, self.gateway, buyer, order, reason="", now=self.now
                    )
                except Conflict:
                    await db.rollback()
                    assert state == OrderState.PAID  # a refund is already on its way
                    return
                await db.commit()
            if state == OrderState.PLACED:
                assert refund is None and order.state == OrderState.CANCELLED
            else:
                assert refund is not None and order.state == OrderState.PAID

        self.run(cancel())

    @rule(index=st.integers(0, 100), percent=st.integers(1, 130))
    @acting_on("paid", "shipped", "delivered", "completed")
    def seller_refunds(self, index: int, percent: int) -> None:
        async def refund() -> None:
            async with self.database.sessions() as db:
                order = await self.orders_in(
                    db,
                    index,
                    OrderState.PAID,
                    OrderState.SHIPPED,
                    OrderState.DELIVERED,
                    OrderState.COMPLETED,
                )
                if order is None:
                    return
                payment = await orders.captured_payment(db, order)
                assert payment is not None
                left = (
                    payment.amount
                    - payment.refunded
                    - await payments.pending_refunds(db, payment.id)
                )
                amount = max(1, order.amount * percent // 100)
                farmer = await self.account(db, self.world.farmer)
                try:
                    await orders.do_refund(
                        db,
                        self.gateway,
                        farmer,
                        order,
                        amount=amount,
                        reason="bruised",
                        now=self.now,
                    )
                except InvalidInput:
                    await db.rollback()
                    assert amount > left
                    return
                await db.commit()
                assert amount <= left

        self.run(refund())

    @rule(index=st.integers(0, 100))
    @acting_on("paid")
    def seller_ships(self, index: int) -> None:
        async def ship() -> None:
            async with self.database.sessions() as db:
                order = await self.orders_in(db, index, OrderState.PAID)
                if order is None:
                    return
                farmer = await self.account(db, self.world.farmer)
                pending = await orders.pending_refund(db, order)
                try:
                    await shipments.do_book_shipment(
                        db, self.carrier, farmer, order.id, now=self.now
                    )
                except Conflict:
                    await db.rollback()
                    assert pending
                    return
                await db.commit()
                assert not pending

        self.run(ship())

    @rule(index=st.integers(0, 100))
    @acting_on("shipped")
    def buyer_confirms_delivery(self, index: int) -> None:
        async def deliver() -> None:
            async with self.database.transaction() as db:
                order = await self.orders_in(db, index, OrderState.SHIPPED)
                if order is not None:
                    buyer = await self.account(db, order.buyer_id)
                    await orders.do_deliver(db, buyer, order, hold_days=HOLD_DAYS, now=self.now)

        self.run(deliver())

    @rule(hours=st.sampled_from([0, 12, 25]))
    @acting_on("delivered")
    def operator_runs_payouts(self, hours: int) -> None:
        self.now += timedelta(hours=hours)

        async def pay_out() -> None:
            async with self.database.transaction() as db:
                made = await payments.run_payouts(db, by=None, now=self.now)
            for payout in made:
                assert payout.amount >= 0 and payout.recovered >= 0
                assert payout.amount + payout.recovered > 0
                assert payout.producer_id == self.world.cooperative

        self.run(pay_out())

    @rule(buyer=st.integers(0, 2), paid_out=st.booleans())
    @acting_on("stock")
    def a_sale_runs_its_course(self, buyer: int, paid_out: bool) -> None:
        """One unit ordered, paid, its capture notified, shipped and delivered, one step after
        the other, and perhaps paid out after the holding period (so that refunds after payout
        and their recovery by later payouts come within reach)."""
        self.keys.append((buyer, f"key-{len(self.keys)}", 1))
        key = self.keys[-1][1]

        async def course() -> None:
            async with self.database.transaction() as db:
                (placed,) = await serve(
                    db, [buy_request(self.world, *self.keys[-1])], RULES, self.now
                )
            self.orders_by_key[key] = placed.order.id if placed.order else None
            if placed.order is None:
                return
            order_id = placed.order.id
            async with self.database.transaction() as db:
                order = await order_views.get_order(db, order_id)
                payment = await payments.start_charge(
                    db,
                    self.gateway,
                    reference=order.id,
                    payer=order.buyer_id,
                    producer=order.producer_id,
                    amount=order.amount,
                    description=f"order {order.id}",
                    return_url=f"/orders/{order.id}",
                    now=self.now,
                )
                await self.gateway.decide(db, payment.gateway_ref, pay=True, now=self.now)
                charge = payment.gateway_ref
            async with self.database.sessions() as db:
                waiting = (
                    await db.scalars(
                        select(SandboxWebhookRow).where(SandboxWebhookRow.delivered_at.is_(None))
                    )
                ).all()
            for row in waiting:
                if parse_notice(row.body.encode()).charge == charge:
                    await self.deliver(row)
            async with self.database.transaction() as db:
                order = await order_views.get_order(db, order_id)
                if order.state != OrderState.PAID:
                    return
                farmer = await self.account(db, self.world.farmer)
                await orders.do_ship(
                    db, farmer, order, carrier="邮政", tracking_no="1", now=self.now
                )
                buyer_row = await self.account(db, order.buyer_id)
                await orders.do_deliver(db, buyer_row, order, hold_days=HOLD_DAYS, now=self.now)
            if paid_out:
                self.now += timedelta(days=HOLD_DAYS, hours=1)
                async with self.database.transaction() as db:
                    await payments.run_payouts(db, by=None, now=self.now)

        self.run(course())

    @rule(index=st.integers(0, 100), percent=st.integers(1, 100))
    @acting_on("completed")
    def after_sales_refunds_a_paid_out_order(self, index: int, percent: int) -> None:
        """What the fulfilment context does when a claim is upheld after the payout: the one
        entry point, request_refund; the fund pays first and the producer owes it back."""

        async def refund() -> None:
            async with self.database.sessions() as db:
                order = await self.orders_in(db, index, OrderState.COMPLETED)
                if order is None:
                    return
                (payment,) = [
                    p for p in await payments.payments_for(db, order.id) if p.state == "captured"
                ]
                left = await payments.refundable(db, payment)
                amount = max(1, payment.amount * percent // 100)
                try:
                    await payments.request_refund(
                        db, self.gateway, payment, amount, reason="upheld", by=None, now=self.now
                    )
                except InvalidInput:
                    await db.rollback()
                    assert amount > left
                    return
                await db.commit()
                assert amount <= left

        self.run(refund())

    @rule(
        index=st.integers(0, 100),
        percents=st.tuples(st.integers(1, 100), st.integers(1, 100)),
    )
    @acting_on("paid", "shipped", "delivered", "completed")
    def two_refunds_of_one_payment_at_once(self, index: int, percents: tuple[int, int]) -> None:
        """Two refunds of one payment in two transactions at the same moment (a seller's and
        an arbitration's, say): never more back than what is left, whichever wins."""

        async def attempt(payment_id: str, amount: int) -> bool:
            async with self.database.sessions() as db:
                await db.begin()
                payment = await db.get(PaymentRow, payment_id)
                assert payment is not None
                try:
                    await payments.request_refund(
                        db, self.gateway, payment, amount, reason="race", by=None, now=self.now
                    )
                    await db.commit()
                except (InvalidInput, Conflict):
                    await db.rollback()
                    return False
                return True

        async def race() -> None:
            async with self.database.sessions() as db:
                order = await self.orders_in(
                    db,
                    index,
                    OrderState.PAID,
                    OrderState.SHIPPED,
                    OrderState.DELIVERED,
                    OrderState.COMPLETED,
                )
                if order is None:
                    return
                payment = await orders.captured_payment(db, order)
                assert payment is not None
                left = await payments.refundable(db, payment)
            amounts = [max(1, payment.amount * percent // 100) for percent in percents]
            won = await asyncio.gather(*(attempt(payment.id, amount) for amount in amounts))
            self.raced += 1
            given = sum(amount for amount, ok in zip(amounts, won, strict=True) if ok)
            assert given <= left, (amounts, won, left)
            async with self.database.sessions() as db:
                assert await payments.refundable(db, payment) == left - given

        self.run(race())

    @rule(index=st.integers(0, 100), hold=st.booleans())
    @acting_on("delivered", "shipped", "paid")
    def after_sales_holds_or_releases_a_payment(self, index: int, hold: bool) -> None:
        """An after-sales request opens (the payment is held out of payouts) or closes (it is
        released again, from now)."""

        async def step() -> None:
            async with self.database.transaction() as db:
                order = await self.orders_in(
                    db, index, OrderState.PAID, OrderState.SHIPPED, OrderState.DELIVERED
                )
                if order is None:
                    return
                payment = await orders.captured_payment(db, order)
                assert payment is not None
                if hold:
                    await payments.hold_payout(db, order.id)
                    if payment.payout_id is None:
                        self.held.add(payment.id)
                else:
                    release = self.now if order.state == OrderState.DELIVERED else None
                    await payments.release_payout(db, order.id, release)
                    self.held.discard(payment.id)

        self.run(step())

    # --- what must hold after every step -------------------------------------------------

    @invariant()
    def money_and_stock_add_up(self) -> None:
        if not hasattr(self, "world"):
            return
        self.run(self.check())

    async def check(self) -> None:
        async with self.database.sessions() as db:
            trial = await trial_balance(db)
            product = await db.get(ProductRow, self.world.product)
            all_orders = (await db.scalars(select(OrderRow))).all()
            all_payments = (await db.scalars(select(PaymentRow))).all()
            refunds = (await db.scalars(select(RefundRow))).all()
            charges = {row.ref: row for row in (await db.scalars(select(SandboxChargeRow))).all()}
            notices = (await db.scalars(select(SandboxWebhookRow))).all()
            payout_lines = (await db.scalars(select(PayoutLineRow))).all()
            payouts_made = (await db.scalars(select(PayoutRow))).all()
            recoveries = (await db.scalars(select(FundRecoveryRow))).all()
        self.remember(all_orders, all_payments, notices)
        self.seen["stock"] = product.stock if product is not None else 0

        assert trial.balanced, trial
        assert trial.balance(ledger.REFUNDS) == 0

        assert product is not None and product.stock >= 0
        holding = sum(o.qty for o in all_orders if OrderState(o.state) in HOLDS_STOCK)
        # An order refunded after it shipped does not bring its produce back.
        gone = sum(o.qty for o in all_orders if o.state == "refunded" and o.shipped_at)
        assert product.stock + holding + gone == STOCK, (product.stock, holding, gone)
        for buyer in self.world.buyers:
            mine = [o for o in all_orders if o.buyer_id == buyer]
            assert sum(o.qty for o in mine if OrderState(o.state) in HOLDS_STOCK) <= LIMIT

        settled: Counter[str] = Counter()
        pending: Counter[str] = Counter()
        for refund in refunds:
            (settled if refund.state == "succeeded" else pending)[refund.payment_id] += (
                refund.amount
            )
        for payment in all_payments:
            assert 0 <= payment.refunded <= payment.amount
            assert payment.refunded == settled[payment.id]
            assert payment.refunded + pending[payment.id] <= payment.amount
            assert payment.refund_pending == pending[payment.id]
            if payment.id in self.held:  # held by after-sales: never paid out meanwhile
                assert payment.held and payment.payout_id is None
            # The gateway gave back (or is giving back) exactly what Sunlit asked for.
            assert charges[payment.gateway_ref].refunded == payment.refunded + pending[payment.id]
        captured = [p for p in all_payments if p.state == "captured"]
        for order in all_orders:
            paid = [p for p in captured if p.reference == order.id]
            assert order.refunded == sum(p.refunded for p in paid) <= order.amount
            state = OrderState(order.state)
            if state is OrderState.PLACED:
                assert not paid
            elif state is OrderState.CANCELLED:  # paid for after it was cancelled: all goes back
                assert all(p.refunded + pending[p.id] == p.amount for p in paid), order.id
            else:
                assert len(paid) == 1, (order.id, state)
            if state is OrderState.REFUNDED:
                assert order.refunded == order.amount

        # The ledger says what the payments and payouts say.
        assert trial.balance(ledger.CONSUMER_PAYMENTS) == sum(
            p.amount - p.refunded for p in captured
        )
        for payee in (self.world.cooperative, self.world.member):
            received = sum(line.amount for line in payout_lines if line.payee_id == payee)
            assert trial.balance(ledger.payee(payee)) == -received
        # ... and what the test's own model of the money says, computed beside it.
        self.follow(captured)
        models = [self.model[p.id] for p in captured]
        for payment in captured:
            model = self.model[payment.id]
            assert (payment.fee, payment.fund) == (model.fee, model.fund), payment.amount
        assert trial.balance(ledger.PLATFORM_FEE) == -sum(m.fee_kept for m in models)
        # The fund: contributions − compensations + recoveries (+ what refunds before payout
        # took back, inside fund_kept).
        assert trial.balance(ledger.GUARANTEE_FUND) == -(
            sum(m.fund_kept - m.after for m in models) + self.recovered
        )
        owed = sum(m.owed for m in models if not m.paid_out)
        assert trial.balance(ledger.payable(self.world.cooperative)) == -owed
        for payee in (self.world.cooperative, self.world.member):
            assert trial.balance(ledger.payee(payee)) == -self.paid_to[payee]
        # Each compensation is one recovery, never owing more than the fund paid nor taking
        # back more than is owed; the payee lines add up to the payouts' net.
        assert sum(r.compensated for r in recoveries) == sum(m.after for m in models)
        for payment in captured:
            mine = [r for r in recoveries if r.payment_id == payment.id]
            assert sum(r.amount for r in mine) == self.model[payment.id].owed_back
        for r in recoveries:
            assert 0 <= r.recovered <= r.amount <= r.compensated
            assert (r.closed_at is None) == (r.recovered < r.amount)
        assert sum(r.recovered for r in recoveries) == self.recovered
        assert sum(p.recovered for p in payouts_made) == self.recovered
        assert sum(r.amount - r.recovered for r in recoveries) == self.debt
        assert sum(line.amount for line in payout_lines) == sum(p.amount for p in payouts_made)
        for payout in payouts_made:
            net = sum(line.amount for line in payout_lines if line.payout_id == payout.id)
            assert net == payout.amount

    def follow(self, captured: Any) -> None:
        """Bring the model up to date with this step: refunds settled (before or after the
        payment's payout) and payouts made. A step is one request or job: it settles refunds or
        runs payouts, never both for one payment."""
        payouts: Counter[str] = Counter()
        for payment in captured:
            model = self.model.setdefault(payment.id, PaymentModel(payment.amount))
            refunded = payment.refunded - model.before - model.after
            newly_paid = payment.payout_id is not None and not model.paid_out
            assert refunded >= 0 and not (refunded and newly_paid)
            if model.paid_out:
                if refunded:
                    owed = model.owed_back
                    model.refund_after(refunded)
                    self.debt += model.owed_back - owed
            else:
                model.before += refunded
            if newly_paid:
                payouts[payment.payout_id] += model.owed
                model.paid_out = True
        for gross in payouts.values():  # one payout per producer: the cooperative, split
            recovered = min(gross, self.debt)  # the fund first, what is owed to it
            self.debt -= recovered
            self.recovered += recovered
            amount = gross - recovered
            self.paid_to[self.world.member] += member_part(amount)
            self.paid_to[self.world.cooperative] += amount - member_part(amount)

    def remember(self, all_orders: Any, all_payments: Any, notices: Any) -> None:
        """What the next steps can act on, and a replayable label for each new notice."""
        self.checks += 1
        for row in notices:
            if row.id not in self.labels:
                notice = parse_notice(row.body.encode())
                payment = next(p for p in all_payments if p.gateway_ref == notice.charge)
                key = next(o.idempotency_key for o in all_orders if o.id == payment.reference)
                self.labels[row.id] = (self.checks, key, notice.type.value, notice.amount)
        self.seen = Counter(o.state for o in all_orders)
        self.seen["notice:waiting"] = sum(1 for row in notices if row.delivered_at is None)
        self.seen["notice:delivered"] = sum(1 for row in notices if row.delivered_at is not None)


# --- two transactions at once (what two server processes, or the sweep and a request, do) --


async def placed_and_paid_at_the_gateway(
    database: Database, gateway: SandboxGateway
) -> tuple[World, str, list[str]]:
    """An order of two, paid on the gateway's page: the gateway's capture notices, not yet
    delivered (two copies of one event)."""
    async with database.transaction() as db:
        world = await build_world(db)
    async with database.transaction() as db:
        (placed,) = await serve(db, [buy_request(world, 0, "k-1", 2)], RULES, START)
        assert placed.order is not None
        order = placed.order
        payment = await payments.start_charge(
            db,
            gateway,
            reference=order.id,
            payer=order.buyer_id,
            producer=order.producer_id,
            amount=order.amount,
            description="order",
            return_url="/",
            now=START,
        )
        await gateway.decide(db, payment.gateway_ref, pay=True, now=START)
    return world, order.id, await queued_bodies(database)


async def queued_bodies(database: Database) -> list[str]:
    async with database.sessions() as db:
        rows = (await db.scalars(select(SandboxWebhookRow).order_by(SandboxWebhookRow.id))).all()
    return [row.body for row in rows]


async def apply(database: Database, gateway: SandboxGateway, body: str, now: datetime) -> None:
    async with database.transaction() as db:
        await payments.handle_notice(
            db, gateway, parse_notice(body.encode()), rates=RATES_USED, now=now
        )


async def until_waiting_on_a_lock(database: Database, seconds: float = 10) -> None:
    """Until the other transaction waits for the lock this one holds. PostgreSQL shows it
    (pg_stat_activity); SQLite shows no one waiting on its lock, so there the other transaction
    is given half a second to reach it (part of the scenario, not a wait for a result)."""
    if database.settings.is_sqlite:
        await asyncio.sleep(0.5)
        return
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        async with database.sessions() as db:
            if await db.scalar(waiting):
                return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the other transaction never waited for the lock")
        await asyncio.sleep(0.02)


async def settle(task: asyncio.Task[Any]) -> bool:
    """Whether a transaction that ran beside another committed (one that was refused is
    tried again, as the sweep's next round or the gateway would)."""
    try:
        await task
    except DBAPIError:
        return False
    return True


async def test_a_capture_and_the_expiry_sweep_at_once_never_keep_the_money_of_a_cancelled_order(
    database: Database,
) -> None:
    wiring.connect()
    gateway = SandboxGateway(SECRET, max_delay_ms=0)
    world, order_id, (capture, _) = await placed_and_paid_at_the_gateway(database, gateway)
    late = START + timedelta(minutes=RULES.expiry_minutes + 1)  # paid at the last moment

    async def sweep() -> None:
        async with database.transaction() as db:
            await orders.expire_due(db, now=late)

    async with database.sessions() as db:
        await db.begin()
        await payments.handle_notice(
            db, gateway, parse_notice(capture.encode()), rates=RATES_USED, now=late
        )
        sweeping = asyncio.create_task(sweep())
        await until_waiting_on_a_lock(database)
        await db.commit()
    await settle(sweeping)
    await sweep()  # the next round of the job
    async with database.sessions() as db:
        order = await db.get(OrderRow, order_id)
        (payment,) = await payments.payments_for(db, order_id)
        product = await db.get(ProductRow, world.product)
        pending = await payments.pending_refunds(db, payment.id)
    assert order is not None and product is not None and payment.state == "captured"
    if order.state == OrderState.CANCELLED:  # too late after all: the money goes back
        assert pending == payment.amount, "a cancelled order kept its buyer's money"
        assert product.stock == STOCK
    else:
        assert order.state == OrderState.PAID and pending == 0
        assert product.stock == STOCK - order.qty


async def test_two_refund_notices_for_one_payment_at_once_are_both_counted(
    database: Database,
) -> None:
    wiring.connect()
    gateway = SandboxGateway(SECRET, max_delay_ms=0)
    _, order_id, (capture, _) = await placed_and_paid_at_the_gateway(database, gateway)
    await apply(database, gateway, capture, START)

    async def refund(amount: int) -> str:
        async with database.transaction() as db:
            (payment,) = await payments.payments_for(db, order_id)
            await payments.request_refund(
                db, gateway, payment, amount, reason="bruised", by=None, now=START
            )
        bodies = await queued_bodies(database)
        return next(body for body in bodies if parse_notice(body.encode()).amount == amount)

    await apply(database, gateway, await refund(50), START)  # one refund settled before
    first, second = await refund(100), await refund(200)

    async with database.sessions() as db:
        await db.begin()
        await payments.handle_notice(
            db, gateway, parse_notice(first.encode()), rates=RATES_USED, now=START
        )
        other = asyncio.create_task(apply(database, gateway, second, START))
        await until_waiting_on_a_lock(database)
        await db.commit()
    if not await settle(other):
        await apply(database, gateway, second, START)  # the gateway sends it again
    async with database.sessions() as db:
        order = await db.get(OrderRow, order_id)
        (payment,) = await payments.payments_for(db, order_id)
        trial = await trial_balance(db)
    assert order is not None and order.refunded == 350
    assert trial.balance(ledger.CONSUMER_PAYMENTS) == payment.amount - 350
    assert payment.refunded == 350, "a refund the ledger counts is missing from the payment"


async def test_a_buyer_cancelling_as_the_sweep_expires_the_order_gets_the_stock_back_once(
    database: Database,
) -> None:
    wiring.connect()
    gateway = SandboxGateway(SECRET, max_delay_ms=0)
    world, order_id, _ = await placed_and_paid_at_the_gateway(database, gateway)
    late = START + timedelta(minutes=RULES.expiry_minutes + 1)

    async def sweep() -> None:
        async with database.transaction() as db:
            await orders.expire_due(db, now=late)

    async with database.sessions() as db:
        await db.begin()
        order = await order_views.get_order(db, order_id)
        buyer = await db.get(AccountRow, order.buyer_id)
        assert buyer is not None
        await orders.do_cancel(db, gateway, buyer, order, reason="", now=late)
        sweeping = asyncio.create_task(sweep())
        await until_waiting_on_a_lock(database)
        await db.commit()
    await settle(sweeping)
    async with database.sessions() as db:
        product = await db.get(ProductRow, world.product)
        order = await order_views.get_order(db, order_id)
    assert order.state == OrderState.CANCELLED
    assert product is not None and product.stock == STOCK, "the stock came back twice"


@pytest.mark.parametrize(
    "backend", [pytest.param("sqlite"), pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_orders_payments_and_payouts_always_add_up(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> None:
    wiring.connect()
    template = request.getfixturevalue(f"{'pg' if backend == 'postgres' else backend}_template")

    class OneMarket(Market):
        databases = Databases(backend, str(template), tmp_path_factory.mktemp("market"))

    run_state_machine_as_test(
        OneMarket,
        settings=hypothesis_settings(
            max_examples=20,
            stateful_step_count=80,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


async def test_setting_payout_shares_replaces_the_split_and_records_it(
    database: Database,
) -> None:
    async with database.transaction() as db:
        world = await build_world(db)
    async with database.transaction() as db:
        farmer = await db.get(AccountRow, world.farmer)
        assert farmer is not None
        with pytest.raises(InvalidInput):  # the cooperative itself is not a member household
            await payments.do_set_payout_shares(
                db, farmer, world.cooperative, [(world.cooperative, 100)], now=START
            )
        await payments.do_set_payout_shares(
            db, farmer, world.cooperative, [(world.member, 2500)], now=START
        )
    async with database.sessions() as db:
        shares = (await db.scalars(select(PayoutShareRow))).all()
        events = (
            await db.scalars(select(EventRow).where(EventRow.type == "payout.shares_set"))
        ).all()
    assert [(s.member_id, s.share_bp) for s in shares] == [(world.member, 2500)]
    assert [(e.actor, e.data) for e in events] == [
        (
            world.farmer,
            {
                "cooperative": world.cooperative,
                "shares": [{"member": world.member, "share_bp": 2500}],
            },
        )
    ]


async def test_a_refund_beyond_what_is_left_is_refused_in_yuan(database: Database) -> None:
    from sunlit.core.i18n import current_language, translate
    from sunlit.core.money import format_fen

    wiring.connect()
    gateway = SandboxGateway(SECRET, max_delay_ms=0)
    _, order_id, (capture, _) = await placed_and_paid_at_the_gateway(database, gateway)
    await apply(database, gateway, capture, START)
    async with database.transaction() as db:
        (payment,) = await payments.payments_for(db, order_id)
        with pytest.raises(InvalidInput) as refused:
            await payments.request_refund(
                db, gateway, payment, payment.amount + 1, reason="x", by=None, now=START
            )
    token = current_language.set("zh")
    try:
        said = translate(refused.value.message, refused.value.params)
    finally:
        current_language.reset(token)
    # The reader sees yuan (¥3.98), never a count of fen (398 分).
    assert format_fen(payment.amount) in said and "分" not in said
