"""CSV imports as pure functions: a cooperative's member roster and reference price bands.
Each row is checked on its own and named by its line; an import goes ahead only when every
row is good, so nothing is ever half-imported."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Generic, TypeVar

from sunlit.catalog.model import (
    KIND,
    NATIONAL,
    Band,
    ProducerDraft,
    ProducerKind,
    Unit,
    check_band,
    check_producer,
)
from sunlit.core.errors import N_
from sunlit.core.money import parse_yuan
from sunlit.core.regions.model import RegionBook
from sunlit.core.text import has_control_characters, whole_number

T = TypeVar("T")
MAX_ROWS = 5000

#: Column names accepted for each field, in English and Chinese.
ROSTER_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "姓名", "户主", "户主姓名"),
    "village": ("village", "村", "村组", "村名"),
    "phone": ("phone", "电话", "手机", "手机号"),
}
BAND_COLUMNS: dict[str, tuple[str, ...]] = {
    "kind": ("kind", "品类"),
    "region": ("region", "地区代码", "地区"),
    "low": ("low", "下限", "最低价"),
    "high": ("high", "上限", "最高价"),
    "unit": ("unit", "单位"),
    "box_grams": ("box_grams", "每箱克数"),
    "observed_on": ("observed_on", "采集日期", "日期"),
    "source": ("source", "来源"),
}
UNIT_WORDS = {
    "jin": Unit.JIN,
    "斤": Unit.JIN,
    "kg": Unit.KG,
    "千克": Unit.KG,
    "公斤": Unit.KG,
    "box": Unit.BOX,
    "箱": Unit.BOX,
}


@dataclass(frozen=True, slots=True)
class ImportRow(Generic[T]):
    line: int
    values: dict[str, str]
    item: T | None
    errors: dict[str, str]


@dataclass(frozen=True, slots=True)
class ImportPreview(Generic[T]):
    rows: list[ImportRow[T]] = field(default_factory=list)
    problem: str | None = None  # a msgid when the file as a whole cannot be read

    @property
    def ok(self) -> bool:
        return self.problem is None and bool(self.rows) and all(not r.errors for r in self.rows)

    @property
    def items(self) -> list[T]:
        return [row.item for row in self.rows if row.item is not None]

    @property
    def bad_rows(self) -> int:
        return sum(1 for row in self.rows if row.errors)


def decode(data: bytes) -> str | None:
    """UTF-8 (with or without the BOM Excel adds), else GB18030, as Chinese Excel saves CSV."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _table(
    text: str, columns: dict[str, tuple[str, ...]]
) -> tuple[list[tuple[int, dict[str, str]]], str | None]:
    try:
        return _read_table(text, columns)
    except csv.Error:
        return [], N_("The file is not valid CSV. Save it again as CSV and try again.")


def _read_table(
    text: str, columns: dict[str, tuple[str, ...]]
) -> tuple[list[tuple[int, dict[str, str]]], str | None]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        return [], N_("The file is empty.")
    names = [cell.strip().lower() for cell in header]
    positions = {}
    for key, aliases in columns.items():
        found = next((i for i, name in enumerate(names) if name in aliases), None)
        if found is not None:
            positions[key] = found
    required = [key for key in columns if key not in ("box_grams", "village", "phone")]
    if any(key not in positions for key in required):
        return [], N_("The first row must name the columns; see the example.")
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        rows.append(
            (
                number,
                {key: cells[i].strip() if i < len(cells) else "" for key, i in positions.items()},
            )
        )
        if len(rows) > MAX_ROWS:
            return [], N_("A file holds at most 5,000 rows.")
    if not rows:
        return [], N_("The file has no rows under its header.")
    return rows, None


