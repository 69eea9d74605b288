"""Boundary rules and the plan workflow as pure functions: each rule passes a good plan and
fails the plan it exists for."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from sunlit.catalog.model import Inspection, InspectionKind
from sunlit.core.i18n import current_language
from sunlit.filing.model import (
    Partner,
    PartnerKind,
    PlanDraft,
    PlanFacts,
    PlanStatus,
    ProductFacts,
    Purpose,
    check_four_eyes,
    check_plan,
    check_transition,
)
from sunlit.filing.pages import citation_reader
from sunlit.filing.rules import REGISTRY, Severity, blocks, defaults, evaluate
from sunlit.filing.rules_doc import rules_markdown
from sunlit.filing.sources import Law, Piece, Reader, chinese_number
from sunlit.settings import Settings
from tests.support import ROOT

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
START = NOW + timedelta(days=5)
CERT = Inspection(
    InspectionKind.COMPLIANCE_CERTIFICATE, "检测站", date(2026, 1, 1), date(2026, 12, 31), "0" * 64
)
PEARS = ProductFacts(
    id="g-1",
    name="砀山酥梨",
    category="fruit",
    origin_region="341321",
    producer_id="p-1",
    producer_name="酥梨合作社",
    producer_kind="cooperative",
    producer_verified=True,
    producer_account="a-farmer",
    price=398,
    declared_cost=260,
    clearance=None,
    band_low=300,
    band_high=500,
    inspections=(CERT,),
)
GOOD = PlanFacts(
    plan_id="s-1",
    official_id="a-official",
    official_region="341321",
    starts_at=START,
    ends_at=START + timedelta(hours=2),
    filed_at=NOW,
    products=(PEARS,),
    partners=(Partner("砀山县电商协会", PartnerKind.COOPERATIVE),),
    declares_no_payment=True,
)


def rules_hit(facts: PlanFacts) -> set[str]:
    return {finding.rule for finding in evaluate(facts)}


def test_a_good_plan_passes_every_rule() -> None:
    assert evaluate(GOOD) == []


@pytest.mark.parametrize(
    ("facts", "rule"),
    [
        (replace(GOOD, products=(replace(PEARS, category="non_agri"),)), "agricultural_products"),
        (replace(GOOD, products=(replace(PEARS, origin_region="610722"),)), "local_origin"),
        (replace(GOOD, official_region=None), "local_origin"),
        (replace(GOOD, products=(replace(PEARS, producer_verified=False),)), "verified_producers"),
        (replace(GOOD, products=(replace(PEARS, inspections=()),)), "inspection_valid"),
        (
            replace(
                GOOD,
                starts_at=datetime(2026, 12, 31, 23, 0, tzinfo=UTC),
                ends_at=datetime(2027, 1, 1, 1, 0, tzinfo=UTC),
            ),
            "inspection_valid",
        ),
        (replace(GOOD, products=(replace(PEARS, price=599),)), "price_in_band"),
        (replace(GOOD, products=(replace(PEARS, band_low=None, band_high=None),)), "price_in_band"),
        (replace(GOOD, products=(replace(PEARS, price=250, band_low=200),)), "not_below_cost"),
        (
            replace(GOOD, products=(replace(PEARS, producer_kind="enterprise"),)),
            "enterprise_public_interest",
        ),
        (
            replace(GOOD, partners=(Partner("某MCN机构", PartnerKind.MCN),)),
            "enterprise_public_interest",
        ),
        (
            replace(GOOD, partners=(Partner("梨业公司", PartnerKind.ENTERPRISE, "配偶持股"),)),
            "no_declared_relationship",
        ),
        (replace(GOOD, filed_at=START - timedelta(hours=71)), "filed_ahead"),
        (replace(GOOD, sessions_in_month=4), "monthly_limit"),
        (
            replace(GOOD, products=(replace(PEARS, producer_account="a-official"),)),
            "official_not_payee",
        ),
    ],
)
def test_each_rule_fails_the_plan_it_exists_for(facts: PlanFacts, rule: str) -> None:
    assert rule in rules_hit(facts)


def test_what_does_not_trip_a_rule() -> None:
    cleared = replace(PEARS, price=250, band_low=200, clearance="perishable")
    assert "not_below_cost" not in rules_hit(replace(GOOD, products=(cleared,)))
    with_reason = Partner("梨业公司", PartnerKind.ENTERPRISE, public_interest="带动全县梨农销售")
    assert rules_hit(replace(GOOD, partners=(with_reason,))) == set()
    assert rules_hit(replace(GOOD, filed_at=START - timedelta(hours=72))) == set()
    assert rules_hit(replace(GOOD, sessions_in_month=3)) == set()
    prefecture = replace(GOOD, official_region="341300")  # a prefecture covers its counties
    assert rules_hit(prefecture) == set()


def test_settings_change_the_thresholds_and_findings_name_what_they_concern() -> None:
    late = replace(GOOD, filed_at=START - timedelta(hours=30))
    assert "filed_ahead" in rules_hit(late)
    assert evaluate(late, {"min_hours_ahead": 24}) == []
    [finding] = evaluate(replace(GOOD, products=(replace(PEARS, price=599),)))
    assert finding.severity is Severity.WARN and finding.subject == "g-1"
    assert finding.params == {
        "product": "砀山酥梨",
        "price": "¥5.99",
        "low": "¥3.00",
        "high": "¥5.00",
    }
    assert not blocks([finding])
    assert blocks(evaluate(replace(GOOD, products=(replace(PEARS, category="non_agri"),))))


def test_every_rule_is_documented_and_the_settings_agree() -> None:
    assert (ROOT / "docs" / "boundary-rules.md").read_text("utf-8") == rules_markdown()
    assert len({r.id for r in REGISTRY}) == len(REGISTRY) >= 11
    assert all(r.source and r.description for r in REGISTRY)
    assert Settings(_env_file=None).filing_rule_settings() == defaults()  # type: ignore[call-arg]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_rule_cites_what_a_citizen_can_look_up(language: str) -> None:
    """A law and its article, or a published piece by author, title, publication and date:
    never the project's own notes ("seed 002")."""
    token = current_language.set(language)
    try:
        reader = citation_reader()
        for r in REGISTRY:
            assert r.source.cites, r.id
            for text in (r.source.cite(reader), r.source.cite()):
                assert "seed" not in text.lower(), r.id
            for c in r.source.cites:
                if isinstance(c, Law):
                    assert c.name and c.article > 0
                else:
                    assert isinstance(c, Piece) and c.title and c.publication
                    assert re.fullmatch(r"\d{4}(-\d{2}-\d{2}|\(\d+\))?", c.issued)
        pieces = "; ".join(c.cite(reader) for r in REGISTRY for c in r.source.cites)
        assert ("2021年10月11日" if language == "zh" else "11 October 2021") in pieces
    finally:
        current_language.reset(token)
    price = Law("Price Law of the People's Republic of China", 14, 2)
    assert price.cite() == "Price Law of the People's Republic of China, article 14, item 2"
    assert price.cite(Reader(language="zh")).endswith("article 十四, item 二")  # until translated
    assert chinese_number(14) == "十四" and chinese_number(59) == "五十九"
    assert chinese_number(9) == "九" and chinese_number(20) == "二十"


