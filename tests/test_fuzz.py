"""Nothing a person types produces a server error: random text into every form field of the
sign-in, sign-up, token and operator forms, and into the JSON API, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from sunlit.settings import Settings
from tests.support import LiveServer, csrf_of, live_server, sign_in
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
    "/account/password": ("current_password", "new_password", "new_password_confirm"),
    "/password/forgot": ("login",),
    "/password/forgot/code": ("login", "code", "password", "password_confirm"),
}
FUZZ = hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def operator_client(settings: Settings) -> Iterator[tuple[LiveServer, httpx.Client, str]]:
    """A signed-in operator on each backend (SQLite, and PostgreSQL when configured)."""
    config = settings.model_copy(update={"login_max_failures": 10_000})
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
    @given(st.fixed_dictionaries({name: TEXT for name in fields}), st.none() | TEXT)
    def check(values: dict[str, str], forged: str | None) -> None:
        if action in ("/signin", "/signup"):  # these would replace the operator's session
            with httpx.Client(base_url=server.url, timeout=10) as fresh:
                valid = csrf_of(fresh.get(action).text)
                sent = valid if forged is None else forged
                answer = fresh.post(action, data={"csrf_token": sent, **values})
        else:
            valid = token
            sent = valid if forged is None else forged
            answer = c.post(action, data={"csrf_token": sent, **values})
        assert answer.status_code < 500, answer.text[:500]
        if sent != valid:
            assert answer.status_code == 403  # a wrong token never gets through

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
        for path in (
            "/api/v1/accounts",
            "/api/v1/tokens",
            "/api/v1/password/forgot",
            "/api/v1/password/reset",
        ):
            answer = c.post(path, json=body)
            assert answer.status_code < 500, answer.text[:500]
            if answer.status_code >= 400:
                assert set(answer.json()) == {"error"}


@FUZZ
@given(value=TEXT)
def test_random_ids_and_times_in_addresses_never_break_anything(
    operator_client: tuple[LiveServer, httpx.Client, str], value: str
) -> None:
    _, c, token = operator_client
    answers = [
        c.get("/api/v1/events", params={"since": value}),
        c.get("/api/v1/regions", params={"q": value}),
        c.get("/operator/region-name", params={"region": value}),
        c.post(
            "/api/v1/accounts/" + quote(value, safe="") + "/verify",
            json={},
            headers={"X-CSRF-Token": token},
        ),
        c.post(
            "/operator/accounts/" + quote(value, safe="") + "/role",
            data={"csrf_token": token, "role": "farmer"},
        ),
    ]
    for answer in answers:
        assert answer.status_code < 500, (answer.request.url, answer.text[:300])


JSON_ROUTES = [
    "/api/v1/producers",
    "/api/v1/products",
    "/api/v1/reference-bands",
    "/api/v1/unsalable-reports",
    "/api/v1/reports",
    "/api/v1/products/g-none/price",
    "/api/v1/price-proposals/q-none/decision",
]
OBJECTS = st.dictionaries(
    st.sampled_from(
        [
            "producer",
            "name",
            "name_zh",
            "kind",
            "category",
            "region",
            "origin_region",
            "unit",
            "price",
            "stock",
            "low",
            "high",
            "observed_on",
            "source",
            "quantity",
            "reason",
            "deadline",
            "accept",
            "text",
            "product",
            "x",
        ]
    ),
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | TEXT,
    max_size=10,
)


@pytest.mark.parametrize("username", ["farmer.dangshan", "operator", "official.dangshan"])
def test_random_json_never_breaks_the_catalog_api(served: LiveServer, username: str) -> None:
    from tests.test_catalog_api import api_as

    with api_as(served, username) as c:

        @FUZZ
        @given(body=OBJECTS, route=st.sampled_from(JSON_ROUTES))
        def check(body: dict[str, object], route: str) -> None:
            answer = c.post(route, json=body)
            assert answer.status_code < 500, (route, body, answer.text[:300])
            if answer.status_code >= 400:
                assert set(answer.json()) == {"error"}

        check()
