"""``sunlit simulate`` and ``sunlit integrity analyze|evaluate``: thin layers over the
simulator, the reader, the detectors and the evaluation harness."""

from __future__ import annotations

import shlex
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
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from sunlit.integrity.engine import findings_document, run_detectors
from sunlit.integrity.reader import StreamRefused, read_lines
from sunlit.simulate.model import PRESETS, ScenarioSpec, SimConfig

integrity = typer.Typer(
    help="The integrity engine: findings from event streams.", no_args_is_help=True
)
err = Console(stderr=True)


def simulate(
    out_file: Annotated[Path, typer.Option("--out", help="Events file to write (JSON Lines)")],
    preset: Annotated[str | None, typer.Option(help="dangshan-evening or small")] = None,
    viewers: Annotated[int | None, typer.Option(help="Honest viewers per session")] = None,
    orders: Annotated[int | None, typer.Option(help="Honest orders per session")] = None,
    sessions: Annotated[int | None, typer.Option(help="Sessions in the stream")] = None,
    minutes: Annotated[int | None, typer.Option(help="Length of each session")] = None,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same bytes")] = 1,
    scenario: Annotated[
        list[str] | None,
        typer.Option(help="Abuse to add: name[:none|default|strong[:size]]; repeatable"),
    ] = None,
    clearance: Annotated[bool, typer.Option(help="An honest below-cost clearance")] = False,
) -> None:
    """Write a simulated event stream and its labels (beside it, as NAME.labels.json)."""
    from sunlit.simulate.services import simulate as run

    if preset is not None and preset not in PRESETS:
        err.print(f"[red]Unknown preset {preset!r}; one of: {', '.join(PRESETS)}[/red]")
        raise typer.Exit(2)
    base = PRESETS[preset] if preset else SimConfig()
    try:
        specs = tuple(ScenarioSpec.parse(s) for s in scenario or [])
        config = SimConfig(
            seed=seed,
            viewers=viewers if viewers is not None else base.viewers,
            orders=orders if orders is not None else base.orders,
            sessions=sessions if sessions is not None else base.sessions,
            minutes=minutes if minutes is not None else base.minutes,
            start=base.start,
            scenarios=specs,
            clearance=clearance,
        )
    except ValueError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    with Progress(
        TextColumn("simulating"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
    ) as bar:
        task = bar.add_task("events", total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        result = run(config, out_file, tick)
    err.print(
        f"{result.events:,} events in {result.seconds:.1f} s ({result.rate:,.0f}/s) -> "
        f"{result.events_path}; labels -> {result.labels_path}"
    )


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


@integrity.command("evaluate")
def evaluate(
    sizes: Annotated[str, typer.Option(help="Viewers per session, comma-separated")] = "5000",
    seeds: Annotated[int, typer.Option(help="Seeds per cell")] = 2,
    timing_sizes: Annotated[
        str, typer.Option(help="Sizes whose streams are replayed for time to detection")
    ] = "5000",
    out_file: Annotated[Path | None, typer.Option("--out", help="Markdown table file")] = None,
) -> None:
    """Simulate every scenario × camouflage × size × seed, analyse, and score each rule and
    the baselines; replay the streams of the timing sizes for time to detection."""
    from sunlit.integrity.evaluate import evaluate as run
    from sunlit.integrity.evaluate import grid, report

    try:
        viewers = [int(v) for v in sizes.split(",") if v.strip()]
        timed = {int(v) for v in timing_sizes.split(",") if v.strip()}
    except ValueError:
        err.print("[red]--sizes and --timing-sizes take whole numbers separated by commas[/red]")
        raise typer.Exit(2) from None
    configs = grid(viewers, range(1, seeds + 1))
    began = time.perf_counter()
    with Progress(
        TextColumn("evaluating"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
    ) as bar:
        task = bar.add_task("runs", total=len(configs))
        results = run(
            configs,
            lambda done, total: bar.update(task, completed=done),
            timing=lambda config: config.viewers in timed,
        )
    seconds = time.perf_counter() - began
    command = "sunlit integrity evaluate " + shlex.join(
        [f"--sizes={sizes}", f"--seeds={seeds}", f"--timing-sizes={timing_sizes}"]
    )
    table = report(results, command, seconds)
    if out_file is None:
        print(table)
    else:
        out_file.write_text(table + "\n", encoding="utf-8")
        err.print(f"table -> {out_file}")