def test_the_workflow_and_four_eyes() -> None:
    assert check_transition(PlanStatus.DRAFT, PlanStatus.SUBMITTED) is None
    assert check_transition(PlanStatus.DRAFT, PlanStatus.APPROVED) is not None
    assert check_transition(PlanStatus.APPROVED, PlanStatus.DRAFT) is None  # edit → review
    assert check_transition(PlanStatus.ENDED, PlanStatus.LIVE) is not None
    assert check_four_eyes("a-sup", "a-official", frozenset()) is None
    assert check_four_eyes("a-official", "a-official", frozenset()) is not None
    assert check_four_eyes("a-sup", "a-official", frozenset({"a-sup"})) is not None


def test_a_plans_own_data_is_checked_before_the_rules() -> None:
    draft = PlanDraft(
        title="砀山酥梨助农直播",
        starts_at=START,
        ends_at=START + timedelta(hours=2),
        product_ids=("g-1",),
        declares_no_payment=True,
    )
    assert check_plan(draft, NOW, []) == {}
    assert set(
        check_plan(
            replace(draft, starts_at=NOW - timedelta(hours=1), ends_at=NOW + timedelta(hours=1)),
            NOW,
            [],
        )
    ) == {"starts_at"}
    assert "starts_at" in check_plan(
        draft, NOW, [(START + timedelta(hours=1), START + timedelta(hours=3))]
    )
    assert set(
        check_plan(
            replace(
                draft,
                title="",
                product_ids=(),
                declares_no_payment=False,
                purpose=Purpose.UNSALABLE,
            ),
            NOW,
            [],
        )
    ) == {"title", "product_ids", "declares_no_payment", "answers_report"}
    assert "ends_at" in check_plan(replace(draft, ends_at=START + timedelta(hours=13)), NOW, [])
