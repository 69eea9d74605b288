"""After-sales as values, pure: what a buyer asks for and why, and the state machine of the
answer loop with explicit times (docs/aftersales.md). Each step is one function that takes
where the request stands and returns where it goes, with the money to give back at that step;
the services write the rows and the step's event. No I/O."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from sunlit.core.errors import N_, Conflict, InvalidInput


class Kind(StrEnum):
    REFUND_ONLY = "refund_only"  # 仅退款: the goods stay (spoiled, or never arrived)
    RETURN_REFUND = "return_refund"  # 退货退款: the buyer sends the goods back first


class Reason(StrEnum):
    QUALITY = "quality"
    NOT_AS_DESCRIBED = "not_as_described"
    DAMAGED = "damaged"  # in transit
    LATE = "late"
    PACKAGING = "packaging"
    NOT_RECEIVED = "not_received"
    NO_REASON = "no_reason"  # 七天无理由: processed and dry goods only


class Status(StrEnum):
    OPEN = "open"  # waiting for the producer's answer
    OFFERED = "offered"  # the producer offered part: waiting for the buyer
    REFUSED = "refused"  # the producer refused: the buyer may escalate
    RETURNING = "returning"  # accepted: waiting for the buyer to send the goods back
    RETURNED = "returned"  # sent back: waiting for the producer to confirm receipt
    ESCALATED = "escalated"  # platform arbitration: waiting for an operator or supervisor
    CLOSED = "closed"


class Outcome(StrEnum):
    REFUNDED = "refunded"
    WITHDRAWN = "withdrawn"
    REFUSED_FINAL = "refused_final"


class Answer(StrEnum):
    ACCEPTED = "accepted"
    PARTIAL = "partial"
    REFUSED = "refused"


class Ruling(StrEnum):
    BUYER = "buyer"
    PRODUCER = "producer"


class Side(StrEnum):
    BUYER = "buyer"
    PRODUCER = "producer"


#: The ``complaint.filed`` category (docs/events.md) of each reason; none for a no-reason return.
COMPLAINT_CATEGORY: dict[Reason, str] = {
    Reason.QUALITY: "quality",
    Reason.NOT_AS_DESCRIBED: "mismatch",
    Reason.DAMAGED: "logistics",
    Reason.LATE: "logistics",
    Reason.PACKAGING: "packaging",
    Reason.NOT_RECEIVED: "logistics",
}

KIND_LABELS = {
    Kind.REFUND_ONLY: N_("Refund only"),
    Kind.RETURN_REFUND: N_("Return and refund"),
}
REASON_LABELS = {
    Reason.QUALITY: N_("Quality problem (spoiled, rotten, off)"),
    Reason.NOT_AS_DESCRIBED: N_("Not as described"),
    Reason.DAMAGED: N_("Damaged in transit"),
    Reason.LATE: N_("Arrived late"),
    Reason.PACKAGING: N_("Packaging problem"),
    Reason.NOT_RECEIVED: N_("Never arrived"),
    Reason.NO_REASON: N_("No reason (seven-day return)"),
}
STATUS_LABELS = {
    Status.OPEN: N_("Waiting for the producer"),
    Status.OFFERED: N_("Partial refund offered"),
    Status.REFUSED: N_("Refused by the producer"),
    Status.RETURNING: N_("Waiting for the goods to be sent back"),
    Status.RETURNED: N_("Goods sent back"),
    Status.ESCALATED: N_("In platform arbitration"),
    Status.CLOSED: N_("Closed"),
}
OUTCOME_LABELS = {
    Outcome.REFUNDED: N_("Refunded"),
    Outcome.WITHDRAWN: N_("Withdrawn"),
    Outcome.REFUSED_FINAL: N_("Refused"),
}
ANSWER_LABELS = {
    Answer.ACCEPTED: N_("Accepted"),
    Answer.PARTIAL: N_("Partial refund offered"),
    Answer.REFUSED: N_("Refused"),
}
RULING_LABELS = {
    Ruling.BUYER: N_("For the buyer"),
    Ruling.PRODUCER: N_("For the producer"),
}

TEXT_MIN, TEXT_MAX = 5, 2000
PHOTOS_MAX = 3
CARRIER_MAX = 40
FIX = N_("Please correct the marked fields.")


def check_text(text: str, field: str = "text", *, required: bool = True) -> str:
    """Words of a request, an answer or a ruling, trimmed; InvalidInput when too short (if
    required) or too long."""
    kept = text.strip()
    if (required or kept) and not TEXT_MIN <= len(kept) <= TEXT_MAX:
        raise InvalidInput(
            FIX,
            fields={field: N_("Write between %(min)s and %(max)s characters.")},
            params={"min": TEXT_MIN, "max": TEXT_MAX},
        )
    return kept


@dataclass(frozen=True, slots=True)
class Deadlines:
    """How long each silent party has (the settings)."""

    answer_hours: int  # the producer to answer, the buyer to take or escalate, a return
    return_days: int  # the buyer to send the goods back

    def answer(self, now: datetime) -> datetime:
        return now + timedelta(hours=self.answer_hours)

    def send_back(self, now: datetime) -> datetime:
        return now + timedelta(days=self.return_days)


@dataclass(frozen=True, slots=True)
class Loop:
    """Where a request stands."""

    status: Status
    kind: Kind
    amount: int  # what the buyer asked for, fen
    deadline: datetime | None  # when the silent party's default applies; None: no clock
    offer: int | None = None
    outcome: Outcome | None = None


@dataclass(frozen=True, slots=True)
class Move:
    """A step's result: the new state and what to give back now (0: nothing)."""

    loop: Loop
    refund: int = 0


