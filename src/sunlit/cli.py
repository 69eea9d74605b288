"""The ``sunlit`` command: serve, migrate, demo, users, events, regions, simulate, verify…"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from sunlit import __version__
from sunlit.accounts.model import NewAccount, Role
from sunlit.core.calendar.commands import calendar
from sunlit.core.clock import SystemClock, parse_rfc3339
from sunlit.core.errors import SunlitError
from sunlit.core.regions.commands import regions
from sunlit.disclosure.opendata import commands as open_commands
from sunlit.integrity import commands as integrity_commands
from sunlit.lab import commands as lab_commands
from sunlit.settings import Settings
from sunlit.web.ports import in_use

app = typer.Typer(
    help="Sunlit 阳光助农直播 — live sales of rural produce, with integrity built in.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
users = typer.Typer(help="Manage accounts.", no_args_is_help=True)
events = typer.Typer(help="The event log.", no_args_is_help=True)
filing = typer.Typer(help="Filing (报备): session plans and boundary rules.", no_args_is_help=True)
app.add_typer(users, name="users")
app.add_typer(filing, name="filing")
app.add_typer(events, name="events")
app.add_typer(regions, name="regions")
app.add_typer(calendar, name="calendar")
app.add_typer(integrity_commands.integrity, name="integrity")
# The lab's commands (they need the simulator) beside the engine's: `sunlit integrity evaluate`.
integrity_commands.integrity.command("evaluate")(lab_commands.evaluate)
app.command("simulate")(lab_commands.simulate)
app.command("verify")(open_commands.verify)
err = Console(stderr=True)
out = Console()


def _settings() -> Settings:
    try:
        return Settings()
    except Exception as exc:  # the message of an invalid setting is for the person at hand
        err.print(f"[red]Settings are not valid:[/red] {exc}")
        raise typer.Exit(2) from None


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]{message}[/red]")
    return typer.Exit(1)


@app.command()
def version() -> None:
    """Print the version."""
    out.print(f"sunlit {__version__}")


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema (Alembic)."""
    from sunlit.core.migrate import head_revision, upgrade

    settings = _settings()
    upgrade(settings)
    out.print(
        f"[green]Database is at revision {head_revision(settings)}[/green] "
        f"({settings.database_url.split('@')[-1]})"
    )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind")] = None,
    port: Annotated[int | None, typer.Option(help="Port to bind")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes")] = None,
) -> None:
    """Serve the web application with granian (docs/adr/0013)."""
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces, Loops
    from granian.log import LogLevels

    settings = _settings()
    host, port = host or settings.host, port or settings.port
    processes = workers or settings.workers
    if processes > 1 and settings.live_server and not settings.redis_url:
        out.print(
            "[red]With more than one worker the live rooms need SUNLIT_REDIS_URL, so that "
            "every worker's viewers see the same room.[/red]"
        )
        raise typer.Exit(2)
    live_port = settings.live_port if settings.live_server else 0
    ports = ((host, port, "SUNLIT_PORT"), (settings.host, live_port, "SUNLIT_LIVE_PORT"))
    for address, taken, setting in ports:
        if in_use(address, taken):
            err.print(
                f"[red]Port {taken} on {address} is already in use, perhaps by an earlier "
                f"`sunlit serve`: stop it, or choose another port ({setting}).[/red]"
            )
            raise typer.Exit(2)
    out.print(f"Sunlit {__version__} on [bold]http://{host}:{port}[/bold]")
    if settings.live_server:
        out.print(f"Live rooms' WebSockets on port {settings.live_port}")
    Granian(
        # The factory wraps the app in the trusted-proxy handling (SUNLIT_TRUSTED_PROXIES).
        "sunlit.app.asgi:create",
        factory=True,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=processes,
        loop=Loops.uvloop,
        http=HTTPModes.http1,  # nginx speaks HTTP/1.1 to its upstream
        websockets=False,  # the live rooms' WebSockets have their own server (docs/adr/0004)
        log_level=LogLevels(settings.log_level.lower()),
        log_access=False,  # Sunlit writes its own access line (core/logging.log_request)
    ).serve()


@app.command()
def demo() -> None:
    """Load the demo region (the counties the seeds name, their officials, cooperatives,
    supervisors, an operator and buyers) and print the demo logins."""
    settings = _settings()
    from sunlit.app.demo_load import load_the_demo

    logins = asyncio.run(load_the_demo(settings, err))
    table = Table(title="Demo logins — password: " + settings.demo_password)
    for column in ("account", "role", "name", "organisation"):
        table.add_column(column)
    for row in logins:
        table.add_row(*row)
    out.print(table)
    out.print(f"Sign in at http://{settings.host}:{settings.port}/signin")


