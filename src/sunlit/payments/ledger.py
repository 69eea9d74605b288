"""The double-entry ledger as values: accounts, balanced postings and the arithmetic of fees,
refunds, payouts, splits and the guarantee fund's recoveries. Debits are positive, credits
negative; every posting sums to zero.

Accounts: ``consumer_payments`` (money received from buyers, net of refunds), ``payable:<p>``
(what is owed to producer p), ``platform_fee``, ``guarantee_fund``, ``refunds`` (a clearing
account that every refund passes through) and ``payee:<p>`` (what was paid out to p)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from sunlit.core.errors import N_

CONSUMER_PAYMENTS = "consumer_payments"
PLATFORM_FEE = "platform_fee"
GUARANTEE_FUND = "guarantee_fund"
REFUNDS = "refunds"


class AccountKind(StrEnum):
    CONSUMER_PAYMENTS = "consumer_payments"
    PRODUCER_PAYABLE = "producer_payable"
    PLATFORM_FEE = "platform_fee"
    GUARANTEE_FUND = "guarantee_fund"
    REFUNDS = "refunds"
    PAYEE = "payee"


def payable(producer: str) -> str:
    return f"payable:{producer}"


def payee(producer: str) -> str:
    return f"payee:{producer}"


def kind_of(account: str) -> AccountKind:
    if account.startswith("payable:"):
        return AccountKind.PRODUCER_PAYABLE
    if account.startswith("payee:"):
        return AccountKind.PAYEE
    return AccountKind(account)


def producer_of(account: str) -> str | None:
    head, _, tail = account.partition(":")
    return tail if head in ("payable", "payee") else None


class PostingKind(StrEnum):
    CAPTURE = "capture"
    REFUND = "refund"
    PAYOUT = "payout"


class Unbalanced(ValueError):
    """A posting whose lines do not sum to zero, or that has an empty line."""


@dataclass(frozen=True, slots=True)
class Posting:
    kind: PostingKind
    reference: str
    memo: str
    lines: tuple[tuple[str, int], ...]

    def __post_init__(self) -> None:
        if len(self.lines) < 2:
            raise Unbalanced("a posting has at least two lines")
        if any(amount == 0 for _, amount in self.lines):
            raise Unbalanced("a posting line moves money")
        if sum(amount for _, amount in self.lines) != 0:
            raise Unbalanced(f"posting {self.reference} does not balance: {self.lines}")


def _lines(*pairs: tuple[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple(pair for pair in pairs if pair[1] != 0)


def fee_and_fund(amount: int, fee_bp: int, fund_bp: int) -> tuple[int, int]:
    """The platform fee and the guarantee-fund contribution of a payment, rounded down."""
    return amount * fee_bp // 10_000, amount * fund_bp // 10_000


def capture(reference: str, producer: str, amount: int, fee: int, fund: int) -> Posting:
    """A buyer's payment: the producer is owed what is left after the fee and the fund."""
    return Posting(
        PostingKind.CAPTURE,
        reference,
        "payment captured",
        _lines(
            (CONSUMER_PAYMENTS, amount),
            (payable(producer), -(amount - fee - fund)),
            (PLATFORM_FEE, -fee),
            (GUARANTEE_FUND, -fund),
        ),
    )


@dataclass(frozen=True, slots=True)
class Reversal:
    """How much of a refund comes back from the producer, the fee and the fund."""

    producer: int
    fee: int
    fund: int


def reversal(amount: int, fee: int, fund: int, before: int, refund: int) -> Reversal:
    """The share of a refund of ``refund`` taken back from each, given ``before`` already
    refunded. Computed on the cumulative total so that rounding never drifts: refunding a
    payment in any number of parts takes back exactly the fee and fund it paid."""
    after = before + refund
    fee_back = fee * after // amount - fee * before // amount
    fund_back = fund * after // amount - fund * before // amount
    return Reversal(refund - fee_back - fund_back, fee_back, fund_back)


def producer_share(amount: int, fee: int, fund: int, refunded: int) -> int:
    """What the producer is still owed for a payment once ``refunded`` has gone back."""
    back = reversal(amount, fee, fund, 0, refunded) if refunded else Reversal(0, 0, 0)
    return amount - fee - fund - back.producer


def refund_before_payout(reference: str, producer: str, refund: int, back: Reversal) -> Posting:
    """Money back to the buyer, taken back from the producer's payable, the fee and the fund."""
    return Posting(
        PostingKind.REFUND,
        reference,
        "refund before payout",
        _lines(
            (REFUNDS, refund),
            (CONSUMER_PAYMENTS, -refund),
            (payable(producer), back.producer),
            (PLATFORM_FEE, back.fee),
            (GUARANTEE_FUND, back.fund),
            (REFUNDS, -refund),
        ),
    )


