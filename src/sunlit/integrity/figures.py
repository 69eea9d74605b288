"""Verified figures (docs/integrity.md): gross merchandise value, minus cancelled and refunded
orders, minus the orders a supervisor confirmed as flagged; viewers minus confirmed fake
viewers; delivery and complaint rates. Recomputed from the session's events — Sunlit's own
event log, or the file an import kept — whenever a decision can change them."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.core.eventlog import Event, EventType, append
from sunlit.core.eventlog.services import event_of_row
from sunlit.core.eventlog.tables import EventRow
from sunlit.core.files.store import LocalFileStore
from sunlit.integrity.cases import CaseStatus
from sunlit.integrity.detectors.hype import verified_figures
from sunlit.integrity.inflation import (
    Estimate,
    Marked,
    Visits,
    estimate,
    estimate_orders,
    marked_orders,
    visits,
)
from sunlit.integrity.reader import read_lines
from sunlit.integrity.stream import Session, Stream
from sunlit.integrity.tables import CaseRow, StreamImportRow, VerifiedFiguresRow

#: Events without a session that a session's stream needs: who the accounts are, what the
#: products cost.
SHARED_TYPES = (
    EventType.ACCOUNT_REGISTERED.value,
    EventType.PRODUCT_LISTED.value,
    EventType.PRODUCT_PRICE_CHANGED.value,
)
METHOD = (
    "gmv = paid orders − cancelled or refunded − orders named in confirmed findings "
    "(orders and units: of the same orders); "
    "viewers = distinct accounts that joined − accounts named in confirmed fake_viewers findings; "
    "complaints and refunds per 1,000 paid orders not named in confirmed findings, "
    "refunded or not; median delivery = paid to delivered, in hours; "
    "not real / not organic = the excess of idle visits / marked orders over comparable "
    "sessions, 95% each side (docs/integrity.md)"
)


def figures_key(import_id: str | None, session: str) -> str:
    return f"{import_id or '-'}/{session}"


def per_1000(count: int, orders: int) -> int | None:
    return round(1000 * count / orders) if orders else None


def figures(session: Session, orders: set[str], viewers: set[str]) -> dict[str, Any]:
    v = verified_figures(session, orders, viewers)
    seen = visits(session)
    marked = marked_orders(session, orders)
    return {
        "viewers_joined": seen.viewers,
        "idle_visits": seen.idle,
        "marked_orders": marked.marked,
        "marked_gmv": marked.marked_gmv,
        "gross_gmv": v.gross_gmv,
        "gmv": v.gmv,
        "orders": v.orders,
        "units": v.units,
        "viewers": v.viewers,
        "cancelled_or_refunded": v.cancelled_or_refunded,
        "confirmed_flagged_orders": v.flagged_orders,
        "confirmed_flagged_viewers": len(viewers),
        "delivered_per_mille": round(1000 * v.delivered / v.orders) if v.orders else None,
        "complaints_per_1000_orders": per_1000(v.complaints, v.after_sale),
        "refunds_per_1000_orders": per_1000(v.refunded_orders, v.after_sale),
        "median_delivery_hours": v.median_delivery_hours,
        "method": METHOD,
    }


async def confirmed_named(
    db: AsyncSession, import_id: str | None, session: str
) -> tuple[set[str], set[str]]:
    """Orders named in the session's confirmed cases, and accounts named in its confirmed
    fake-viewer cases."""
    query = select(CaseRow).where(
        CaseRow.session == session,
        CaseRow.import_id == import_id,  # IS NULL for Sunlit's own sessions
        CaseRow.status == CaseStatus.CONFIRMED.value,
    )
    orders: set[str] = set()
    viewers: set[str] = set()
    for row in await db.scalars(query):
        orders.update(row.orders)
        if row.rule == "fake_viewers":
            viewers.update(row.accounts)
    return orders, viewers


async def own_session_lines(db: AsyncSession, session: str, zone: ZoneInfo) -> list[bytes]:
    query = (
        select(EventRow)
        .where(
            or_(
                EventRow.session == session,
                EventRow.session.is_(None) & EventRow.type.in_(SHARED_TYPES),
            )
        )
        .order_by(EventRow.seq)
    )
    rows = await db.stream_scalars(query.execution_options(yield_per=2000))
    return [event_of_row(row).to_json_line(zone) async for row in rows]


async def load_stream(
    db: AsyncSession,
    files: LocalFileStore,
    zone: ZoneInfo,
    import_id: str | None,
    session: str,
) -> Stream | None:
    if import_id is None:
        lines = await own_session_lines(db, session, zone)
    else:
        imported = await db.get(StreamImportRow, import_id)
        data = await files.read(imported.sha256) if imported is not None else None
        if data is None:
            return None
        lines = data.splitlines(keepends=True)
    if not lines:
        return None
    stream, _ = await asyncio.to_thread(read_lines, lines, skip_bad=True)
    return stream


async def do_refresh_figures(
    db: AsyncSession,
    files: LocalFileStore,
    zone: ZoneInfo,
    *,
    import_id: str | None,
    session: str,
    now: datetime,
    stream: Stream | None = None,
) -> VerifiedFiguresRow | None:
    """Recompute and store the session's verified figures (``stream`` if the caller has it)."""
    stream = stream or await load_stream(db, files, zone, import_id, session)
    if stream is None or session not in stream.sessions:
        return None
    orders, viewers = await confirmed_named(db, import_id, session)
    values = figures(stream.sessions[session], orders, viewers)
    values.update(await _not_real(db, import_id, session, values, stream))
    key = figures_key(import_id, session)
    row = await db.get(VerifiedFiguresRow, key)
    if row is None:
        row = VerifiedFiguresRow(id=key, session=session, import_id=import_id)
        db.add(row)
    row.computed_at, row.figures = now, values
    shown = {k: v for k, v in values.items() if k != "method"}
    append(
        db,
        Event(
            EventType.FIGURES_VERIFIED,
            now,
            {"import": import_id, **shown},
            session=session if import_id is None else None,
        ),
    )
    return row


