"""What one running Sunlit holds: settings, storage, clocks and shared helpers. Built once in
the application's lifespan (or by the CLI) and passed down; routes reach it through ``deps``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi.templating import Jinja2Templates
from prometheus_client import CollectorRegistry
from redis.asyncio import Redis

from sunlit.accounts.services import Passwords
from sunlit.core.clock import Clock, SystemClock
from sunlit.core.db import Database
from sunlit.core.files.store import LocalFileStore
from sunlit.core.ratelimit import AttemptCounter, MemoryAttemptCounter, RedisAttemptCounter
from sunlit.settings import Settings
from sunlit.web.templating import make_templates


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
            templates=make_templates(zone),
            zone=zone,
            files=LocalFileStore(settings.files_dir),
            redis=redis,
        )

    async def close(self) -> None:
        await self.db.dispose()
        if self.redis is not None:
            await self.redis.aclose()
