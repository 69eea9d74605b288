"""Anonymous reports: filed by signed-in producers and civil servants, read by supervisors,
with no link to the reporter stored anywhere (docs/anonymous-reports.md)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor, Role
from sunlit.core.errors import N_, InvalidInput, PermissionDenied, TooManyAttempts
from sunlit.core.eventlog import Event, EventType, append
from sunlit.core.regions.services import region_book
from sunlit.participation.model import (
    ReportCategory,
    check_report,
    received_on,
    release_moment,
)
from sunlit.participation.tables import AnonymousReportRow
from sunlit.web.deps import Kit

REPORTERS = {Role.FARMER.value, Role.OFFICIAL.value}
DAY = 24 * 3600


def _quota_key(secret: str, account_id: str, day: str) -> str:
    """A keyed hash, kept one day in the attempt counter: it limits how many reports one
    account files a day without storing who filed."""
    digest = hmac.new(secret.encode(), f"{account_id}|{day}".encode(), hashlib.sha256)
    return "anon-report:" + digest.hexdigest()[:32]


async def do_file_report(
    db: AsyncSession,
    kit: Kit,
    *,
    actor: Actor,
    category: ReportCategory,
    text: str,
    region: str | None,
    session_ref: str | None,
    now: datetime,
) -> AnonymousReportRow:
    """File the report; the running services give the attempt counter, time zone, secret and
    daily allowance that limit how many one account files a day."""
    if actor.role not in REPORTERS:
        raise PermissionDenied(N_("Only producers and civil servants can file these reports."))
    errors: dict[str, str] = {}
    if problem := check_report(text):
        errors["text"] = problem
    if region and region_book().get(region) is None:
        errors["region"] = N_("Enter a six-digit GB/T 2260 code.")
    if session_ref is not None and len(session_ref) > 64:
        errors["session_ref"] = N_("A session reference is at most 64 characters.")
    if errors:
        raise InvalidInput(N_("Please correct the marked fields."), fields=errors)
    day = received_on(now, kit.zone)
    key = _quota_key(kit.settings.secret_key, actor.id, day.isoformat())
    if await kit.attempts.tally(key, DAY) > kit.settings.anonymous_reports_per_day:
        raise TooManyAttempts(
            N_("You have filed the most reports allowed today. Please continue tomorrow.")
        )
    row = AnonymousReportRow(
        id=secrets.token_hex(16),
        category=category.value,
        text=text.strip(),
        region=region or None,
        session_ref=(session_ref or "").strip() or None,
        received_on=day,
        released=False,
    )
    db.add(row)
    return row


async def do_release_reports(db: AsyncSession, *, now: datetime, zone: ZoneInfo) -> int:
    """Publish, as ``report.filed`` events, the reports received before today, shuffled and
    all stamped with today's local midnight. Idempotent; returns how many were released."""
    today = received_on(now, zone)
    # Claim the due rows in one statement: when two supervisors load the queue at once, each
    # publishes only the rows its own UPDATE flipped, so no report is published twice.
    claimed = await db.execute(
        update(AnonymousReportRow)
        .where(AnonymousReportRow.released.is_(False), AnonymousReportRow.received_on < today)
        .values(released=True)
        .returning(AnonymousReportRow.id)
    )
    ids = [row_id for (row_id,) in claimed]
    due = (
        list(
            (
                await db.scalars(select(AnonymousReportRow).where(AnonymousReportRow.id.in_(ids)))
            ).all()
        )
        if ids
        else []
    )
    secrets.SystemRandom().shuffle(due)
    stamp = release_moment(now, zone)
    for row in due:
        data: dict[str, object] = {"category": row.category, "text": row.text}
        if row.region:
            data["region"] = row.region
        append(
            db,
            Event(
                type=EventType.REPORT_FILED,
                ts=stamp,
                actor=None,
                session=row.session_ref,
                data=data,
            ),
        )
    return len(due)


async def list_reports(db: AsyncSession, *, limit: int = 200) -> list[AnonymousReportRow]:
    query = (
        select(AnonymousReportRow)
        .order_by(AnonymousReportRow.received_on.desc(), AnonymousReportRow.category)
        .limit(limit)
    )
    return list((await db.scalars(query)).all())
