"""Reviews as values: who may review an order and when, the checks on a review, a reply and a
hide, the averages a product page shows and a producer's record over the last 90 days. Pure
functions, explicit ``now``."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sunlit.core.errors import N_, InvalidInput

STARS_MIN, STARS_MAX = 1, 5
TEXT_MAX = 500
REPLY_MAX = 500
NOTE_MAX = 500
PHOTOS_MAX = 3
#: How far back a producer's page looks: delivery time, complaint rate, review average.
RECORD_DAYS = 90
#: Reviews a product page shows, newest first.
PAGE_SIZE = 20
FIX = N_("Please correct the marked fields.")
#: The marks besides the stars, each 1 to 5: the buyer's words for what went well or not.
MARKS = ("freshness", "packaging", "speed")
#: Order states after delivery; a partial refund keeps the order in one of them, a refund in
#: full moves it to ``refunded``.
REVIEWABLE_STATES = frozenset({"delivered", "completed"})


class HideReason(StrEnum):
    """A review is hidden only for abuse, for the reasons a live room's chat message is (the
    same values and labels, ``hide_reason``): unfavourable reviews are not to be suppressed,
    so there is deliberately no reason such as "negative" or "unfair"."""

    INSULT = "insult"
    SPAM = "spam"
    FRAUD = "fraud"
    PRIVACY = "privacy"
    ILLEGAL = "illegal"


@dataclass(frozen=True, slots=True)
class Draft:
    """A review as the buyer wrote it, checked: stars and marks 1 to 5, text trimmed."""

    stars: int
    freshness: int
    packaging: int
    speed: int
    text: str


def why_not_reviewable(state: str, amount: int, refunded: int) -> str | None:
    """A msgid saying why this order cannot be reviewed (yet), or None when it can."""
    if state in ("cancelled",):
        return N_("A cancelled order cannot be reviewed.")
    if state == "refunded" or (amount and refunded >= amount):
        return N_("An order refunded in full cannot be reviewed.")
    if state not in REVIEWABLE_STATES:
        return N_("You can review an order once it has been delivered.")
    return None


def _mark(value: int | None, name: str, errors: dict[str, str]) -> int:
    if value is None or not STARS_MIN <= value <= STARS_MAX:
        errors[name] = N_("Choose from 1 to 5 stars.")
        return 0
    return value


def check_review(
    *,
    stars: int | None,
    freshness: int | None,
    packaging: int | None,
    speed: int | None,
    text: str,
    photos: int,
    errors: dict[str, str] | None = None,
) -> Draft:
    """The review, checked; InvalidInput naming every field that is wrong (``errors``: those
    the form already found, such as a mark that was not a number)."""
    found = dict(errors or {})
    draft = Draft(
        stars=_mark(stars, "stars", found) if "stars" not in found else 0,
        freshness=_mark(freshness, "freshness", found) if "freshness" not in found else 0,
        packaging=_mark(packaging, "packaging", found) if "packaging" not in found else 0,
        speed=_mark(speed, "speed", found) if "speed" not in found else 0,
        text=text.strip(),
    )
    if len(draft.text) > TEXT_MAX:
        found["text"] = N_("At most %(max)s characters.")
    if photos > PHOTOS_MAX:
        found["photos"] = N_("At most %(photos)s photos.")
    if found:
        raise InvalidInput(FIX, fields=found, params={"max": TEXT_MAX, "photos": PHOTOS_MAX})
    return draft


def check_words(text: str, field: str, most: int = REPLY_MAX) -> str:
    """A reply, a follow-up or a note, trimmed: between 1 and ``most`` characters."""
    kept = text.strip()
    if not kept or len(kept) > most:
        raise InvalidInput(
            FIX,
            fields={field: N_("Write between 1 and %(max)s characters.")},
            params={"max": most},
        )
    return kept


def check_reply(text: str) -> str:
    """The producer's reply, trimmed: between 1 and REPLY_MAX characters."""
    return check_words(text, "reply")


def check_follow_up(text: str) -> str:
    """The buyer's follow-up, trimmed: between 1 and TEXT_MAX characters."""
    return check_words(text, "follow_up", TEXT_MAX)


def check_hide(reason: str, note: str) -> tuple[HideReason, str]:
    """A moderator's reason (one of the abuse reasons) and note (required)."""
    errors: dict[str, str] = {}
    try:
        chosen = HideReason(reason)
    except ValueError:
        errors["reason"] = N_("Choose from the list.")
    kept = note.strip()
    if not kept or len(kept) > NOTE_MAX:
        errors["note"] = N_("Write between 1 and %(max)s characters.")
    if errors:
        raise InvalidInput(FIX, fields=errors, params={"max": NOTE_MAX})
    return chosen, kept


# --- what the public pages show -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Averages:
    """A product's (or producer's) reviews in figures: hidden reviews are left out."""

    count: int
    stars: float | None
    freshness: float | None
    packaging: float | None
    speed: float | None


def one_decimal(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


@dataclass(frozen=True, slots=True)
class Shown:
    """One review as a public page shows it. A hidden review keeps only its reason, its date and
    the producer's reply: its stars, marks, text, follow-up and photos are not shown."""

    id: str
    order_id: str
    stars: int
    freshness: int
    packaging: int
    speed: int
    text: str
    photos: tuple[str, ...]
    posted_at: datetime
    follow_up: str | None
    follow_up_at: datetime | None
    reply: str | None
    replied_at: datetime | None
    hidden_reason: str | None


@dataclass(frozen=True, slots=True)
class Record:
    """A producer's last RECORD_DAYS days, up to ``until``: the median time from payment to
    delivery (days, one decimal), complaints (``complaint.filed`` on its orders) per 100 orders
    paid, and its reviews' average (hidden ones left out)."""

    since: datetime
    until: datetime
    delivered: int
    median_delivery_days: float | None
    orders: int
    complaints: int
    complaints_per_100: float | None
    reviews: int
    stars: float | None


@dataclass(frozen=True, slots=True)
class Sale:
    """What the record needs of one order."""

    id: str
    paid_at: datetime | None
    delivered_at: datetime | None


def record_window(now: datetime) -> tuple[datetime, datetime]:
    return now - timedelta(days=RECORD_DAYS), now


def producer_record(
    *,
    now: datetime,
    sales: Iterable[Sale],
    complaints: Iterable[tuple[str, datetime]],
    stars: Sequence[tuple[int, datetime]],
) -> Record:
    """The record from the producer's orders, the complaints (order, when) filed on them and
    its visible reviews (stars, when); anything outside the window is left out."""
    since, until = record_window(now)

    def inside(moment: datetime | None) -> bool:
        return moment is not None and since <= moment <= until

    kept = list(sales)
    paid = [s for s in kept if inside(s.paid_at)]
    days = [
        (s.delivered_at - s.paid_at).total_seconds() / 86400
        for s in kept
        if s.paid_at is not None and s.delivered_at is not None and inside(s.delivered_at)
    ]
    mine = {s.id for s in kept}
    filed = sum(1 for order, at in complaints if order in mine and inside(at))
    recent = [value for value, at in stars if inside(at)]
    return Record(
        since=since,
        until=until,
        delivered=len(days),
        median_delivery_days=one_decimal(statistics.median(days)) if days else None,
        orders=len(paid),
        complaints=filed,
        complaints_per_100=one_decimal(100 * filed / len(paid)) if paid else None,
        reviews=len(recent),
        stars=one_decimal(statistics.fmean(recent)) if recent else None,
    )
