"""Writing and reading the ledger. :func:`post` is the only writer: it opens producer accounts
with their owner (an official's account is refused by the database), writes the entries and
then the transaction header, which the database checks for balance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor
from sunlit.accounts.services import find_account
from sunlit.catalog.views import producer_manager
from sunlit.core.errors import N_, PermissionDenied
from sunlit.core.ids import new_id
from sunlit.payments.ledger import AccountKind, Posting, kind_of, producer_of
from sunlit.payments.tables import LedgerAccountRow, LedgerEntryRow, LedgerTransactionRow


async def owner_of(db: AsyncSession, producer_id: str) -> Actor | None:
    """The person who manages a producer: its own account, or its cooperative's."""
    manager = await producer_manager(db, producer_id)
    return await find_account(db, manager) if manager is not None else None


async def open_account(db: AsyncSession, account: str, *, now: datetime) -> None:
    if await db.get(LedgerAccountRow, account) is not None:
        return
    producer = producer_of(account)
    owner = await owner_of(db, producer) if producer is not None else None
    if owner is not None and owner.role == "official":
        # The database refuses it too (ck_ledger_accounts_never_official); say it clearly.
        raise PermissionDenied(N_("An official can never be paid by Sunlit."))
    try:
        async with db.begin_nested():  # another posting may open it at the same moment
            db.add(
                LedgerAccountRow(
                    id=account,
                    kind=kind_of(account).value,
                    producer_id=producer,
                    owner_account=owner.id if owner is not None else None,
                    owner_role=owner.role if owner is not None else None,
                    created_at=now,
                )
            )
    except IntegrityError:
        if await db.get(LedgerAccountRow, account) is None:
            raise


async def post(db: AsyncSession, posting: Posting, *, now: datetime) -> str:
    """Write a balanced posting in the caller's transaction; returns its transaction id."""
    for account in {account for account, _ in posting.lines}:
        await open_account(db, account, now=now)
    transaction = new_id("lt")
    await db.execute(
        insert(LedgerEntryRow),
        [
            {"transaction_id": transaction, "account_id": account, "amount": amount}
            for account, amount in posting.lines
        ],
    )
    await db.execute(
        insert(LedgerTransactionRow).values(
            id=transaction,
            kind=posting.kind.value,
            reference=posting.reference,
            memo=posting.memo,
            created_at=now,
        )
    )
    return transaction


@dataclass(frozen=True, slots=True)
class BalanceLine:
    account: str
    kind: AccountKind
    debit: int
    credit: int
    entries: int

    @property
    def balance(self) -> int:
        return self.debit - self.credit


@dataclass(frozen=True, slots=True)
class TrialBalance:
    lines: list[BalanceLine]

    @property
    def debits(self) -> int:
        return sum(line.debit for line in self.lines)

    @property
    def credits(self) -> int:
        return sum(line.credit for line in self.lines)

    @property
    def balanced(self) -> bool:
        return self.debits == self.credits

    def balance(self, account: str) -> int:
        return next((line.balance for line in self.lines if line.account == account), 0)


async def trial_balance(db: AsyncSession) -> TrialBalance:
    """Every account's debits and credits, derived from the entries (never stored)."""
    debit = func.coalesce(func.sum(LedgerEntryRow.amount).filter(LedgerEntryRow.amount > 0), 0)
    credit = func.coalesce(func.sum(-LedgerEntryRow.amount).filter(LedgerEntryRow.amount < 0), 0)
    rows = (
        await db.execute(
            select(LedgerEntryRow.account_id, debit, credit, func.count())
            .group_by(LedgerEntryRow.account_id)
            .order_by(LedgerEntryRow.account_id)
        )
    ).all()
    return TrialBalance(
        [
            BalanceLine(account, kind_of(account), int(dr), int(cr), int(count))
            for account, dr, cr, count in rows
        ]
    )


async def balance_of(db: AsyncSession, account: str) -> int:
    total = await db.scalar(
        select(func.coalesce(func.sum(LedgerEntryRow.amount), 0)).where(
            LedgerEntryRow.account_id == account
        )
    )
    return int(total or 0)


@dataclass(frozen=True, slots=True)
class LedgerLine:
    transaction: str
    kind: str
    reference: str | None
    memo: str
    created_at: datetime
    lines: list[tuple[str, int]]


async def recent_transactions(db: AsyncSession, limit: int = 50) -> list[LedgerLine]:
    headers = (
        await db.scalars(
            select(LedgerTransactionRow)
            .order_by(LedgerTransactionRow.created_at.desc(), LedgerTransactionRow.id.desc())
            .limit(limit)
        )
    ).all()
    entries = (
        await db.scalars(
            select(LedgerEntryRow)
            .where(LedgerEntryRow.transaction_id.in_([row.id for row in headers]))
            .order_by(LedgerEntryRow.seq)
        )
    ).all()
    by_transaction: dict[str, list[tuple[str, int]]] = {}
    for entry in entries:
        by_transaction.setdefault(entry.transaction_id, []).append((entry.account_id, entry.amount))
    return [
        LedgerLine(
            row.id,
            row.kind,
            row.reference,
            row.memo,
            row.created_at,
            by_transaction.get(row.id, []),
        )
        for row in headers
    ]
