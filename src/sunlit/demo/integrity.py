"""Demo cases for the integrity engine: an evening from another platform, simulated (a quota
of 40 cadres at 50 yuan, paid praise, a price far above the band), imported by a supervisor;
the quota confirmed by a second supervisor and published; a note on the price. Idempotent."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor
from sunlit.accounts.services import account_named
from sunlit.core.files.store import LocalFileStore
from sunlit.integrity import services as cases
from sunlit.integrity.cases import Decision
from sunlit.integrity.ingest import do_import
from sunlit.integrity.views import cases_of_import, import_named
from sunlit.simulate.model import ScenarioSpec, SimConfig
from sunlit.simulate.services import simulate

FILENAME = "demo-evening-from-another-platform.jsonl"
SCENARIOS = ("quota:default:40", "paid_praise:default:30", "gouging")


async def _account(db: AsyncSession, username: str) -> Actor:
    row = await account_named(db, username)
    if row is None:
        raise LookupError(f"demo account {username} is missing")
    return row


def demo_stream() -> bytes:
    config = SimConfig(
        seed=2020,
        viewers=2000,
        minutes=90,
        scenarios=tuple(ScenarioSpec.parse(text) for text in SCENARIOS),
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / FILENAME
        simulate(config, path)
        return path.read_bytes()


async def load_demo_cases(
    db: AsyncSession, files: LocalFileStore, zone: ZoneInfo, *, now: datetime
) -> int:
    """Import the demo evening unless it is there; returns the cases it opened."""
    if await import_named(db, FILENAME) is not None:
        return 0
    first, second = await _account(db, "supervisor1"), await _account(db, "supervisor2")
    done = await do_import(
        db, files, zone, data=demo_stream(), filename=FILENAME, actor=first, skip_bad=False, now=now
    )
    await db.flush()
    opened = {row.rule: row for row in await cases_of_import(db, done.row.id)}
    if (quota := opened.get("forced_purchases")) is not None:
        await cases.do_assign(db, quota.id, actor=first, assignee=second.id, now=now)
        await cases.do_add_note(
            db,
            quota.id,
            actor=second,
            text_="已调取县直机关工会的团购通知，金额均为50元。",
            now=now,
        )
        await cases.do_decide(
            db,
            quota.id,
            actor=second,
            decision=Decision.CONFIRM,
            reason="经核实，县直机关按人均50元向干部摊派购买，订单不计入销售额。",
            now=now,
            files=files,
            zone=zone,
        )
        await cases.do_publish(db, quota.id, actor=first, now=now)
    if (price := opened.get("price_gouging")) is not None:
        await cases.do_add_note(
            db, price.id, actor=first, text_="请合作社说明礼盒装与散装的价格差异。", now=now
        )
    return len(done.opened)
