"""Browser security headers (security probe finding D2): every response says nosniff, a
referrer policy and who may frame it; every page has a Content-Security-Policy without inline
script or eval; pages with secrets or personal data are not stored; HSTS only in production."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from fastapi.routing import APIRoute

from sunlit.accounts.model import Role
from sunlit.app.app import ROUTERS
from sunlit.web.access import route_rules
from tests.support import LiveServer, live_server, settings_for, sign_in
from tests.test_catalog_api import api_as, product_named
from tests.test_orders import ADDRESS, buy
from tests.test_stream_gate import approved_plan
from tests.test_web import PASSWORD, client, load_demo_into

#: Who signs in to see a page, by the first rule of its ``allow(...)``.
USER_FOR = {
    "signed_in": "buyer1",
    Role.OPERATOR: "operator",
    Role.SUPERVISOR: "supervisor1",
    Role.OFFICIAL: "official.dangshan",
    Role.FARMER: "farmer.dangshan",
    Role.CONSUMER: "buyer1",
}
#: Signed-in pages that belong to someone in particular.
USER_FOR_PATH = {
    "/live/{session}/control": "official.dangshan",
    "/live/{session}/control/products": "official.dangshan",
    "/sessions/{session_id}/claims/new": "press.dangshan",
}
#: Pages the test has nothing to show on (no case exists in the demo): their 404 is checked.
NOTHING_TO_SHOW = {
    "/supervisor/cases/{case_id}",
    "/supervisor/cases/{case_id}/evidence.{form}",
    "/supervisor/cases/{case_id}/accounts/{account_id}",
    "/supervisor/cases/{case_id}/chat",
    "/reviews/{review_id}/moderation",
    "/supervisor/aftersales/{request_id}",
}
#: Page routes that answer a page's script with JSON, for visitors too (a fresh room ticket).
SCRIPT_ONLY = {"/live/{session}/ticket"}
#: Public pages whose address is a secret (a password-reset link): never stored, no referrer.
SECRET_IN_PATH = {"/password/reset/{token}"}


def page_routes() -> list[APIRoute]:
    """Every GET route that renders HTML: the routes left out of the API description."""
    return [
        route
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
        and "GET" in (route.methods or ())
        and not route.include_in_schema
    ]


def directives(policy: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            found[words[0]] = words[1:]
    return found


def check_every_response(answer: httpx.Response) -> None:
    where = f"{answer.request.method} {answer.request.url.path} ({answer.status_code})"
    assert answer.headers.get("x-content-type-options") == "nosniff", where
    # same-origin, or stricter where a page's address is a secret
    assert answer.headers.get("referrer-policy") in ("same-origin", "no-referrer"), where
    assert answer.headers.get("x-frame-options") == "SAMEORIGIN", where
    assert "strict-transport-security" not in answer.headers, where  # not in production


def check_page_policy(answer: httpx.Response) -> dict[str, list[str]]:
    where = f"{answer.request.method} {answer.request.url.path} ({answer.status_code})"
    policy = answer.headers.get("content-security-policy")
    assert policy, where
    found = directives(policy)
    for name in ("default-src", "script-src", "style-src"):
        assert found.get(name) == ["'self'"], (where, name, policy)
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, where
    assert found["object-src"] == ["'none'"], where
    assert found["base-uri"] == ["'self'"], where
    assert found["form-action"] == ["'self'"], where
    assert found["frame-ancestors"] == ["'self'"], where
    assert found["frame-src"] == ["'self'"], where
    assert found["worker-src"] == ["'self'", "blob:"], where
    assert found["media-src"][:2] == ["'self'", "blob:"], where
    assert found["connect-src"][0] == "'self'", where
    return found


def stored(answer: httpx.Response) -> bool:
    return "no-store" not in answer.headers.get("cache-control", "")


@pytest.fixture
def demo(server: LiveServer) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    """The demo region with an approved session plan, an order and its charge, and a saved
    address of the buyer's: the values of the pages' path parameters."""
    load_demo_into(server)
    plan, _key = approved_plan(server)
    with api_as(server, "buyer1") as buyer:
        pears = product_named(buyer, "砀山酥梨")["id"]
        producer = buyer.get(f"/api/v1/products/{pears}").json()["producer"]["id"]
        placed = buy(buyer, pears, "headers-1")
        assert placed.status_code == 201, placed.text
        order = placed.json()["id"]
        paying = buyer.post(f"/api/v1/orders/{order}/pay", json={})
        assert paying.status_code in (200, 201), paying.text
        ref = paying.json()["pay_url"].rsplit("/", 1)[1]
        raised = buyer.post(
            "/api/v1/concerns",
            json={
                "subject": "order",
                "ref": order,
                "category": "quality",
                "text": "梨有磕碰，多处发黑。",
            },
        )
        assert raised.status_code == 201, raised.text
        concern = raised.json()["public"]["id"]
        saved = buyer.post("/api/v1/addresses", json={**ADDRESS, "label": "家"})
        assert saved.status_code == 201, saved.text
        address = saved.json()["id"]
    yield (
        server,
        {
            "product_id": pears,
            "producer_id": producer,
            "review_id": "rv-none",
            "name": "sunlit-open-2026-01-01.jsonl.gz",
            "plan_id": plan,
            "session": plan,
            "session_id": plan,
            "order_id": order,
            "concern_id": concern,
            "address_id": address,
            "ref": ref,
            "case_id": "cs-0000000000",
            "account_id": "a-none",
            "form": "csv",
            "request_id": "as-0000000000",
            "code": "341321",
            "month": "2026-02",  # the county's last complete month
            "follow_id": "fw-none",
            "token": "no-such-reset-link-0000000000000000000000000",
        },
    )


def test_every_page_route_carries_the_security_headers(
    demo: tuple[LiveServer, dict[str, str]],
) -> None:
    server, values = demo
    routes = page_routes()
    assert len(routes) > 30  # the walk sees the whole application
    with ExitStack() as stack:
        visitor = stack.enter_context(client(server, "en"))
        signed: dict[str, httpx.Client] = {}

        def as_user(username: str) -> httpx.Client:
            if username not in signed:
                signed[username] = stack.enter_context(client(server, "en"))
                assert sign_in(signed[username], username, PASSWORD).status_code == 303
            return signed[username]

        for route in routes:
            rules = route_rules(route)
            assert rules is not None
            path = route.path.format(**values)
            # A visitor first: the page, or the way to the sign-in page, or a refusal.
            seen = visitor.get(path)
            assert seen.status_code < 500, (path, seen.status_code)
            check_every_response(seen)
            check_page_policy(seen)
            if route.path in SCRIPT_ONLY:  # JSON for a page's script, anyone's: never stored
                assert seen.headers["content-type"].startswith("application/json"), path
                assert not stored(seen), f"{path} answers with a credential: it must not be stored"
                continue
            if route.path in SECRET_IN_PATH:
                assert seen.status_code == 404, (path, seen.status_code)  # not a live link
                assert seen.headers["content-type"].startswith("text/html"), path
                assert not stored(seen), f"{path} is a one-time link: it must not be stored"
                assert seen.headers["referrer-policy"] == "no-referrer", path
                continue
            if "public" in rules:  # a page, or a public table as CSV, report as PDF, open data
                kinds = {
                    ".csv": ("text/html", "text/csv"),
                    ".pdf": ("text/html", "application/pdf"),
                }
                gzipped = ("text/html", "application/gzip") if path.endswith(".gz") else None
                assert seen.headers["content-type"].startswith(
                    kinds.get(path[-4:]) or gzipped or ("text/html",)
                ), path
                if route.path == "/regions/{code}/report-{month}.pdf":  # printed, not an error
                    assert seen.headers["content-type"] == "application/pdf", seen.text[:300]
                assert stored(seen), f"{path} is public and may be cached"
                continue
            assert not stored(seen), path  # even the redirect to the sign-in page
            # Then the person the page is for.
            user = USER_FOR_PATH.get(route.path) or USER_FOR[rules[0]]
            answer = as_user(user).get(path)
            expected = 404 if route.path in NOTHING_TO_SHOW else 200
            assert answer.status_code == expected, (path, user, answer.status_code)
            own = ("text/html", "text/csv") if path.endswith(".csv") else ("text/html",)
            assert answer.headers["content-type"].startswith(own), path  # a page, or a download
            check_every_response(answer)
            check_page_policy(answer)
            assert not stored(answer), f"{path} shows {user}'s own data: it must not be stored"


def test_other_responses_carry_the_headers_too(server: LiveServer) -> None:
    with client(server) as c:
        for path in ("/no-such-page", "/static/sunlit.css", "/api/v1/regions", "/healthz"):
            answer = c.get(path)
            check_every_response(answer)
            check_page_policy(answer)
        # The socket's origin is this host's: a Host header can neither break nor extend it.
        for host in ("[::1", "evil.example; script-src *", "[::1]:8000"):
            odd = c.get("/rules", headers={"host": host})
            assert odd.status_code < 500, host
            assert directives(odd.headers["content-security-policy"])["script-src"] == ["'self'"]
            assert not any(
                source.startswith("ws") for source in check_page_policy(odd)["connect-src"]
            )
        missing = c.get("/no-such-page")
        assert missing.status_code == 404 and stored(missing)
        refused = c.post("/signin", data={"username": "x", "password": "y"})  # no CSRF token
        assert refused.status_code == 403
        check_every_response(refused)
        assert not stored(refused)  # an answer to a form is never stored


def test_pages_with_secrets_are_not_stored(demo: tuple[LiveServer, dict[str, str]]) -> None:
    server, values = demo
    # A new API token, over the API and on the account page.
    with client(server) as c:
        issued = c.post("/api/v1/tokens", json={"username": "buyer1", "password": PASSWORD})
        assert issued.status_code == 201 and issued.json()["token"]
        check_every_response(issued)
        assert not stored(issued)
    with client(server, "en") as c:
        sign_in(c, "buyer1", PASSWORD)
        account = c.get("/account")
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', account.text)
        assert token is not None
        created = c.post(
            "/account/tokens",
            data={"csrf_token": token.group(1), "name": "laptop"},
            follow_redirects=True,
        )
        assert created.status_code == 200 and "laptop" in created.text
        assert not stored(created) and not stored(account)
    # The stream key on the plan page and the official's control page.
    with client(server, "en") as official:
        sign_in(official, "official.dangshan", PASSWORD)
        for path in (f"/plans/{values['plan_id']}", f"/live/{values['session']}/control"):
            page = official.get(path)
            assert page.status_code == 200, path
            assert not stored(page), path
    # Public pages of a visitor stay cacheable; the same pages for a signed-in person do not
    # (their name, a form token bound to their session, a live room's signed ticket).
    with client(server, "en") as visitor, client(server, "en") as buyer:
        sign_in(buyer, "buyer1", PASSWORD)
        for path in ("/", "/products", f"/products/{values['product_id']}", "/findings"):
            assert stored(visitor.get(path)), path
            assert not stored(buyer.get(path)), path
        assert not stored(buyer.get(f"/live/{values['session']}"))
        # A stored file keeps its own policies (public, immutable: named by its SHA-256).
        berries = buyer.get("/api/v1/products", params={"q": "Majiang"}).json()[0]["id"]
        document = buyer.get(f"/api/v1/products/{berries}").json()["documents"][0]["url"]
        for person in (visitor, buyer):
            kept = person.get(document)
            assert kept.status_code == 200
            assert kept.headers["cache-control"] == "public, max-age=31536000, immutable"
            assert "sandbox" in kept.headers["content-security-policy"]
            check_every_response(kept)


def test_the_live_room_may_open_its_own_sockets_and_video(
    demo: tuple[LiveServer, dict[str, str]],
) -> None:
    server, values = demo
    assert server.services is not None and server.services.live_port
    with client(server) as c:
        room = c.get(f"/live/{values['session']}")
    socket = re.search(r'data-ws="(ws://[^/"]+)/', room.text)
    assert socket is not None
    found = check_page_policy(room)
    assert socket.group(1) == f"ws://127.0.0.1:{server.services.live_port}"
    assert socket.group(1) in found["connect-src"]
    video = server.settings.video_url.rstrip("/")
    assert video in found["connect-src"] and video in found["media-src"]


def test_hsts_only_in_production(sqlite_url: str) -> None:
    production = settings_for(
        sqlite_url,
        env="production",
        demo_password="another-demo-password",
        allow_sandbox_payments=True,  # a staging deployment: production refuses the sandbox
        stream_callback_secret="c" * 40,
        background_jobs=False,
        live_server=False,
    )
    with live_server(production) as server, client(server) as c:
        for path in ("/", "/static/sunlit.css", "/api/v1/regions"):
            answer = c.get(path)
            assert (
                answer.headers.get("strict-transport-security")
                == "max-age=31536000; includeSubDomains"
            ), path
    with (
        live_server(settings_for(sqlite_url, background_jobs=False)) as server,
        client(server) as c,
    ):
        assert "strict-transport-security" not in c.get("/").headers


def test_the_api_docs_page_allows_exactly_its_own_inline_script(server: LiveServer) -> None:
    with client(server) as c:
        docs = c.get("/docs")
    check_every_response(docs)
    policy = directives(docs.headers["content-security-policy"])
    inline = re.findall(r"<script>(.*?)</script>", docs.text, flags=re.S)
    assert len(inline) == 1
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy["script-src"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["frame-ancestors"] == ["'self'"] and policy["object-src"] == ["'none'"]


def test_templates_have_no_inline_styles_or_handlers() -> None:
    """CSP refuses them, so none may come back (htmx's own indicator style is turned off)."""
    templates = Path(__file__).resolve().parent.parent / "src" / "sunlit" / "templates"
    offending = [
        f"{path.relative_to(templates)}: {match.group(0)}"
        for path in templates.rglob("*.html")
        for match in re.finditer(
            r"\s(style|on[a-z]+)=|<style|<script(?![^>]*\b(src|type=\"application/json\"))",
            path.read_text(),
        )
    ]
    assert offending == []
    base = (templates / "base.html").read_text()
    assert '"includeIndicatorStyles":false' in base
