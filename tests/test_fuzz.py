"""Nothing a person types produces a server error: random text into every form field of the
sign-in, sign-up, token and operator forms, and into the JSON API, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import LiveServer, csrf_of, live_server, settings_for, sign_in
from tests.test_web import PASSWORD, load_demo_into

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)),  # no lone surrogates: not encodable
    max_size=300,
)
FORMS = {
    "/signin": ("username", "password", "next"),
    "/signup": ("username", "display_name", "phone", "password", "password_confirm"),
    "/account/tokens": ("name",),
    "/operator/accounts": (
        "username",
        "display_name",
        "role",
        "org",
        "region",
        "phone",
        "password",
    ),
    "/language": ("language", "next"),
}
FUZZ = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def operator_client(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LiveServer, httpx.Client, str]]:
    from sunlit.core.migrate import upgrade

    path = tmp_path_factory.mktemp("fuzz") / "sunlit.db"
    config = settings_for(f"sqlite+aiosqlite:///{path}", login_max_failures=10_000)
    upgrade(config)
    with live_server(config) as server:
        load_demo_into(server)
        c = httpx.Client(base_url=server.url, timeout=10)
        assert sign_in(c, "operator", PASSWORD).status_code == 303
        token = csrf_of(c.get("/account").text)
        yield server, c, token
        c.close()


@pytest.mark.parametrize("action", sorted(FORMS))
def test_random_form_input_never_breaks_a_page(
    operator_client: tuple[LiveServer, httpx.Client, str], action: str
) -> None:
    server, c, token = operator_client
    fields = FORMS[action]

    @FUZZ
    @given(st.fixed_dictionaries({name: TEXT for name in fields}))
    def check(values: dict[str, str]) -> None:
        if action in ("/signin", "/signup"):  # these would replace the operator's session
            fresh = httpx.Client(base_url=server.url, timeout=10)
            with fresh:
                fresh_token = csrf_of(fresh.get(action).text)
                answer = fresh.post(action, data={"csrf_token": fresh_token, **values})
        else:
            answer = c.post(action, data={"csrf_token": token, **values})
        assert answer.status_code < 500, answer.text[:500]

    check()


@FUZZ
@given(
    body=st.recursive(
        st.none() | st.booleans() | st.integers() | TEXT,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
        max_leaves=12,
    )
)
def test_random_json_never_breaks_the_api(
    operator_client: tuple[LiveServer, httpx.Client, str], body: object
) -> None:
    server, _, _ = operator_client
    with httpx.Client(base_url=server.url, timeout=10) as c:
        for path in ("/api/v1/accounts", "/api/v1/tokens"):
            answer = c.post(path, json=body)
            assert answer.status_code < 500, answer.text[:500]
            if answer.status_code >= 400:
                assert set(answer.json()) == {"error"}
