"""The after-sales policy and the answer loop as pure values, each rule with an explicit now:
fresh produce never goes back without a reason; a quality claim on it with a photo in time is
refunded without sending rotten fruit back; dry goods have seven days; nothing after the
window; nothing about delivery before shipping; never more than is left of the payment. And
each step of the loop, with what silence means past each deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sunlit.catalog.model import Category
from sunlit.core.errors import Conflict, InvalidInput
from sunlit.fulfilment.aftersales import model, policy
from sunlit.fulfilment.aftersales.model import Answer, Deadlines, Kind, Outcome, Reason, Ruling
from sunlit.fulfilment.aftersales.model import Status as S

SHIPPED = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
DELIVERED = SHIPPED + timedelta(days=2)
LIMITS = policy.Limits(quality_claim_hours=48, no_reason_return_days=7, aftersales_days=15)
TERMS = Deadlines(answer_hours=48, return_days=7)


def facts(
    category: Category = Category.FRUIT,
    *,
    state: str = "delivered",
    delivered: datetime | None = DELIVERED,
    paid: int = 1000,
    refunded: int = 0,
    pending: int = 0,
) -> policy.OrderFacts:
    return policy.OrderFacts(category, state, SHIPPED, delivered, paid, refunded, pending)


def decide(
    f: policy.OrderFacts, reason: Reason, *, photos: int = 1, after: timedelta = timedelta(hours=1)
) -> policy.Decision:
    return policy.decide(f, reason, photos=photos, limits=LIMITS, now=DELIVERED + after)


@pytest.mark.parametrize("fresh", sorted(policy.FRESH))
def test_fresh_produce_is_never_returned_without_a_reason(fresh: Category) -> None:
    decision = decide(facts(fresh), Reason.NO_REASON)
    assert not decision.allowed and decision.rule == "fresh_no_reason_excluded"
    with pytest.raises(Conflict):
        policy.check_request(decision, Kind.RETURN_REFUND, 500, 1000)


def test_a_fresh_quality_claim_with_a_photo_in_time_is_refunded_without_the_goods() -> None:
    decision = decide(facts(), Reason.QUALITY, photos=1, after=timedelta(hours=47))
    assert decision.rule == "fresh_quality_photo_refund" and decision.without_return
    policy.check_request(decision, Kind.REFUND_ONLY, 1000, 1000)
    with pytest.raises(InvalidInput) as refused:
        policy.check_request(decision, Kind.RETURN_REFUND, 1000, 1000)
    assert "kind" in refused.value.fields
    # without a photo, or after the quality-claim hours, the producer judges (either kind)
    for late in (
        decide(facts(), Reason.QUALITY, photos=0),
        decide(facts(), Reason.QUALITY, after=timedelta(hours=49)),
    ):
        assert late.rule == "quality_return" and late.kinds == frozenset(Kind)


@pytest.mark.parametrize("category", [Category.TEA, Category.GRAIN, Category.PROCESSED_AGRI])
def test_dry_and_processed_goods_go_back_without_a_reason_within_seven_days(
    category: Category,
) -> None:
    # seven days from the day after delivery: never ends sooner than eight days of hours
    within = decide(facts(category), Reason.NO_REASON, photos=0, after=timedelta(days=8))
    assert within.rule == "seven_day_no_reason" and within.must_return
    after = decide(facts(category), Reason.NO_REASON, after=timedelta(days=8, seconds=1))
    assert not after.allowed and after.params == {"days": 7}
    quality = decide(facts(category), Reason.QUALITY)  # a photo changes nothing for dry goods
    assert quality.rule == "quality_return" and quality.kinds == frozenset(Kind)


def test_nothing_after_the_after_sales_window() -> None:
    for reason in Reason:
        late = decide(facts(), reason, after=timedelta(days=15, seconds=1))
        assert not late.allowed and late.rule == "aftersales_window", reason
    assert decide(facts(), Reason.DAMAGED, after=timedelta(days=15)).allowed


def test_delivery_complaints_need_a_shipped_order_and_others_a_delivered_one() -> None:
    for state in ("placed", "paid", "cancelled", "refunded"):
        decision = decide(facts(state=state, delivered=None), Reason.NOT_RECEIVED)
        assert not decision.allowed and decision.rule == "delivery_needs_shipping", state
    in_transit = facts(state="shipped", delivered=None)
    for reason in (Reason.NOT_RECEIVED, Reason.LATE):
        decision = decide(in_transit, reason, after=timedelta(days=40))  # no window yet
        assert decision.allowed and decision.without_return
    assert not decide(in_transit, Reason.QUALITY).allowed


@given(
    paid=st.integers(1, 10**7),
    refunded=st.integers(0, 10**7),
    pending=st.integers(0, 10**7),
    amount=st.integers(-10, 2 * 10**7),
)
def test_the_amount_is_one_fen_up_to_what_is_left(
    paid: int, refunded: int, pending: int, amount: int
) -> None:
    left = facts(paid=paid, refunded=refunded, pending=pending).left
    if left > 0 and 1 <= amount <= left:
        policy.check_amount(amount, left)
        return
    with pytest.raises((InvalidInput, Conflict)):
        policy.check_amount(amount, left)


def test_every_rule_cites_a_source_a_citizen_can_look_up() -> None:
    for rule in policy.RULES:
        assert "《" in rule.source and "》" in rule.source, rule.id


# --- the loop ----------------------------------------------------------------------------

NOW = DELIVERED + timedelta(hours=3)


def opened(kind: Kind = Kind.REFUND_ONLY, amount: int = 1000) -> model.Loop:
    return model.opened(kind, amount, TERMS, NOW)


def test_accepting_refunds_at_once_or_waits_for_the_goods() -> None:
    move = model.answer(opened(), Answer.ACCEPTED, TERMS, NOW)
    assert move.loop.status is S.CLOSED and move.loop.outcome is Outcome.REFUNDED
    assert move.refund == 1000
    back = model.answer(opened(Kind.RETURN_REFUND), Answer.ACCEPTED, TERMS, NOW)
    assert back.loop.status is S.RETURNING and back.refund == 0
    sent = model.send_back(back.loop, TERMS, NOW)
    assert sent.loop.status is S.RETURNED and sent.loop.deadline == NOW + timedelta(hours=48)
    assert model.receive(sent.loop).refund == 1000


def test_an_offer_is_taken_or_escalated_and_a_refusal_escalated_and_decided() -> None:
    with pytest.raises(InvalidInput):
        model.answer(opened(), Answer.PARTIAL, TERMS, NOW, offer=1000)  # not less than asked
    offered = model.answer(opened(), Answer.PARTIAL, TERMS, NOW, offer=400).loop
    assert model.take_offer(offered).refund == 400
    refused = model.answer(opened(), Answer.REFUSED, TERMS, NOW).loop
    with pytest.raises(Conflict):
        model.take_offer(refused)
    escalated = model.escalate(refused).loop
    assert escalated.status is S.ESCALATED and escalated.deadline is None
    assert model.decide(escalated, Ruling.BUYER, 300).refund == 300
    assert model.decide(escalated, Ruling.BUYER).refund == 1000
    upheld = model.decide(escalated, Ruling.PRODUCER)
    assert upheld.loop.outcome is Outcome.REFUSED_FINAL and upheld.refund == 0
    with pytest.raises(InvalidInput):
        model.decide(escalated, Ruling.BUYER, 1001)
    with pytest.raises(Conflict):
        model.decide(opened(), Ruling.BUYER)


def test_withdrawing_closes_anything_open_once() -> None:
    gone = model.withdraw(opened()).loop
    assert gone.outcome is Outcome.WITHDRAWN and gone.status is S.CLOSED
    with pytest.raises(Conflict):
        model.withdraw(gone)


def test_silence_past_each_deadline_favours_the_buyer_where_the_producer_is_silent() -> None:
    loop = opened()
    late = NOW + timedelta(hours=48)
    assert model.default(loop, TERMS, late - timedelta(seconds=1)) is None
    accepted = model.default(loop, TERMS, late)
    assert accepted is not None and accepted.refund == 1000
    offered = model.answer(loop, Answer.PARTIAL, TERMS, NOW, offer=600).loop
    taken = model.default(offered, TERMS, late)
    assert taken is not None and taken.refund == 600
    refused = model.answer(loop, Answer.REFUSED, TERMS, NOW).loop
    final = model.default(refused, TERMS, late)
    assert final is not None and final.loop.outcome is Outcome.REFUSED_FINAL
    returning = model.answer(opened(Kind.RETURN_REFUND), Answer.ACCEPTED, TERMS, NOW).loop
    assert model.default(returning, TERMS, late) is None  # seven days to send back
    never_sent = model.default(returning, TERMS, NOW + timedelta(days=7))
    assert never_sent is not None and never_sent.loop.outcome is Outcome.WITHDRAWN
    escalated = model.escalate(refused).loop
    assert model.default(escalated, TERMS, late + timedelta(days=365)) is None
