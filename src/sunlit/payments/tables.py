"""Payment, ledger and payout tables. The ledger's rules live in the database itself (see
migration 0008): entries and transactions are append-only, a transaction is refused unless its
entries sum to zero, and no account that belongs to an official can exist."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from sunlit.accounts.model import Role
from sunlit.core.db import Base, StrEnumType, UTCDateTime
from sunlit.core.eventlog.tables import SeqType
from sunlit.payments.gateway import NoticeType
from sunlit.payments.ledger import AccountKind, PostingKind
from sunlit.payments.model import PaymentState, RefundState, SandboxChargeState


class LedgerAccountRow(Base):
    """A ledger account. Producer accounts (payable, payee) name the producer and the person
    who manages it, with that person's role copied through a foreign key that follows role
    changes: an official can never own one (the CHECK), not even by changing role later."""

    __tablename__ = "ledger_accounts"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[AccountKind] = mapped_column(StrEnumType(AccountKind, 24))
    producer_id: Mapped[str | None] = mapped_column(ForeignKey("producers.id"))
    owner_account: Mapped[str | None] = mapped_column(String(40))
    owner_role: Mapped[Role | None] = mapped_column(StrEnumType(Role, 16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint(
            "kind IN ('consumer_payments', 'producer_payable', 'platform_fee', "
            "'guarantee_fund', 'refunds', 'payee')",
            name="kind_known",
        ),
        CheckConstraint(
            "(kind IN ('producer_payable', 'payee')) = (producer_id IS NOT NULL)",
            name="producer_accounts_name_producer",
        ),
        CheckConstraint("owner_role IS NULL OR owner_role <> 'official'", name="never_official"),
        CheckConstraint("(owner_account IS NULL) = (owner_role IS NULL)", name="owner_has_role"),
        ForeignKeyConstraint(
            ["owner_account", "owner_role"],
            ["accounts.id", "accounts.role"],
            onupdate="CASCADE",
            name="fk_ledger_accounts_owner_role_accounts",
        ),
    )


class LedgerTransactionRow(Base):
    """The header of a balanced posting. Inserted after its entries: a trigger checks that
    they sum to zero, and no entry can join a transaction once its header exists."""

    __tablename__ = "ledger_transactions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[PostingKind] = mapped_column(StrEnumType(PostingKind, 24))
    reference: Mapped[str | None] = mapped_column(String(40))
    memo: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_ledger_transactions_reference", "reference"),)


class LedgerEntryRow(Base):
    """One line of a posting: a debit (positive) or a credit (negative), in fen."""

    __tablename__ = "ledger_entries"

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    # Deferred: the entries are written before their header, and checked against it at commit.
    transaction_id: Mapped[str] = mapped_column(
        ForeignKey("ledger_transactions.id", deferrable=True, initially="DEFERRED")
    )
    account_id: Mapped[str] = mapped_column(ForeignKey("ledger_accounts.id"))
    amount: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        Index("ix_ledger_entries_transaction_id", "transaction_id"),
        Index("ix_ledger_entries_account_id", "account_id"),
    )


class PaymentRow(Base):
    """A charge at a gateway for one order (the order is a reference here). ``refund_pending``
    is what refunds asked of the gateway and not yet settled add up to: with ``refunded`` it
    never exceeds the amount (a CHECK), so no path gives back more than was paid. ``held``
    keeps it out of payouts while something about it is open (after-sales)."""

    __tablename__ = "payments"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    reference: Mapped[str] = mapped_column(String(40))
    payer_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    producer_id: Mapped[str] = mapped_column(ForeignKey("producers.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    gateway: Mapped[str] = mapped_column(String(16))
    gateway_ref: Mapped[str] = mapped_column(String(64), unique=True)
    pay_url: Mapped[str] = mapped_column(String(300))
    state: Mapped[PaymentState] = mapped_column(StrEnumType(PaymentState, 16))
    fee: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    fund: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    refunded: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    refund_pending: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    held: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    release_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    payout_id: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    captured_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("refunded >= 0 AND refunded <= amount", name="refund_within_amount"),
        CheckConstraint(
            "refund_pending >= 0 AND refunded + refund_pending <= amount",
            name="pending_within_amount",
        ),
        CheckConstraint("state IN ('pending', 'captured', 'failed', 'voided')", name="state_known"),
        Index("ix_payments_reference", "reference"),
        Index("ix_payments_release_at", "release_at"),
    )


class RefundRow(Base):
    __tablename__ = "refunds"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    payment_id: Mapped[str] = mapped_column(ForeignKey("payments.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(200))
    gateway_ref: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[RefundState] = mapped_column(StrEnumType(RefundState, 16))
    requested_by: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("state IN ('pending', 'succeeded')", name="state_known"),
        Index("ix_refunds_payment_id", "payment_id"),
    )


class WebhookReceiptRow(Base):
    """A gateway notification already applied: a second delivery of it changes nothing."""

    __tablename__ = "webhook_receipts"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    gateway: Mapped[str] = mapped_column(String(16))
    type: Mapped[NoticeType] = mapped_column(StrEnumType(NoticeType, 32))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PayoutRow(Base):
    """A payout: ``amount`` is what reached the payees (the net), ``recovered`` what went back
    to the guarantee fund for refunds it paid first; their sum (the gross) is what the
    producer's payments owed it. A payout that only recovers has an amount of 0 and no lines."""

    __tablename__ = "payouts"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    producer_id: Mapped[str] = mapped_column(ForeignKey("producers.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    recovered: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    payments: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("recovered >= 0", name="recovered_not_negative"),
        CheckConstraint("amount + recovered > 0", name="gross_positive"),
        Index("ix_payouts_producer_id", "producer_id"),
    )


class FundRecoveryRow(Base):
    """A refund the guarantee fund paid first (先行赔付) because the producer had already been
    paid: ``compensated`` went to the buyer, ``amount`` is what the producer owes back (its
    part of the refund), ``recovered`` what its later payouts have returned so far. Closed
    when all of it is back (at once when nothing is owed)."""

    __tablename__ = "fund_recoveries"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    producer_id: Mapped[str] = mapped_column(ForeignKey("producers.id"))
    payment_id: Mapped[str] = mapped_column(ForeignKey("payments.id"))
    refund_id: Mapped[str] = mapped_column(ForeignKey("refunds.id"), unique=True)
    compensated: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(BigInteger)
    recovered: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("compensated > 0", name="compensated_positive"),
        CheckConstraint("amount >= 0 AND amount <= compensated", name="owed_within_compensated"),
        CheckConstraint("recovered >= 0 AND recovered <= amount", name="recovered_within_owed"),
        CheckConstraint("(closed_at IS NULL) = (recovered < amount)", name="closed_when_recovered"),
        Index("ix_fund_recoveries_producer_id", "producer_id"),
    )


