"""Every route, walked by every role, answers as this table says. The table is written here
by hand; a route that is not in it fails the first test, so a new route cannot slip past."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi.routing import APIRoute

from sunlit.app.app import ROUTERS
from tests.support import LiveServer, csrf_of, sign_in
from tests.test_web import PASSWORD, load_demo_into

ANON = "anonymous"
ROLES = {  # role → demo account
    ANON: None,
    "consumer": "buyer1",
    "farmer": "farmer.dangshan",
    "official": "official.dangshan",
    "supervisor": "supervisor1",
    "operator": "operator",
    "press": "press.dangshan",
}
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {ANON}
OPERATOR = frozenset({"operator"})
OVERSIGHT = frozenset({"supervisor", "operator"})
PRODUCERS = frozenset({"farmer", "operator"})
PRICE_SETTERS = frozenset({"farmer", "official", "operator"})
PROPOSERS = frozenset({"official", "operator"})
FARMER = frozenset({"farmer"})
REPORTERS = frozenset({"farmer", "official"})
SUPERVISOR = frozenset({"supervisor"})
HELPERS = frozenset({"official", "supervisor", "operator"})
PLAN_READERS = frozenset({"official", "farmer", "supervisor", "operator"})
HOSTS = frozenset({"official", "farmer"})  # an official, or a producer for its own produce
OFFICIAL = frozenset({"official"})
PRESS = frozenset({"press"})
ANSWERERS = frozenset({"official", "farmer"})  # the named party of a concern

EXPECTED: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/"): EVERYONE,
    ("POST", "/language"): EVERYONE,
    ("POST", "/display"): EVERYONE,
    ("GET", "/notifications"): SIGNED_IN,
    ("GET", "/notifications/unread"): EVERYONE,
    ("POST", "/notifications/{notification_id}/read"): SIGNED_IN,
    ("POST", "/notifications/read"): SIGNED_IN,
    ("GET", "/api/v1/notifications"): SIGNED_IN,
    ("GET", "/follows"): SIGNED_IN,
    ("POST", "/follows"): SIGNED_IN,
    ("POST", "/follows/{follow_id}/delete"): SIGNED_IN,
    ("GET", "/api/v1/follows"): SIGNED_IN,
    ("POST", "/api/v1/follows"): SIGNED_IN,
    ("DELETE", "/api/v1/follows/{follow_id}"): SIGNED_IN,
    ("POST", "/api/v1/notifications/{notification_id}/read"): SIGNED_IN,
    ("POST", "/api/v1/notifications/read"): SIGNED_IN,
    ("GET", "/healthz"): EVERYONE,
    ("GET", "/metrics"): EVERYONE,
    ("GET", "/signin"): EVERYONE,
    ("POST", "/signin"): EVERYONE,
    ("GET", "/signup"): EVERYONE,
    ("POST", "/signup"): EVERYONE,
    ("POST", "/signout"): EVERYONE,
    ("GET", "/account"): SIGNED_IN,
    ("POST", "/account/tokens"): SIGNED_IN,
    ("POST", "/account/tokens/{token_id}/revoke"): SIGNED_IN,
    ("POST", "/account/password"): SIGNED_IN,
    ("GET", "/password/forgot"): EVERYONE,
    ("POST", "/password/forgot"): EVERYONE,
    ("POST", "/password/forgot/code"): EVERYONE,
    ("GET", "/password/reset/{token}"): EVERYONE,
    ("POST", "/password/reset/{token}"): EVERYONE,
    ("POST", "/operator/accounts/{account_id}/reset-link"): OPERATOR,
    ("POST", "/api/v1/me/password"): SIGNED_IN,
    ("POST", "/api/v1/accounts/{account_id}/reset-link"): OPERATOR,
    ("POST", "/api/v1/password/forgot"): EVERYONE,
    ("POST", "/api/v1/password/reset"): EVERYONE,
    ("GET", "/operator/accounts"): OPERATOR,
    ("POST", "/operator/accounts"): OPERATOR,
    ("POST", "/operator/accounts/{account_id}/role"): OPERATOR,
    ("POST", "/operator/accounts/{account_id}/verify"): OPERATOR,
    ("POST", "/operator/accounts/{account_id}/disabled"): OPERATOR,
    ("GET", "/operator/region-name"): OPERATOR,
    ("POST", "/api/v1/accounts"): EVERYONE,
    ("POST", "/api/v1/tokens"): EVERYONE,
    ("GET", "/api/v1/tokens"): SIGNED_IN,
    ("DELETE", "/api/v1/tokens/{token_id}"): SIGNED_IN,
    ("GET", "/api/v1/me"): SIGNED_IN,
    ("GET", "/api/v1/accounts"): OPERATOR,
    ("POST", "/api/v1/operator/accounts"): OPERATOR,
    ("POST", "/api/v1/accounts/{account_id}/role"): OPERATOR,
    ("POST", "/api/v1/accounts/{account_id}/verify"): OPERATOR,
    ("POST", "/api/v1/accounts/{account_id}/disabled"): OPERATOR,
    ("GET", "/api/v1/regions"): EVERYONE,
    ("GET", "/api/v1/regions/{code}"): EVERYONE,
    ("GET", "/api/v1/served-regions"): EVERYONE,
    ("POST", "/api/v1/served-regions"): OPERATOR,
    ("GET", "/api/v1/events"): OVERSIGHT,
    ("GET", "/api/v1/producers"): EVERYONE,
    ("GET", "/api/v1/producers/{producer_id}"): EVERYONE,
    ("POST", "/api/v1/producers"): PRODUCERS,
    ("POST", "/api/v1/producers/{producer_id}/verification"): OPERATOR,
    ("GET", "/api/v1/products"): EVERYONE,
    ("GET", "/api/v1/products/{product_id}"): EVERYONE,
    ("POST", "/api/v1/products"): PRODUCERS,
    ("POST", "/api/v1/products/{product_id}/stock"): PRODUCERS,
    ("POST", "/api/v1/products/{product_id}/price"): PRICE_SETTERS,
    ("GET", "/api/v1/reference-bands"): EVERYONE,
    ("POST", "/api/v1/reference-bands"): OPERATOR,
    ("GET", "/api/v1/price-proposals"): PRICE_SETTERS,
    ("POST", "/api/v1/price-proposals/{proposal_id}/decision"): FARMER,
    ("GET", "/products"): EVERYONE,
    ("GET", "/products/{product_id}"): EVERYONE,
    ("POST", "/products/{product_id}/proposals"): PROPOSERS,
    ("GET", "/products/{product_id}/proposals"): PRICE_SETTERS | SUPERVISOR,
    ("GET", "/proposals"): PROPOSERS,
    ("GET", "/operator/producers"): OPERATOR,
    ("POST", "/operator/producers/{producer_id}/verification"): OPERATOR,
    ("GET", "/operator/prices"): OPERATOR,
    ("POST", "/operator/prices"): OPERATOR,
    ("GET", "/producer"): FARMER,
    ("POST", "/producer/producers"): FARMER,
    ("POST", "/producer/products"): FARMER,
    ("POST", "/producer/products/{product_id}/price"): FARMER,
    ("POST", "/producer/products/{product_id}/stock"): FARMER,
    ("POST", "/producer/proposals/{proposal_id}/decision"): FARMER,
    ("GET", "/reports/new"): REPORTERS,
    ("POST", "/reports"): REPORTERS,
    ("GET", "/supervisor/reports"): SUPERVISOR,
    ("POST", "/api/v1/reports"): REPORTERS,
    ("GET", "/api/v1/reports"): SUPERVISOR,
    ("POST", "/producer/unsalable"): FARMER,
    ("POST", "/producer/unsalable/{report_id}/close"): FARMER,
    ("GET", "/needs-help"): HELPERS,
    ("GET", "/help-sell"): EVERYONE,
    ("GET", "/guide"): EVERYONE,
    ("GET", "/regions/{code}"): EVERYONE,
    ("GET", "/regions/{code}/sales.csv"): EVERYONE,
    ("GET", "/regions/{code}/report-{month}.pdf"): EVERYONE,
    ("POST", "/api/v1/unsalable-reports"): FARMER,
    ("GET", "/api/v1/unsalable-reports"): HELPERS,
    ("POST", "/producer/products/{product_id}/inspections"): FARMER,
    ("POST", "/producer/products/{product_id}/photos"): FARMER,
    ("POST", "/api/v1/products/{product_id}/inspections"): PRODUCERS,
    ("POST", "/api/v1/products/{product_id}/photos"): PRODUCERS,
    ("GET", "/files/{sha256}"): EVERYONE,
    ("GET", "/operator/imports"): OPERATOR,
    ("POST", "/operator/imports/{kind}"): OPERATOR,
    ("POST", "/operator/imports/{kind}/confirm"): OPERATOR,
    ("POST", "/api/v1/producers/{producer_id}/roster"): PRODUCERS,
    ("POST", "/api/v1/reference-bands/import"): OPERATOR,
    ("POST", "/api/v1/plans"): HOSTS,
    ("GET", "/api/v1/plans"): PLAN_READERS,
    ("GET", "/api/v1/plans/{plan_id}"): PLAN_READERS,
    ("PUT", "/api/v1/plans/{plan_id}"): HOSTS,
    ("POST", "/api/v1/plans/{plan_id}/submit"): HOSTS,
    ("POST", "/api/v1/plans/{plan_id}/approve"): OVERSIGHT,
    ("POST", "/api/v1/plans/{plan_id}/reject"): OVERSIGHT,
    ("POST", "/stream/on_publish"): EVERYONE,  # nginx-rtmp: its address and callback secret
    ("POST", "/stream/on_publish_done"): EVERYONE,
    ("POST", "/stream/on_practice"): EVERYONE,
    ("GET", "/practice"): HOSTS,
    ("GET", "/producer/sales"): FARMER,
    ("GET", "/producer/sales.csv"): FARMER,
    ("GET", "/sales"): HELPERS,  # officials for their region, supervisors and operators all
    ("POST", "/producer/consents/{plan_id}/{product_id}"): FARMER,
    ("POST", "/api/v1/plans/{plan_id}/consents/{product_id}"): FARMER,
    ("POST", "/practice"): HOSTS,
    ("GET", "/plans"): PLAN_READERS,
    ("GET", "/plans/new"): HOSTS,
    ("POST", "/plans"): HOSTS,
    ("POST", "/plans/preview"): HOSTS,
    ("GET", "/plans/{plan_id}"): PLAN_READERS,
    ("GET", "/plans/{plan_id}/edit"): HOSTS,
    ("POST", "/plans/{plan_id}"): HOSTS,
    ("POST", "/plans/{plan_id}/submit"): HOSTS,
    ("POST", "/plans/{plan_id}/decision"): OVERSIGHT,
    ("GET", "/plans/{plan_id}/briefing"): PLAN_READERS,
    ("GET", "/rules"): EVERYONE,
    ("POST", "/producer/ratings"): FARMER,
    ("POST", "/api/v1/plans/{plan_id}/ratings"): FARMER,
    ("POST", "/api/v1/orders"): SIGNED_IN,
    ("GET", "/api/v1/orders"): SIGNED_IN,
    ("GET", "/api/v1/orders/{order_id}"): SIGNED_IN,
    ("POST", "/api/v1/orders/{order_id}/pay"): SIGNED_IN,
    ("POST", "/api/v1/orders/{order_id}/cancel"): SIGNED_IN,
    ("POST", "/api/v1/orders/{order_id}/deliver"): SIGNED_IN,
    ("POST", "/api/v1/orders/{order_id}/refunds"): PRODUCERS,
    ("GET", "/api/v1/producer-orders"): PRODUCERS,
    ("PUT", "/api/v1/products/{product_id}/sales"): PRODUCERS,
    ("POST", "/api/v1/payments/webhooks/sandbox"): EVERYONE,  # checked by its signature
    ("GET", "/api/v1/ledger/trial-balance"): OVERSIGHT,
    ("GET", "/api/v1/ledger/transactions"): OVERSIGHT,
    ("POST", "/api/v1/payouts/run"): OPERATOR,
    ("GET", "/api/v1/payouts"): PRODUCERS | OVERSIGHT,
    ("PUT", "/api/v1/producers/{producer_id}/payout-shares"): PRODUCERS,
    ("GET", "/products/{product_id}/buy"): SIGNED_IN,
    ("POST", "/products/{product_id}/buy"): SIGNED_IN,
    ("GET", "/orders"): SIGNED_IN,
    ("GET", "/orders/{order_id}"): SIGNED_IN,
    ("POST", "/orders/{order_id}"): SIGNED_IN,
    ("POST", "/orders/{order_id}/review"): SIGNED_IN,
    ("POST", "/reviews/{review_id}/reply"): PRODUCERS,
    ("GET", "/producer/reviews"): PRODUCERS,
    ("GET", "/reviews/{review_id}/moderation"): OVERSIGHT,
    ("POST", "/reviews/{review_id}/hide"): OVERSIGHT,
    ("POST", "/reviews/{review_id}/unhide"): OVERSIGHT,
    ("POST", "/reviews/{review_id}/follow-up"): SIGNED_IN,
    ("POST", "/api/v1/orders/{order_id}/review"): SIGNED_IN,
    ("POST", "/api/v1/reviews/{review_id}/reply"): PRODUCERS,
    ("POST", "/api/v1/reviews/{review_id}/hide"): OVERSIGHT,
    ("POST", "/api/v1/reviews/{review_id}/unhide"): OVERSIGHT,
    ("POST", "/api/v1/reviews/{review_id}/follow-up"): SIGNED_IN,
    ("GET", "/api/v1/products/{product_id}/reviews"): EVERYONE,
    ("GET", "/producers/{producer_id}"): EVERYONE,
    ("GET", "/producer/orders"): PRODUCERS,
    ("GET", "/products/{product_id}/buy/fee"): SIGNED_IN,
    ("GET", "/producer/shipping"): PRODUCERS,
    ("POST", "/producer/shipping"): PRODUCERS,
    ("GET", "/api/v1/producers/{producer_id}/shipping-fees"): EVERYONE,
    ("PUT", "/api/v1/producers/{producer_id}/shipping-fees"): PRODUCERS,
    ("GET", "/api/v1/products/{product_id}/shipping-fee"): EVERYONE,
    # A buyer's own address book: every signed-in account has one (others' addresses are 404).
    ("GET", "/account/addresses"): SIGNED_IN,
    ("GET", "/account/addresses/new"): SIGNED_IN,
    ("GET", "/account/addresses/picker"): SIGNED_IN,
    ("GET", "/account/addresses/places"): SIGNED_IN,
    ("POST", "/account/addresses"): SIGNED_IN,
    ("GET", "/account/addresses/{address_id}"): SIGNED_IN,
    ("POST", "/account/addresses/{address_id}"): SIGNED_IN,
    ("GET", "/api/v1/addresses"): SIGNED_IN,
    ("POST", "/api/v1/addresses"): SIGNED_IN,
    ("GET", "/api/v1/addresses/{address_id}"): SIGNED_IN,
    ("PUT", "/api/v1/addresses/{address_id}"): SIGNED_IN,
    ("POST", "/api/v1/addresses/{address_id}/default"): SIGNED_IN,
    ("DELETE", "/api/v1/addresses/{address_id}"): SIGNED_IN,
    ("GET", "/sandbox/pay/{ref}"): SIGNED_IN,
    ("POST", "/sandbox/pay/{ref}"): SIGNED_IN,
    ("GET", "/operator/ledger"): OVERSIGHT,
    ("GET", "/fund"): EVERYONE,
    ("GET", "/api/v1/fund"): EVERYONE,
    ("GET", "/open-data"): EVERYONE,
    ("GET", "/open-data/files/{name}"): EVERYONE,
    ("GET", "/open-data/today.jsonl.gz"): EVERYONE,
    ("GET", "/api/open/v1/changes"): EVERYONE,
    ("GET", "/api/open/v1/log/head"): EVERYONE,
    ("GET", "/api/open/v1/log/key"): EVERYONE,
    ("GET", "/api/open/v1/log/inclusion"): EVERYONE,
    ("GET", "/api/open/v1/log/consistency"): EVERYONE,
    ("GET", "/api/open/v1/schema.json"): EVERYONE,
    # Shipments: the seller books the carrier; the carrier's notices are checked by signature;
    # only operators play the sandbox carrier.
    ("POST", "/api/v1/orders/{order_id}/shipment"): PRODUCERS,
    ("GET", "/api/v1/orders/{order_id}/shipment"): SIGNED_IN,
    ("POST", "/api/v1/carrier/{carrier}/notices"): EVERYONE,  # checked by its signature
    ("POST", "/orders/{order_id}/ship"): PRODUCERS,
    ("GET", "/sandbox/carrier"): OPERATOR,
    ("POST", "/sandbox/carrier/{tracking_no}"): OPERATOR,
    ("POST", "/operator/payouts"): OPERATOR,
    # The live room: anyone watches; the team's actions are checked against the plan's team.
    ("GET", "/live/{session}"): EVERYONE,
    ("GET", "/live/{session}/ticket"): EVERYONE,
    ("GET", "/live/{session}/buy"): SIGNED_IN,
    ("GET", "/live/{session}/control"): SIGNED_IN,
    ("GET", "/live/{session}/control/products"): SIGNED_IN,
    ("POST", "/live/{session}/control"): SIGNED_IN,
    ("GET", "/supervisor/moderation"): OVERSIGHT,
    ("GET", "/api/v1/live/{session}"): EVERYONE,
    ("PUT", "/api/v1/live/{session}/pin"): SIGNED_IN,
    ("GET", "/api/v1/live/{session}/products"): SIGNED_IN,
    ("POST", "/api/v1/live/{session}/messages/{message_id}/hide"): SIGNED_IN,
    ("PUT", "/api/v1/live/{session}/mutes/{account_id}"): SIGNED_IN,
    ("DELETE", "/api/v1/live/{session}/mutes/{account_id}"): SIGNED_IN,
    ("GET", "/api/v1/live/moderation/log"): OVERSIGHT,
    ("POST", "/stream/on_record_done"): EVERYONE,  # nginx-rtmp: address and callback secret
    # Integrity: streams come in from supervisors and operators; supervisors work the cases;
    # everyone reads what was published.
    ("POST", "/api/v1/events"): OVERSIGHT,
    ("GET", "/api/v1/cases"): SUPERVISOR,
    ("GET", "/api/v1/cases/{case_id}"): SUPERVISOR,
    ("POST", "/api/v1/cases/{case_id}/assign"): SUPERVISOR,
    ("POST", "/api/v1/cases/{case_id}/notes"): SUPERVISOR,
    ("POST", "/api/v1/cases/{case_id}/decision"): SUPERVISOR,
    ("POST", "/api/v1/cases/{case_id}/publish"): SUPERVISOR,
    ("GET", "/api/v1/findings"): EVERYONE,
    ("GET", "/supervisor/cases"): SUPERVISOR,
    ("GET", "/supervisor/alerts"): SUPERVISOR,
    ("POST", "/supervisor/cases/import"): SUPERVISOR,
    ("GET", "/supervisor/cases/{case_id}"): SUPERVISOR,
    ("POST", "/supervisor/cases/{case_id}"): SUPERVISOR,
    ("GET", "/supervisor/cases/{case_id}/evidence.{form}"): SUPERVISOR,
    ("GET", "/supervisor/cases/{case_id}/accounts/{account_id}"): SUPERVISOR,
    ("GET", "/supervisor/cases/{case_id}/chat"): SUPERVISOR,
    ("GET", "/findings"): EVERYONE,
    # Public disclosure: everyone sees an approved session (404 before, for everyone alike).
    ("GET", "/sessions/{session_id}"): EVERYONE,
    ("GET", "/sessions/{session_id}/figures"): EVERYONE,
    ("GET", "/sessions/{session_id}/products.csv"): EVERYONE,
    ("GET", "/sessions/{session_id}/report.pdf"): EVERYONE,
    ("GET", "/api/v1/sessions/{session_id}/disclosure"): EVERYONE,
    # Claims: the press registers figures it announced; everyone reads them.
    ("GET", "/sessions/{session_id}/claims/new"): PRESS,
    ("POST", "/sessions/{session_id}/claims/new"): PRESS,
    ("POST", "/api/v1/sessions/{session_id}/claims"): PRESS,
    ("GET", "/api/v1/sessions/{session_id}/claims"): EVERYONE,
    # Concerns (关切): anyone raises one on a session (the public through a rate limit);
    # products and orders need an account; the named party answers (checked against the
    # concern: 403 for anyone else), supervisors judge and publish, the author rates.
    ("GET", "/sessions/{session_id}/concerns/new"): EVERYONE,
    ("POST", "/sessions/{session_id}/concerns"): EVERYONE,
    ("GET", "/products/{product_id}/concerns/new"): SIGNED_IN,
    ("POST", "/products/{product_id}/concerns"): SIGNED_IN,
    ("GET", "/orders/{order_id}/concerns/new"): SIGNED_IN,
    ("POST", "/orders/{order_id}/concerns"): SIGNED_IN,
    ("GET", "/concerns"): EVERYONE,
    ("GET", "/concerns/mine"): SIGNED_IN,
    ("GET", "/supervisor/concerns"): SUPERVISOR,
    ("GET", "/concerns/{concern_id}"): EVERYONE,
    ("POST", "/concerns/{concern_id}/answer"): ANSWERERS,
    ("POST", "/concerns/{concern_id}/decision"): SUPERVISOR,
    ("POST", "/concerns/{concern_id}/rating"): SIGNED_IN,
    ("POST", "/concerns/{concern_id}/summary"): SUPERVISOR,
    ("POST", "/api/v1/concerns"): EVERYONE,
    ("GET", "/api/v1/concerns"): EVERYONE,
    ("GET", "/api/v1/concern-counters"): EVERYONE,
    ("GET", "/api/v1/me/concerns"): SIGNED_IN,
    ("GET", "/api/v1/concern-queue"): SUPERVISOR,
    ("GET", "/api/v1/concerns/{concern_id}"): EVERYONE,
    ("POST", "/api/v1/concerns/{concern_id}/answer"): ANSWERERS,
    ("POST", "/api/v1/concerns/{concern_id}/decision"): SUPERVISOR,
    ("POST", "/api/v1/concerns/{concern_id}/rating"): SIGNED_IN,
    ("POST", "/api/v1/concerns/{concern_id}/summary"): SUPERVISOR,
    # After-sales: the buyer's steps are for the signed in (the request's buyer only: others
    # are refused in the use case); the producer's for the producers' roles.
    ("POST", "/orders/{order_id}/aftersales"): SIGNED_IN,
    ("POST", "/aftersales/{request_id}/answer"): PRODUCERS,
    ("POST", "/aftersales/{request_id}/take"): SIGNED_IN,
    ("POST", "/aftersales/{request_id}/escalate"): SIGNED_IN,
    ("POST", "/aftersales/{request_id}/send-back"): SIGNED_IN,
    ("POST", "/aftersales/{request_id}/receive"): PRODUCERS,
    ("POST", "/aftersales/{request_id}/withdraw"): SIGNED_IN,
    ("POST", "/aftersales/{request_id}/decide"): OVERSIGHT,
    ("GET", "/producer/aftersales"): PRODUCERS,
    ("GET", "/supervisor/aftersales"): OVERSIGHT,
    ("GET", "/supervisor/aftersales/{request_id}"): OVERSIGHT,
    ("POST", "/api/v1/orders/{order_id}/aftersales"): SIGNED_IN,
    ("GET", "/api/v1/aftersales"): SIGNED_IN,
    ("GET", "/api/v1/aftersales/{request_id}"): SIGNED_IN,
    ("POST", "/api/v1/aftersales/{request_id}/answer"): PRODUCERS,
    ("POST", "/api/v1/aftersales/{request_id}/take"): SIGNED_IN,
    ("POST", "/api/v1/aftersales/{request_id}/escalate"): SIGNED_IN,
    ("POST", "/api/v1/aftersales/{request_id}/send-back"): SIGNED_IN,
    ("POST", "/api/v1/aftersales/{request_id}/receive"): PRODUCERS,
    ("POST", "/api/v1/aftersales/{request_id}/decide"): OVERSIGHT,
    ("POST", "/api/v1/aftersales/{request_id}/withdraw"): SIGNED_IN,
}
PARAMS = {
    "notification_id": "n-none",
    "follow_id": "fw-none",
    "code": "341321",
    "month": "2026-02",
    "token_id": "t-none",
    "token": "no-such-reset-token-0123456789",
    "account_id": "a-none",
    "producer_id": "p-none",
    "product_id": "g-none",
    "proposal_id": "q-none",
    "report_id": "u-none",
    "sha256": "0" * 64,
    "kind": "roster",
    "plan_id": "s-none",
    "order_id": "o-none",
    "ref": "ch_none",
    "session": "s-none",
    "message_id": "e-none",
    "case_id": "c-none",
    "form": "csv",
    "session_id": "s-none",
    "concern_id": "k-none",
    "address_id": "ad-none",
    "carrier": "sandbox",
    "tracking_no": "SB000000000000",
    "request_id": "as-none",
    "review_id": "rv-none",
    "name": "sunlit-open-2026-01-01.jsonl.gz",
}


def all_routes() -> set[tuple[str, str]]:
    return {
        (method, route.path)
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }


def test_the_table_covers_every_route() -> None:
    assert all_routes() == set(EXPECTED)


def _client(server: LiveServer, role: str) -> tuple[httpx.Client, str]:
    c = httpx.Client(base_url=server.url, follow_redirects=False, timeout=10)
    c.cookies.set("sunlit_lang", "en")
    username = ROLES[role]
    if username is not None:
        assert sign_in(c, username, PASSWORD).status_code == 303
    return c, csrf_of(c.get("/signin").text)


def _call(c: httpx.Client, csrf: str, method: str, path: str) -> httpx.Response:
    url = re.sub(r"\{(\w+)\}", lambda m: PARAMS[m.group(1)], path)
    if method == "GET":
        return c.get(url)
    if path.startswith("/api/"):
        return c.request(method, url, json={}, headers={"X-CSRF-Token": csrf})
    return c.request(method, url, data={"csrf_token": csrf})


DENIALS = ("authentication_required", "session_expired", "permission_denied")


def _error_code(answer: httpx.Response) -> str | None:
    if answer.headers.get("content-type", "").startswith("application/json"):
        body = answer.json()
        return body.get("error", {}).get("code") if isinstance(body, dict) else None
    found = re.search(r'data-error="([a-z_]+)"', answer.text)
    return found.group(1) if found else None


def _denied(answer: httpx.Response, path: str, method: str) -> str | None:
    """Why access was refused, or None when the route let the request in."""
    code = _error_code(answer)
    assert code != "csrf_failed", (method, path)  # the walk sends valid tokens
    if answer.status_code in (401, 403) and code in DENIALS:
        return str(answer.status_code)
    if answer.status_code == 303 and answer.headers["location"].startswith("/signin?next="):
        return "redirect to sign-in"
    return None


@pytest.mark.parametrize("role", list(ROLES))
def test_every_route_answers_every_role_as_the_table_says(server: LiveServer, role: str) -> None:
    load_demo_into(server)
    c, csrf = _client(server, role)
    wrong = []
    try:
        for (method, path), allowed in sorted(EXPECTED.items(), key=lambda kv: kv[0][1]):
            if path == "/signout" and role != ANON:
                continue  # walked last, so the session survives the walk
            answer = _call(c, csrf, method, path)
            assert answer.status_code < 500, (method, path, answer.text[:300])
            denied = _denied(answer, path, method)
            if role in allowed and denied is not None:
                wrong.append(f"{method} {path}: {role} refused ({denied})")
            if role not in allowed:
                expected = "401" if role == ANON else "403"
                if role == ANON and method == "GET" and not path.startswith("/api/"):
                    expected = "redirect to sign-in"
                if denied != expected:
                    wrong.append(
                        f"{method} {path}: {role} got {answer.status_code}, expected {expected}"
                    )
        assert _call(c, csrf, "POST", "/signout").status_code == 303
    finally:
        c.close()
    assert wrong == []


@pytest.mark.parametrize("role", sorted(SIGNED_IN))
def test_every_api_route_answers_a_bearer_token_as_the_table_says(
    server: LiveServer, role: str
) -> None:
    load_demo_into(server)
    username = ROLES[role]
    with httpx.Client(base_url=server.url, timeout=10) as c:
        issued = c.post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
        assert issued.status_code == 201
        c.headers["Authorization"] = f"Bearer {issued.json()['token']}"
        wrong = []
        for (method, path), allowed in sorted(EXPECTED.items()):
            if not path.startswith("/api/"):
                continue
            answer = _call(c, "", method, path)  # no CSRF token: a bearer token needs none
            assert answer.status_code < 500, (method, path, answer.text[:300])
            denied = _denied(answer, path, method)
            if (role in allowed) != (denied is None) or (denied and denied != "403"):
                wrong.append(f"{method} {path}: {role} got {answer.status_code}")
    assert wrong == []
