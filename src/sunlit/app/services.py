"""What one running Sunlit holds: settings, storage, clocks and shared helpers. Built once in
the application's lifespan (or by the CLI) and passed down; routes reach it through ``deps``."""

from __future__ import annotations

import hashlib
import hmac
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import structlog
from fastapi.templating import Jinja2Templates
from prometheus_client import CollectorRegistry
from redis.asyncio import Redis

from sunlit.accounts.deps import AccountsKit
from sunlit.accounts.notifier import LogNotifier, Notifier, notifier_for
from sunlit.accounts.services import Passwords
from sunlit.accounts.token_cache import TokenCache
from sunlit.catalog.deps import CatalogKit
from sunlit.catalog.labels import LABELS as CATALOG_LABELS
from sunlit.catalog.ports import Follows, ProducerRecords, ProductReviews
from sunlit.core.clock import Clock, SystemClock
from sunlit.core.db import Database
from sunlit.core.files.store import LocalFileStore
from sunlit.core.ratelimit import AttemptCounter, MemoryAttemptCounter, RedisAttemptCounter
from sunlit.disclosure.concerns.model import LABELS as CONCERN_LABELS
from sunlit.disclosure.opendata.log import OpenLog, key_file
from sunlit.filing.deps import FilingKit
from sunlit.filing.model import LABELS as FILING_LABELS
from sunlit.filing.ports import SessionRatings
from sunlit.fulfilment.aftersales.model import LABELS as AFTERSALES_LABELS
from sunlit.fulfilment.deps import FulfilmentKit
from sunlit.fulfilment.reviews.views import ProducerRecords as FulfilmentRecords
from sunlit.fulfilment.reviews.views import ProductReviews as FulfilmentReviews
from sunlit.fulfilment.shipments.deps import ShipmentsKit
from sunlit.fulfilment.shipments.model import LABELS as SHIPMENT_LABELS
from sunlit.fulfilment.shipments.sandbox import SandboxCarrier
from sunlit.live.bus import MemoryBus, MemoryPresence, RedisBus, RedisPresence
from sunlit.live.deps import LiveKit
from sunlit.live.hub import Hub
from sunlit.live.model import LABELS as LIVE_LABELS
from sunlit.live.ports import SessionSales
from sunlit.live.rooms import HubRules
from sunlit.live.tickets import MemoryTicketBook, RedisTicketBook, TicketBook
from sunlit.orders.deps import OrdersKit
from sunlit.orders.desk import DeskRules, OrderDesk
from sunlit.orders.model import LABELS as ORDER_LABELS
from sunlit.orders.views import SessionSales as OrderSales
from sunlit.participation.follows import FollowStates
from sunlit.participation.views import SessionRatings as ProducerRatings
from sunlit.payments.ledger import LABELS as LEDGER_LABELS
from sunlit.payments.sandbox import SandboxGateway
from sunlit.payments.services import Rates
from sunlit.settings import Settings
from sunlit.web.templating import make_templates

log = structlog.get_logger(__name__)

#: The labels of every context's enumerations, for the templates' ``label(group, value)``.
LABELS = {
    **CATALOG_LABELS,
    **FILING_LABELS,
    **ORDER_LABELS,
    **LEDGER_LABELS,
    **LIVE_LABELS,
    **CONCERN_LABELS,
    **SHIPMENT_LABELS,
    **AFTERSALES_LABELS,
}


def webhook_secret(settings: Settings) -> str:
    """The key the sandbox gateway signs its notifications with, derived from the secret."""
    return hmac.new(settings.secret_key.encode(), b"sandbox-webhooks", hashlib.sha256).hexdigest()


def carrier_secret(settings: Settings) -> str:
    """The key the sandbox carrier signs its notices with, derived from the secret (not the
    gateway's: one leaked key does not forge the other's notices)."""
    return hmac.new(settings.secret_key.encode(), b"sandbox-carrier", hashlib.sha256).hexdigest()


