"""Schemathesis over the whole JSON API: every operation in /openapi.json, sent over real HTTP to
a live server on SQLite holding the demo region, anonymously and with a buyer's, an operator's
and an official's API token. No answer may be a server error (5xx), and every answer with a status
code the document describes must match the schema it gives for it. (Status codes the document
does not list — the API's 400, 401, 403, 404 and 409 — are not checked: it lists none of them.)

It takes minutes, so it runs only with ``--fuzz`` (CI passes it and requires the ``fuzz`` suite;
``make fuzz`` runs it alone). The run is bounded: a few examples per operation and pass in the
fuzzing phase (``--fuzz-examples``, 10; the coverage phase adds its boundary cases, the stateful
phase its sequences), and a wall-clock bound on the whole run (``--fuzz-seconds``, 540) after
which schemathesis is killed and the test fails. ``--fuzz-seed`` makes the inputs repeatable.

The buyer's, operator's and official's tokens must stay valid for the whole run, or every call
after the first fuzzed revocation would be a 401 that tests nothing. So the operations that change
what a token speaks for — revoking a token, changing an account's role — are left out of those
passes and run last, with accounts and tokens made for them alone; and the test checks afterwards
that no call made with those tokens was refused as unauthenticated and that each still works with
its role."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support import LiveServer, live_server, settings_for
from tests.test_orders import ADDRESS
from tests.test_web import PASSWORD, load_demo_into

pytestmark = pytest.mark.fuzz

ST = Path(sys.executable).parent / "st"
#: Operations that change what a token speaks for (see the module's docstring).
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
ACCOUNT_CHANGING = (
    "DELETE /api/v1/tokens/{token_id}",
    "POST /api/v1/accounts/{account_id}/role",
)


@dataclass
class Pass:
    name: str
    token: str | None
    only: tuple[str, ...] = ()  # these operations alone, or else all but those excluded
    exclude: tuple[str, ...] = ()


@dataclass
class Outcome:
    name: str
    seconds: float
    exit_code: int
    statuses: Counter[int] = field(default_factory=Counter)
    unauthenticated: Counter[str] = field(default_factory=Counter)  # 401s by operation
    server_errors: list[str] = field(default_factory=list)
    operations: set[str] = field(default_factory=set)
    output: str = ""


def issue_token(c: httpx.Client, username: str, password: str = PASSWORD) -> tuple[str, str]:
    issued = c.post(
        "/api/v1/tokens", json={"username": username, "password": password, "name": "fuzz"}
    )
    assert issued.status_code == 201, issued.text
    return issued.json()["token"], issued.json()["id"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def create_account(c: httpx.Client, operator: str, username: str, role: str) -> None:
    made = c.post(
        "/api/v1/operator/accounts",
        json={
            "username": username,
            "display_name": username,
            "password": PASSWORD,
            "role": role,
        },
        headers=bearer(operator),
    )
    assert made.status_code == 201, made.text


def ids_of(c: httpx.Client, path: str, token: str, key: str = "id") -> list[str]:
    answer = c.get(path, headers=bearer(token))
    assert answer.status_code == 200, (path, answer.text)
    return [str(item[key]) for item in answer.json()]


def seed_data(c: httpx.Client, buyer: str, operator: str) -> dict[str, list[str]]:
    """A filed plan and a placed order besides the demo region, so that the operations on
    plans, live rooms and orders reach their logic instead of a 404; and the ids of what
    exists, for the fuzzer to use alongside the values it makes up."""
    from tests.test_filing_api import plan_body

    official, _ = issue_token(c, "official.dangshan")
    supervisor, _ = issue_token(c, "supervisor1")
    pears = ids_of(c, "/api/v1/products?q=砀山", official)[0]
    plan = c.post("/api/v1/plans", json=plan_body([pears]), headers=bearer(official))
    assert plan.status_code == 201, plan.text
    farmer, _ = issue_token(c, "farmer.dangshan")
    agreed = c.post(
        f"/api/v1/plans/{plan.json()['id']}/consents/{pears}",
        json={"agree": True, "stock": 10},
        headers=bearer(farmer),
    )
    assert agreed.status_code == 200, agreed.text
    submitted = c.post(f"/api/v1/plans/{plan.json()['id']}/submit", headers=bearer(official))
    assert submitted.status_code == 200, submitted.text
    order = c.post(
        "/api/v1/orders",
        json={"product_id": pears, "qty": 1, "address": ADDRESS},
        headers={**bearer(buyer), "Idempotency-Key": "fuzz-seed-order"},
    )
    assert order.status_code == 201, order.text
    return {
        "products": ids_of(c, "/api/v1/products", operator),
        "producers": ids_of(c, "/api/v1/producers", operator),
        "accounts": ids_of(c, "/api/v1/accounts", operator),
        "regions": ids_of(c, "/api/v1/served-regions", operator, key="code"),
        "plans": ids_of(c, "/api/v1/plans", supervisor),
        "orders": ids_of(c, "/api/v1/orders", buyer),
        "cases": ids_of(c, "/api/v1/cases", supervisor) or ["c-none"],
    }


def config_text(ids: dict[str, list[str]], token_ids: list[str]) -> str:
    """schemathesis.toml: the real ids as dictionaries that path and body parameters draw from
    half the time (the other half stays made up)."""
    dictionaries = {**ids, "tokens": token_ids}
    bindings = {
        "path.product_id": "products",
        "path.producer_id": "producers",
        "path.account_id": "accounts",
        "path.code": "regions",
        "path.plan_id": "plans",
        "path.session": "plans",
        "path.order_id": "orders",
        "path.case_id": "cases",
        "path.token_id": "tokens",
        "body.product_id": "products",
        "body.product": "products",
        "body.producer": "producers",
        "body.region": "regions",
        "body.origin_region": "regions",
        "body.code": "regions",
        "body.session": "plans",
        "body.session_id": "plans",
        "body.assignee": "accounts",
    }
    lines = ["[cache]\nenabled = false  # no replay of an earlier run's crashes: runs repeat\n"]
    for name, values in dictionaries.items():
        lines.append(f"[dictionaries.{name}]\nvalues = {json.dumps(values)}\n")
    lines.append("[parameters]")
    for key, name in bindings.items():
        lines.append(f'"{key}" = {{ dictionary = "{name}", probability = 0.5 }}')
    return "\n".join(lines) + "\n"


@dataclass
class Bounds:
    seed: int
    examples: int
    seconds: int
    deadline: float


def run_pass(
    server: LiveServer, run: Pass, *, config: Path, bounds: Bounds, reports: Path
) -> Outcome:
    report = reports / f"{run.name.replace(' ', '-')}.ndjson"
    command = [
        str(ST),
        "--config-file",
        str(config),
        "run",
        f"{server.url}/openapi.json",
        "--checks",
        "not_a_server_error,response_schema_conformance",
        "--continue-on-failure",
        "--max-examples",
        str(bounds.examples),
        "--seed",
        str(bounds.seed),
        "--workers",
        "1",
        "--request-timeout",
        "10",
        "--generation-database",
        "none",
        "--no-color",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
    ]
    if run.token is not None:
        command += ["--header", f"Authorization: Bearer {run.token}"]
    for name in run.only:
        command += ["--include-name", name]
    for name in run.exclude:
        command += ["--exclude-name", name]
    started = time.monotonic()
    remaining = bounds.deadline - started
    if remaining <= 0:
        pytest.fail(f"the fuzz run spent its {bounds.seconds} s before the {run.name} pass")
    try:
        done = subprocess.run(
            command, cwd=reports, capture_output=True, text=True, timeout=remaining, check=False
        )
    except subprocess.TimeoutExpired:  # subprocess.run has killed it
        pytest.fail(f"the fuzz run exceeded its {bounds.seconds} s bound in the {run.name} pass")
    outcome = Outcome(run.name, time.monotonic() - started, done.returncode, output=done.stdout)
    if report.exists():
        read_report(report, outcome)
    return outcome


def read_report(report: Path, outcome: Outcome) -> None:
    for line in report.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if finished is None:
            continue
        recorder: dict[str, Any] = finished["recorder"]
        if recorder["label"].split(" ")[0] in METHODS:  # not a stateful scenario's label
            outcome.operations.add(recorder["label"])
        for interaction in (recorder.get("interactions") or {}).values():
            response = interaction.get("response") or {}
            status = response.get("status_code")
            if status is None:
                continue
            outcome.statuses[status] += 1
            if status == 401:
                outcome.unauthenticated[recorder["label"]] += 1
            if status >= 500:
                request = interaction["request"]
                outcome.server_errors.append(f"{status} {request['method']} {request['uri']}")


def server_errors_counted_by(c: httpx.Client) -> int:
    """The server's own count of 5xx answers, from its Prometheus metrics."""
    total = 0
    for line in c.get("/metrics").text.splitlines():
        if line.startswith("sunlit_http_requests_total{") and 'status="5' in line:
            total += int(float(line.rsplit(" ", 1)[1]))
    return total


