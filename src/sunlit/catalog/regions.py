"""Regions as values: GB/T 2260 six-digit codes, their names and their hierarchy."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from enum import StrEnum

CODE = re.compile(r"^\d{6}$")


class RegionLevel(StrEnum):
    PROVINCE = "province"
    PREFECTURE = "prefecture"
    COUNTY = "county"


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name_zh: str
    name_en: str
    level: RegionLevel
    parent: str | None

    def name(self, language: str) -> str:
        return self.name_zh if language == "zh" else self.name_en


def region_prefix(code: str) -> str:
    """The code prefix shared by a region and everything inside it."""
    level = level_of(code)
    if level is RegionLevel.PROVINCE:
        return code[:2]
    if level is RegionLevel.PREFECTURE:
        return code[:4]
    return code


def covers(area: str | None, code: str) -> bool:
    """Whether ``code`` lies inside ``area`` (an account's region): a county covers itself, a
    prefecture its counties, a province everything in it. No area covers nothing."""
    if not area or not CODE.match(area):
        return False
    return code.startswith(region_prefix(area))


def level_of(code: str) -> RegionLevel:
    if code.endswith("0000"):
        return RegionLevel.PROVINCE
    if code.endswith("00"):
        return RegionLevel.PREFECTURE
    return RegionLevel.COUNTY


class RegionBook:
    """The regions one deployment knows, with lookups by code, name and parent."""

    def __init__(self, regions: list[Region]) -> None:
        self._by_code = {region.code: region for region in regions}

    def __len__(self) -> int:
        return len(self._by_code)

    def get(self, code: str) -> Region | None:
        return self._by_code.get(code)

    def children(self, code: str) -> list[Region]:
        return sorted((r for r in self._by_code.values() if r.parent == code), key=lambda r: r.code)

    def path(self, code: str) -> list[Region]:
        """Province first, the region itself last."""
        chain: list[Region] = []
        region = self.get(code)
        while region is not None:
            chain.append(region)
            region = self.get(region.parent) if region.parent else None
        return list(reversed(chain))

    def full_name(self, code: str, language: str) -> str:
        separator = "" if language == "zh" else ", "
        names = [r.name(language) for r in self.path(code)]
        return separator.join(names if language == "zh" else reversed(names))

    def search(
        self, text: str = "", *, level: RegionLevel | None = None, limit: int = 50
    ) -> list[Region]:
        needle = text.strip().lower()
        found = [
            r
            for r in sorted(self._by_code.values(), key=lambda r: r.code)
            if (level is None or r.level is level)
            and (
                not needle
                or r.code.startswith(needle)
                or needle in r.name_zh
                or needle in r.name_en.lower()
            )
        ]
        return found[:limit]


def parse_regions(text: str) -> RegionBook:
    """Read the CSV data file (code, name_zh, name_en); parents are derived from the code."""
    rows = list(csv.DictReader(io.StringIO(text)))
    codes = {row["code"] for row in rows}
    regions = []
    for number, row in enumerate(rows, start=2):
        code = row["code"]
        if not CODE.match(code):
            raise ValueError(f"line {number}: {code!r} is not a six-digit GB/T 2260 code")
        level = level_of(code)
        parent: str | None = None
        if level is RegionLevel.COUNTY:
            parent = code[:4] + "00" if code[:4] + "00" in codes else code[:2] + "0000"
        elif level is RegionLevel.PREFECTURE:
            parent = code[:2] + "0000"
        if parent is not None and parent not in codes:
            raise ValueError(f"line {number}: parent {parent} of {code} is missing")
        regions.append(Region(code, row["name_zh"], row["name_en"], level, parent))
    return RegionBook(regions)
