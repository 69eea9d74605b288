"""The unit of work at the route edge (``sunlit.accounts.work``): a route's changes are stored
before it answers, the route audit sees its access rules, and a route cannot leave them out."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute

from sunlit.accounts.model import Role
from sunlit.accounts.services import account_named
from sunlit.accounts.work import Work, unit
from sunlit.core.db import Database
from sunlit.web.access import route_rules
from sunlit.web.deps import Kit
from tests.support import LiveServer, run_async, submit


def test_a_signed_in_choice_of_language_is_stored_when_the_answer_arrives(
    server: LiveServer,
) -> None:
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=10) as c:
        signed_up = submit(
            c,
            "/signup",
            "/signup",
            {
                "username": "wang.fang",
                "display_name": "王芳",
                "password": "a-long-password",
                "password_confirm": "a-long-password",
            },
        )
        assert signed_up.status_code == 303
        switched = submit(c, "/", "/language", {"language": "en", "next": "/"})
        assert switched.status_code == 303

    async def stored_language() -> str | None:
        database = Database(server.settings)
        async with database.sessions() as db:
            account = await account_named(db, "wang.fang")
        await database.dispose()
        assert account is not None
        return account.language

    assert run_async(stored_language()) == "en"


def test_the_route_audit_reads_the_rules_a_unit_declares() -> None:
    router = APIRouter()

    @router.post("/things")
    async def create(work: Work[Kit] = unit(Role.FARMER, Role.OFFICIAL)) -> None:
        return None

    route = router.routes[0]
    assert isinstance(route, APIRoute)
    assert route_rules(route) == (Role.FARMER, Role.OFFICIAL)


def test_a_unit_without_rules_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one rule"):
        unit()