@dataclass
class Services:
    settings: Settings
    db: Database
    passwords: Passwords
    attempts: AttemptCounter
    templates: Jinja2Templates
    zone: ZoneInfo
    clock: Clock = field(default_factory=SystemClock)
    files: LocalFileStore = field(default_factory=lambda: LocalFileStore(Path("var/files")))
    redis: Redis | None = None
    metrics: CollectorRegistry = field(default_factory=CollectorRegistry)
    gateway: SandboxGateway | None = None
    _carrier: SandboxCarrier | None = None
    token_cache: TokenCache = field(default_factory=lambda: TokenCache(0))
    notifier: Notifier = field(default_factory=LogNotifier)
    sales: SessionSales = field(default_factory=OrderSales)  # orders, as live rooms show them
    ratings: SessionRatings = field(default_factory=ProducerRatings)  # on a plan's page
    reviews: ProductReviews = field(default_factory=FulfilmentReviews)  # on a product's page
    records: ProducerRecords = field(default_factory=FulfilmentRecords)  # on a producer's page
    follows: Follows = field(default_factory=FollowStates)  # follow buttons on catalog pages
    _desk: OrderDesk | None = None
    _hub: Hub | None = None
    _open_log: OpenLog | None = None
    live_port: int | None = None  # where the live rooms' WebSocket server listens, once it does

    @property
    def desk(self) -> OrderDesk:
        """The order desk of this process (group commit of buy requests)."""
        if self._desk is None:
            rules = DeskRules(
                expiry_minutes=self.settings.order_expiry_minutes,
                default_limit=self.settings.order_default_limit,
                secret=self.settings.secret_key,
            )
            self._desk = OrderDesk(self.db, self.clock, rules)
        return self._desk

    @property
    def live(self) -> Hub:
        """The live rooms this process serves (its WebSocket viewers, chat, counts)."""
        if self._hub is None:
            rules = HubRules.of(self.settings)
            if self.redis is not None:
                bus: MemoryBus | RedisBus = RedisBus(self.redis)
                horizon = 2 * rules.heartbeat_seconds
                presence: MemoryPresence | RedisPresence = RedisPresence(
                    self.redis, horizon=horizon
                )
                tickets: TicketBook = RedisTicketBook(self.redis)
            else:
                bus, presence, tickets = MemoryBus(), MemoryPresence(), MemoryTicketBook()
            self._hub = Hub(
                db=self.db,
                clock=self.clock,
                bus=bus,
                presence=presence,
                attempts=self.attempts,
                tickets=tickets,
                rules=rules,
                process=f"{socket.gethostname()}-{os.getpid()}",
                sales=self.sales,
                # A revocation published by another process also ends what this one remembers.
                on_revoke=lambda account: self.token_cache.forget_account(account),
            )
        return self._hub

    async def revoke_access(self, account_id: str) -> None:
        """After committing a change that ends or changes an account's access (signing out, a
        disabled account, a changed role or password): forget its API tokens and sessions
        remembered here (and, through the live rooms' bus, in every process that hears it), and
        void its unused live-room tickets and close its live-room sockets in every process."""
        self.token_cache.forget_account(account_id)
        try:
            await self.live.revoke(account_id, ticket_seconds=self.settings.live_ticket_seconds)
        except Exception:  # Redis did not answer; the change itself is committed
            log.exception("live-room access not revoked", account=account_id)

    @property
    def open_log(self) -> OpenLog:
        """The public log's tree and signing key, as this process holds them."""
        if self._open_log is None:
            self._open_log = OpenLog(key_file(self.settings))
        return self._open_log

    @property
    def payment_gateway(self) -> SandboxGateway:
        if self.gateway is None:
            self.gateway = SandboxGateway(
                webhook_secret(self.settings), max_delay_ms=self.settings.sandbox_max_delay_ms
            )
        return self.gateway

    @property
    def carrier(self) -> SandboxCarrier:
        """The carrier that ships orders (``SUNLIT_CARRIER``; the sandbox is the one built in)."""
        if self._carrier is None:
            self._carrier = SandboxCarrier(
                carrier_secret(self.settings),
                step_seconds=self.settings.sandbox_carrier_step_seconds,
                console_delay_ms=self.settings.sandbox_max_delay_ms,
                exceptions=self.settings.sandbox_carrier_exceptions,
            )
        return self._carrier

    @property
    def rates(self) -> Rates:
        return Rates(self.settings.platform_fee_bp, self.settings.guarantee_fund_bp)

    @classmethod
    def build(cls, settings: Settings) -> Services:
        zone = ZoneInfo(settings.timezone)
        redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
        attempts: AttemptCounter = (
            RedisAttemptCounter(redis) if redis is not None else MemoryAttemptCounter()
        )
        return cls(
            settings=settings,
            db=Database(settings),
            passwords=Passwords(settings),
            attempts=attempts,
            templates=make_templates(zone, LABELS, auto_reload=settings.template_auto_reload),
            zone=zone,
            files=LocalFileStore(settings.files_dir),
            redis=redis,
            token_cache=TokenCache(settings.token_cache_seconds),
            notifier=notifier_for(settings),
        )

    async def close(self) -> None:
        if self._hub is not None:
            await self._hub.close()
        if self._desk is not None:
            await self._desk.close()
        await self.db.dispose()
        if self.redis is not None:
            await self.redis.aclose()


def _provides(
    services: Services,
) -> tuple[AccountsKit, CatalogKit, FilingKit, LiveKit, OrdersKit, FulfilmentKit, ShipmentsKit]:
    """Never called: mypy checks here that the container is every context's view of it."""
    return services, services, services, services, services, services, services
