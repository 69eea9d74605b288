"""``sunlit verify`` (anyone's check of a server's public log) and ``sunlit open-data``
(the operator's: publish now, make the day's bulk files)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from sunlit.disclosure.opendata.verifier import Failed, State, Unreachable, Verifier

err = Console(stderr=True)
out = Console()


def verify(
    server: Annotated[str, typer.Option(help="The Sunlit server, e.g. https://sunlit.example")],
    state: Annotated[
        Path | None,
        typer.Option(help="Where to keep what was checked, for the next run (JSON)"),
    ] = None,
    bulk: Annotated[
        Path | None,
        typer.Option(help="A bulk file (.jsonl.gz) downloaded from the server: check its records"),
    ] = None,
    new_only: Annotated[
        bool, typer.Option(help="Read only the records after those checked last time")
    ] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each answer")] = 30.0,
) -> None:
    """Check a Sunlit server's public log: the head's signature, that the log only grew since
    the last run, and that every record (of the change feed, or of a bulk file) is in it as
    signed. Exits 1 naming the first thing that does not check out, 2 when it cannot check."""
    try:
        before = State.load(state)
    except Unreachable as exc:
        err.print(f"cannot check: {exc}")
        sys.exit(2)
    with (
        httpx.Client(base_url=server.rstrip("/"), timeout=timeout) as client,
        Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err,
            transient=True, disable=not err.is_terminal,
        ) as bar,
    ):  # fmt: skip
        task = bar.add_task("records", total=None)
        checker = Verifier(
            client, lambda done, total: bar.update(task, completed=done, total=total)
        )
        try:
            after, report = checker.run(before, bulk=bulk, new_only=new_only)
        except Failed as exc:
            err.print(f"[bold red]FAILED[/]: {exc}")
            sys.exit(1)
        except Unreachable as exc:
            err.print(f"cannot check: {exc}")
            sys.exit(2)
    after.save(state)
    head = report.head
    first = " (first run: the key is now remembered)" if report.first_run else ""
    out.print(
        f"OK: {report.checked} records checked; signed head of {head.tree_size} records, "
        f"root {head.root_hash.hex()[:16]}…, key {head.key_id}{first}"
    )
