"""Loading the demo for ``sunlit demo``: the demo region, an ended session, parcels, Majiang's
season, and the notifications those tell, with a progress bar on ``console``. The composition
root does it, because the demo is played through the application's own services."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from sunlit.accounts.services import Passwords
from sunlit.app import reactions
from sunlit.app.notices import read_the_past
from sunlit.app.services import Services, webhook_secret
from sunlit.core.clock import SystemClock
from sunlit.core.db import Database
from sunlit.core.files.store import LocalFileStore
from sunlit.demo.claims import load_demo_claim
from sunlit.demo.concerns import load_demo_concern
from sunlit.demo.fulfilment import load_demo_fulfilment
from sunlit.demo.history import history_steps, load_demo_history
from sunlit.demo.integrity import load_demo_cases
from sunlit.demo.parcels import PARCELS
from sunlit.demo.season import shopper_names
from sunlit.demo.services import demo_steps, load_demo
from sunlit.demo.session import demo_session_steps, load_demo_session
from sunlit.demo.upcoming import load_demo_upcoming
from sunlit.payments.sandbox import SandboxGateway
from sunlit.settings import Settings


async def load_the_demo(settings: Settings, console: Console) -> list[tuple[str, str, str, str]]:
    """Load the demo (idempotent) and return each login: username, role, name, organisation."""
    reactions.connect()  # a payment captured marks its order paid, as in the application
    database = Database(settings)
    files = LocalFileStore(settings.files_dir)
    kit = Services.build(settings)  # what the concern services use of the running app
    now = SystemClock().now()
    try:
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console
        ) as progress:
            task = progress.add_task("Loading the demo region", total=demo_steps())
            async with database.transaction() as db:
                logins = await load_demo(
                    db,
                    Passwords(settings),
                    files=files,
                    password=settings.demo_password,
                    now=now,
                    progress=lambda _: progress.advance(task),
                )
                progress.update(task, description="Importing a demo evening for the case queue")
                await load_demo_cases(db, files, ZoneInfo(settings.timezone), now=now)
            ended = progress.add_task("Playing an ended session", total=demo_session_steps())
            async with database.transaction() as db:
                # The sandbox gateway's notices are applied in this process, at once.
                gateway = SandboxGateway(webhook_secret(settings), max_delay_ms=0)
                session = await load_demo_session(
                    db,
                    settings,
                    gateway,
                    files,
                    now=now,
                    progress=lambda _: progress.advance(ended),
                )
                progress.update(
                    ended, completed=demo_session_steps(), description=f"Ended: {session.session}"
                )
                # Issue 16: the demo's answered concern and its announced claim with a gap.
                await load_demo_concern(db, kit, session, now=now)
                await load_demo_claim(db, settings, files, session, now=now)
            parcels = progress.add_task("Shipping the demo's parcels", total=len(PARCELS) + 1)
            async with database.transaction() as db:
                # Issue 17: parcels in every state, a claim the fund paid first, reviews.
                gateway = SandboxGateway(webhook_secret(settings), max_delay_ms=0)
                await load_demo_fulfilment(
                    db, kit, gateway, now=now, progress=lambda _: progress.advance(parcels)
                )
                progress.update(parcels, completed=len(PARCELS) + 1)
            season = progress.add_task("Majiang's season of sales", total=history_steps())
            async with database.transaction() as db:  # issue 21: the dip and the recovery
                gateway = SandboxGateway(webhook_secret(settings), max_delay_ms=0)
                await load_demo_history(
                    db,
                    kit,
                    gateway,
                    Passwords(settings),
                    now=now,
                    progress=lambda _: progress.advance(season),
                )
            async with database.transaction() as db:  # issue 21: what comes next
                await load_demo_upcoming(db, kit, now=now)
            # What the season told its people more than a week ago, they have read.
            demo = {x.username for x in logins} | set(shopper_names())
            await read_the_past(kit, now=now, unread_for=timedelta(days=7), usernames=demo)
    finally:
        await kit.close()
        await database.dispose()
    return [(x.username, x.role.value, x.display_name, x.org or "") for x in logins]
