"""A case as supervisors read it and a finding as the public reads it, over real HTTP, in
Chinese and English (issue 18): every evidence key under its label with no raw key left, the
summary in the page's language, the evidence as a CSV and a JSON download, and sessions named
by title, date, county and host, or as an imported event stream."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from babel.dates import format_datetime

from sunlit.core.i18n import BABEL_LOCALES, current_language, gettext_
from sunlit.integrity import wording
from sunlit.simulate.model import Scenario, ScenarioSpec, SimConfig
from sunlit.simulate.services import simulate
from sunlit.web.templating import MOMENT
from tests.support import LiveServer
from tests.test_catalog_api import api_as
from tests.test_concerns import raise_on, web_as
from tests.test_disclosure import filed_plan
from tests.test_integrity_cases import post_stream
from tests.test_web import client

#: How `when` writes a moment (web/templating.py MOMENT), per language.
SHAPE = {"zh": r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", "en": r"\d{1,2} \w{3} \d{4}, \d{2}:\d{2}"}
NESTED = ("signals", "claim", "verified", "gaps", "busiest_window")


@pytest.fixture(scope="module")
def stream_file(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A simulated evening with every abuse the simulator knows."""
    path = tmp_path_factory.mktemp("streams") / "everything.jsonl"
    scenarios = tuple(ScenarioSpec.parse(s.value) for s in Scenario)
    simulate(SimConfig(seed=5, viewers=300, minutes=60, scenarios=scenarios), path)
    return path.read_bytes()


@contextmanager
def speaking(language: str) -> Iterator[None]:
    token = current_language.set(language)
    try:
        yield
    finally:
        current_language.reset(token)


def raw_keys(evidence: dict[str, Any]) -> set[str]:
    keys = set(evidence)
    for key in NESTED:
        if isinstance(evidence.get(key), dict):
            keys |= set(evidence[key])
    return keys


def evidence_section(page: str) -> str:
    start = page.index('class="facts evidence"')
    return page[start : page.index("</dl>", start)]


def imported_cases(served: LiveServer, stream: bytes) -> list[dict[str, Any]]:
    with api_as(served, "supervisor1") as api:
        api.timeout = httpx.Timeout(180)  # the machine running the tests may be busy
        answer = post_stream(api, stream, filename="evening-elsewhere.jsonl")
        assert answer.status_code == 201, answer.text
        return [api.get(f"/api/v1/cases/{c}").json() for c in answer.json()["cases_opened"]]


def test_case_pages_give_every_key_a_label_and_the_evidence_downloads(
    served: LiveServer, stream_file: bytes
) -> None:
    cases = imported_cases(served, stream_file)
    assert len({c["rule"] for c in cases}) >= 8
    for language in ("zh", "en"):
        with web_as(served, "supervisor1", language) as web, speaking(language):
            for case in cases:
                page = web.get(f"/supervisor/cases/{case['id']}")
                assert page.status_code == 200, case["rule"]
                section = evidence_section(page.text)
                labels = [html.unescape(t) for t in re.findall(r"<dt>(.*?)</dt>", section)]
                keys = raw_keys(case["evidence"])
                expected = [
                    gettext_(wording.label_of(case["rule"], case["source"], k)[0])  # type: ignore[index]
                    for k in case["evidence"]
                ]
                assert labels == expected, case["rule"]
                assert keys.isdisjoint(labels), case["rule"]
                # No key written as code (p_value, robust_z …) anywhere on the page.
                assert [k for k in keys if "_" in k and k in page.text] == [], case["rule"]
                assert "<code>" not in section
                if language == "en":  # the summary rebuilt in English is the engine's own
                    assert html.escape(case["summary"], quote=True) in page.text
            quota = next(c for c in cases if c["rule"] == "forced_purchases")
            check_export(web, quota, language)