def parse_roster(
    text: str,
    *,
    region: str,
    cooperative_id: str,
    regions: RegionBook,
    existing: frozenset[tuple[str, str]] = frozenset(),
) -> ImportPreview[ProducerDraft]:
    """Member households of a cooperative, one a row: name, village, phone. ``existing`` are
    the (name, village) pairs the cooperative already has: importing a file twice adds no one
    twice."""
    table, problem = _table(text, ROSTER_COLUMNS)
    if problem:
        return ImportPreview(problem=problem)
    seen: dict[str, int] = {}
    rows = []
    for line, values in table:
        draft = ProducerDraft(
            ProducerKind.HOUSEHOLD,
            values.get("name", ""),
            region,
            village=values.get("village") or None,
            contact_name=values.get("name") or None,
            contact_phone=values.get("phone") or None,
            cooperative_id=cooperative_id,
        )
        errors = {k: v for k, v in check_producer(draft, regions).items() if k != "region"}
        if any(has_control_characters(v) for v in values.values()):
            errors["name"] = N_("Remove the control characters from this field.")
        key = (values.get("name", ""), values.get("village", ""))
        if values.get("name") and "|".join(key) in seen:
            errors["name"] = N_("The same household appears twice in the file.")
        if key in existing:
            errors["name"] = N_("This household is already a member of the cooperative.")
        seen.setdefault("|".join(key), line)
        rows.append(ImportRow(line, values, None if errors else draft, errors))
    return ImportPreview(rows)


def parse_bands(
    text: str,
    *,
    regions: RegionBook,
    today: date,
    existing: frozenset[tuple[str, str, date]] = frozenset(),
) -> ImportPreview[Band]:
    """Reference bands, one a row, amounts in yuan. ``existing`` are the (kind, region, date)
    of bands already recorded: importing a file twice records nothing twice."""
    table, problem = _table(text, BAND_COLUMNS)
    if problem:
        return ImportPreview(problem=problem)
    rows = []
    for line, values in table:
        errors: dict[str, str] = {}
        amounts = {}
        for name in ("low", "high"):
            try:
                amounts[name] = parse_yuan(values.get(name, ""))
            except ValueError:
                errors[name] = N_("Enter an amount in yuan, such as 3.50.")
        unit = UNIT_WORDS.get(values.get("unit", "").lower())
        if unit is None:
            errors["unit"] = N_("Choose a unit from the list.")
        grams_text = values.get("box_grams", "")
        grams = whole_number(grams_text)
        if unit is Unit.BOX and not (grams and 1 <= grams <= 100_000):
            errors["box_grams"] = N_("Give the net weight of a box in grams (1 to 100,000).")
        try:
            observed = date.fromisoformat(values.get("observed_on", ""))
            if observed > today:
                errors["observed_on"] = N_("A band cannot be observed in the future.")
        except ValueError:
            errors["observed_on"] = N_("Enter a date such as 2026-11-01.")
            observed = date.min
        if not KIND.match(values.get("kind", "")):
            errors["kind"] = N_("A product kind is 2 to 32 lower-case letters, such as crisp_pear.")
        region = values.get("region", "")
        if region != NATIONAL and regions.get(region) is None:
            errors["region"] = N_("Enter a six-digit GB/T 2260 code.")
        if not values.get("source") or len(values["source"]) > 200:
            errors["source"] = N_("Say where the band comes from (1 to 200 characters).")
        if "low" in amounts and "high" in amounts:
            errors.update(
                {
                    k: v
                    for k, v in check_band(amounts["low"], amounts["high"]).items()
                    if k not in errors
                }
            )
        if (values.get("kind", ""), region, observed) in existing:
            errors["observed_on"] = N_("A band for this kind, region and date is already recorded.")
        band = None
        if not errors and unit is not None:
            band = Band(
                values.get("kind", ""),
                region,
                amounts["low"],
                amounts["high"],
                unit,
                observed,
                values["source"],
                grams if unit is Unit.BOX else None,
            )
        rows.append(ImportRow(line, values, band, errors))
    return ImportPreview(rows)
