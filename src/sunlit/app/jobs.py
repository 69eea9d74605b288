"""Background work inside `sunlit serve`: the sweep that cancels unpaid orders past their
time, the sandbox gateway's delivery of its notifications over HTTP, the sandbox carrier's
scans and notices and the confirmation of receipt days after delivery, the integrity monitor
(detectors on live sessions), the notifications follower (docs/notifications.md), and the
live rooms' WebSocket server."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
import structlog

from sunlit.app.notices import Follower
from sunlit.app.services import Services
from sunlit.disclosure.opendata.bulk import FOLDER
from sunlit.disclosure.opendata.publisher import Publisher
from sunlit.fulfilment.aftersales.services import Terms, answer_due, orders_in_aftersales
from sunlit.fulfilment.shipments import sandbox as sandbox_carrier
from sunlit.fulfilment.shipments.services import confirm_due
from sunlit.integrity.monitor import Monitor
from sunlit.live.server import start_server
from sunlit.orders.services import expire_due
from sunlit.payments.sandbox import deliver_due

log = structlog.get_logger(__name__)

DELIVERY_EVERY = 0.25
EXPIRY_EVERY = 10.0
CONFIRM_EVERY = 60.0


async def run_jobs(services: Services) -> None:
    url = services.settings.webhook_url()
    async with httpx.AsyncClient(timeout=10) as client:

        async def send(body: bytes, headers: dict[str, str]) -> int:
            response = await client.post(url, content=body, headers=headers)
            return response.status_code

        since_expiry = EXPIRY_EVERY
        while True:
            try:
                await deliver_due(
                    services.db.sessions, services.payment_gateway, send, now=services.clock.now()
                )
                if since_expiry >= EXPIRY_EVERY:
                    since_expiry = 0.0
                    async with services.db.transaction() as db:
                        expired = await expire_due(db, now=services.clock.now())
                    if expired.orders:
                        log.info("orders expired", count=expired.orders)
                    async with services.db.transaction() as db:
                        moved = await answer_due(
                            db,
                            services.payment_gateway,
                            terms=Terms.of(services.settings),
                            now=services.clock.now(),
                        )
                    if moved:
                        log.info("after-sales deadlines applied", count=moved)
            except Exception:
                log.exception("background job failed")
            await asyncio.sleep(DELIVERY_EVERY)
            since_expiry += DELIVERY_EVERY


async def run_carrier_jobs(services: Services) -> None:
    """The sandbox carrier's scans and notices (sent over HTTP to this server's receiver), and
    the confirmation of receipt ``SUNLIT_AUTO_CONFIRM_DAYS`` after the carrier's delivery."""
    settings = services.settings
    url = settings.carrier_notice_url()
    async with httpx.AsyncClient(timeout=10) as client:

        async def send(body: bytes, headers: dict[str, str]) -> int:
            response = await client.post(url, content=body, headers=headers)
            return response.status_code

        since_confirm = CONFIRM_EVERY
        while True:
            try:
                await sandbox_carrier.deliver_due(
                    services.db.sessions, services.carrier, send, now=services.clock.now()
                )
                if since_confirm >= CONFIRM_EVERY:
                    since_confirm = 0.0
                    async with services.db.transaction() as db:
                        confirmed = await confirm_due(
                            db,
                            days=settings.auto_confirm_days,
                            hold_days=settings.payout_hold_days,
                            now=services.clock.now(),
                            in_aftersales=orders_in_aftersales,
                        )
                    if confirmed:
                        log.info("receipts confirmed", count=confirmed)
            except Exception:
                log.exception("carrier job failed")
            await asyncio.sleep(DELIVERY_EVERY)
            since_confirm += DELIVERY_EVERY


@contextlib.asynccontextmanager
async def background_jobs(services: Services) -> AsyncIterator[None]:
    monitor = Monitor(
        services.db,
        services.files,
        services.zone,
        services.clock,
        every=services.settings.integrity_every_seconds,
        late_every=services.settings.integrity_late_minutes * 60,
    )
    tasks = [
        asyncio.create_task(run_jobs(services), name="sunlit-jobs"),
        asyncio.create_task(run_carrier_jobs(services), name="sunlit-carrier"),
        asyncio.create_task(monitor.run_forever(), name="sunlit-integrity-monitor"),
        asyncio.create_task(Follower(services).run_forever(), name="sunlit-notifications"),
        asyncio.create_task(
            Publisher(
                services.db,
                services.open_log,
                services.clock,
                bulk_folder=services.settings.files_dir / FOLDER,
            ).run_forever(),
            name="sunlit-open-data",
        ),
    ]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


@contextlib.asynccontextmanager
async def live_server(services: Services) -> AsyncIterator[None]:
    settings = services.settings
    server = await start_server(
        services.live, settings.host, settings.live_port, settings.secret_key
    )
    services.live_port = server.sockets[0].getsockname()[1]
    await services.live.start()
    log.info("live rooms listening", port=services.live_port)
    try:
        yield
    finally:
        server.close()
        await services.live.close()
        services._hub = None
