"""The farmer's money per order and in total: what buyers paid, the platform fee and the
guarantee fund's share, the net, and whether it is paid out, pending (with its release date),
held during after-sales or waiting for the buyer's receipt."""

from __future__ import annotations

from datetime import UTC, datetime

from sunlit.payments.earnings import Standing, earning, totals
from sunlit.payments.tables import PaymentRow

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


def payment(reference: str, amount: int, **values: object) -> PaymentRow:
    fee, fund = amount * 100 // 10_000, amount * 200 // 10_000  # 1 % and 2 %
    base: dict[str, object] = {
        "reference": reference,
        "amount": amount,
        "fee": fee,
        "fund": fund,
        "refunded": 0,
        "held": False,
        "release_at": None,
        "payout_id": None,
    }
    return PaymentRow(**{**base, **values})


def test_an_order_splits_into_fee_fund_and_net() -> None:
    e = earning(payment("o1", 10_000, release_at=datetime(2026, 12, 12, tzinfo=UTC)), None)
    assert (e.paid, e.fee, e.fund, e.net) == (10_000, 100, 200, 9_700)
    assert e.paid == e.fee + e.fund + e.net
    assert e.standing is Standing.RELEASING
    assert e.release_at == datetime(2026, 12, 12, tzinfo=UTC)


def test_where_each_net_stands() -> None:
    paid_at = datetime(2026, 11, 30, tzinfo=UTC)
    assert earning(payment("a", 1000, payout_id="po1"), paid_at).paid_out_at == paid_at
    assert earning(payment("a", 1000, payout_id="po1"), paid_at).standing is Standing.PAID_OUT
    held = earning(payment("b", 1000, held=True, release_at=NOW), None)
    assert held.standing is Standing.HELD and held.release_at is None  # no date while held
    waiting = earning(payment("c", 1000), None)
    assert waiting.standing is Standing.AWAITING_RECEIPT and waiting.release_at is None


def test_a_partial_refund_takes_back_its_part_of_the_fee_and_the_fund() -> None:
    e = earning(payment("o", 10_000, refunded=5_000, release_at=NOW), None)
    assert (e.paid, e.fee, e.fund, e.net) == (5_000, 50, 100, 4_850)
    assert e.paid == e.fee + e.fund + e.net


def test_totals_separate_pending_from_paid_out_and_name_the_next_release() -> None:
    soon, later = datetime(2026, 12, 8, tzinfo=UTC), datetime(2026, 12, 20, tzinfo=UTC)
    items = [
        earning(payment("a", 10_000, payout_id="po1"), NOW),
        earning(payment("b", 2_000, release_at=later), None),
        earning(payment("c", 4_000, release_at=soon), None),
        earning(payment("d", 1_000, held=True), None),
    ]
    t = totals(items, now=NOW)
    assert (t.paid, t.fee, t.fund) == (17_000, 170, 340)
    assert t.net == 17_000 - 170 - 340
    assert t.paid_out == 9_700
    assert t.pending == 1_940 + 3_880 + 970
    assert t.pending + t.paid_out == t.net
    assert (t.next_release, t.due) == (soon, 0)
    assert totals([], now=NOW).next_release is None and totals([], now=NOW).net == 0


def test_a_release_date_passed_is_due_not_next() -> None:
    """The demo's farmer saw "next release 30 Nov" on 7 Dec: released, but the weekly payout
    had not run since. What is released waits for the payout run and says so; the next date
    is the first still to come."""
    passed, later = datetime(2026, 11, 30, tzinfo=UTC), datetime(2026, 12, 20, tzinfo=UTC)
    items = [
        earning(payment("b", 2_000, release_at=later), None),
        earning(payment("c", 4_000, release_at=passed), None),
    ]
    t = totals(items, now=NOW)
    assert (t.next_release, t.due, t.pending) == (later, 3_880, 1_940 + 3_880)
    assert totals(items[1:], now=NOW).next_release is None
