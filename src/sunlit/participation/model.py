"""Price consent as values and rules: a producer's price is the producer's."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

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


# --- anonymous reports ----------------------------------------------------------------------


class ReportCategory(StrEnum):
    """The categories of ``report.filed`` (docs/events.md)."""

    FORCED_PURCHASE = "forced_purchase"
    BELOW_COST = "below_cost"
    FAKE_DATA = "fake_data"
    CONFLICT_OF_INTEREST = "conflict_of_interest"
    QUALITY = "quality"
    OTHER = "other"


REPORT_LABELS = {
    ReportCategory.FORCED_PURCHASE: N_("Purchases forced on staff (quotas, 摊派)"),
    ReportCategory.BELOW_COST: N_("Pressure to sell below cost"),
    ReportCategory.FAKE_DATA: N_("Fake viewers, orders or figures"),
    ReportCategory.CONFLICT_OF_INTEREST: N_("An official promoting a company they are tied to"),
    ReportCategory.QUALITY: N_("Poor or unsafe produce"),
    ReportCategory.OTHER: N_("Something else"),
}


def check_report(text: str) -> str | None:
    if len(text.strip()) < 10:
        return N_("Describe what happened in at least 10 characters.")
    if len(text) > 4000:
        return N_("A report is at most 4,000 characters.")
    return None


def received_on(now: datetime, zone: ZoneInfo) -> date:
    """The only time a report keeps: the local day it arrived."""
    return now.astimezone(zone).date()


def release_moment(now: datetime, zone: ZoneInfo) -> datetime:
    """Reports are published as events in daily batches, all stamped with local midnight, in
    random order, so that neither the time nor the order of the log links one to a person."""
    local = now.astimezone(zone)
    return datetime.combine(local.date(), time(0, 0), tzinfo=zone)
