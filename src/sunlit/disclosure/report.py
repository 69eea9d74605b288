"""The post-live report: the per-product table as CSV and the report page as PDF."""

from __future__ import annotations

from pathlib import Path

from sunlit.core.errors import N_, Conflict
from sunlit.disclosure.model import Disclosure, Stage
from sunlit.disclosure.printing import print_pdf
from sunlit.web.downloads import csv_bytes

#: The report's print style (fonts-noto-cjk for the Chinese).
STYLE = Path(__file__).parent.parent / "static" / "report.css"

#: The CSV's columns: stable names, money in integer fen (docs/disclosure.md).
CSV_COLUMNS = (
    "session",
    "product",
    "name_zh",
    "name_en",
    "producer",
    "producer_kind",
    "orders",
    "paid_orders",
    "units",
    "paid_fen",
    "refunded_fen",
    "cancelled",
    "complaints",
    "paid_out_fen",
    "fee_fen",
    "fund_fen",
    "households",
)


def ended(found: Disclosure) -> Disclosure:
    if found.stage is not Stage.AFTER:
        raise Conflict(N_("The post-live report is ready once the session has ended."))
    return found


def products_csv(found: Disclosure) -> bytes:
    """One line a product and a last line for the whole session (UTF-8 with a BOM, so that
    spreadsheet programs read the Chinese names right)."""
    ended(found)
    rows: list[tuple[object, ...]] = [
        (found.id, product.id, product.name_zh, product.name_en, product.producer,
         product.producer_kind, o.orders, o.paid_orders, o.units, o.paid, o.refunded,
         o.cancelled, o.complaints, o.paid_out, o.fee, o.fund, o.households)
        for product, o in zip(found.products, found.outcome, strict=True)
    ]  # fmt: skip
    t = found.total
    if t is not None:
        rows.append(
            (found.id, "", "合计", "Total", "", "", t.orders, t.paid_orders, t.units, t.paid,
             t.refunded, t.cancelled, t.complaints, t.paid_out, t.fee, t.fund, t.households)
        )  # fmt: skip
    return csv_bytes(CSV_COLUMNS, rows)


async def to_pdf(found: Disclosure, html: bytes) -> bytes:
    """The report page printed to PDF (:func:`sunlit.disclosure.printing.print_pdf`)."""
    ended(found)
    return await print_pdf(html.decode(), STYLE)
