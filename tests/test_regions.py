"""Every province, prefecture and county of China (docs/adr/0008): the migration loads them, a
buyer anywhere in China can order, and ``sunlit regions update`` keeps the table current."""

from __future__ import annotations

import asyncio
import csv
import io
import shutil
from collections import Counter
from collections.abc import Collection
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from sunlit.core.db import Database
from sunlit.core.regions.model import RegionBook, RegionLevel, parse_regions
from sunlit.core.regions.register import TooManyRetired, do_update_regions, read_regions
from sunlit.core.regions.sources import official_regions
from sunlit.core.regions.tables import RegionRow
from sunlit.settings import Settings
from tests.support import LiveServer, csrf_of, sign_in
from tests.test_catalog_api import api_as, product_named
from tests.test_cli import run
from tests.test_orders import ADDRESS
from tests.test_web import PASSWORD, client

BEIJING_CHAOYANG = "110105"
KASHGAR_CITY = "653101"


def table_of(database_url: str) -> RegionBook:
    async def read() -> RegionBook:
        database = Database(Settings(_env_file=None, database_url=database_url))  # type: ignore[call-arg]
        try:
            async with database.transaction() as db:
                return await read_regions(db)
        finally:
            await database.dispose()

    return asyncio.run(read())


def test_the_migration_loads_every_province_prefecture_and_county(database_url: str) -> None:
    book = table_of(database_url)
    levels = Counter(r.level for r in book.regions())
    provinces = {r.code for r in book.regions() if r.level is RegionLevel.PROVINCE}
    assert len(provinces) == 34 and {"710000", "810000", "820000"} <= provinces
    assert levels[RegionLevel.PREFECTURE] >= 330
    assert levels[RegionLevel.COUNTY] >= 2800
    for region in book.regions():  # the hierarchy holds: every parent is there, one level up
        if region.level is RegionLevel.PROVINCE:
            assert region.parent is None
        else:
            parent = book.get(region.parent or "")
            assert parent is not None and parent.code[:2] == region.code[:2], region
    assert book.full_name(BEIJING_CHAOYANG, "zh") == "北京市朝阳区"
    assert book.full_name(KASHGAR_CITY, "zh") == "新疆维吾尔自治区喀什地区喀什市"
    assert book.full_name("341321", "en") == "Dangshan County, Suzhou, Anhui"  # English kept
    assert not any(r.retired for r in book.regions())


def test_delivery_areas_are_current_counties_grouped_by_province() -> None:
    book = parse_regions(
        "code,name_zh,name_en,retired\n"
        "440000,广东省,Guangdong,\n"
        "441900,东莞市,Dongguan,\n"
        "500000,重庆市,Chongqing,\n"
        "500103,渝中区,,\n"
        "500105,江北区,,yes\n"
        "650000,新疆维吾尔自治区,Xinjiang,\n"
        "653100,喀什地区,,\n"
        "653101,喀什市,,\n"
    )
    assert [(p.code, [c.code for c in cs]) for p, cs in book.delivery_areas()] == [
        ("440000", ["441900"]),  # a prefecture-level city without counties
        ("500000", ["500103"]),  # 江北区 is retired: no longer offered
        ("650000", ["653101"]),
    ]
    assert not book.is_delivery_area("500105") and book.full_name("500105", "zh") == "重庆市江北区"
    assert book.name_in_province(KASHGAR_CITY, "zh") == "喀什地区 · 喀什市"
    assert [r.code for r in book.search("江北")] == []
    assert [r.code for r in book.search("江北", retired=True)] == ["500105"]