@users.command("create")
def users_create(
    username: Annotated[str, typer.Option(help="Account name (sign-in)")],
    name: Annotated[str, typer.Option(help="Display name")],
    role: Annotated[Role, typer.Option(help="Role")] = Role.CONSUMER,
    org: Annotated[str | None, typer.Option(help="Verified organisation")] = None,
    region: Annotated[str | None, typer.Option(help="GB/T 2260 region code")] = None,
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="Password")
    ] = "",
) -> None:
    """Create an account of any role (as the machine's administrator)."""
    from sunlit.accounts.services import Origin, Passwords, do_register
    from sunlit.core.db import Database
    from sunlit.core.i18n import current_language, translate

    settings = _settings()

    async def run() -> str:
        database = Database(settings)
        try:
            async with database.transaction() as db:
                row = await do_register(
                    db,
                    Passwords(settings),
                    NewAccount(username, name, password, role, org=org, region=region),
                    now=SystemClock().now(),
                    origin=Origin("127.0.0.1", "cli"),
                    trusted=True,
                )
                return row.id
        finally:
            await database.dispose()

    try:
        account_id = asyncio.run(run())
    except SunlitError as exc:
        current_language.set(settings.default_language)
        message = translate(exc.message, exc.params)
        details = [
            f"--{k.replace('_', '-')}: {translate(v)}"
            for k, v in exc.fields.items()
            if translate(v) != message
        ]
        raise _fail("\n".join([message, *details])) from None
    out.print(f"[green]Created[/green] {username} ({role.value}) as {account_id}")


def _moment(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_rfc3339(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not an RFC 3339 time with an offset, e.g. 2026-11-01T00:00:00+08:00",
            param_hint=option,
        ) from None


@events.command("export")
def events_export(
    since: Annotated[str | None, typer.Option(help="RFC 3339 time; events at or after it")] = None,
    until: Annotated[str | None, typer.Option(help="RFC 3339 time; events before it")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="File (default: stdout)")] = None,
) -> None:
    """Write the event log as JSON Lines (docs/events.md)."""
    from zoneinfo import ZoneInfo

    from sqlalchemy import func, select

    from sunlit.core.db import Database
    from sunlit.core.eventlog import export_jsonl
    from sunlit.core.eventlog.tables import EventRow

    settings = _settings()
    start, end = _moment(since, "--since"), _moment(until, "--until")

    async def run() -> int:
        database = Database(settings)
        try:
            async with database.sessions() as db:
                if out_file is None:
                    return await export_jsonl(
                        db, sys.stdout.buffer, ZoneInfo(settings.timezone), since=start, until=end
                    )
                total = await db.scalar(select(func.count()).select_from(EventRow)) or 0
                with out_file.open("wb") as handle, Progress(console=err) as progress:
                    task = progress.add_task("Exporting events", total=total)

                    class Counting:
                        def write(self, data: bytes) -> int:
                            progress.advance(task)
                            return handle.write(data)

                    return await export_jsonl(
                        db,
                        Counting(),
                        ZoneInfo(settings.timezone),
                        since=start,
                        until=end,
                    )
        finally:
            await database.dispose()

    count = asyncio.run(run())
    err.print(f"{count} events written")


@filing.command("rules-doc")
def filing_rules_doc() -> None:
    """Print docs/boundary-rules.md, generated from the rule registry."""
    from sunlit.filing.rules_doc import rules_markdown

    sys.stdout.write(rules_markdown())


stream = typer.Typer(help="Video ingest (nginx-rtmp).", no_args_is_help=True)
app.add_typer(stream, name="stream")


@stream.command("nginx-config")
def stream_nginx_config(
    prefix: Annotated[Path, typer.Option(help="nginx working folder")] = Path("var/nginx"),
    hls_dir: Annotated[Path, typer.Option(help="where HLS segments go")] = Path("var/hls"),
    record_dir: Annotated[Path, typer.Option(help="where recordings go")] = Path("var/recordings"),
    callback: Annotated[str | None, typer.Option(help="Sunlit's base URL")] = None,
    rtmp_port: Annotated[int, typer.Option(help="RTMP port")] = 1935,
    http_port: Annotated[int, typer.Option(help="HLS HTTP port")] = 8080,
    foreground: Annotated[bool, typer.Option(help="daemon off")] = False,
) -> None:
    """Print an nginx configuration whose on_publish asks Sunlit's stream gate."""
    from sunlit.filing.nginx import IngestConfig, render

    settings = _settings()
    config = IngestConfig(
        prefix=prefix.resolve(),
        hls_dir=hls_dir.resolve(),
        record_dir=record_dir.resolve(),
        callback=callback or f"http://{settings.host}:{settings.port}",
        callback_secret=settings.callback_secret(),
        rtmp_port=rtmp_port,
        http_port=http_port,
        foreground=foreground,
    )
    sys.stdout.write(render(config))


site = typer.Typer(help="The web front (nginx).", no_args_is_help=True)
app.add_typer(site, name="site")


@site.command("nginx-config")
def site_nginx_config(
    prefix: Annotated[Path, typer.Option(help="nginx working folder")] = Path("var/nginx-site"),
    upstream: Annotated[
        str | None, typer.Option(help="Sunlit's host:port (comma-separated for several)")
    ] = None,
    listen: Annotated[str, typer.Option(help="address:port nginx listens on")] = "127.0.0.1:8088",
    foreground: Annotated[bool, typer.Option(help="daemon off")] = False,
) -> None:
    """Print an nginx site in front of Sunlit that keeps the public pages Sunlit marks
    cacheable (SUNLIT_PAGE_CACHE_SECONDS) and passes everything else on."""
    from sunlit.web.middleware import upload_limit
    from sunlit.web.nginx_site import SiteConfig, render_site

    settings = _settings()
    sys.stdout.write(
        render_site(
            SiteConfig(
                prefix=prefix.resolve(),
                upstream=upstream or f"{settings.host}:{settings.port}",
                listen=listen,
                max_body_bytes=upload_limit(settings),
                foreground=foreground,
            )
        )
    )


def main() -> None:
    app()


if __name__ == "__main__":
    main()
