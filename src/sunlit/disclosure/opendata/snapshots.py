"""What each public thing looks like now, read through the owning contexts' public views: the
publisher asks for the things a batch of events touched and appends those that changed.

A session gives four kinds of record: the disclosure as filed and approved (``session``), its
figures once it has ended (``figures``), each published finding (``finding``) and each claim
the press made about it (``claim``). Live figures are not records: they change with every
order, and the figures record carries the outcome once the session is over. A finding or claim
keyed under a session (``{session}/{id}``) that is no longer shown gets a withdrawal."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.catalog import views as catalog
from sunlit.catalog.products import services as products
from sunlit.core.errors import NotFound
from sunlit.core.eventlog.model import Event
from sunlit.disclosure import views as disclosure
from sunlit.disclosure.claims import views as claims
from sunlit.disclosure.concerns import views as concerns
from sunlit.disclosure.model import Disclosure, Stage
from sunlit.disclosure.opendata.model import WITHDRAWN, Change, Kind, plain, reason_of
from sunlit.filing import views as filing
from sunlit.filing.rules_doc import rules_markdown

#: Events that may change what the public sees of the session they name.
SESSION_TYPES = frozenset(
    {
        "plan.approved",
        "plan.changed",
        "plan.rejected",
        "session.filed",
        "session.started",
        "session.ended",
        "figures.verified",
        "case.published",
        "case.withdrawn",
        "claim.published",
        "order.paid",
        "order.refunded",
        "order.cancelled",
        "payout.made",
        "fund.compensated",
    }
)
PRODUCT_TYPES = frozenset(
    {"product.listed", "product.price_changed", "inspection.added", "product.sales_changed"}
)
PRODUCER_TYPES = frozenset({"producer.registered", "producer.verified"})
CONCERN_TYPES = frozenset(
    {
        "concern.raised",
        "concern.answered",
        "concern.accepted",
        "concern.reopened",
        "concern.escalated",
        "concern.rated",
        "concern.published",
    }
)
RULES_KEY = "boundary-rules"
SESSION_FIGURE_FIELDS = ("outcome", "total", "left_out", "verified")
SESSION_LEFT_OUT = ("live", "stage", "findings", "claims", *SESSION_FIGURE_FIELDS)


@dataclass
class Touched:
    """What a batch of events may have changed, each with the event types that touched it."""

    sessions: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    products: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    producers: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    concerns: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    bands: list[Event] = field(default_factory=list)

    def add(self, event: Event) -> None:
        kind, data = event.type, event.data
        if event.session and kind in SESSION_TYPES:
            self.sessions[event.session].add(kind)
        if kind in PRODUCT_TYPES and data.get("product"):
            self.products[str(data["product"])].add(kind)
        if kind in PRODUCER_TYPES and data.get("producer"):
            self.producers[str(data["producer"])].add(kind)
        if kind in CONCERN_TYPES and data.get("concern"):
            self.concerns[str(data["concern"])].add(kind)
        if kind == "reference_band.added" and data.get("band"):
            self.bands.append(event)

    def __bool__(self) -> bool:
        return any((self.sessions, self.products, self.producers, self.concerns, self.bands))


def rules_change() -> Change:
    """The boundary rules in force, as the registry states them."""
    return Change(Kind.RULES, RULES_KEY, {"text": rules_markdown()}, "rules changed")


async def session_changes(
    db: AsyncSession, session: str, types: set[str], shown: Iterable[tuple[str, str]]
) -> list[Change]:
    """The records of one session now; ``shown``: the keys of its findings and claims that the
    log shows as public, so that one gone is withdrawn."""
    plan = await filing.find_plan(db, session)
    if plan is None:
        return []
    reason = reason_of(types)
    day = plan.starts_at.date()  # bands and documents as on its first day, not a refund's
    try:  # what was filed: no figures read while it is on air (its orders touch it each batch)
        found = await disclosure.filed_disclosure(db, session, today=day)
    except NotFound:  # not approved, or rejected
        return []
    if found.stage is Stage.AFTER:
        found = await disclosure.session_disclosure(db, session, today=day)
    found_claims = await claims.session_claims(db, session)
    made = [Change(Kind.SESSION, session, _filed(found), reason)]
    if found.stage is Stage.AFTER:
        body = {
            "session": session,
            **{name: getattr(found, name) for name in SESSION_FIGURE_FIELDS},
        }
        made.append(Change(Kind.FIGURES, session, body, reason))
    keys: set[str] = set()
    for finding in found.findings:
        key = f"{session}/{finding.case}"
        keys.add(key)
        made.append(Change(Kind.FINDING, key, {"session": session, **plain(finding)}, reason))
    for claim in found_claims:
        key = f"{session}/{claim.id}"
        keys.add(key)
        made.append(Change(Kind.CLAIM, key, {"session": session, **plain(claim)}, reason))
    made += [Change(kind, key, WITHDRAWN, reason) for kind, key in shown if key not in keys]
    return made


def _filed(found: Disclosure) -> dict[str, Any]:
    """The disclosure as filed. An official on camera is named, as on the page; a producer
    hosting its own session is named by its organisation, never by the person."""
    values = plain(found)
    host = values["host"]
    if host["kind"] != "official":
        values["host"] = {**host, "name": host["office"] or ""}
    return {name: value for name, value in values.items() if name not in SESSION_LEFT_OUT}


async def catalog_changes(db: AsyncSession, touched: Touched, *, now: datetime) -> list[Change]:
    """The products, organisations, household counts and reference bands touched."""
    made: list[Change] = []
    views = await products.view_products(db, sorted(touched.products), on=now.date())
    producer_ids = set(touched.producers)
    for view in views:
        row, producer = view.product, view.producer
        household = str(producer.kind) == "household"
        body = {
            "id": row.id,
            "name_zh": row.name_zh,
            "name_en": row.name_en,
            "kind": row.kind,
            "category": str(row.category),
            "origin_region": row.origin_region,
            "unit": str(row.unit),
            "box_grams": row.box_grams,
            "price": row.price,
            "on_sale": row.on_sale,
            "producer": None if household else producer.id,
            "producer_kind": str(producer.kind),
            "band_low": view.band.low if view.band else None,
            "band_high": view.band.high if view.band else None,
            "documents": [
                {"kind": str(d.kind), "issuer": d.issuer, "expires_on": d.expires_on}
                for d in view.inspections
            ],
        }
        made.append(Change(Kind.PRODUCT, row.id, body, reason_of(touched.products[row.id])))
    for shown in await catalog.public_producers(db, producer_ids):
        made.append(
            Change(Kind.PRODUCER, shown.id, plain(shown), reason_of(touched.producers[shown.id]))
        )
    regions = await catalog.household_regions(db, producer_ids)
    for region, (households, verified) in (await catalog.households_counted(db, regions)).items():
        body = {"region": region, "households": households, "verified": verified}
        made.append(Change(Kind.HOUSEHOLDS, region, body, "producer.registered"))
    for event in touched.bands:
        body = {
            name: event.data.get(name)
            for name in ("kind", "region", "low", "high", "unit", "observed_on", "source")
        }
        made.append(Change(Kind.BAND, str(event.data["band"]), body, event.type))
    return made


async def concern_changes(db: AsyncSession, touched: Touched, *, now: datetime) -> list[Change]:
    """The concerns touched, as the public sees them (their dates and status, the published
    summary and the answers; never the author or the text)."""
    made = []
    for found in await concerns.public_concerns(db, set(touched.concerns), now=now):
        body = {k: v for k, v in plain(found).items() if k != "overdue"}  # a clock, not a fact
        made.append(Change(Kind.CONCERN, found.id, body, reason_of(touched.concerns[found.id])))
    return made
