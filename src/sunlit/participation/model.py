"""Price consent as values and rules: a producer's price is the producer's."""

from __future__ import annotations

from enum import StrEnum

from sunlit.core.errors import N_


class ProposalStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REFUSED = "refused"


class PriceRoute(StrEnum):
    """How a wish to change a price goes ahead."""

    DIRECT = "direct"  # the producer's own change
    PROPOSAL = "proposal"  # anyone else's: the producer decides


def route_for(*, manages_producer: bool, is_operator: bool) -> PriceRoute:
    """The producer (or the farmer account running it) changes the price; an official's team
    or an operator only proposes. An operator who registered a producer does not thereby own
    its prices."""
    if manages_producer and not is_operator:
        return PriceRoute.DIRECT
    return PriceRoute.PROPOSAL


def check_decision(status: ProposalStatus) -> str | None:
    if status is not ProposalStatus.PENDING:
        return N_("This proposal has already been decided.")
    return None


def check_reason(reason: str) -> str | None:
    if not reason.strip():
        return N_("Say why the price should change; the producer reads it.")
    if len(reason) > 500:
        return N_("A reason is at most 500 characters.")
    return None