async def _not_real(
    db: AsyncSession,
    import_id: str | None,
    session: str,
    values: dict[str, Any],
    stream: Stream,
) -> dict[str, Any]:
    """The estimates of viewers who were not real (`viewers_not_real`) and orders that were not
    organic (`orders_not_organic`), against the other sessions of the same source: an imported
    stream's other sessions, or Sunlit's own sessions whose figures are stored (the last 500).
    Each is None when there are too few to compare with."""
    if import_id is not None:
        rest = [s for sid, s in stream.sessions.items() if sid != session]
        seen = [visits(s) for s in rest]
        # The comparable sessions' own confirmed orders are not read: they only lower the floor.
        bought = [marked_orders(s, set()) for s in rest]
    else:
        query = select(VerifiedFiguresRow.figures).where(
            VerifiedFiguresRow.session != session, VerifiedFiguresRow.import_id.is_(None)
        )
        rows = list(
            await db.scalars(query.order_by(VerifiedFiguresRow.computed_at.desc()).limit(500))
        )
        seen = [
            Visits(f["viewers_joined"], f["idle_visits"])
            for f in rows
            if _ints(f, "viewers_joined", "idle_visits")
        ]
        bought = [
            Marked(f["orders"], f["marked_orders"], 0)
            for f in rows
            if _ints(f, "orders", "marked_orders")
        ]
    here = Marked(values["orders"], values["marked_orders"], values["marked_gmv"])
    return {
        "viewers_not_real": _shown(
            estimate(Visits(values["viewers_joined"], values["idle_visits"]), seen)
        ),
        "orders_not_organic": _orders_shown(estimate_orders(here, bought), here),
    }


def _ints(f: dict[str, Any], *keys: str) -> bool:
    return all(isinstance(f.get(k), int) for k in keys)


def _shown(found: Estimate | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return {
        "low": found.low,
        "high": found.high,
        "baseline_share": found.baseline_share,
        "baseline_sessions": found.baseline_sessions,
    }


def _orders_shown(found: Estimate | None, here: Marked) -> dict[str, Any] | None:
    """The orders' estimate, with the value of the orders it takes off (the marked orders'
    value scaled to LOW and HIGH), in fen."""
    shown = _shown(found)
    if shown is None or found is None:
        return None
    each = here.marked_gmv / here.marked if here.marked else 0
    return {**shown, "gmv_low": round(each * found.low), "gmv_high": round(each * found.high)}