class PayoutLineRow(Base):
    """Who received what of a payout: the producer itself, or a cooperative's members."""

    __tablename__ = "payout_lines"

    payout_id: Mapped[str] = mapped_column(ForeignKey("payouts.id"), primary_key=True)
    payee_id: Mapped[str] = mapped_column(ForeignKey("producers.id"), primary_key=True)
    amount: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)


class PayoutShareRow(Base):
    """A cooperative's split of its payouts among member households, in basis points."""

    __tablename__ = "payout_shares"

    cooperative_id: Mapped[str] = mapped_column(ForeignKey("producers.id"), primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("producers.id"), primary_key=True)
    share_bp: Mapped[int] = mapped_column(Integer)

    __table_args__ = (CheckConstraint("share_bp > 0 AND share_bp <= 10000", name="share_range"),)


class SandboxChargeRow(Base):
    """The sandbox gateway's own record of a charge (its side of the boundary)."""

    __tablename__ = "sandbox_charges"

    ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(String(200))
    return_url: Mapped[str] = mapped_column(String(300))
    state: Mapped[SandboxChargeState] = mapped_column(StrEnumType(SandboxChargeState, 16))
    refunded: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("state IN ('pending', 'succeeded', 'failed')", name="state_known"),
        CheckConstraint("refunded >= 0 AND refunded <= amount", name="refund_within_amount"),
    )


class SandboxWebhookRow(Base):
    """A notification the sandbox will send: each event is queued twice, each copy late by
    its own random delay, so copies arrive duplicated and out of order."""

    __tablename__ = "sandbox_webhooks"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(String(2000))
    deliver_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_sandbox_webhooks_deliver_at", "deliver_at"),)
