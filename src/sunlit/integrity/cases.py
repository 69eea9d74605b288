"""The supervisors' cases, as values: what a case is, which finding belongs to which case
when the engine runs again, and the checks on every step a supervisor takes (assign, note,
confirm or dismiss with a reason, publish). Pure: no I/O, explicit times."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sunlit.core.errors import N_, Conflict, InvalidInput, PermissionDenied
from sunlit.integrity.model import Finding


class CaseStatus(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"
    WITHDRAWN = "withdrawn"  # raised live, not found by the full run after the session


class CaseSource(StrEnum):
    LIVE = "live"  # raised while the session was on air
    FINAL = "final"  # the full run after the session ended
    IMPORT = "import"  # a stream posted from elsewhere
    CONCERN = "concern"  # a supervisor escalated a public concern (关切)


class Decision(StrEnum):
    CONFIRM = "confirm"
    DISMISS = "dismiss"


STATUS_LABELS = {
    CaseStatus.OPEN: N_("Open"),
    CaseStatus.CONFIRMED: N_("Confirmed"),
    CaseStatus.DISMISSED: N_("Dismissed"),
    CaseStatus.WITHDRAWN: N_("Withdrawn by the engine"),
}
#: Why the engine withdraws a live alert (kept as the case's reason).
WITHDRAWN_REASON = N_(
    "Raised on part of the session; the full run after the session no longer finds it."
)
SOURCE_LABELS = {
    CaseSource.LIVE: N_("Raised live"),
    CaseSource.FINAL: N_("After the session"),
    CaseSource.IMPORT: N_("Imported stream"),
    CaseSource.CONCERN: N_("A public concern"),
}
SEVERITY_LABELS = {"high": N_("High"), "medium": N_("Medium"), "low": N_("Low")}

#: What each rule of docs/integrity.md is called, and what it means, for the pages.
RULE_LABELS = {
    "fake_viewers": N_("Fake viewers"),
    "fake_orders": N_("Fake orders"),
    "forced_purchases": N_("Forced purchases"),
    "paid_comments": N_("Paid comments"),
    "price_gouging": N_("Price above the market"),
    "below_cost": N_("Sold below cost"),
    "conflict_of_interest": N_("Conflict of interest"),
    "company_favouritism": N_("One company's shop"),
    "quality_complaints": N_("Quality complaints"),
    "hype_gap": N_("Inflated figures"),
    "public_concern": N_("A public concern"),
}
RULE_MEANING = {
    "fake_viewers": N_(
        "Accounts that joined and left together like a purchased audience, not like people."
    ),
    "fake_orders": N_(
        "A dense block of buyers, addresses, devices and networks that order together: "
        "brushing or orders placed to be refunded."
    ),
    "forced_purchases": N_(
        "Buyers from one organisation far above their share, or order amounts bunched at a "
        "quota such as 50 yuan."
    ),
    "paid_comments": N_("Near-identical praise posted by several accounts in a short window."),
    "price_gouging": N_("A price well above the reference band for the product."),
    "below_cost": N_("A price below the producer's declared cost."),
    "conflict_of_interest": N_("The official declared a tie to a company whose goods were sold."),
    "company_favouritism": N_("One enterprise took most of the session's sales."),
    "quality_complaints": N_("Quality complaints per 1,000 orders above the usual fence."),
    "hype_gap": N_("A published claim above the verified figures by more than 10%."),
}

REASON_MIN = 4
REASON_MAX = 2000
NOTE_MAX = 4000


@dataclass(frozen=True, slots=True)
class CaseKey:
    """What identifies a case when the engine runs again over more of the same session."""

    id: str
    rule: str
    accounts: frozenset[str]
    orders: frozenset[str]
    products: frozenset[str]


def match_case(finding: Finding, candidates: list[CaseKey]) -> str | None:
    """The case a finding continues: same rule, and the same products, or named accounts or
    orders in common; a finding that names nothing continues the rule's nameless case."""
    accounts, orders, products = set(finding.accounts), set(finding.orders), set(finding.products)
    for case in candidates:
        if case.rule != finding.rule:
            continue
        if products or case.products:
            if products == case.products:
                return case.id
            continue
        if accounts & case.accounts or orders & case.orders:
            return case.id
        if not (accounts or orders or case.accounts or case.orders):
            return case.id
    return None


def check_reason(text: str) -> str:
    reason = text.strip()
    if len(reason) < REASON_MIN:
        raise InvalidInput(
            N_("Please correct the marked fields."),
            fields={"reason": N_("Give the reason in a few words: it is kept with the decision.")},
        )
    if len(reason) > REASON_MAX:
        raise InvalidInput(
            N_("Please correct the marked fields."),
            fields={"reason": N_("A reason is at most 2,000 characters.")},
        )
    return reason


def check_note(text: str) -> str:
    note = text.strip()
    if not note:
        raise InvalidInput(
            N_("Please correct the marked fields."), fields={"text": N_("Write the note first.")}
        )
    if len(note) > NOTE_MAX:
        raise InvalidInput(
            N_("Please correct the marked fields."),
            fields={"text": N_("A note is at most 4,000 characters.")},
        )
    return note


def check_decision(status: str, assignee: str | None, actor: str) -> None:
    """A case is decided once, by the supervisor it is assigned to (or by whoever takes an
    unassigned one)."""
    if status != CaseStatus.OPEN:
        raise Conflict(N_("This case has already been decided."))
    if assignee is not None and assignee != actor:
        raise PermissionDenied(
            N_("This case is assigned to another supervisor. Reassign it to yourself first.")
        )


def check_assign(status: str, published: bool) -> None:
    if status != CaseStatus.OPEN or published:
        raise Conflict(N_("A decided case cannot be reassigned."))


def check_publish(status: str, published: bool, decided_by: str | None, actor: str) -> None:
    """Only a confirmed finding is published, once, and by a second supervisor: the one who
    confirmed it cannot also make it public (four eyes)."""
    if published:
        raise Conflict(N_("This finding is already published."))
    if status != CaseStatus.CONFIRMED:
        raise Conflict(N_("Only a confirmed finding can be published."))
    if decided_by == actor:
        raise PermissionDenied(
            N_("A second supervisor publishes a finding: you confirmed this one yourself.")
        )