def test_no_api_operation_answers_a_server_error(
    sqlite_url: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    capsys: pytest.CaptureFixture[str],
) -> None:
    option = request.config.getoption
    started = time.monotonic()
    seconds = int(option("--fuzz-seconds"))
    bounds = Bounds(
        int(option("--fuzz-seed")), int(option("--fuzz-examples")), seconds, started + seconds
    )
    # Fuzzed sign-ins must not lock the accounts (or the loopback address) whose tokens the
    # run needs; the throttle has tests of its own.
    settings = settings_for(sqlite_url, login_max_failures=10**6, login_max_failures_per_ip=10**6)
    with live_server(settings) as server, httpx.Client(base_url=server.url, timeout=10) as c:
        load_demo_into(server)
        buyer, _ = issue_token(c, "buyer1")
        operator, _ = issue_token(c, "operator")
        official, _ = issue_token(c, "official.dangshan")
        create_account(c, operator, "fuzz.spare.buyer", "consumer")
        create_account(c, operator, "fuzz.spare.operator", "operator")
        spare_buyer, spare_buyer_id = issue_token(c, "fuzz.spare.buyer")
        spare_operator, spare_operator_id = issue_token(c, "fuzz.spare.operator")
        config = tmp_path / "schemathesis.toml"
        config.write_text(
            config_text(seed_data(c, buyer, operator), [spare_buyer_id, spare_operator_id]),
            encoding="utf-8",
        )
        passes = [
            Pass("anonymous", None),  # no token to lose: every operation
            Pass("buyer", buyer, exclude=ACCOUNT_CHANGING),
            Pass("operator", operator, exclude=ACCOUNT_CHANGING),
            # Filing is an official's: the one 5xx found so far was in a plan (PUT /plans/{id}).
            Pass("official", official, exclude=ACCOUNT_CHANGING),
            Pass("spare buyer", spare_buyer, only=ACCOUNT_CHANGING),
            Pass("spare operator", spare_operator, only=ACCOUNT_CHANGING),
        ]
        outcomes = []
        for run in passes:
            outcomes.append(run_pass(server, run, config=config, bounds=bounds, reports=tmp_path))
            if run.name == "official":  # the long-lived tokens outlived the passes that used them
                for token, role in (
                    (buyer, "consumer"),
                    (operator, "operator"),
                    (official, "official"),
                ):
                    assert c.get("/api/v1/me", headers=bearer(token)).json()["role"] == role
        counted = server_errors_counted_by(c)

    requests = sum(sum(o.statuses.values()) for o in outcomes)
    operations = set().union(*(o.operations for o in outcomes))
    lines = [
        f"fuzz (seed {bounds.seed}, {bounds.examples} examples per operation): "
        f"{len(operations)} operations, {requests} requests in "
        f"{time.monotonic() - started:.0f} s; the server counted {counted} 5xx"
    ]
    for o in outcomes:
        classes = Counter(f"{status // 100}xx" for status in o.statuses.elements())
        lines.append(
            f"  {o.name}: {len(o.operations)} operations, {sum(o.statuses.values())} requests "
            f"in {o.seconds:.0f} s, exit {o.exit_code}, {dict(sorted(classes.items()))}"
        )
    with capsys.disabled():
        print("\n" + "\n".join(lines))

    failures = Counter(f"{o.name}: {error}" for o in outcomes for error in o.server_errors)
    assert not failures, "\n".join(
        [f"{count} × {failure}" for failure, count in failures.items()]
        + [o.output[-3000:] for o in outcomes if o.exit_code]
    )
    assert counted == 0, "the server counted 5xx answers the fuzzer's report did not show"
    for o in outcomes:
        assert o.exit_code == 0, f"{o.name} pass: schemathesis exited {o.exit_code}\n{o.output}"
        assert o.operations, f"{o.name} pass tested no operation\n{o.output}"
    for o in outcomes[1:4]:  # only a wrong password may be a 401 (POST /api/v1/tokens)
        refused = {label for label in o.unauthenticated if label != "POST /api/v1/tokens"}
        assert not refused, f"{o.name}: its token was refused by {sorted(refused)}"
