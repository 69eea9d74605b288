"""Which event makes which notification for whom: pure. A notification is stored as a kind and
its parameters, never as a rendered sentence, so that it is read in the reader's language at
display time (docs/notifications.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from sunlit.core.errors import N_


class Kind(StrEnum):
    # farmers (the producer's manager)
    ORDER_TO_SHIP = "order_to_ship"
    PRICE_PROPOSED = "price_proposed"
    PAYOUT_MADE = "payout_made"
    AFTERSALES_OPENED = "aftersales_opened"
    # officials
    PROPOSAL_ACCEPTED = "proposal_accepted"
    PROPOSAL_REFUSED = "proposal_refused"
    PLAN_APPROVED = "plan_approved"
    PLAN_REJECTED = "plan_rejected"
    # issue 21: a producer asked to be on an official's plan, and its answer
    CONSENT_ASKED = "consent_asked"
    CONSENT_GIVEN = "consent_given"
    CONSENT_DECLINED = "consent_declined"
    CONCERN_TO_ANSWER = "concern_to_answer"
    # buyers
    ORDER_SHIPPED = "order_shipped"
    ORDER_DELIVERED = "order_delivered"
    # anyone who follows a producer, county or kind of produce on a session (issue 21)
    FOLLOWED_SESSION_APPROVED = "followed_session_approved"
    FOLLOWED_SESSION_STARTED = "followed_session_started"


#: What each kind says; ``%(name)s`` are the notification's parameters (money in fen is shown
#: as yuan, a bilingual name in the reader's language).
MESSAGES: dict[Kind, str] = {
    Kind.ORDER_TO_SHIP: N_(
        "A buyer has paid %(amount)s for %(product)s × %(qty)s. Please ship it."
    ),
    Kind.PRICE_PROPOSED: N_(
        "A price of %(price)s is proposed for %(product)s. Accept or refuse it."
    ),
    Kind.PAYOUT_MADE: N_("A payout of %(amount)s has been made to you."),
    Kind.AFTERSALES_OPENED: N_(
        "A buyer asks for after-sales on %(product)s × %(qty)s (paid %(amount)s). Please answer."
    ),
    Kind.PROPOSAL_ACCEPTED: N_("Your proposed price of %(price)s for %(product)s was accepted."),
    Kind.PROPOSAL_REFUSED: N_("Your proposed price of %(price)s for %(product)s was refused."),
    Kind.PLAN_APPROVED: N_("Your session plan “%(plan)s” was approved."),
    Kind.PLAN_REJECTED: N_("Your session plan “%(plan)s” was rejected."),
    Kind.CONSENT_ASKED: N_(
        "An official wants to sell %(product)s in “%(plan)s”. Agree, with the stock you commit, "
        "or decline."
    ),
    Kind.CONSENT_GIVEN: N_("The producer of %(product)s agreed to “%(plan)s”."),
    Kind.CONSENT_DECLINED: N_(
        "The producer of %(product)s declined “%(plan)s”, so it was taken off: %(reason)s"
    ),
    Kind.CONCERN_TO_ANSWER: N_("A concern was raised that you are asked to answer."),
    Kind.ORDER_SHIPPED: N_("Your order of %(product)s has been shipped."),
    Kind.ORDER_DELIVERED: N_("Your order of %(product)s has been delivered."),
    Kind.FOLLOWED_SESSION_APPROVED: N_(
        "A session with something you follow was approved: “%(plan)s”. See when it starts."
    ),
    Kind.FOLLOWED_SESSION_STARTED: N_("“%(plan)s” is live now, with something you follow."),
}


class Told(Protocol):
    """A notification written (the table's row satisfies it): whom, what, with what."""

    @property
    def account_id(self) -> str: ...

    @property
    def kind(self) -> Kind: ...

    @property
    def params(self) -> Mapping[str, Any]: ...


#: Parameters that hold fen.
MONEY = frozenset({"price", "amount"})


class To(StrEnum):
    """Whom a notification is for, as the event names them (the composition root finds the
    account): the manager of a producer, the seller or buyer of an order, the seller of a
    product, the author of a price proposal, the official of a plan."""

    PRODUCER = "producer"
    ORDER_SELLER = "order_seller"
    ORDER_BUYER = "order_buyer"
    PRODUCT_SELLER = "product_seller"
    PROPOSER = "proposer"
    PLAN_OFFICIAL = "plan_official"
    SESSION_FOLLOWERS = "session_followers"


@dataclass(frozen=True)
class Draft:
    """A notification before its reader is known: ``to`` and ``ref`` name them."""

    kind: Kind
    to: To
    ref: str
    link: str
    params: Mapping[str, Any] = field(default_factory=dict)


def drafts_for(event_type: str, data: Mapping[str, Any], session: str | None) -> list[Draft]:
    """The notifications an event makes (none for most)."""
    order = str(data.get("order") or "")
    order_link = f"/orders/{order}"
    match event_type:
        case "order.paid":
            return [Draft(Kind.ORDER_TO_SHIP, To.ORDER_SELLER, order, order_link, {"order": order})]
        case "aftersales.opened":
            return [
                Draft(Kind.AFTERSALES_OPENED, To.ORDER_SELLER, order, order_link, {"order": order})
            ]
        case "order.shipped":
            return [Draft(Kind.ORDER_SHIPPED, To.ORDER_BUYER, order, order_link, {"order": order})]
        case "order.delivered":
            return [
                Draft(Kind.ORDER_DELIVERED, To.ORDER_BUYER, order, order_link, {"order": order})
            ]
        case "price.proposed":
            product = str(data["product"])
            params = {"product": product, "price": int(data["price"])}
            return [Draft(Kind.PRICE_PROPOSED, To.PRODUCT_SELLER, product, "/producer", params)]
        case "price.proposal_decided":
            product = str(data["product"])
            kind = (
                Kind.PROPOSAL_ACCEPTED if data["decision"] == "accepted" else Kind.PROPOSAL_REFUSED
            )
            params = {"product": product, "price": int(data["price"])}
            link = f"/products/{product}"
            return [Draft(kind, To.PROPOSER, str(data["proposal"]), link, params)]
        case "payout.made":
            params = {"amount": int(data["amount"])}
            return [
                Draft(
                    Kind.PAYOUT_MADE, To.PRODUCER, str(data["producer"]), "/producer/orders", params
                )
            ]
        case "plan.approved" if session:
            plan = {"plan": session}
            return [
                Draft(Kind.PLAN_APPROVED, To.PLAN_OFFICIAL, session, f"/plans/{session}", plan),
                Draft(
                    Kind.FOLLOWED_SESSION_APPROVED,
                    To.SESSION_FOLLOWERS,
                    session,
                    f"/live/{session}",
                    plan,
                ),
            ]
        case "plan.consent_asked" if session:
            params = {"plan": session, "product": str(data["product"])}
            link = "/producer#consents"
            return [Draft(Kind.CONSENT_ASKED, To.PRODUCER, str(data["producer"]), link, params)]
        case "plan.consent_given" | "plan.consent_declined" if session:
            given = event_type == "plan.consent_given"
            params = {"plan": session, "product": str(data["product"])}
            if not given:
                params["reason"] = str(data.get("reason") or "")
            kind = Kind.CONSENT_GIVEN if given else Kind.CONSENT_DECLINED
            return [Draft(kind, To.PLAN_OFFICIAL, session, f"/plans/{session}", params)]
        case "plan.rejected" if session:
            plan = {"plan": session}
            return [Draft(Kind.PLAN_REJECTED, To.PLAN_OFFICIAL, session, f"/plans/{session}", plan)]
        case "session.started" if session:
            return [
                Draft(
                    Kind.FOLLOWED_SESSION_STARTED,
                    To.SESSION_FOLLOWERS,
                    session,
                    f"/live/{session}",
                    {"plan": session},
                )
            ]
        case "concern.raised":
            link = f"/concerns/{data['concern']}"
            if data.get("party") == "office" and session:
                return [Draft(Kind.CONCERN_TO_ANSWER, To.PLAN_OFFICIAL, session, link)]
            if data.get("party") == "producer" and data.get("producer"):
                return [Draft(Kind.CONCERN_TO_ANSWER, To.PRODUCER, str(data["producer"]), link)]
            return []
    return []