def opened(kind: Kind, amount: int, deadlines: Deadlines, now: datetime) -> Loop:
    return Loop(Status.OPEN, kind, amount, deadlines.answer(now))


def _closed(loop: Loop, outcome: Outcome, refund: int = 0) -> Move:
    return Move(replace(loop, status=Status.CLOSED, outcome=outcome, deadline=None), refund)


def _accepted(loop: Loop, deadlines: Deadlines, now: datetime) -> Move:
    if loop.kind is Kind.RETURN_REFUND:
        return Move(replace(loop, status=Status.RETURNING, deadline=deadlines.send_back(now)))
    return _closed(loop, Outcome.REFUNDED, loop.amount)


def answer(
    loop: Loop, answer: Answer, deadlines: Deadlines, now: datetime, *, offer: int | None = None
) -> Move:
    """The producer answers an open request: accept (refund now, or wait for the goods),
    offer part of the amount, or refuse (the buyer may escalate)."""
    if loop.status is not Status.OPEN:
        raise Conflict(N_("This request is not waiting for the producer's answer."))
    if answer is Answer.ACCEPTED:
        return _accepted(loop, deadlines, now)
    if answer is Answer.PARTIAL:
        if offer is None or not 1 <= offer < loop.amount:
            raise InvalidInput(
                FIX,
                fields={"offer": N_("Offer more than nothing and less than was asked for.")},
            )
        return Move(
            replace(loop, status=Status.OFFERED, offer=offer, deadline=deadlines.answer(now))
        )
    return Move(replace(loop, status=Status.REFUSED, deadline=deadlines.answer(now)))


def take_offer(loop: Loop) -> Move:
    """The buyer takes the partial refund offered."""
    if loop.status is not Status.OFFERED or loop.offer is None:
        raise Conflict(N_("There is no offer to take."))
    return _closed(loop, Outcome.REFUNDED, loop.offer)


def escalate(loop: Loop) -> Move:
    """The buyer asks the platform to decide a refusal or a partial offer."""
    if loop.status not in (Status.REFUSED, Status.OFFERED):
        raise Conflict(N_("Only a refusal or a partial offer can go to arbitration."))
    return Move(replace(loop, status=Status.ESCALATED, deadline=None))


def send_back(loop: Loop, deadlines: Deadlines, now: datetime) -> Move:
    """The buyer has sent the goods back (carrier and tracking number)."""
    if loop.status is not Status.RETURNING:
        raise Conflict(N_("This request is not waiting for the goods to be sent back."))
    return Move(replace(loop, status=Status.RETURNED, deadline=deadlines.answer(now)))


def receive(loop: Loop) -> Move:
    """The producer confirms the goods came back: the refund follows."""
    if loop.status is not Status.RETURNED:
        raise Conflict(N_("The goods have not been sent back yet."))
    return _closed(loop, Outcome.REFUNDED, loop.amount)


def decide(loop: Loop, ruling: Ruling, amount: int | None = None) -> Move:
    """Arbitration: for the buyer (the amount asked for, or less), or for the producer."""
    if loop.status is not Status.ESCALATED:
        raise Conflict(N_("This request is not in arbitration."))
    if ruling is Ruling.PRODUCER:
        return _closed(loop, Outcome.REFUSED_FINAL)
    given = loop.amount if amount is None else amount
    if not 1 <= given <= loop.amount:
        raise InvalidInput(
            FIX, fields={"amount": N_("At least ¥0.01 and at most what the buyer asked for.")}
        )
    return _closed(loop, Outcome.REFUNDED, given)


def withdraw(loop: Loop) -> Move:
    """The buyer withdraws a request that is not closed."""
    if loop.status is Status.CLOSED:
        raise Conflict(N_("This request is already closed."))
    return _closed(loop, Outcome.WITHDRAWN)


def overdue(loop: Loop, now: datetime) -> bool:
    return loop.deadline is not None and now >= loop.deadline


def default(loop: Loop, deadlines: Deadlines, now: datetime) -> Move | None:
    """What silence past the deadline means, favouring the buyer where the producer is silent:
    an unanswered request is accepted; goods sent back and not confirmed are refunded; an
    offer the buyer let lapse is taken; a refusal not escalated is final; goods never sent
    back withdraw the request. None when nothing is due."""
    if not overdue(loop, now):
        return None
    if loop.status is Status.OPEN:
        return _accepted(loop, deadlines, now)
    if loop.status is Status.RETURNED:
        return receive(loop)
    if loop.status is Status.OFFERED:
        return take_offer(loop)
    if loop.status is Status.REFUSED:
        return _closed(loop, Outcome.REFUSED_FINAL)
    if loop.status is Status.RETURNING:
        return _closed(loop, Outcome.WITHDRAWN)
    return None


#: The names of the after-sales enumerations, for the templates' ``label(group, value)``.
LABELS: dict[str, dict[str, str]] = {
    "aftersales_kind": {k.value: v for k, v in KIND_LABELS.items()},
    "aftersales_reason": {k.value: v for k, v in REASON_LABELS.items()},
    "aftersales_status": {k.value: v for k, v in STATUS_LABELS.items()},
    "aftersales_outcome": {k.value: v for k, v in OUTCOME_LABELS.items()},
    "aftersales_answer": {k.value: v for k, v in ANSWER_LABELS.items()},
    "aftersales_ruling": {k.value: v for k, v in RULING_LABELS.items()},
}
