"""A county's monthly report as PDF (issue 21, item 5): a month of orders seeded, the report
fetched over HTTP in zh and en and read back as a reader would (pypdf): the county, the month,
the total sold, the Chinese text extractable because its font is embedded; the month under way
says "so far"; a month not yet begun, before 2000 or malformed, and a code that is not a
county's, are 404s in the error page's shape."""

from __future__ import annotations

import io
import re
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from pypdf import PdfReader

from sunlit.core.db import Database
from sunlit.core.errors import NotFound
from sunlit.core.money import format_fen
from sunlit.disclosure.monthly import month_of, parse_month, report_months
from sunlit.disclosure.region import region_sales
from sunlit.settings import Settings
from tests.sales_seed import Seeded, seed_month
from tests.support import LiveServer, run_async
from tests.test_page_cache import cached, statements_during
from tests.test_web import client

ZONE = ZoneInfo("Asia/Shanghai")
#: January 2026, local days: the seeded orders and sessions fall in its first 30 days (the test
#: server's clock is 2 March 2026, so January is complete and March under way).
JANUARY = datetime(2026, 1, 1, tzinfo=ZONE)
REPORT = "/regions/341321/report-{}.pdf"


def test_which_month_an_address_names() -> None:
    today = date(2026, 3, 2)
    assert parse_month("2026-01", today) == month_of(date(2026, 1, 1), today)
    assert parse_month("2026-01", today).last == date(2026, 1, 31)
    under_way = parse_month("2026-03", today)
    assert (under_way.last, under_way.complete) == (today, False)
    assert month_of(date(2024, 2, 1), today).last == date(2024, 2, 29)  # a leap year
    assert month_of(date(2026, 2, 1), date(2026, 2, 28)).complete is False  # its last day
    assert month_of(date(2026, 2, 1), date(2026, 3, 1)).complete is True
    last, this = report_months(date(2026, 1, 15))  # over the turn of the year
    assert (last.key, last.complete, this.key, this.complete) == ("2025-12", True, "2026-01", False)
    for bad in (
        "2026-04",
        "1999-12",
        "2026-13",
        "2026-00",
        "2026-1",
        "26-01",
        "2026-01x",
        "",
        "２０２６-01",
    ):
        with pytest.raises(NotFound):
            parse_month(bad, today)
    assert parse_month("2000-01", today).complete


def seed_january(served: LiveServer) -> Seeded:
    async def run() -> Seeded:
        database = Database(served.settings)
        try:
            async with database.transaction() as db:
                return await seed_month(
                    db,
                    product_name="砀山酥梨",
                    host="official.dangshan",
                    buyer="buyer1",
                    start=JANUARY,
                    orders=240,
                    sessions=2,
                )
        finally:
            await database.dispose()

    seeded: Seeded = run_async(run())
    return seeded


def printed(answer: httpx.Response) -> str:
    """The PDF's text as a reader's program extracts it, every page."""
    assert answer.status_code == 200, answer.text[:500]
    assert answer.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(answer.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def embedded_fonts(content: bytes) -> set[str]:
    """The fonts the PDF carries inside it (a font only named would not show on a machine
    without it: Chinese would not be readable)."""
    found: set[str] = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        fonts: Any = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            for part in [font, *[d.get_object() for d in font.get("/DescendantFonts", [])]]:
                descriptor = part.get("/FontDescriptor")
                if descriptor is not None and any(
                    k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")
                ):
                    found.add(str(font["/BaseFont"]))
    return found


def test_a_counties_month_printed_in_chinese_and_english(served: LiveServer, shots: Path) -> None:
    seeded = seed_january(served)
    total = format_fen(seeded.amount)
    with client(served, "zh") as zh:
        zh.timeout = httpx.Timeout(60)
        answer = zh.get(REPORT.format("2026-01"))
        text = printed(answer)
        (shots / "monthly-report-zh.pdf").write_bytes(answer.content)
        assert answer.headers["content-disposition"] == 'inline; filename="341321-2026-01.pdf"'
        for shown in ("砀山县", "2026年1月", "销售月报", "整月", total, "Seeded session 1"):
            assert shown in text, (shown, text[:1500])
        assert any(
            "NotoSansCJK" in name.replace("-", "") for name in embedded_fonts(answer.content)
        )
        assert "/regions/341321" in text  # the page online
        under_way = zh.get(REPORT.format("2026-03"))
        (shots / "monthly-report-so-far-zh.pdf").write_bytes(under_way.content)
        so_far = printed(under_way)
        assert "2026年3月" in so_far and "至今" in so_far
        page = zh.get("/regions/341321").text  # the county page links to both months
        assert REPORT.format("2026-02") in page and REPORT.format("2026-03") in page
        assert "2026年3月（至今）" in page
    with client(served, "en") as en:
        en.timeout = httpx.Timeout(60)
        answer = en.get(REPORT.format("2026-01"))
        text = printed(answer)
        (shots / "monthly-report-en.pdf").write_bytes(answer.content)
        for shown in ("Dangshan County", "January 2026", "The whole month", total):
            assert shown in text, (shown, text[:1500])
        assert "Where the figures come from" in text
        # Sessions hosted by officials and by producers: one each of the two seeded.
        assert re.search(r"Sessions hosted by officials\s*1", text), text[:1500]
        assert "so far" in printed(en.get(REPORT.format("2026-03")))
        page = en.get("/regions/341321").text
        assert "Monthly reports (PDF)" in page and "March 2026, so far" in page
        assert "February 2026" in page
    assert run_async(in_process_total(served)) == seeded.amount


async def in_process_total(served: LiveServer) -> int:
    """January's total as the county page's own summary counts it (nothing else sold then)."""
    database = Database(served.settings)
    try:
        async with database.sessions() as db:
            now = datetime(2026, 2, 1, tzinfo=ZONE)  # the 90 days up to 1 February
            return (await region_sales(db, "341321", now=now, zone=ZONE)).total
    finally:
        await database.dispose()


@pytest.mark.parametrize(
    ("path", "says"),
    [
        (REPORT.format("2026-04"), "has not begun"),
        (REPORT.format("1999-12"), "begin with January 2000"),
        (REPORT.format("2026-13"), "write it as YYYY-MM"),
        (REPORT.format("March"), "write it as YYYY-MM"),
        ("/regions/341300/report-2026-01.pdf", "not a county"),  # Suzhou, the city
        ("/regions/999999/report-2026-01.pdf", "999999"),
    ],
)
def test_a_month_or_a_place_with_no_report_is_a_clear_404(
    server: LiveServer, path: str, says: str
) -> None:
    with client(server, "en") as visitor:
        answer = visitor.get(path)
        assert answer.status_code == 404, (path, answer.status_code)
        assert 'data-error="not_found"' in answer.text
        assert says in answer.text, answer.text[:800]


def test_the_printed_month_is_kept_by_the_page_cache_per_language(settings: Settings) -> None:
    """Printing takes a WeasyPrint run; a visitor's second ask, in the same language, is sent
    from the page cache without the database (issue 20), the other language printed apart."""
    with contextmanager(cached)(settings, 60) as server:
        with client(server, "zh") as zh, client(server, "en") as en:
            zh.timeout = en.timeout = httpx.Timeout(60)
            first = zh.get(REPORT.format("2026-02"))
            assert first.headers["cache-control"] == "public, max-age=60"
            again: list[httpx.Response] = []

            def ask() -> None:
                again.append(zh.get(REPORT.format("2026-02")))

            assert statements_during(server, ask) == 0
            assert again[0].content == first.content
            assert "February 2026" in printed(en.get(REPORT.format("2026-02")))
