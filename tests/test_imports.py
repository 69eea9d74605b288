"""CSV imports: every row checked and named by its line, Chinese Excel's GBK read, and nothing
half-imported."""

from __future__ import annotations

import re
from datetime import date

from sunlit.catalog.imports.model import decode, parse_bands, parse_roster
from sunlit.core.regions.services import region_book
from tests.support import LiveServer, csrf_of, sign_in
from tests.test_catalog_api import api_as
from tests.test_web import PASSWORD, client

ROSTER = "姓名,村,电话\n张大山,良梨镇张庄村,13912345678\n李小梅,良梨镇李楼村,\n"
BAD_ROSTER = "name,village,phone\n王五,张庄村,123\n,李楼村,\n张三,张庄村,\n张三,张庄村,\n"
BANDS = (
    "kind,region,low,high,unit,box_grams,observed_on,source\n"
    "crisp_pear,341300,2.80,4.80,jin,,2026-02-01,宿州市价格监测\n"
    "blueberry,000000,60,90,kg,,2026-02-01,全国农产品批发市场\n"
)


def test_rows_are_checked_one_by_one_and_named_by_line() -> None:
    good = parse_roster(ROSTER, region="341321", cooperative_id="p-1", regions=region_book())
    assert good.ok and [d.name for d in good.items] == ["张大山", "李小梅"]
    bad = parse_roster(BAD_ROSTER, region="341321", cooperative_id="p-1", regions=region_book())
    assert not bad.ok
    assert {row.line: sorted(row.errors) for row in bad.rows} == {
        2: ["contact_phone"],
        3: ["name"],
        4: [],
        5: ["name"],
    }
    assert (
        parse_roster(
            "x,y\n1,2\n", region="341321", cooperative_id="p-1", regions=region_book()
        ).problem
        is not None
    )
    bands = parse_bands(BANDS, regions=region_book(), today=date(2026, 3, 1))
    assert bands.ok and [b.low for b in bands.items] == [280, 6000]
    wrong = parse_bands(
        BANDS.replace("2.80", "abc").replace("kg,", "ton,").replace("341300", "999999"),
        regions=region_book(),
        today=date(2026, 3, 1),
    )
    assert {row.line: sorted(row.errors) for row in wrong.rows} == {
        2: ["low", "region"],
        3: ["unit"],
    }


def test_excel_gbk_files_are_read() -> None:
    assert decode(ROSTER.encode("gb18030")) == ROSTER
    assert decode(("\ufeff" + ROSTER).encode("utf-8")) == ROSTER
    decode(bytes(range(256)))  # whatever the bytes, reading never raises


def test_operator_previews_then_imports_a_roster_all_or_nothing(served: LiveServer) -> None:
    with client(served, "en") as c:
        sign_in(c, "operator", PASSWORD)
        page = c.get("/operator/imports").text
        coop = re.search(r'<option value="(p-[a-z0-9]+)">砀山县酥梨', page)
        assert coop is not None
        token = csrf_of(page)
        bad = c.post(
            "/operator/imports/roster",
            data={"csrf_token": token, "cooperative": coop.group(1)},
            files={"file": ("roster.csv", BAD_ROSTER.encode("gb18030"), "text/csv")},
        )
        assert bad.status_code == 422
        assert "4 rows, 3 with problems." in bad.text
        assert "The same household appears twice in the file." in bad.text
        assert "Import all" not in bad.text
        good = c.post(
            "/operator/imports/roster",
            data={"csrf_token": token, "cooperative": coop.group(1)},
            files={"file": ("roster.csv", ROSTER.encode("gb18030"), "text/csv")},
        )
        assert good.status_code == 200 and "Import all 2 rows" in good.text
        sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', good.text)
        assert sha is not None
        done = c.post(
            "/operator/imports/roster/confirm",
            data={"csrf_token": token, "sha256": sha.group(1), "cooperative": coop.group(1)},
        )
        assert done.status_code == 303 and done.headers["location"].endswith("count=2")
        names = [p["name"] for p in c.get("/api/v1/producers", params={"region": "341321"}).json()]
        assert {"张大山", "李小梅"} <= set(names)  # operator imports are verified


def test_the_api_refuses_a_file_with_any_bad_row_and_imports_nothing(
    served: LiveServer,
) -> None:
    with api_as(served, "farmer.chenggu") as farmer, api_as(served, "operator") as operator:
        coop = farmer.get("/api/v1/producers", params={"region": "610722"}).json()[0]["id"]
        before = len(operator.get("/api/v1/producers").json())
        mixed = ROSTER + "赵六,上元观镇,999\n"
        refused = farmer.post(
            f"/api/v1/producers/{coop}/roster",
            files={"file": ("r.csv", mixed.encode(), "text/csv")},
        )
        assert refused.status_code == 422
        assert list(refused.json()["error"]["fields"]) == ["line 4: contact_phone"]
        assert len(operator.get("/api/v1/producers").json()) == before  # one bad row refuses all
        dry = farmer.post(
            f"/api/v1/producers/{coop}/roster?dry_run=true",
            files={"file": ("r.csv", ROSTER.encode(), "text/csv")},
        )
        assert dry.json() == {"rows": 2, "imported": 0, "dry_run": True}
        real = farmer.post(
            f"/api/v1/producers/{coop}/roster",
            files={"file": ("r.csv", ROSTER.encode(), "text/csv")},
        )
        assert real.json()["imported"] == 2
        assert len(operator.get("/api/v1/producers").json()) == before + 2  # pending, listed
        binary = operator.post(
            "/api/v1/reference-bands/import", files={"file": ("b.csv", b"\x00\x01\x02", "text/csv")}
        )
        assert binary.status_code == 422 and "file" in binary.json()["error"]["fields"]
        bands = operator.post(
            "/api/v1/reference-bands/import", files={"file": ("b.csv", BANDS.encode(), "text/csv")}
        )
        assert bands.json()["imported"] == 2
        national = operator.get("/api/v1/reference-bands", params={"kind": "blueberry"}).json()
        assert any(b["region"] == "000000" and b["low"] == 6000 for b in national)
