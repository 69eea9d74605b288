"""``sunlit calendar load FILE|show``: the holidays and adjusted workdays (调休)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sunlit.core.calendar.model import parse_days
from sunlit.core.calendar.services import do_load_calendar, loaded_years
from sunlit.core.clock import SystemClock
from sunlit.settings import Settings

calendar = typer.Typer(
    help="Working days: the holidays and adjusted workdays the State Council publishes.",
    no_args_is_help=True,
)
err = Console(stderr=True)
out = Console()


@calendar.command("load")
def load(
    path: Annotated[
        Path, typer.Argument(help="One 'YYYY-MM-DD holiday|workday' a line; # comments")
    ],
) -> None:
    """Replace the stored days of each year the file names with the file's days."""
    try:
        days = parse_days(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        err.print(f"[red]{path} is not a calendar file:[/red] {exc}")
        raise typer.Exit(1) from None
    if not days:
        err.print(f"[red]{path} names no day[/red]")
        raise typer.Exit(1)

    async def run() -> list[int]:
        from sunlit.core.db import Database

        database = Database(Settings())
        try:
            async with database.transaction() as db:
                return await do_load_calendar(db, days, actor=None, now=SystemClock().now())
        finally:
            await database.dispose()

    years = asyncio.run(run())
    out.print(f"[green]Loaded {len(days)} days for {', '.join(map(str, years))}[/green]")


@calendar.command("show")
def show() -> None:
    """The years whose holidays are loaded (other years count weekends only)."""

    async def run() -> list[int]:
        from sunlit.core.db import Database

        database = Database(Settings())
        try:
            async with database.sessions() as db:
                return await loaded_years(db)
        finally:
            await database.dispose()

    years = asyncio.run(run())
    out.print(", ".join(map(str, years)) if years else "No year loaded: weekends only.")
