"""The concern loop as values, pure: categories, what a concern names, the state machine of
the answer loop with explicit times, and the public counters. No I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from sunlit.core.errors import N_, Conflict, InvalidInput


class Category(StrEnum):
    FORCED_PURCHASE = "forced_purchase"  # quotas pushed on civil servants, villagers, students
    QUALITY = "quality"
    PRICE = "price"
    FAKE_DATA = "fake_data"
    CONFLICT_OF_INTEREST = "conflict_of_interest"
    FARMERS_NOT_PAID = "farmers_not_paid"
    OTHER = "other"


class Subject(StrEnum):
    SESSION = "session"
    PRODUCT = "product"
    ORDER = "order"


class Party(StrEnum):
    """Who must answer: derived from what the concern names, never chosen by its author."""

    OFFICE = "office"  # the host official's office, for a session
    PRODUCER = "producer"  # the producer's manager, for a product or an order


class Status(StrEnum):
    WAITING = "waiting"  # raised, or asked again: waiting for an answer
    ANSWERED = "answered"  # the named party answered; a supervisor has not judged it yet
    ACCEPTED = "accepted"
    ESCALATED = "escalated"  # an integrity case was opened from it


class AnswerKind(StrEnum):
    EXPLANATION = "explanation"
    CORRECTION = "correction"  # 整改: what was done to put it right


class Step(StrEnum):
    """A supervisor's judgement of an answer."""

    ACCEPT = "accept"
    REOPEN = "reopen"  # ask again, with a new deadline
    ESCALATE = "escalate"


CATEGORY_LABELS = {
    Category.FORCED_PURCHASE: N_("Forced purchase or quota"),
    Category.QUALITY: N_("Quality"),
    Category.PRICE: N_("Price"),
    Category.FAKE_DATA: N_("Fake data"),
    Category.CONFLICT_OF_INTEREST: N_("Conflict of interest"),
    Category.FARMERS_NOT_PAID: N_("Farmers not paid"),
    Category.OTHER: N_("Other"),
}
STATUS_LABELS = {
    Status.WAITING: N_("Waiting for an answer"),
    Status.ANSWERED: N_("Answered"),
    Status.ACCEPTED: N_("Answer accepted"),
    Status.ESCALATED: N_("Escalated to a case"),
}
ANSWER_LABELS = {
    AnswerKind.EXPLANATION: N_("Explanation"),
    AnswerKind.CORRECTION: N_("Correction (整改)"),
}
PARTY_LABELS = {
    Party.OFFICE: N_("The host official's office"),
    Party.PRODUCER: N_("The producer"),
}
OUTCOME_LABELS = {
    "accepted": N_("Accepted by a supervisor"),
    "reopened": N_("A supervisor asked again"),
    "escalated": N_("Escalated to a case"),
}
#: The integrity rule a concern is escalated under (docs/integrity.md); the categories no
#: detector covers open a case under ``public_concern``.
RULE_OF = {
    Category.FORCED_PURCHASE: "forced_purchases",
    Category.QUALITY: "quality_complaints",
    Category.PRICE: "price_gouging",
    Category.FAKE_DATA: "fake_orders",
    Category.CONFLICT_OF_INTEREST: "conflict_of_interest",
    Category.FARMERS_NOT_PAID: "public_concern",
    Category.OTHER: "public_concern",
}

TEXT_MIN, TEXT_MAX = 10, 2000
ANSWER_MIN, ANSWER_MAX = 10, 4000
SUMMARY_MIN, SUMMARY_MAX = 10, 500
NOTE_MAX = 500
PHOTOS_MAX = 3
FIX = N_("Please correct the marked fields.")


def check_text(text: str) -> str:
    """The concern's text, trimmed; InvalidInput when too short or too long."""
    kept = text.strip()
    if len(kept) < TEXT_MIN:
        raise InvalidInput(
            FIX,
            fields={"text": N_("Say what happened in at least %(min)s characters.")},
            params={"min": TEXT_MIN},
        )
    if len(kept) > TEXT_MAX:
        raise InvalidInput(
            FIX, fields={"text": N_("At most %(max)s characters.")}, params={"max": TEXT_MAX}
        )
    return kept


def check_answer(text: str) -> str:
    kept = text.strip()
    if not ANSWER_MIN <= len(kept) <= ANSWER_MAX:
        raise InvalidInput(
            FIX,
            fields={"text": N_("Write between %(min)s and %(max)s characters.")},
            params={"min": ANSWER_MIN, "max": ANSWER_MAX},
        )
    return kept


