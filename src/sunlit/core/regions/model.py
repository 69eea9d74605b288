"""Regions as values: GB/T 2260 six-digit codes, their names and their hierarchy."""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterable
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
    #: A code that left the official list: kept, because orders and producers refer to it,
    #: but no longer offered for a new choice.
    retired: bool = False

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
        self._children: dict[str, list[Region]] = {}
        self._choices: dict[str, list[tuple[str, list[tuple[str, str]]]]] = {}
        # A book does not change once made (a new one replaces it): sorted once, not per call.
        self._sorted = tuple(sorted(self._by_code.values(), key=lambda r: r.code))
        for region in self._sorted:
            if region.parent is not None:
                self._children.setdefault(region.parent, []).append(region)

    def __len__(self) -> int:
        return len(self._by_code)

    def get(self, code: str) -> Region | None:
        return self._by_code.get(code)

    def children(self, code: str) -> list[Region]:
        return list(self._children.get(code, []))

    def path(self, code: str) -> list[Region]:
        """Province first, the region itself last."""
        chain: list[Region] = []
        region = self.get(code)
        while region is not None:
            chain.append(region)
            region = self.get(region.parent) if region.parent else None
        return list(reversed(chain))

    def own_name(self, code: str, language: str) -> str:
        """A region's own name, without its province and city (砀山县, Dangshan County); the
        code itself when the book does not know it."""
        region = self.get(code)
        return region.name(language) if region is not None else code

    def full_name(self, code: str, language: str) -> str:
        separator = "" if language == "zh" else ", "
        names = [r.name(language) for r in self.path(code)]
        return separator.join(names if language == "zh" else reversed(names))

    def regions(self) -> list[Region]:
        """Every region, retired ones too, by code."""
        return list(self._sorted)

    def is_delivery_area(self, code: str) -> bool:
        """A current county, or a current prefecture that has no counties (东莞市 441900,
        中山市 442000, 儋州市 460400, 嘉峪关市 620200): where a parcel can be sent."""
        region = self.get(code)
        if region is None or region.retired:
            return False
        if region.level is RegionLevel.COUNTY:
            return True
        return region.level is RegionLevel.PREFECTURE and all(
            child.retired for child in self._children.get(code, [])
        )

    def delivery_areas(self) -> list[tuple[Region, list[Region]]]:
        """The delivery areas (``is_delivery_area``) grouped under their province, by code:
        what a select of counties shows, one optgroup per province."""
        groups: dict[str, list[Region]] = {}
        for region in self.regions():
            if self.is_delivery_area(region.code):
                groups.setdefault(region.code[:2] + "0000", []).append(region)
        return [
            (province, groups[code])
            for code in sorted(groups)
            if (province := self.get(code)) is not None
        ]

    def delivery_choices(self, language: str) -> list[tuple[str, list[tuple[str, str]]]]:
        """``delivery_areas`` as names and ``(code, name_in_province)`` options, computed once
        per language (a select of some 2,850 options renders on every checkout)."""
        if language not in self._choices:
            self._choices[language] = [
                (
                    province.name(language),
                    [(c.code, self.name_in_province(c.code, language)) for c in counties],
                )
                for province, counties in self.delivery_areas()
            ]
        return self._choices[language]

    def name_in_province(self, code: str, language: str) -> str:
        """The name below the province, prefecture first: "喀什地区 · 喀什市"."""
        return " · ".join(region.name(language) for region in self.path(code)[1:])

    def search(
        self,
        text: str = "",
        *,
        level: RegionLevel | None = None,
        limit: int = 50,
        retired: bool = False,
    ) -> list[Region]:
        needle = text.strip().lower()
        found = (
            r
            for r in self._sorted
            if (level is None or r.level is level)
            and (retired or not r.retired)
            and (
                not needle
                or r.code.startswith(needle)
                or needle in r.name_zh
                or needle in r.name_en.lower()
            )
        )
        return list(itertools.islice(found, limit))


def parse_regions(text: str) -> RegionBook:
    """Read a region CSV file (``code,name_zh[,name_en][,retired]``); parents are derived from
    the codes. Without ``name_en`` the English name is the Chinese one."""
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    for number, row in enumerate(rows, start=2):
        code = row.get("code") or ""
        if not CODE.match(code):
            raise ValueError(f"line {number}: {code!r} is not a six-digit GB/T 2260 code")
        if not (row.get("name_zh") or "").strip():
            raise ValueError(f"line {number}: {row['code']} has no name_zh")
    lines = {row["code"]: number for number, row in enumerate(rows, start=2)}
    try:
        return regions_of(
            (
                row["code"],
                row["name_zh"].strip(),
                (row.get("name_en") or "").strip() or row["name_zh"].strip(),
                (row.get("retired") or "").strip().lower() in {"1", "true", "yes"},
            )
            for row in rows
        )
    except MissingParent as exc:
        raise ValueError(f"line {lines[exc.code]}: {exc}") from None


class MissingParent(ValueError):
    def __init__(self, code: str, parent: str) -> None:
        super().__init__(f"the parent {parent} of {code} is missing")
        self.code = code


def regions_of(rows: Iterable[tuple[str, str, str, bool]]) -> RegionBook:
    """A book of ``(code, name_zh, name_en, retired)`` rows. A county's parent is its
    prefecture when that is listed (else its province: the districts of Beijing, the counties
    a province governs directly); a prefecture's parent is its province."""
    listed = list(rows)
    codes = {code for code, *_ in listed}
    regions = []
    for code, name_zh, name_en, retired in listed:
        if not CODE.match(code):
            raise ValueError(f"{code!r} is not a six-digit GB/T 2260 code")
        level = level_of(code)
        parent: str | None = None
        if level is RegionLevel.COUNTY:
            parent = code[:4] + "00" if code[:4] + "00" in codes else code[:2] + "0000"
        elif level is RegionLevel.PREFECTURE:
            parent = code[:2] + "0000"
        if parent is not None and parent not in codes:
            raise MissingParent(code, parent)
        regions.append(Region(code, name_zh, name_en, level, parent, retired))
    return RegionBook(regions)
