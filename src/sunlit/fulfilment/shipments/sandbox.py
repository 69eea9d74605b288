"""The built-in sandbox carrier. It behaves like a real one, on its own tables: a booked parcel
gets a planned path (picked up, in transit through sorting centres, out for delivery,
delivered; now and then lost, damaged or returned), each scan a random delay after the one
before; when a scan happens its notice is queued twice, each copy late by its own random delay,
so notices arrive late, duplicated and out of order. :func:`deliver_due` sends them over real
HTTP with retries and back-off; the operators' console (``/sandbox/carrier``) moves a parcel a
scan on at once, or ends it in an exception, for a demo that cannot wait hours."""

from __future__ import annotations

import random
import secrets
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sunlit.core import outbox
from sunlit.core.errors import N_, Conflict, NotFound
from sunlit.core.ids import new_id
from sunlit.core.regions.services import region_book
from sunlit.fulfilment.shipments.carrier import (
    SIGNATURE_HEADER,
    notice_body,
    parse_notice,
    verify_notice,
)
from sunlit.fulfilment.shipments.model import (
    EXCEPTIONS,
    FINAL,
    CarrierNotice,
    Places,
    ScanStatus,
    plan_path,
)
from sunlit.fulfilment.shipments.tables import (
    SandboxCarrierNoticeRow,
    SandboxParcelRow,
    SandboxScanRow,
)
from sunlit.payments.gateway import sign

COPIES = 2


def places_between(origin: str, destination: str) -> Places:
    """The sandbox's names for where a parcel goes: the seller's county, the sorting centres
    of the two prefectures, the buyer's county (as a Chinese carrier writes them)."""
    book = region_book()

    def name(code: str) -> str:
        region = book.get(code)
        return region.name_zh if region else code

    def hub(code: str) -> str:
        path = book.path(code)
        above = path[-2] if len(path) > 1 else (path[-1] if path else None)
        return f"{above.name_zh if above else code}分拨中心"

    hubs = [hub(origin)]
    if hub(destination) != hubs[0]:
        hubs.append(hub(destination))
    return Places(
        origin=f"{name(origin)}揽投部", hubs=hubs, destination=f"{name(destination)}营业部"
    )