def check_summary(text: str) -> str:
    kept = text.strip()
    if not SUMMARY_MIN <= len(kept) <= SUMMARY_MAX:
        raise InvalidInput(
            FIX,
            fields={"summary": N_("Write between %(min)s and %(max)s characters.")},
            params={"min": SUMMARY_MIN, "max": SUMMARY_MAX},
        )
    return kept


def check_note(text: str) -> str | None:
    kept = text.strip()
    if len(kept) > NOTE_MAX:
        raise InvalidInput(
            FIX, fields={"note": N_("At most %(max)s characters.")}, params={"max": NOTE_MAX}
        )
    return kept or None


@dataclass(frozen=True, slots=True)
class Loop:
    """Where a concern stands in the answer loop."""

    status: Status
    deadline: datetime
    round: int = 1  # how many times an answer has been asked for
    answered: bool = False  # at least one answer was given
    rating: int | None = None


def overdue(loop: Loop, now: datetime) -> bool:
    """Waiting for an answer after its deadline."""
    return loop.status is Status.WAITING and now >= loop.deadline


def answer(loop: Loop, now: datetime) -> tuple[Loop, bool]:
    """The named party answers: the new state, and whether the answer came in time."""
    if loop.status is not Status.WAITING:
        raise Conflict(N_("This concern is not waiting for an answer."))
    return replace(loop, status=Status.ANSWERED, answered=True), now < loop.deadline


def judge(loop: Loop, step: Step, *, new_deadline: datetime | None = None) -> Loop:
    """A supervisor's step: accept or ask again after an answer; escalate after an answer or
    while waiting (an overdue concern may go straight to a case)."""
    if step is Step.ESCALATE:
        if loop.status not in (Status.ANSWERED, Status.WAITING):
            raise Conflict(N_("This concern has already been decided."))
        return replace(loop, status=Status.ESCALATED)
    if loop.status is not Status.ANSWERED:
        raise Conflict(N_("Only an answered concern can be accepted or asked again."))
    if step is Step.ACCEPT:
        return replace(loop, status=Status.ACCEPTED)
    if new_deadline is None:
        raise ValueError("asking again needs the new deadline")
    return replace(loop, status=Status.WAITING, round=loop.round + 1, deadline=new_deadline)


def rate(loop: Loop, stars: int) -> Loop:
    """The person who raised it rates the answer, once, after there is one."""
    if not loop.answered:
        raise Conflict(N_("There is no answer to rate yet."))
    if loop.rating is not None:
        raise Conflict(N_("You have already rated this answer."))
    if not 1 <= stars <= 5:
        raise InvalidInput(FIX, fields={"stars": N_("Choose from 1 to 5 stars.")})
    return replace(loop, rating=stars)


@dataclass(frozen=True, slots=True)
class Facts:
    """What the counters need of one concern."""

    region: str | None
    first_answer_in_time: bool | None  # None: never answered
    status: Status
    accepted_correction: bool  # the accepted answer was a correction


@dataclass(frozen=True, slots=True)
class Counters:
    raised: int = 0
    answered_in_time: int = 0
    upheld: int = 0  # an accepted correction, or escalated to a case
    corrections: int = 0  # accepted corrections (整改)


def count(facts: Iterable[Facts]) -> Counters:
    raised = in_time = upheld = corrections = 0
    for fact in facts:
        raised += 1
        in_time += fact.first_answer_in_time is True
        upheld += fact.status is Status.ESCALATED or fact.accepted_correction
        corrections += fact.accepted_correction
    return Counters(raised, in_time, upheld, corrections)


def counters_by_region(facts: Iterable[Facts]) -> dict[str, Counters]:
    grouped: dict[str, list[Facts]] = {}
    for fact in facts:
        if fact.region:
            grouped.setdefault(fact.region, []).append(fact)
    return {region: count(items) for region, items in sorted(grouped.items())}


#: The names of the concern enumerations, for the templates' ``label(group, value)``.
LABELS: dict[str, dict[str, str]] = {
    "concern_category": {k.value: v for k, v in CATEGORY_LABELS.items()},
    "concern_status": {k.value: v for k, v in STATUS_LABELS.items()},
    "concern_answer": {k.value: v for k, v in ANSWER_LABELS.items()},
    "concern_party": {k.value: v for k, v in PARTY_LABELS.items()},
    "concern_outcome": dict(OUTCOME_LABELS),
}