def test_a_buyer_in_beijing_and_one_in_kashgar_can_order(served: LiveServer) -> None:
    with api_as(served, "buyer1") as api:
        pears = product_named(api, "砀山酥梨")
        for key, region in (("k-bj", BEIJING_CHAOYANG), ("k-ks", KASHGAR_CITY)):
            body = {"product_id": pears["id"], "qty": 1, "address": {**ADDRESS, "region": region}}
            placed = api.post("/api/v1/orders", json=body, headers={"Idempotency-Key": key})
            assert placed.status_code == 201, placed.text
            assert placed.json()["address_region"] == region
        body = {"product_id": pears["id"], "qty": 1, "address": {**ADDRESS, "region": "110199"}}
        unknown = api.post("/api/v1/orders", json=body, headers={"Idempotency-Key": "k-no"})
        assert unknown.status_code == 422
        assert "address_region" in unknown.json()["error"]["fields"]
        found = api.get("/api/v1/regions", params={"q": "喀什市"}).json()
        assert [r["code"] for r in found] == [KASHGAR_CITY]

    with client(served, "zh") as web:
        sign_in(web, "buyer2", PASSWORD)
        checkout = web.get(f"/products/{pears['id']}/buy")
        assert checkout.status_code == 200
        page = checkout.text
        # Every county is reached through its province and city (the county picker).
        assert '<option value="110000">北京市</option>' in page
        cities = web.get("/account/addresses/picker", params={"province": "650000"})
        assert '<option value="653100">喀什地区</option>' in cities.text
        counties = web.get("/account/addresses/picker", params={"city": "653100"})
        assert f'<option value="{KASHGAR_CITY}">喀什市</option>' in counties.text
        for region, name in (
            (BEIJING_CHAOYANG, "北京市朝阳区"),
            (KASHGAR_CITY, "新疆维吾尔自治区喀什地区喀什市"),
        ):
            fields = {
                "csrf_token": csrf_of(page),
                "key": f"page-{region}",
                "qty": "1",
                "recipient": "李梅",
                "phone": "13800138000",
                "region": region,
                "detail": "建设路 8 号",
                "method": "wallet",
            }
            placed = web.post(f"/products/{pears['id']}/buy", data=fields)
            assert placed.status_code == 303, placed.text
            order = web.get(placed.headers["location"])
            assert name in order.text


def official_csv(book: RegionBook, leave_out: Collection[str] = ()) -> str:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["code", "name_zh", "name_en"])
    writer.writerows(
        [r.code, r.name_zh, r.name_en] for r in book.regions() if r.code not in leave_out
    )
    return text.getvalue()


def test_the_update_command_is_idempotent_and_retires_vanished_codes(
    sqlite_template: Path, tmp_path: Path
) -> None:
    (tmp_path / "var").mkdir()
    shutil.copy(sqlite_template, tmp_path / "var" / "sunlit.db")
    url = f"sqlite+aiosqlite:///{tmp_path / 'var' / 'sunlit.db'}"
    official = official_regions()
    # A revision: 喀什市 leaves the list, a new county comes.
    revised = tmp_path / "revised.csv"
    revised.write_text(official_csv(official, {"653101"}) + "653199,新设县,\n", encoding="utf-8")

    first = run(tmp_path, "regions", "update", "--from", str(revised))
    assert first.returncode == 0, first.stderr
    assert "1 added, 0 changed, 1 retired" in first.stderr
    book = table_of(url)
    assert book.get(KASHGAR_CITY) is not None and book.get(KASHGAR_CITY).retired  # type: ignore[union-attr]
    assert book.full_name(KASHGAR_CITY, "zh") == "新疆维吾尔自治区喀什地区喀什市"  # still named
    assert not book.is_delivery_area(KASHGAR_CITY) and book.is_delivery_area("653199")

    again = run(tmp_path, "regions", "update", "--from", str(revised))
    assert again.returncode == 0, again.stderr
    assert "0 added, 0 changed, 0 retired" in again.stderr
    assert table_of(url).regions() == book.regions()

    partial = tmp_path / "partial.csv"
    partial.write_text("code,name_zh\n110000,北京市\n110105,朝阳区\n", encoding="utf-8")
    refused = run(tmp_path, "regions", "update", "--from", str(partial))
    assert refused.returncode == 1 and "Nothing changed" in refused.stderr
    assert table_of(url).regions() == book.regions()

    back = run(tmp_path, "regions", "update")  # the installed official list: 653101 returns
    assert back.returncode == 0, back.stderr
    book = table_of(url)
    assert book.is_delivery_area(KASHGAR_CITY) and book.get("653199").retired  # type: ignore[union-attr]


def test_updating_twice_in_one_transaction_changes_nothing_the_second_time(
    database_url: str,
) -> None:
    async def update() -> tuple[object, object, int]:
        database = Database(Settings(_env_file=None, database_url=database_url))  # type: ignore[call-arg]
        try:
            async with database.transaction() as db:
                renamed = parse_regions(
                    official_csv(official_regions()).replace("喀什市", "喀什市（新）")
                )
                first = await do_update_regions(db, renamed, today=date(2026, 12, 5))
                second = await do_update_regions(db, renamed, today=date(2026, 12, 5))
                with pytest.raises(TooManyRetired):
                    await do_update_regions(
                        db,
                        parse_regions("code,name_zh\n110000,北京市\n"),
                        today=date(2026, 12, 5),
                        max_retired=10,
                    )
                count = len((await db.scalars(select(RegionRow.code))).all())
                return first, second, count
        finally:
            await database.dispose()

    first, second, count = asyncio.run(update())
    assert (first.added, first.changed, first.retired) == (0, 1, 0)  # type: ignore[attr-defined]
    assert (second.added, second.changed, second.retired) == (0, 0, 0)  # type: ignore[attr-defined]
    assert count == len(official_regions())
