"""The plan editor's form: the submitted fields read as a plan draft (with a field error for
each that cannot be read), and a plan written back into the fields it is edited in."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sunlit.accounts.services import aware
from sunlit.core.errors import N_
from sunlit.filing.model import Partner, PartnerKind, Plan, PlanDraft, Purpose
from sunlit.web.forms import local_moment

#: How many partners the editor offers rows for.
PARTNER_ROWS = 3


def draft_from_form(
    fields: dict[str, str], products: list[str], *, zone: ZoneInfo, now: datetime
) -> tuple[PlanDraft, dict[str, str]]:
    """The draft the form describes, and the field errors (msgids) of what could not be read;
    an unreadable time stands in as ``now``."""
    errors: dict[str, str] = {}
    starts = local_moment(fields.get("starts_at", ""), zone)
    ends = local_moment(fields.get("ends_at", ""), zone)
    for name, value in (("starts_at", starts), ("ends_at", ends)):
        if value is None:
            errors[name] = N_("Enter a date and time.")
    partners = []
    for i in range(PARTNER_ROWS):
        name = fields.get(f"partner_name_{i}", "").strip()
        if not name:
            continue
        try:
            kind = PartnerKind(fields.get(f"partner_kind_{i}", ""))
        except ValueError:
            errors["partners"] = N_("Choose from the list.")
            continue
        partners.append(
            Partner(
                name,
                kind,
                fields.get(f"partner_relationship_{i}", "").strip() or None,
                fields.get(f"partner_interest_{i}", "").strip() or None,
            )
        )
    try:
        purpose = Purpose(fields.get("purpose", Purpose.REGIONAL_BRAND.value))
    except ValueError:
        errors["purpose"] = N_("Choose from the list.")
        purpose = Purpose.REGIONAL_BRAND
    draft = PlanDraft(
        title=fields.get("title", ""),
        starts_at=starts or now,
        ends_at=ends or now,
        product_ids=tuple(products),
        partners=tuple(partners),
        purpose=purpose,
        answers_report=fields.get("answers_report") or None,
        promotions=fields.get("promotions", ""),
        declares_no_payment=fields.get("declares_no_payment") == "yes",
        invited_by=fields.get("invited_by", "").strip() or None,
        guest_official=fields.get("guest_official") or None,
    )
    return draft, errors


def local_input(moment: datetime, zone: ZoneInfo) -> str:
    """A moment as a ``datetime-local`` input shows it, in the deployment's time zone."""
    return aware(moment).astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def values_of(
    plan: Plan, products: list[str], partners: list[Partner], zone: ZoneInfo
) -> dict[str, Any]:
    """The editor's fields, filled in from a plan."""
    values: dict[str, Any] = {
        "title": plan.title,
        "purpose": plan.purpose,
        "promotions": plan.promotions,
        "invited_by": plan.invited_by or "",
        "answers_report": plan.answers_report or "",
        "starts_at": local_input(plan.starts_at, zone),
        "ends_at": local_input(plan.ends_at, zone),
        "declares_no_payment": "yes" if plan.declares_no_payment else "",
        "guest_official": plan.guest_official_id or "",
        "products": products,
    }
    for i, partner in enumerate(partners[:PARTNER_ROWS]):
        values[f"partner_name_{i}"] = partner.name
        values[f"partner_kind_{i}"] = partner.kind
        values[f"partner_relationship_{i}"] = partner.relationship or ""
        values[f"partner_interest_{i}"] = partner.public_interest or ""
    return values


def new_plan_values(now: datetime, zone: ZoneInfo) -> dict[str, Any]:
    """The editor's fields for a new plan: two hours, four days from now, on the hour."""
    start = (now + timedelta(days=4)).replace(minute=0, second=0, microsecond=0)
    return {
        "starts_at": local_input(start, zone),
        "ends_at": local_input(start + timedelta(hours=2), zone),
        "products": [],
        "purpose": Purpose.REGIONAL_BRAND.value,
    }
