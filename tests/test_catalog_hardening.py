"""What a second review of the catalog found, held by tests on both backends: unicode digits,
broken CSV, NUL in a query, operators and producers' costs, duplicate imports, upload sizes,
unverified producers, and the sandbox on served files."""

from __future__ import annotations

import re

from tests.support import LiveServer, csrf_of, sign_in, submit
from tests.test_catalog_api import api_as
from tests.test_imports import ROSTER
from tests.test_web import PASSWORD, client


def test_unicode_digits_and_broken_csv_are_clear_errors(served: LiveServer) -> None:
    with client(served, "en") as c:
        sign_in(c, "farmer.dangshan", PASSWORD)
        pears = c.get("/api/v1/products", params={"q": "砀山"}).json()[0]["id"]
        stock = submit(c, "/producer", f"/producer/products/{pears}/stock", {"stock": "²"})
        assert stock.status_code == 422 and "Enter a whole number." in stock.text
    with client(served, "en") as operator:
        sign_in(operator, "operator", PASSWORD)
        band = submit(
            operator,
            "/operator/prices",
            "/operator/prices",
            {
                "kind": "crisp_pear",
                "region": "341321",
                "low": "3",
                "high": "5",
                "unit": "box",
                "box_grams": "٥٠٠",
                "observed_on": "2026-02-01",
                "source": "x",
            },
        )
        assert band.status_code == 422
        token = csrf_of(operator.get("/operator/imports").text)
        broken = operator.post(
            "/operator/imports/bands",
            data={"csrf_token": token},
            files={
                "file": (
                    "b.csv",
                    b'kind,region,low,high,unit,observed_on,source\n"'
                    + b"x" * 200_000
                    + b'",1,2,jin,2026-01-01,s\n',
                    "text/csv",
                )
            },
        )
        assert broken.status_code == 422 and "not valid CSV" in broken.text


def test_nul_in_a_query_is_refused(served: LiveServer) -> None:
    with client(served, "en") as c:
        for path in (
            "/api/v1/reference-bands?kind=%00",
            "/api/v1/products?q=%00",
            "/products?q=%00",
        ):
            assert c.get(path).status_code == 422, path


def test_only_the_producer_declares_cost_or_clears_below_it(served: LiveServer) -> None:
    with api_as(served, "operator") as operator:
        coop = operator.get("/api/v1/producers", params={"region": "341321"}).json()[0]["id"]
        base = {
            "producer": coop,
            "name_zh": "梨膏",
            "kind": "pear_paste",
            "category": "processed_agri",
            "origin_region": "341321",
            "unit": "box",
            "box_grams": 300,
            "price": 2000,
            "stock": 10,
        }
        refused = operator.post(
            "/api/v1/products", json={**base, "declared_cost": 3000, "clearance": "overstock"}
        )
        assert refused.status_code == 422
        assert {"declared_cost", "clearance"} <= set(refused.json()["error"]["fields"])
        assert operator.post("/api/v1/products", json=base).status_code == 201


def test_importing_the_same_roster_twice_adds_no_one_twice(served: LiveServer) -> None:
    with client(served, "en") as c:
        sign_in(c, "operator", PASSWORD)
        page = c.get("/operator/imports").text
        coop = re.search(r'<option value="(p-[a-z0-9]+)">城固县', page)
        assert coop is not None
        token = csrf_of(page)
        form = {"csrf_token": token, "cooperative": coop.group(1)}
        csv_file = {"file": ("r.csv", ROSTER.encode(), "text/csv")}
        first = c.post("/operator/imports/roster", data=form, files=csv_file)
        sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', first.text)
        assert sha is not None
        confirm = {**form, "sha256": sha.group(1)}
        assert c.post("/operator/imports/roster/confirm", data=confirm).status_code == 303
        again = c.post("/operator/imports/roster/confirm", data=confirm)
        assert again.status_code == 422
        assert "already a member of the cooperative" in again.text
        members = c.get("/api/v1/producers", params={"region": "610722"}).json()
        assert sorted(m["name"] for m in members if m["kind"] == "household") == [
            "张大山",
            "李小梅",
        ]


def test_only_upload_routes_take_upload_sized_bodies(served: LiveServer) -> None:
    body = b"x" * (served.settings.max_request_bytes + 1000)
    with client(served, "en") as c:
        sign_in(c, "farmer.xuwen", PASSWORD)
        token = csrf_of(c.get("/producer").text)
        big_form = c.post(
            "/producer/producers",
            data={"csrf_token": token},
            files={"file": ("x.bin", body, "application/octet-stream")},
        )
        assert big_form.status_code == 413


def test_unverified_producers_products_are_not_public(served: LiveServer) -> None:
    with api_as(served, "farmer.quzhou") as farmer, api_as(served, "operator") as operator:
        pending = farmer.post(
            "/api/v1/producers",
            json={"kind": "household", "name": "未核验农户", "region": "330802"},
        ).json()["id"]
        listed = farmer.post(
            "/api/v1/products",
            json={
                "producer": pending,
                "name_zh": "未核验椪柑",
                "kind": "ponkan",
                "category": "fruit",
                "origin_region": "330802",
                "unit": "jin",
                "price": 300,
                "stock": 5,
            },
        )
        assert listed.status_code == 201
        with client(served, "en") as public:
            names = [p["name_zh"] for p in public.get("/api/v1/products").json()]
            assert "未核验椪柑" not in names and "衢州椪柑" in names
            assert "未核验椪柑" not in public.get("/products").text
        assert "未核验椪柑" in [p["name_zh"] for p in operator.get("/api/v1/products").json()]


def test_served_files_run_nothing(served: LiveServer) -> None:
    with client(served, "en") as c:
        berries = c.get("/api/v1/products", params={"q": "Majiang"}).json()[0]["id"]
        [document] = c.get(f"/api/v1/products/{berries}").json()["documents"]
        answer = c.get(document["url"])
        assert answer.status_code == 200 and answer.content.startswith(b"%PDF-")
        assert "sandbox" in answer.headers["content-security-policy"]
        assert answer.headers["x-content-type-options"] == "nosniff"