def check_export(web: httpx.Client, case: dict[str, Any], language: str) -> None:
    got = web.get(f"/supervisor/cases/{case['id']}/evidence.csv")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert "attachment" in got.headers["content-disposition"]
    assert got.content.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, for spreadsheets
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert rows[0] == [gettext_(h) for h in ("Key", "What", "Value", "Raw value")]
    keyed = [r for r in rows[1:] if r[0] in case["evidence"]]
    assert [r[0] for r in keyed] == list(case["evidence"])
    by_key = {r[0]: r for r in keyed}
    assert by_key["organisation"][3] == case["evidence"]["organisation"]
    assert by_key["members_present"][2] == str(case["evidence"]["members_present"])
    assert "p =" in by_key["p_value"][2]
    named = [r[2] for r in rows[1:] if r[0] == "orders"]
    assert named == case["orders"] and named
    got = web.get(f"/supervisor/cases/{case['id']}/evidence.json")
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    document = json.loads(got.content)
    assert document["evidence"] == case["evidence"]
    assert document["summary"] == case["summary"] and document["orders"] == case["orders"]
    assert [line["key"] for line in document["lines"]] == list(case["evidence"])
    if language == "zh":
        assert {line["label"] for line in document["lines"]} == {r[1] for r in keyed}
    assert web.get(f"/supervisor/cases/{case['id']}/evidence.xml").status_code == 404
    with api_as_public(web) as anyone:
        assert anyone.get(f"/supervisor/cases/{case['id']}/evidence.csv").status_code in (
            303,
            401,
            403,
        )


@contextmanager
def api_as_public(web: httpx.Client) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=str(web.base_url), follow_redirects=False, timeout=10) as c:
        yield c


def confirm_and_publish(served: LiveServer, case_id: str, reason: str) -> None:
    with (
        api_as(served, "supervisor1") as first,
        api_as(served, "supervisor2") as second,
    ):
        me = second.get("/api/v1/me").json()["id"]
        assert first.post(f"/api/v1/cases/{case_id}/assign", json={"assignee": me}).is_success
        decided = second.post(
            f"/api/v1/cases/{case_id}/decision", json={"decision": "confirm", "reason": reason}
        )
        assert decided.status_code == 200, decided.text
        assert first.post(f"/api/v1/cases/{case_id}/publish").status_code == 200


def test_public_findings_name_the_session_by_title_date_county_and_host(
    served: LiveServer, stream_file: bytes
) -> None:
    quota = next(c for c in imported_cases(served, stream_file) if c["rule"] == "forced_purchases")
    confirm_and_publish(served, quota["id"], "经核实，县直机关按人头摊派")
    plan = filed_plan(served, approve=True)
    with web_as(served, "buyer1") as buyer:
        raised = raise_on(buyer, plan)
        assert raised.status_code == 303, raised.text[:300]
        concern = raised.headers["location"].split("/")[2].split("?")[0]
    with api_as(served, "supervisor1") as first:
        case = first.post(f"/api/v1/concerns/{concern}/decision", json={"step": "escalate"})
        assert case.status_code == 200, case.text
        case_id = case.json()["public"]["case"]
        stored = first.get(f"/api/v1/plans/{plan}").json()
    confirm_and_publish(served, case_id, "经核实，存在按人头摊派")
    zone = ZoneInfo(served.settings.timezone)
    for language, imported, county, host in (
        ("zh", "导入的事件流", "砀山县", "柳桂荣"),
        ("en", "Imported event stream", "Dangshan", "柳桂荣"),
    ):
        with client(served, language) as public, speaking(language):
            page = public.get("/findings")
            assert page.status_code == 200
            text = html.unescape(page.text)
            found = text[text.index(f'id="h-{case_id}"') :]
            line = found[: found.index("</p>")]
            assert stored["title"] in line and county in line and host in line
            assert "砀山县人民政府" in line  # the host's office
            starts = stored["starts_at"]
            moment = format_datetime(
                _parse(starts), MOMENT[language], tzinfo=zone, locale=BABEL_LOCALES[language]
            )
            assert moment in line
            # The finding from an imported stream: a label and the span of its events, no file.
            found = text[text.index(f'id="h-{quota["id"]}"') :]
            line = found[: found.index("</p>")]
            assert gettext_("Imported event stream") in line and imported
            assert ".jsonl" not in text and "evening-elsewhere" not in text
            # from … to …, and when it was published: all written one way
            assert len(re.findall(SHAPE[language], line)) == 3
            summary = gettext_(wording.CONCERN_SUMMARY) % {
                "category": gettext_("Forced purchase or quota")
            }
            assert summary in text


def _parse(value: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(value)
