"""The case queue's rules: which case a finding continues when the engine runs again, a
finding seen again is not a new revision, a decided case is left as decided, and the checks on
each step (reasons, the assignee decides, a second supervisor publishes)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from sunlit.core.clock import FixedClock
from sunlit.core.db import Database
from sunlit.core.errors import Conflict, InvalidInput, PermissionDenied
from sunlit.core.eventlog import Event, append
from sunlit.core.eventlog.tables import EventRow
from sunlit.core.files.store import LocalFileStore
from sunlit.integrity.cases import (
    CaseKey,
    CaseSource,
    CaseStatus,
    check_decision,
    check_publish,
    check_reason,
    match_case,
)
from sunlit.integrity.model import Finding
from sunlit.integrity.monitor import Monitor
from sunlit.integrity.services import do_record_findings
from sunlit.integrity.tables import CaseRow, VerifiedFiguresRow
from tests.support import START


def finding(rule: str, accounts: tuple[str, ...] = (), products: tuple[str, ...] = ()) -> Finding:
    return Finding(rule, "high", 0.9, "…", {"n": len(accounts)}, list(accounts), [], list(products))


def key(
    case: str, rule: str, accounts: tuple[str, ...] = (), products: tuple[str, ...] = ()
) -> CaseKey:
    return CaseKey(case, rule, frozenset(accounts), frozenset(), frozenset(products))


def test_a_finding_continues_the_case_of_its_rule_that_names_the_same_things() -> None:
    cases = [
        key("c-ring", "fake_orders", ("a-1", "a-2")),
        key("c-pears", "price_gouging", products=("p-pears",)),
        key("c-claim", "hype_gap"),
    ]
    assert match_case(finding("fake_orders", ("a-2", "a-9")), cases) == "c-ring"
    assert match_case(finding("fake_orders", ("a-7", "a-8")), cases) is None  # another ring
    assert match_case(finding("paid_comments", ("a-1", "a-2")), cases) is None  # another rule
    assert match_case(finding("price_gouging", products=("p-pears",)), cases) == "c-pears"
    assert match_case(finding("price_gouging", products=("p-tea",)), cases) is None
    assert match_case(finding("hype_gap"), cases) == "c-claim"


def test_each_step_is_checked() -> None:
    with pytest.raises(InvalidInput):
        check_reason("  ok ")
    assert check_reason(" 经核实属实 ") == "经核实属实"
    check_decision(CaseStatus.OPEN, None, "a-sup1")  # unassigned: whoever decides takes it
    with pytest.raises(PermissionDenied):
        check_decision(CaseStatus.OPEN, "a-sup2", "a-sup1")
    with pytest.raises(Conflict):
        check_decision(CaseStatus.DISMISSED, "a-sup1", "a-sup1")
    with pytest.raises(Conflict):
        check_publish(CaseStatus.OPEN, False, None, "a-sup1")
    with pytest.raises(PermissionDenied):
        check_publish(CaseStatus.CONFIRMED, False, "a-sup1", "a-sup1")
    check_publish(CaseStatus.CONFIRMED, False, "a-sup2", "a-sup1")
    with pytest.raises(Conflict):
        check_publish(CaseStatus.CONFIRMED, True, "a-sup2", "a-sup1")


async def test_runs_over_more_of_a_session_revise_one_case_and_leave_decided_ones(
    database: Database,
) -> None:
    later = START + timedelta(seconds=2)
    ring = finding("fake_orders", ("a-1", "a-2", "a-3"))
    for when, source in ((START, CaseSource.LIVE), (later, CaseSource.LIVE)):
        async with database.transaction() as db:
            await do_record_findings(db, {"s-1": [ring]}, source=source, import_id=None, now=when)
    async with database.sessions() as db:
        (case,) = (await db.scalars(select(CaseRow))).all()
    assert (case.revisions, case.source) == (1, "live")  # seen again: not a revision

    grown = finding("fake_orders", ("a-1", "a-2", "a-3", "a-4"))
    async with database.transaction() as db:
        done = await do_record_findings(
            db, {"s-1": [grown]}, source=CaseSource.FINAL, import_id=None, now=later
        )
    assert (done.opened, done.updated) == ([], 1)
    async with database.transaction() as db:
        row = await db.get(CaseRow, case.id)
        assert row is not None
        assert (row.revisions, row.source, row.accounts) == (2, "final", list(grown.accounts))
        row.status = CaseStatus.DISMISSED.value

    again = finding("fake_orders", ("a-1", "a-2", "a-3", "a-4", "a-5"))
    async with database.transaction() as db:
        done = await do_record_findings(
            db, {"s-1": [again]}, source=CaseSource.FINAL, import_id=None, now=later
        )
    assert (done.opened, done.kept) == ([], 1)
    async with database.sessions() as db:
        row = await db.get(CaseRow, case.id)
        assert row is not None and len(row.accounts) == 4  # as the supervisor saw it


async def test_a_live_alert_the_full_run_does_not_support_is_withdrawn(database: Database) -> None:
    burst = finding("fake_viewers", ("a-1", "a-2"))
    ring = finding("fake_orders", ("a-7", "a-8"))
    async with database.transaction() as db:
        await do_record_findings(
            db, {"s-1": [burst, ring]}, source=CaseSource.LIVE, import_id=None, now=START
        )
    async with database.transaction() as db:
        done = await do_record_findings(
            db, {"s-1": [ring]}, source=CaseSource.FINAL, import_id=None, now=START
        )
    assert done.withdrawn == 1
    async with database.sessions() as db:
        cases = {row.rule: row for row in await db.scalars(select(CaseRow))}
    assert cases["fake_viewers"].status == "withdrawn" and cases["fake_viewers"].reason
    assert (cases["fake_orders"].status, cases["fake_orders"].source) == ("open", "final")
    async with database.transaction() as db:  # a session the full run finds clean
        done = await do_record_findings(
            db, {"s-1": []}, source=CaseSource.FINAL, import_id=None, now=START
        )
    assert done.withdrawn == 0  # the ring's case was confirmed by the final run: it stays


async def test_the_monitor_catches_up_on_a_log_holding_only_open_sessions(
    database: Database, tmp_path: Path
) -> None:
    def event(kind: str, session: str, minute: int, **data: object) -> Event:
        return Event(kind, START + timedelta(minutes=minute), data, "a-viewer", session)

    placed = {"order": "o-1", "product": "g-pears", "qty": 2, "unit_price": 1990, "amount": 3980}
    async with database.transaction() as db:
        append(
            db,
            event("session.started", "s-done", 0),
            *(event("chat.message", "s-done", m, text="梨子甜吗") for m in range(1, 6)),
            event("order.placed", "s-done", 6, **placed),
            event("order.paid", "s-done", 6, order="o-1"),
            event("session.ended", "s-done", 7),
            event("session.started", "s-live", 8),
            event("chat.message", "s-live", 9, text="发什么快递"),
            event("session.filed", "s-never", 9),
            event("session.ended", "s-never", 10),
        )
    clock = FixedClock(START + timedelta(minutes=11))

    def monitor() -> Monitor:
        return Monitor(database, LocalFileStore(tmp_path), ZoneInfo("Asia/Shanghai"), clock,
                       every=0, late_every=0, batch=3)  # fmt: skip

    async def figures_of_done() -> dict[str, object]:
        async with database.sessions() as db:
            row = await db.get(VerifiedFiguresRow, "-/s-done")
            assert row is not None
            return dict(row.figures)

    watching = monitor()
    step = await watching.step()
    assert step.read == 14  # the 13 above, and the figures.verified of the final run
    assert set(watching.rooms) == {"s-live"}  # the ended sessions were let go as they ended
    assert watching.finished == {"s-done", "s-never"}
    assert (await figures_of_done())["gmv"] == 3980

    # Two days later the buyer is refunded: the verified figures follow without anyone asking.
    clock.advance(timedelta(days=2))
    async with database.transaction() as db:
        append(db, event("order.refunded", "s-done", 2 * 24 * 60, order="o-1", amount=3980,
                         reason="坏果"))  # fmt: skip
    await watching.step()
    assert (await figures_of_done())["gmv"] == 0
    assert (await figures_of_done())["cancelled_or_refunded"] == 1

    await monitor().step()  # a restart: neither the final run nor the late one is done again
    async with database.sessions() as db:
        verified = await db.scalars(select(EventRow).where(EventRow.type == "figures.verified"))
        assert [row.data["gmv"] for row in verified] == [3980, 0]
