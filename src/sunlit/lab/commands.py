"""``sunlit simulate`` and ``sunlit integrity evaluate``: thin layers over the simulator and the
evaluation harness. `sunlit.cli` puts ``evaluate`` under ``sunlit integrity`` beside
``analyze``. The simulator and the harness are imported when a command runs, so that a process
that only loads the command line (``sunlit serve`` with one worker) never imports them."""

from __future__ import annotations

import shlex
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
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
    from sunlit.simulate.model import PRESETS, ScenarioSpec, SimConfig
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


def evaluate(
    sizes: Annotated[str, typer.Option(help="Viewers per session, comma-separated")] = "5000",
    seeds: Annotated[int, typer.Option(help="Seeds per cell")] = 2,
    timing_sizes: Annotated[
        str, typer.Option(help="Sizes whose streams are replayed for time to detection")
    ] = "5000",
    out_file: Annotated[Path | None, typer.Option("--out", help="Markdown table file")] = None,
    generator: Annotated[
        str,
        typer.Option(
            help="Whose streams: 'independent' (written without the detectors: the headline "
            "figures), 'simulator' (Sunlit's own, with the baselines and time to detection), "
            "or 'both'"
        ),
    ] = "both",
) -> None:
    """Generate every abuse × camouflage × size × seed, analyse, and score each rule: on the
    independent generator, and on Sunlit's simulator with the baselines and time to detection
    (the streams of the timing sizes replayed)."""
    try:
        viewers = [int(v) for v in sizes.split(",") if v.strip()]
        timed = {int(v) for v in timing_sizes.split(",") if v.strip()}
    except ValueError:
        err.print("[red]--sizes and --timing-sizes take whole numbers separated by commas[/red]")
        raise typer.Exit(2) from None
    if generator not in ("independent", "simulator", "both"):
        err.print("[red]--generator is one of: independent, simulator, both[/red]")
        raise typer.Exit(2)
    command = "sunlit integrity evaluate " + shlex.join(
        [
            f"--sizes={sizes}",
            f"--seeds={seeds}",
            f"--timing-sizes={timing_sizes}",
            f"--generator={generator}",
        ]
    )
    tables = []
    if generator in ("independent", "both"):
        tables.append(_independent(viewers, seeds, command))
    if generator in ("simulator", "both"):
        tables.append(_simulator(viewers, seeds, timed, command))
    table = "\n\n".join(tables)
    if out_file is None:
        print(table)
    else:
        out_file.write_text(table + "\n", encoding="utf-8")
        err.print(f"table -> {out_file}")


def _bar(label: str) -> Progress:
    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
    )


def _independent(viewers: list[int], seeds: int, command: str) -> str:
    from sunlit.lab.evaluate import report
    from sunlit.lab.independent_eval import evaluate_independent, independent_grid

    cells = independent_grid(viewers, range(1, seeds + 1))
    began = time.perf_counter()
    with _bar("independent generator") as bar:
        task = bar.add_task("runs", total=len(cells))
        results = evaluate_independent(cells, lambda done, _: bar.update(task, completed=done))
    body = report(results, command, time.perf_counter() - began)
    return "## On the independent generator (the headline figures)\n\n" + body


def _simulator(viewers: list[int], seeds: int, timed: set[int], command: str) -> str:
    from sunlit.lab.evaluate import evaluate as run
    from sunlit.lab.evaluate import grid, report

    configs = grid(viewers, range(1, seeds + 1))
    began = time.perf_counter()
    with _bar("Sunlit's simulator") as bar:
        task = bar.add_task("runs", total=len(configs))
        results = run(
            configs,
            lambda done, total: bar.update(task, completed=done),
            timing=lambda config: config.viewers in timed,
        )
    body = report(results, command, time.perf_counter() - began)
    return "## On Sunlit's own simulator (the detectors were developed on it)\n\n" + body
