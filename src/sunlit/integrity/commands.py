"""``sunlit integrity analyze``: a thin layer over the reader and the detectors. The lab's
commands (``sunlit simulate``, ``sunlit integrity evaluate``) are in `sunlit.lab.commands`."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Annotated, BinaryIO

import orjson
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
)

from sunlit.integrity.engine import findings_document, run_detectors
from sunlit.integrity.reader import StreamRefused, read_lines

integrity = typer.Typer(
    help="The integrity engine: findings from event streams.", no_args_is_help=True
)
err = Console(stderr=True)


def _lines(handle: BinaryIO, bar: Progress, task: object) -> Iterator[bytes]:
    done = 0
    for line in handle:
        done += len(line)
        if done & 0xFFFFF < len(line):  # about every MiB
            bar.update(task, completed=done)  # type: ignore[arg-type]
        yield line


@integrity.command("analyze")
def analyze(
    file: Annotated[Path, typer.Argument(help="Event stream (JSON Lines); - for stdin")],
    out_file: Annotated[Path | None, typer.Option("--out", help="Findings file")] = None,
    skip_bad: Annotated[bool, typer.Option(help="Skip bad lines and report them")] = False,
    timings: Annotated[
        bool, typer.Option(help="Print the seconds spent reading, in each detector and writing")
    ] = False,
) -> None:
    """Read an event stream and write the findings document (sunlit-findings/1)."""
    marks: list[tuple[str, float]] = [("reading", time.perf_counter())]

    def stage(name: str) -> None:
        marks.append((name, time.perf_counter()))

    if str(file) != "-" and not file.is_file():
        err.print(f"[red]{file}: no such file[/red]")
        raise typer.Exit(2)
    size = file.stat().st_size if str(file) != "-" else None
    handle = sys.stdin.buffer if str(file) == "-" else file.open("rb")
    try:
        with Progress(
            TextColumn("{task.description}"), BarColumn(), DownloadColumn(), console=err
        ) as bar:
            task = bar.add_task("reading", total=size)
            stream, report = read_lines(_lines(handle, bar, task), skip_bad=skip_bad)
            bar.update(task, completed=size, description="detecting")

            def detecting(rule: str) -> None:
                stage(rule)
                bar.update(task, description=f"detecting: {rule}")

            found = run_detectors(stream, progress=detecting)
            stage("writing")
    except StreamRefused as refused:
        rep = refused.report
        for bad in rep.bad[:20]:
            err.print(f"[red]{bad}[/red]")
        if rep.bad_count > 20:
            err.print(f"[red]… and {rep.bad_count - 20} more bad lines[/red]")
        err.print("Nothing analysed. Fix the lines above, or pass --skip-bad to analyse the rest.")
        raise typer.Exit(1) from None
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()
    document = findings_document(found)
    document["input"] = {
        "events": report.events,
        "duplicates_ignored": report.duplicates,
        "out_of_order": report.out_of_order,
        "skipped_lines": report.bad_count,
        "ignored_types": report.ignored_types,
    }
    for bad in report.bad[:20]:
        err.print(f"[yellow]skipped {bad}[/yellow]")
    if report.bad_count > 20:
        err.print(f"[yellow]… {report.bad_count - 20} more lines skipped[/yellow]")
    if report.duplicates:
        err.print(f"{report.duplicates} duplicate events counted once.")
    body = orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"
    if out_file is None:
        sys.stdout.buffer.write(body)
    else:
        out_file.write_bytes(body)
    total = sum(len(s["findings"]) for s in document["sessions"])
    err.print(
        f"{report.events:,} events, {len(document['sessions'])} session(s), {total} finding(s)."
    )
    if timings:
        stage("end")
        split = ", ".join(f"{n} {b - a:.2f}" for (n, a), (_, b) in pairwise(marks))
        print(f"timings (s): {split}; total {marks[-1][1] - marks[0][1]:.2f}", file=sys.stderr)
