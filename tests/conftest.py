"""Fixtures. SQLite always; PostgreSQL when SUNLIT_TEST_POSTGRES_URL is set, Redis when
SUNLIT_TEST_REDIS_URL is set, the browser when /usr/bin/chromium exists, the schemathesis run over
the API with ``--fuzz``. CI passes ``--require-suites=postgres,redis,browser,video,fuzz`` so that a
suite which did not run fails the build."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from sunlit.core.db import Database
from sunlit.core.migrate import upgrade
from sunlit.settings import Settings
from tests.support import LiveServer, live_server, settings_for

POSTGRES_URL = os.environ.get("SUNLIT_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("SUNLIT_TEST_REDIS_URL")
CHROMIUM = Path("/usr/bin/chromium")
SUITES = ("postgres", "redis", "browser", "video", "fuzz")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--require-suites",
        default="",
        help="comma-separated markers (postgres,redis,browser) whose tests must all run and pass",
    )
    parser.addoption(
        "--fuzz",
        action="store_true",
        help="run the schemathesis fuzz suite over the JSON API (minutes; CI runs it)",
    )
    parser.addoption(
        "--fuzz-seed", type=int, default=20261205, help="the fuzz suite's seed, to repeat a run"
    )
    parser.addoption(
        "--fuzz-examples", type=int, default=10, help="fuzz suite: examples per operation and pass"
    )
    parser.addoption(
        "--fuzz-seconds", type=int, default=540, help="fuzz suite: the hard bound on its run"
    )


_outcomes: dict[str, Counter[str]] = {suite: Counter() for suite in SUITES}
_skip_reasons: dict[str, str] = {}
# Each suite's tests by node id, from their markers: a report's keywords also hold the names of
# the directories above the test, and a checkout in a folder named "video" would put every test
# in that suite.
_members: dict[str, set[str]] = {suite: set() for suite in SUITES}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for suite in SUITES:
        if report.nodeid in _members[suite]:
            if report.outcome == "skipped" and isinstance(report.longrepr, tuple):
                _skip_reasons.setdefault(suite, str(report.longrepr[2]).removeprefix("Skipped: "))
            if report.when == "call" or report.outcome == "skipped":
                _outcomes[suite][report.outcome] += 1
            elif report.outcome == "failed":
                _outcomes[suite]["failed"] += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    required = [s for s in session.config.getoption("--require-suites").split(",") if s]
    problems = []
    for suite in required:
        counts = _outcomes.get(suite, Counter())
        if counts["passed"] == 0:
            problems.append(f"{suite}: no test ran")
        if counts["skipped"]:
            problems.append(f"{suite}: {counts['skipped']} skipped")
    if problems and session.exitstatus == 0:
        session.exitstatus = 1
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        for suite in SUITES:
            counts = _outcomes[suite]
            line = (
                f"suite {suite}: {counts['passed']} passed, {counts['failed']} failed, "
                f"{counts['skipped']} skipped"
            )
            if suite in _skip_reasons:
                line += f" ({_skip_reasons[suite]})"
            reporter.write_line(line)
        for problem in problems:
            reporter.write_line(f"REQUIRED SUITE NOT SATISFIED: {problem}", red=True)


# --- databases ---------------------------------------------------------------------------


def _pg_admin(statement: str) -> None:
    import asyncpg

    assert POSTGRES_URL is not None
    url = make_url(POSTGRES_URL)

    async def run() -> None:
        connection = await asyncpg.connect(
            host=url.host,
            port=url.port or 5432,
            user=url.username,
            password=url.password,
            database=url.database or "postgres",
        )
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(run())


def _pg_url(name: str) -> str:
    assert POSTGRES_URL is not None
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A migrated PostgreSQL database that each test copies."""
    if POSTGRES_URL is None:
        pytest.skip("PostgreSQL suite not run: set SUNLIT_TEST_POSTGRES_URL")
    name = f"sunlit_tmpl_{secrets.token_hex(4)}"
    _pg_admin(f"CREATE DATABASE {name}")
    upgrade(settings_for(_pg_url(name)))
    yield name
    _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "sunlit.db"
    upgrade(settings_for(f"sqlite+aiosqlite:///{path}"))
    return path


def _sqlite_copy(template: Path, target: Path) -> str:
    import sqlite3

    source = sqlite3.connect(template)
    destination = sqlite3.connect(target)
    source.backup(destination)
    source.close()
    destination.close()
    return f"sqlite+aiosqlite:///{target}"


@pytest.fixture(
    params=[
        pytest.param("sqlite"),
        pytest.param("postgres", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database on each backend."""
    if request.param == "sqlite":
        yield _sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path / "sunlit.db")
        return
    template = request.getfixturevalue("pg_template")
    name = f"sunlit_t_{secrets.token_hex(5)}"
    _pg_admin(f"CREATE DATABASE {name} TEMPLATE {template}")
    yield _pg_url(name)
    _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh, migrated SQLite database, for tests about the web layer."""
    return _sqlite_copy(sqlite_template, tmp_path / "sunlit.db")


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_for(database_url)


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Database]:
    db = Database(settings)
    yield db
    await db.dispose()


@pytest.fixture
def server(sqlite_url: str) -> Iterator[LiveServer]:
    with live_server(settings_for(sqlite_url)) as running:
        yield running


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where a browser walk keeps its screenshots: ``SUNLIT_SCREENSHOTS`` if set (to look at
    them), or the test's own folder."""
    folder = Path(os.environ.get("SUNLIT_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def demo_by_command(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The demo as `sunlit demo` loads it (tests/crawl.py), served once for the whole run; for
    checks that only read."""
    from tests.crawl import load_demo_by_command

    home = tmp_path_factory.mktemp("demo-by-command")
    database = load_demo_by_command(home)
    with live_server(settings_for(database, files_dir=home / "var" / "files")) as server:
        yield server


@pytest.fixture
def served(settings: Settings) -> Iterator[LiveServer]:
    """A live server with the demo region, on each backend (SQLite; PostgreSQL if configured)."""
    from tests.test_web import load_demo_into

    with live_server(settings) as server:
        load_demo_into(server)
        yield server


@pytest.fixture
def redis_url() -> str:
    if REDIS_URL is None:
        pytest.skip("Redis suite not run: set SUNLIT_TEST_REDIS_URL")
    return REDIS_URL


AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


def pytest_collection_modifyitems(config: pytest.Config, items: list[Any]) -> None:
    for item in items:
        for suite in SUITES:
            if item.get_closest_marker(suite) is not None:
                _members[suite].add(item.nodeid)
    missing = [
        why
        for why, present in (
            ("no /usr/bin/chromium (apt-get install chromium fonts-noto-cjk)", CHROMIUM.exists()),
            ("no node_modules/axe-core (install npm, then make install)", AXE.is_file()),
        )
        if not present
    ]
    if missing:
        skip = pytest.mark.skip(reason="browser suite not run: " + "; ".join(missing))
        for item in items:
            if item.nodeid in _members["browser"]:
                item.add_marker(skip)
    if not config.getoption("--fuzz"):
        skip = pytest.mark.skip(reason="fuzz suite not run: pass --fuzz (or make fuzz)")
        for item in items:
            if item.nodeid in _members["fuzz"]:
                item.add_marker(skip)
