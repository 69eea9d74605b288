"""The concern loop and the working-day deadline, pure: explicit times, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sunlit.core.calendar.model import DayKind, WorkCalendar, calendar_of, parse_days
from sunlit.core.errors import Conflict, InvalidInput
from sunlit.disclosure.concerns import model
from sunlit.disclosure.concerns.model import Facts, Loop, Status, Step

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: Qingming 2026 (Saturday 4 April to Monday 6 April), and an adjusted workday (调休) on
#: Saturday 28 February, as a calendar file would give them.
DAYS = """
# a test calendar
2026-04-04 holiday
2026-04-05 holiday
2026-04-06 holiday  # Monday
2026-02-28 workday
"""


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_weekends_do_not_count() -> None:
    weekends = WorkCalendar()
    raised = local(2026, 3, 6, 10, 0)  # a Friday
    due = weekends.deadline(raised, 5, SHANGHAI)
    assert due == local(2026, 3, 14, 0, 0)  # the end of the next Friday
    assert due.tzinfo is UTC and due == datetime(2026, 3, 13, 16, 0, tzinfo=UTC)
    # raised on a Sunday night: Monday is the first working day
    assert weekends.deadline(local(2026, 3, 8, 23, 30), 1, SHANGHAI) == local(2026, 3, 10)
    # early on Monday in Shanghai is still Sunday in UTC: the local day counts
    monday_early = local(2026, 3, 9, 1, 0)
    assert weekends.deadline(monday_early, 1, SHANGHAI) == local(2026, 3, 11)


def test_a_holiday_and_an_adjusted_workday_move_the_deadline() -> None:
    days = calendar_of(parse_days(DAYS))
    assert not days.is_working_day(date(2026, 4, 6))  # a Monday off
    assert days.is_working_day(date(2026, 2, 28))  # a Saturday worked
    raised = local(2026, 4, 2, 9, 0)  # Thursday before Qingming
    # Fri 3, (Sat-Mon off), Tue 7, Wed 8, Thu 9, Fri 10
    assert days.deadline(raised, 5, SHANGHAI) == local(2026, 4, 11)
    assert WorkCalendar().deadline(raised, 5, SHANGHAI) == local(2026, 4, 10)  # weekends only
    # Wed 25 Feb: Thu 26, Fri 27, Sat 28 (worked), Mon 2, Tue 3
    assert days.deadline(local(2026, 2, 25, 12), 5, SHANGHAI) == local(2026, 3, 4)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2026-04-04", "line 1"),
        ("2026-13-01 holiday", "line 1"),
        ("2026-04-04 feast", "line 1"),
        ("2026-04-04 holiday\n2026-04-04 holiday", "given twice"),
        ("2026-04-07 workday", "weekday"),  # a Tuesday cannot be an adjusted workday
    ],
)
def test_a_bad_calendar_file_names_its_line(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_days(text)
    assert parse_days("# nothing\n\n") == {}
    assert parse_days("2026-04-04 holiday")[date(2026, 4, 4)] is DayKind.HOLIDAY


NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
DUE = NOW + timedelta(days=7)


def test_the_loop_answered_accepted_and_rated() -> None:
    raised = Loop(Status.WAITING, DUE)
    assert not model.overdue(raised, NOW)
    with pytest.raises(Conflict):
        model.rate(raised, 4)  # nothing to rate yet
    with pytest.raises(Conflict):
        model.judge(raised, Step.ACCEPT)  # nothing to accept yet
    answered, in_time = model.answer(raised, NOW + timedelta(days=1))
    assert in_time and answered.status is Status.ANSWERED and answered.answered
    with pytest.raises(Conflict):
        model.answer(answered, NOW)  # one answer a round
    accepted = model.judge(answered, Step.ACCEPT)
    assert accepted.status is Status.ACCEPTED
    with pytest.raises(Conflict):
        model.judge(accepted, Step.ESCALATE)  # decided
    with pytest.raises(InvalidInput):
        model.rate(accepted, 6)
    with pytest.raises(InvalidInput):
        model.rate(accepted, 0)
    rated = model.rate(accepted, 4)
    assert rated.rating == 4
    with pytest.raises(Conflict):
        model.rate(rated, 5)  # once


def test_asked_again_waits_for_a_new_answer_by_a_new_deadline() -> None:
    answered, _ = model.answer(Loop(Status.WAITING, DUE), NOW)
    later = DUE + timedelta(days=7)
    again = model.judge(answered, Step.REOPEN, new_deadline=later)
    assert (again.status, again.round, again.deadline) == (Status.WAITING, 2, later)
    assert model.overdue(again, later) and not model.overdue(again, later - timedelta(seconds=1))
    late, in_time = model.answer(again, later + timedelta(hours=1))
    assert not in_time and late.status is Status.ANSWERED
    assert model.judge(late, Step.ESCALATE).status is Status.ESCALATED


def test_an_overdue_concern_can_go_straight_to_a_case() -> None:
    waiting = Loop(Status.WAITING, DUE)
    assert model.overdue(waiting, DUE)
    assert model.judge(waiting, Step.ESCALATE).status is Status.ESCALATED
    with pytest.raises(Conflict):
        model.judge(waiting, Step.REOPEN, new_deadline=DUE)


def test_texts_are_bounded() -> None:
    with pytest.raises(InvalidInput):
        model.check_text("   ")
    with pytest.raises(InvalidInput):
        model.check_text("x" * (model.TEXT_MAX + 1))
    assert model.check_text("  单位要求每人至少买50元  ") == "单位要求每人至少买50元"
    with pytest.raises(InvalidInput):
        model.check_answer("ok")
    assert model.check_note("  ") is None


def test_counters_by_region() -> None:
    facts = [
        Facts("341321", True, Status.ACCEPTED, accepted_correction=True),
        Facts("341321", False, Status.ESCALATED, accepted_correction=False),
        Facts("341321", None, Status.WAITING, accepted_correction=False),
        Facts("341321", True, Status.ACCEPTED, accepted_correction=False),  # an explanation
        Facts("610722", True, Status.ANSWERED, accepted_correction=False),
        Facts(None, True, Status.ANSWERED, accepted_correction=False),  # no region: not counted
    ]
    counted = model.counters_by_region(facts)
    assert counted == {
        "341321": model.Counters(raised=4, answered_in_time=2, upheld=2, corrections=1),
        "610722": model.Counters(raised=1, answered_in_time=1, upheld=0, corrections=0),
    }


def test_the_calendar_is_loaded_from_a_file_by_the_command(tmp_path: Path) -> None:
    from tests.test_cli import run

    assert run(tmp_path, "migrate").returncode == 0
    assert "weekends only" in run(tmp_path, "calendar", "show").stdout
    bad = tmp_path / "bad.txt"
    bad.write_text("2026-04-07 workday\n", "utf-8")
    refused = run(tmp_path, "calendar", "load", str(bad))
    assert refused.returncode == 1 and "line 1" in refused.stderr
    good = tmp_path / "2026.txt"
    good.write_text(DAYS, "utf-8")
    loaded = run(tmp_path, "calendar", "load", str(good))
    assert loaded.returncode == 0, loaded.stderr
    assert "Loaded 4 days for 2026" in loaded.stdout
    assert run(tmp_path, "calendar", "show").stdout.strip() == "2026"
    assert run(tmp_path, "calendar", "load", str(good)).returncode == 0  # replaces the year
