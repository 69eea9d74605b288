"""The event envelope of docs/events.md, as a value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from sunlit.core.clock import to_rfc3339
from sunlit.core.ids import new_id


class EventType(StrEnum):
    """The types Sunlit writes. Those of the event contract first, then Sunlit's own additions
    (which the contract allows: readers keep and ignore what they do not know). docs/events.md
    documents every one (a test checks)."""

    ACCOUNT_REGISTERED = "account.registered"
    PRODUCT_LISTED = "product.listed"
    PRODUCT_PRICE_CHANGED = "product.price_changed"
    REPORT_FILED = "report.filed"
    SESSION_FILED = "session.filed"
    SESSION_STARTED = "session.started"
    SESSION_ENDED = "session.ended"
    PRODUCT_PINNED = "product.pinned"
    VIEWER_JOINED = "viewer.joined"
    VIEWER_LEFT = "viewer.left"
    CHAT_MESSAGE = "chat.message"
    LIKE = "like"
    SHARE = "share"
    COMPLAINT_FILED = "complaint.filed"
    REVIEW_POSTED = "review.posted"
    #: Figures announced about a session; Sunlit writes it for a press account's claim.
    CLAIM_PUBLISHED = "claim.published"
    # Sunlit additions: privileged actions on accounts, each with the operator as actor.
    ACCOUNT_ROLE_CHANGED = "account.role_changed"
    ACCOUNT_VERIFIED = "account.verified"
    ACCOUNT_DISABLED = "account.disabled"
    ACCOUNT_ENABLED = "account.enabled"
    ACCOUNT_PASSWORD_CHANGED = "account.password_changed"  # noqa: S105 - an event type
    ACCOUNT_PASSWORD_RESET_ISSUED = "account.password_reset_issued"  # noqa: S105
    ACCOUNT_PASSWORD_RESET = "account.password_reset"  # noqa: S105
    #: An account's sign-in sessions ended (all, or all but the current one): whatever else
    #: the account holds open (live-room sockets) should end with them.
    ACCOUNT_SESSIONS_ENDED = "account.sessions_ended"
    API_TOKEN_CREATED = "account.api_token_created"  # noqa: S105 - an event type
    API_TOKEN_REVOKED = "account.api_token_revoked"  # noqa: S105
    REGION_SERVED = "region.served"
    PRODUCER_REGISTERED = "producer.registered"
    PRODUCER_VERIFIED = "producer.verified"
    REFERENCE_BAND_ADDED = "reference_band.added"
    PRICE_PROPOSED = "price.proposed"
    PRICE_PROPOSAL_DECIDED = "price.proposal_decided"
    UNSALABLE_REPORTED = "unsalable.reported"
    UNSALABLE_CLOSED = "unsalable.closed"
    PRODUCT_STOCK_CHANGED = "product.stock_changed"
    INSPECTION_ADDED = "inspection.added"
    PHOTO_ADDED = "photo.added"
    PLAN_DRAFTED = "plan.drafted"
    PLAN_CHANGED = "plan.changed"
    PLAN_CHECKED = "plan.checked"
    PLAN_APPROVED = "plan.approved"
    PLAN_REJECTED = "plan.rejected"
    #: issue 21: a producer asked, agreeing (with the stock it commits) or declining to be on
    #: an official's plan
    CONSENT_ASKED = "plan.consent_asked"
    CONSENT_GIVEN = "plan.consent_given"
    CONSENT_DECLINED = "plan.consent_declined"
    STREAM_REFUSED = "stream.refused"
    SESSION_RATED = "session.rated"
    # Orders and payments (spec types first, then Sunlit's own).
    ORDER_PLACED = "order.placed"
    ORDER_PAID = "order.paid"
    ORDER_CANCELLED = "order.cancelled"
    ORDER_REFUNDED = "order.refunded"
    ORDER_SHIPPED = "order.shipped"
    ORDER_DELIVERED = "order.delivered"
    ORDER_COMPLETED = "order.completed"
    #: Receipt confirmed: by the buyer, or by the system days after the carrier's delivery.
    ORDER_CONFIRMED = "order.confirmed"
    PRODUCT_SALES_CHANGED = "product.sales_changed"
    PAYOUT_MADE = "payout.made"
    PAYOUT_SHARES_SET = "payout.shares_set"
    # Fulfilment (Sunlit's own): shipments booked with a carrier and the carrier's scans.
    SHIPMENT_BOOKED = "shipment.booked"
    SHIPMENT_TRACKED = "shipment.tracked"
    # After-sales (Sunlit's own): the buyer's request, the producer's answer, the return, the
    # platform's arbitration and the close; `complaint.filed` (above) goes with a complaint.
    AFTERSALES_OPENED = "aftersales.opened"
    AFTERSALES_ANSWERED = "aftersales.answered"
    AFTERSALES_RETURN_SENT = "aftersales.return_sent"
    AFTERSALES_ESCALATED = "aftersales.escalated"
    AFTERSALES_DECIDED = "aftersales.decided"
    AFTERSALES_CLOSED = "aftersales.closed"
    # Reviews (Sunlit's own; review.posted is a contract type above): the buyer's follow-up,
    # the producer's public reply, and a supervisor's or operator's hide for abuse (and its
    # undoing), each with that person as actor.
    REVIEW_FOLLOWED_UP = "review.followed_up"
    REVIEW_REPLIED = "review.replied"
    REVIEW_HIDDEN = "review.hidden"
    REVIEW_UNHIDDEN = "review.unhidden"
    # The live room (Sunlit's own): moderation, each with the moderator as actor.
    PRODUCT_UNPINNED = "product.unpinned"
    CHAT_HIDDEN = "chat.hidden"
    CHAT_MUTED = "chat.muted"
    CHAT_UNMUTED = "chat.unmuted"
    # Integrity (Sunlit's own): the case queue, each step with the supervisor as actor.
    CASE_OPENED = "case.opened"
    CASE_ASSIGNED = "case.assigned"
    CASE_NOTED = "case.noted"
    CASE_CONFIRMED = "case.confirmed"
    CASE_DISMISSED = "case.dismissed"
    CASE_PUBLISHED = "case.published"
    CASE_WITHDRAWN = "case.withdrawn"
    EVENTS_IMPORTED = "events.imported"
    FIGURES_VERIFIED = "figures.verified"
    # Concerns (关切, Sunlit's own): raised by anyone, answered by the named party, judged by a
    # supervisor, rated by the person who raised them (docs/adr/0010).
    CONCERN_RAISED = "concern.raised"
    CONCERN_ANSWERED = "concern.answered"
    CONCERN_ACCEPTED = "concern.accepted"
    CONCERN_REOPENED = "concern.reopened"
    CONCERN_ESCALATED = "concern.escalated"
    CONCERN_RATED = "concern.rated"
    CONCERN_PUBLISHED = "concern.published"
    CALENDAR_LOADED = "calendar.loaded"
    # Fulfilment (Sunlit's own): shipping fees by zone, and the buyers' address books, whose
    # events carry ids only (an address is personal data).
    SHIPPING_FEES_SET = "shipping.fees_set"
    ADDRESS_SAVED = "address.saved"
    ADDRESS_REMOVED = "address.removed"
    # The guarantee fund pays buyers first and recovers from the producer (ADR 0011).
    FUND_COMPENSATED = "fund.compensated"
    FUND_RECOVERED = "fund.recovered"


@dataclass(frozen=True, slots=True)
class Event:
    type: str
    ts: datetime
    data: dict[str, Any]
    actor: str | None = None
    session: str | None = None
    id: str = ""

    def __post_init__(self) -> None:
        if self.ts.tzinfo is None:
            raise ValueError("event timestamps carry their offset")
        if not self.id:  # time-ordered by the event's own time, not the wall clock
            object.__setattr__(self, "id", new_id("e", now_ms=int(self.ts.timestamp() * 1000)))

    def envelope(self, zone: ZoneInfo) -> dict[str, Any]:
        """The JSON object of docs/events.md."""
        return {
            "id": self.id,
            "type": self.type,
            "ts": to_rfc3339(self.ts, zone),
            "session": self.session,
            "actor": self.actor,
            "data": self.data,
        }

    def to_json_line(self, zone: ZoneInfo) -> bytes:
        return orjson.dumps(self.envelope(zone)) + b"\n"