class SandboxCarrier:
    name = "sandbox"

    def __init__(
        self,
        secret: str,
        *,
        step_seconds: int,
        console_delay_ms: int,
        seed: int | None = None,
        exceptions: bool = True,
    ) -> None:
        self.secret = secret
        self.step_seconds = step_seconds
        self.exceptions = exceptions
        self.console_delay_ms = console_delay_ms
        self._random = random.Random(seed)  # noqa: S311 - delays and paths, not secrets

    async def book(
        self, db: AsyncSession, *, reference: str, origin: str, destination: str, now: datetime
    ) -> str:
        tracking_no = f"SB{secrets.randbelow(10**12):012d}"
        db.add(
            SandboxParcelRow(
                tracking_no=tracking_no,
                reference=reference,
                origin=origin,
                destination=destination,
                booked_at=now,
            )
        )
        path = plan_path(
            self._random,
            places_between(origin, destination),
            start=now,
            step_seconds=self.step_seconds,
            exceptions=self.exceptions,
        )
        for seq, scan in enumerate(path):
            db.add(
                SandboxScanRow(
                    tracking_no=tracking_no,
                    seq=seq,
                    status=scan.status,
                    place=scan.place,
                    at=scan.at,
                )
            )
        await db.flush()
        return tracking_no

    def verify(self, headers: Mapping[str, str], body: bytes, *, now: datetime) -> CarrierNotice:
        return verify_notice(self.secret, headers, body, now=now)

    # --- the scans happen -----------------------------------------------------------------

    async def scan_due(self, db: AsyncSession, *, now: datetime) -> int:
        """Queue the notices of the scans whose time has come; returns how many scans."""
        due = (
            await db.scalars(
                select(SandboxScanRow)
                .where(SandboxScanRow.queued_at.is_(None), SandboxScanRow.at <= now)
                .order_by(SandboxScanRow.at)
            )
        ).all()
        happened = 0
        for scan in due:
            happened += await self._queue(db, scan, now=now, late_ms=self.step_seconds * 1000)
        return happened

    async def _queue(
        self, db: AsyncSession, scan: SandboxScanRow, *, now: datetime, late_ms: int
    ) -> bool:
        """The scan happens: its notice is queued twice. False when it already had (the jobs
        loop and the console reached it at the same moment): only one of them queues it."""
        claimed = await db.scalar(
            update(SandboxScanRow)
            .where(
                SandboxScanRow.tracking_no == scan.tracking_no,
                SandboxScanRow.seq == scan.seq,
                SandboxScanRow.queued_at.is_(None),
            )
            .values(queued_at=now)
            .returning(SandboxScanRow.at)  # as the one who moved it last left it
            .execution_options(synchronize_session=False)
        )
        if claimed is None:
            return False
        await db.refresh(scan)
        notice = CarrierNotice(new_id("cn"), scan.tracking_no, scan.status, claimed, scan.place)
        body = notice_body(notice).decode()
        for _ in range(COPIES):
            delay = timedelta(milliseconds=self._random.randint(0, max(0, late_ms)))
            db.add(
                SandboxCarrierNoticeRow(
                    id=new_id("cq"),
                    notice_id=notice.id,
                    tracking_no=scan.tracking_no,
                    seq=scan.seq,
                    body=body,
                    deliver_at=claimed + delay,
                    attempts=0,
                )
            )
        return True

    # --- the console ------------------------------------------------------------------------

    async def parcel(self, db: AsyncSession, tracking_no: str) -> SandboxParcelRow:
        row = await db.get(SandboxParcelRow, tracking_no)
        if row is None:
            raise NotFound(N_("The sandbox carrier has no such parcel."))
        return row

    async def scans(self, db: AsyncSession, tracking_no: str) -> list[SandboxScanRow]:
        query = select(SandboxScanRow).where(SandboxScanRow.tracking_no == tracking_no)
        return list((await db.scalars(query.order_by(SandboxScanRow.seq))).all())

    async def advance(self, db: AsyncSession, tracking_no: str, *, now: datetime) -> ScanStatus:
        """The parcel's next scan happens now (its notices go out within the console's delay);
        the scans after it keep their planned delays from it."""
        await self.parcel(db, tracking_no)
        waiting = [s for s in await self.scans(db, tracking_no) if s.queued_at is None]
        if not waiting:
            raise Conflict(N_("This parcel's journey is over."))
        shift = max(waiting[0].at - now, timedelta(0))
        for scan in waiting:
            scan.at = max(now, scan.at - shift)
        if not await self._queue(db, waiting[0], now=now, late_ms=self.console_delay_ms):
            raise Conflict(N_("The parcel moved on meanwhile: look again."))
        return waiting[0].status

    async def force_exception(
        self, db: AsyncSession, tracking_no: str, status: ScanStatus, *, now: datetime
    ) -> None:
        """End the parcel's journey now in an exception (lost, damaged, returned): the scans
        still to come are dropped."""
        if status not in EXCEPTIONS:
            raise Conflict(N_("Choose lost, damaged or returned."))
        await self.parcel(db, tracking_no)
        scans = await self.scans(db, tracking_no)
        done = [s for s in scans if s.queued_at is not None]
        if done and done[-1].status in FINAL:
            raise Conflict(N_("This parcel's journey is over."))
        await db.execute(
            delete(SandboxScanRow).where(
                SandboxScanRow.tracking_no == tracking_no, SandboxScanRow.queued_at.is_(None)
            )
        )
        place = done[-1].place if done else scans[0].place if scans else ""
        scan = SandboxScanRow(
            tracking_no=tracking_no, seq=len(done), status=status, place=place, at=now
        )
        db.add(scan)
        await db.flush()
        await self._queue(db, scan, now=now, late_ms=self.console_delay_ms)

    async def recent_parcels(self, db: AsyncSession, limit: int = 50) -> list[SandboxParcelRow]:
        query = select(SandboxParcelRow).order_by(SandboxParcelRow.booked_at.desc()).limit(limit)
        return list((await db.scalars(query)).all())


#: Applies one notice in the caller's transaction (``shipments.services.handle_notice``).
Apply = Callable[[CarrierNotice], Awaitable[object]]


async def deliver_in_process(
    db: AsyncSession, carrier: SandboxCarrier, apply: Apply, *, now: datetime
) -> int:
    """Let the scans due by ``now`` happen and hand their notices to ``apply`` in ``db``'s own
    transaction, oldest first, with no HTTP and no signature: for a process that plays the
    carrier's part itself (the demo, which replays days in the past; a running server uses
    :func:`deliver_due`). Both copies of a notice are handed over. Returns how many were."""
    await carrier.scan_due(db, now=now)
    await db.flush()

    async def hand(body: bytes) -> object:
        return await apply(parse_notice(body))

    return await outbox.hand_over_due(db, SandboxCarrierNoticeRow, hand, now=now)


async def deliver_due(
    sessions: async_sessionmaker[AsyncSession],
    carrier: SandboxCarrier,
    send: outbox.Send,
    *,
    now: datetime,
    limit: int = 50,
) -> int:
    """Let the scans due by ``now`` happen, then send the notices that are due; returns how
    many were accepted. A refused one is retried later with exponential back-off, up to
    ``outbox.MAX_ATTEMPTS``."""
    async with sessions() as db, db.begin():
        await carrier.scan_due(db, now=now)

    def headers(body: bytes) -> dict[str, str]:
        return {
            SIGNATURE_HEADER: sign(carrier.secret, body, int(now.timestamp())),
            "content-type": "application/json",
        }

    return await outbox.send_due(
        sessions, SandboxCarrierNoticeRow, headers, send, now=now, limit=limit
    )
