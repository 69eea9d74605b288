"""The after-sales policy as code: which requests a buyer may open on an order, of which kind,
and for how much. Each rule is a value with its source, named so that a citizen can look it
up; docs/aftersales.md lists them and says which articles were checked. Pure, explicit ``now``.

The sources:

- 《中华人民共和国消费者权益保护法》第二十四条: goods that fail the quality required may be
  returned within seven days of receipt (the seller bears the transport), or repaired or
  replaced.
- 《中华人民共和国消费者权益保护法》第二十五条: goods bought online may be returned within
  seven days of receipt without a reason, except (among others) fresh and perishable goods
  (鲜活易腐的); the goods returned must be intact.
- 《网络购买商品七日无理由退货暂行办法》(国家市场监督管理总局): the details of the seven-day
  rule and its exclusions, fresh and perishable goods among them.
- 《中华人民共和国电子商务法》第五十八条: a platform's quality guarantee and the consumer
  deposit (保证金), the platform's first compensation (先行赔偿) and its recovery; 第五十九条:
  a convenient, effective complaint mechanism; 第六十条: disputes settled by negotiation,
  mediation, complaint, arbitration or the courts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sunlit.catalog.model import Category
from sunlit.core.errors import N_, Conflict, InvalidInput
from sunlit.core.money import format_fen
from sunlit.fulfilment.aftersales.model import FIX, Kind, Reason

CPL_24 = "《中华人民共和国消费者权益保护法》第二十四条"
CPL_25 = "《中华人民共和国消费者权益保护法》第二十五条"
SAMR_7DAY = "《网络购买商品七日无理由退货暂行办法》（国家市场监督管理总局）"
ECL_58 = "《中华人民共和国电子商务法》第五十八条"
ECL_59 = "《中华人民共和国电子商务法》第五十九条"

#: Fresh produce: the categories that are 鲜活易腐 (CPL art. 25 (二)).
FRESH = frozenset({Category.FRUIT, Category.VEGETABLE, Category.LIVESTOCK, Category.AQUATIC})
#: Reasons that say the goods themselves were wrong (quality, description, damage, packaging).
GOODS_FAULTS = frozenset(
    {Reason.QUALITY, Reason.NOT_AS_DESCRIBED, Reason.DAMAGED, Reason.PACKAGING}
)
#: Reasons about the delivery: they need the order shipped, not delivered.
DELIVERY_FAULTS = frozenset({Reason.NOT_RECEIVED, Reason.LATE})


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    description: str  # msgid, one line
    source: str


RULES: tuple[Rule, ...] = (
    Rule(
        "aftersales_window",
        N_("A request is opened within the after-sales days of delivery."),
        ECL_59,
    ),
    Rule(
        "delivery_needs_shipping",
        N_("“Never arrived” and “arrived late” need a shipped order."),
        ECL_59,
    ),
    Rule(
        "fresh_no_reason_excluded",
        N_("Fresh produce cannot be returned without a reason."),
        f"{CPL_25}（二）鲜活易腐的; {SAMR_7DAY}",
    ),
    Rule(
        "fresh_quality_photo_refund",
        N_(
            "A quality claim on fresh produce with a photo, within the quality-claim hours of "
            "delivery, is refunded without sending the goods back."
        ),
        f"{CPL_24}; {ECL_58}",
    ),
    Rule(
        "seven_day_no_reason",
        N_("Processed and dry goods may be returned without a reason within seven days."),
        f"{CPL_25}; {SAMR_7DAY}",
    ),
    Rule(
        "quality_return",
        N_("Goods that fail their quality or description may be returned or refunded."),
        CPL_24,
    ),
    Rule(
        "within_paid",
        N_("No request asks for more than was paid, less what was refunded or is on its way."),
        ECL_58,
    ),
)
RULE_BY_ID = {rule.id: rule for rule in RULES}


@dataclass(frozen=True, slots=True)
class Limits:
    """The settings the rules read."""

    quality_claim_hours: int
    no_reason_return_days: int
    aftersales_days: int


@dataclass(frozen=True, slots=True)
class OrderFacts:
    category: Category
    state: str
    shipped_at: datetime | None
    delivered_at: datetime | None
    paid: int  # the captured payment's amount, fen (0: nothing captured)
    refunded: int
    pending: int  # refunds asked for and not yet settled

    @property
    def left(self) -> int:
        return self.paid - self.refunded - self.pending


@dataclass(frozen=True, slots=True)
class Decision:
    """What the policy allows for one reason on one order: the kinds, whether the goods must
    come back, or a refusal (msgid with params). ``rule`` is the rule that decided."""

    rule: str
    kinds: frozenset[Kind] = frozenset()
    refused: str | None = None
    params: dict[str, object] = field(default_factory=dict)

    @property
    def allowed(self) -> bool:
        return self.refused is None

    @property
    def must_return(self) -> bool:
        return self.kinds == {Kind.RETURN_REFUND}

    @property
    def without_return(self) -> bool:
        return self.kinds == {Kind.REFUND_ONLY}


def _refuse(rule: str, message: str, **params: object) -> Decision:
    return Decision(rule, refused=message, params=params)


SHIPPED_STATES = frozenset({"shipped", "delivered", "completed"})


def decide(
    facts: OrderFacts, reason: Reason, *, photos: int, limits: Limits, now: datetime
) -> Decision:
    """The rules in order; the first that settles the request decides."""
    if facts.state not in SHIPPED_STATES or facts.shipped_at is None:
        if facts.state == "paid":
            return _refuse(
                "delivery_needs_shipping",
                N_("This order has not shipped yet: cancel it for a full refund instead."),
            )
        return _refuse(
            "delivery_needs_shipping", N_("After-sales is for orders that were paid and shipped.")
        )
    window = timedelta(days=limits.aftersales_days)
    if facts.delivered_at is not None and now > facts.delivered_at + window:
        return _refuse(
            "aftersales_window",
            N_("After-sales closes %(days)s days after delivery; this order is past that."),
            days=limits.aftersales_days,
        )
    if reason in DELIVERY_FAULTS:
        return Decision("delivery_needs_shipping", frozenset({Kind.REFUND_ONLY}))
    if facts.delivered_at is None:
        return _refuse(
            "aftersales_window",
            N_("This order has not been delivered yet: choose “Never arrived” or “Arrived late”."),
        )
    fresh = facts.category in FRESH
    if reason is Reason.NO_REASON:
        if fresh:
            return _refuse(
                "fresh_no_reason_excluded",
                N_("Fresh produce cannot be returned without a reason (the law excludes it)."),
            )
        # The measures count the seven days from the day after signing: a whole day more
        # than the hours since delivery is never shorter than that, wherever the buyer is.
        if now > facts.delivered_at + timedelta(days=limits.no_reason_return_days + 1):
            return _refuse(
                "seven_day_no_reason",
                N_("A return without a reason is only within %(days)s days of delivery."),
                days=limits.no_reason_return_days,
            )
        return Decision("seven_day_no_reason", frozenset({Kind.RETURN_REFUND}))
    quick = now <= facts.delivered_at + timedelta(hours=limits.quality_claim_hours)
    if fresh and photos >= 1 and quick:
        return Decision("fresh_quality_photo_refund", frozenset({Kind.REFUND_ONLY}))
    return Decision("quality_return", frozenset(Kind))


def check_request(decision: Decision, kind: Kind, amount: int, left: int) -> None:
    """Refuse what the decision does not allow: a refused reason (409), a kind it does not
    allow or an amount outside 1 fen … what is left of the payment (422)."""
    if not decision.allowed:
        assert decision.refused is not None
        raise Conflict(decision.refused, params=decision.params)
    if kind not in decision.kinds:
        only = next(iter(decision.kinds))
        message = (
            N_("For this reason the goods are not sent back: choose “Refund only”.")
            if only is Kind.REFUND_ONLY
            else N_("A return without a reason means sending the goods back.")
        )
        raise InvalidInput(FIX, fields={"kind": message})
    check_amount(amount, left)


def check_amount(amount: int, left: int) -> None:
    if left <= 0:
        raise Conflict(N_("Nothing is left of this payment to refund."))
    if not 1 <= amount <= left:
        raise InvalidInput(
            FIX,
            fields={"amount": N_("From ¥0.01 up to %(left)s, what is left of the payment.")},
            params={"left": format_fen(left)},
        )
