"""No internals on Chinese pages: a crawl of the demo as each role (tests/crawl.py) finds no
event name, no evidence or ledger key, no role code, no snake_case identifier in what a reader
sees in <main>. Code-like things a user must copy (a stream key, a tracking number, a CSV
column) sit in <code>, which is left out."""

from __future__ import annotations

import re

import pytest

from sunlit.accounts.model import Role
from sunlit.core.eventlog.model import EventType
from tests.crawl import ROLES, Visible, crawl
from tests.support import LiveServer

SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
EVENT_NAMES = {t.value for t in EventType}
ROLE_CODES = {r.value for r in Role}


def internals_in(text: str) -> set[str]:
    found = set(SNAKE.findall(text))
    found |= set(re.findall(r"[a-z][a-z0-9]*(?:\.[a-z_]+)?", text)) & EVENT_NAMES
    # A role's code on its own (not the start of a user name such as farmer.dangshan).
    found |= {w for w in re.findall(r"(?<![\w.])[a-z]+(?![\w.])", text) if w in ROLE_CODES}
    return found


def test_the_check_sees_what_it_looks_for() -> None:
    text = "状态 plan.drafted · p_value 0.01 · 角色 operator · 账号 farmer.dangshan"
    assert internals_in(text) == {"plan.drafted", "p_value", "operator"}
    page = Visible()
    page.feed(
        "<main><p>角色 official<br><span translate='no'>operator<br>x</span>"
        "<code>a_b</code> after_code</p></main>"
    )
    assert internals_in(" ".join(page.text)) == {"official", "after_code"}


@pytest.mark.parametrize("role", list(ROLES))
def test_no_chinese_page_shows_an_internal_name(demo_by_command: LiveServer, role: str) -> None:
    pages = crawl(demo_by_command, ROLES[role])
    assert len(pages) > 3  # the crawl got in: home, produce, findings at least
    leaks = {path: internals_in(" ".join(p.text)) for path, p in pages.items()}
    assert {path: found for path, found in leaks.items() if found} == {}
