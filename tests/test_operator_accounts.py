"""The operator's accounts page disables and enables accounts: a POST form with the CSRF token
behind a confirmation that needs no script, a Disabled badge, a notice after the change, and
the refusals (one's own account; anyone but an operator) in both languages."""

from __future__ import annotations

import re

import httpx

from tests.support import LiveServer, csrf_of, sign_in, submit
from tests.test_web import PASSWORD, client, events_of, load_demo_into

PAGE = "/operator/accounts"


def account_id(c: httpx.Client, username: str) -> str:
    listing = c.get("/api/v1/accounts").json()
    found: str = next(a["id"] for a in listing if a["username"] == username)
    return found


def row_of(page: str, account: str) -> str:
    """The table row whose role form belongs to ``account``."""
    rows = re.findall(r"<tr[ >].*?</tr>", page, flags=re.S)
    return next(row for row in rows if f"/operator/accounts/{account}/role" in row)


def set_disabled(c: httpx.Client, account: str, disabled: bool) -> httpx.Response:
    action = f"/operator/accounts/{account}/disabled"
    return submit(c, PAGE, action, {"disabled": "1" if disabled else "0"})


def test_operator_disables_and_enables_an_account_from_the_page(server: LiveServer) -> None:
    load_demo_into(server)
    with client(server, "en") as farmer, client(server, "en") as operator:
        assert sign_in(farmer, "farmer.xuwen", PASSWORD).status_code == 303
        assert farmer.get("/producer").status_code == 200
        assert sign_in(operator, "operator", PASSWORD).status_code == 303
        target = account_id(operator, "farmer.xuwen")
        before = row_of(operator.get(PAGE).text, target)
        assert "Disabled</span>" not in before
        assert f'action="/operator/accounts/{target}/disabled"' in before
        assert 'name="disabled" value="1"' in before and "<details" in before

        answer = set_disabled(operator, target, True)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"{PAGE}?done=disabled&account={target}"
        page = operator.get(answer.headers["location"]).text
        assert "彭梅 (farmer.xuwen) is disabled" in page  # the notice names the account
        row = row_of(page, target)
        assert '<span class="badge bad">Disabled</span>' in row
        assert 'name="disabled" value="0"' in row and "Enable…" in row

        # its session is gone and it cannot sign in again
        ended = farmer.get("/producer")
        assert ended.status_code == 401 and "Your session has expired" in ended.text
        refused = sign_in(farmer, "farmer.xuwen", PASSWORD)
        assert refused.status_code == 401

        again = set_disabled(operator, target, False)
        assert again.status_code == 303
        page = operator.get(again.headers["location"]).text
        assert "彭梅 (farmer.xuwen) is enabled again and can sign in." in page
        assert "Disabled</span>" not in row_of(page, target)
        assert sign_in(farmer, "farmer.xuwen", PASSWORD).status_code == 303
        assert farmer.get("/producer").status_code == 200
    changes = [(e.type, e.data) for e in events_of(server) if e.type.startswith("account.")]
    assert changes[-2:] == [
        ("account.disabled", {"account": target}),
        ("account.enabled", {"account": target}),
    ]


def test_the_page_in_chinese_shows_the_badge_and_the_confirmation(server: LiveServer) -> None:
    load_demo_into(server)
    with client(server, "zh") as operator:
        sign_in(operator, "operator", PASSWORD)
        target = account_id(operator, "farmer.xuwen")
        assert "停用…" in row_of(operator.get(PAGE).text, target)
        done = set_disabled(operator, target, True)
        page = operator.get(done.headers["location"]).text
        assert "已停用 彭梅（farmer.xuwen）的账号" in page
        row = row_of(page, target)
        assert '<span class="badge bad">已停用</span>' in row and "启用…" in row
        assert "确认启用账号" in row


def test_the_operators_own_row_has_no_button_and_posting_for_oneself_is_refused(
    server: LiveServer,
) -> None:
    load_demo_into(server)
    for language, message in [
        ("en", "You cannot disable your own account; ask another operator."),
        ("zh", "您不能停用自己的账号，请联系其他平台运营人员。"),
    ]:
        with client(server, language) as operator:
            sign_in(operator, "operator", PASSWORD)
            itself = account_id(operator, "operator")
            page = operator.get(PAGE).text
            assert f"/operator/accounts/{itself}/disabled" not in page
            everyone = operator.get("/api/v1/accounts").json()
            assert page.count('/disabled"') == len(everyone) - 1  # every row but one's own
            refused = set_disabled(operator, itself, True)
            assert refused.status_code == 403
            assert f'<p class="alert" role="alert">{message}</p>' in refused.text
            assert "<h1>" in refused.text  # the page itself, with its other forms
            assert operator.get("/api/v1/me").status_code == 200  # still signed in
    assert not [e for e in events_of(server) if e.type == "account.disabled"]


def test_a_bad_value_is_an_error_on_the_page(server: LiveServer) -> None:
    load_demo_into(server)
    with client(server, "en") as operator:
        sign_in(operator, "operator", PASSWORD)
        target = account_id(operator, "farmer.xuwen")
        action = f"/operator/accounts/{target}/disabled"
        answer = submit(operator, PAGE, action, {"disabled": "yes"})
        assert answer.status_code == 422
        assert "Choose whether to disable or enable the account." in answer.text
        missing = submit(operator, PAGE, "/operator/accounts/a-none/disabled", {"disabled": "1"})
        assert missing.status_code == 404
    assert not [e for e in events_of(server) if e.type == "account.disabled"]


def test_only_an_operator_may_post_and_only_with_the_csrf_token(server: LiveServer) -> None:
    load_demo_into(server)
    with client(server, "en") as operator:
        sign_in(operator, "operator", PASSWORD)
        target = account_id(operator, "farmer.xuwen")
        forged = operator.post(f"/operator/accounts/{target}/disabled", data={"disabled": "1"})
        assert forged.status_code == 403 and "This form has expired" in forged.text
    with client(server, "en") as official:
        sign_in(official, "official.xuwen", PASSWORD)
        token = csrf_of(official.get("/account").text)
        denied = official.post(
            f"/operator/accounts/{target}/disabled", data={"csrf_token": token, "disabled": "1"}
        )
        assert denied.status_code == 403
        assert "It is for: Operator." in denied.text
    with client(server, "en") as farmer:
        assert sign_in(farmer, "farmer.xuwen", PASSWORD).status_code == 303
    assert not [e for e in events_of(server) if e.type == "account.disabled"]