def refund_after_payout(reference: str, refund: int) -> Posting:
    """Money back to the buyer after the producer was paid: the guarantee fund pays it first
    (先行赔付); what the producer owes back for it is recovered from its next payouts."""
    return Posting(
        PostingKind.REFUND,
        reference,
        "refund after payout, paid first by the guarantee fund",
        _lines(
            (REFUNDS, refund),
            (CONSUMER_PAYMENTS, -refund),
            (GUARANTEE_FUND, refund),
            (REFUNDS, -refund),
        ),
    )


def owed_back(amount: int, fee: int, fund: int, before: int, refund: int) -> int:
    """What a producer already paid owes the guarantee fund for a refund of ``refund`` (with
    ``before`` already refunded): the part of it the producer received, as a refund before
    payout would have taken back from its payable. The fee and the fund's own contribution on
    that part are not the producer's to repay; the fund bears them. Never below 0: on a slice
    of a few fen, the fee's and the fund's rounding may take it all."""
    return max(0, reversal(amount, fee, fund, before, refund).producer)


def recover(gross: int, outstanding: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """What a payout of ``gross`` takes for each outstanding recovery, oldest first (in the
    order given): each in full while the payout lasts, then the rest of the payout for the next
    one, which stays owed for what it does not cover. Recoveries it does not reach are left out."""
    if gross < 0 or any(owed <= 0 for _, owed in outstanding):
        raise ValueError("a payout and what is owed are positive amounts")
    taken, left = [], gross
    for recovery, owed in outstanding:
        if left == 0:
            break
        take = min(owed, left)
        taken.append((recovery, take))
        left -= take
    return taken


def split(amount: int, producer: str, shares: Mapping[str, int]) -> list[tuple[str, int]]:
    """A cooperative's payout split among its members by basis points (largest remainder);
    what the shares leave (they may sum to less than 10,000) stays with the cooperative."""
    if sum(shares.values()) > 10_000:
        raise ValueError("shares add up to more than 100%")
    exact = {member: amount * bp for member, bp in shares.items()}
    parts = {member: value // 10_000 for member, value in exact.items()}
    own = amount * (10_000 - sum(shares.values())) // 10_000
    left = amount - own - sum(parts.values())
    by_remainder = sorted(exact, key=lambda member: (-(exact[member] % 10_000), member))
    for member in by_remainder[:left]:
        parts[member] += 1
    left -= min(left, len(by_remainder))
    result = [(producer, own + left)] if own + left else []
    return result + sorted((member, value) for member, value in parts.items() if value)


def payout(
    reference: str, producer: str, lines: Sequence[tuple[str, int]], recovered: int = 0
) -> Posting:
    """Pay a producer what it is owed, to itself or split among a cooperative's members, less
    ``recovered``: what goes back to the guarantee fund for refunds it paid first. The payable
    is debited by the whole (gross); the payees are credited the rest (net), which may be 0."""
    net = sum(amount for _, amount in lines)
    if recovered < 0 or any(amount <= 0 for _, amount in lines):
        raise Unbalanced(f"payout {reference} has a negative or empty line")
    return Posting(
        PostingKind.PAYOUT,
        reference,
        "payout, less what the guarantee fund recovers" if recovered else "payout",
        _lines(
            (payable(producer), net + recovered),
            (GUARANTEE_FUND, -recovered),
            *((payee(who), -amount) for who, amount in lines),
        ),
    )


LABELS: dict[str, dict[str, str]] = {
    "ledger_account": {
        AccountKind.CONSUMER_PAYMENTS: N_("Consumer payments"),
        AccountKind.PRODUCER_PAYABLE: N_("Owed to producer"),
        AccountKind.PLATFORM_FEE: N_("Platform fee"),
        AccountKind.GUARANTEE_FUND: N_("Guarantee fund"),
        AccountKind.REFUNDS: N_("Refunds"),
        AccountKind.PAYEE: N_("Paid out to"),
    },
    "charge_state": {
        "pending": N_("Waiting for the buyer"),
        "captured": N_("Paid"),
        "failed": N_("Failed"),
        "voided": N_("Voided"),
    },
    "posting": {
        PostingKind.CAPTURE: N_("Payment"),
        PostingKind.REFUND: N_("Refund"),
        PostingKind.PAYOUT: N_("Payout"),
    },
}
