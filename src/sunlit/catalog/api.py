"""JSON API for regions (GB/T 2260)."""

from __future__ import annotations

from fastapi import APIRouter, Query

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.catalog.schemas import RegionDetailOut, RegionOut, ServeIn
from sunlit.core.regions import services as catalog
from sunlit.core.regions.model import RegionLevel
from sunlit.web.deps import Kit

router = APIRouter(prefix="/api/v1", tags=["regions"])


@router.get("/regions", response_model=list[RegionOut])
async def search_regions(
    q: str = Query("", max_length=64, description="code prefix or part of a name (zh or en)"),
    level: RegionLevel | None = None,
    limit: int = Query(50, ge=1, le=500),
    work: Work[Kit] = unit("public"),
) -> list[RegionOut]:
    return [RegionOut.of(r) for r in catalog.region_book().search(q, level=level, limit=limit)]


@router.get("/regions/{code}", response_model=RegionDetailOut)
async def get_region(code: str, work: Work[Kit] = unit("public")) -> RegionDetailOut:
    return RegionDetailOut.of_code(code)


@router.get("/served-regions", response_model=list[RegionOut])
async def served_regions(work: Work[Kit] = unit("public")) -> list[RegionOut]:
    return [RegionOut.of(r) for r in await catalog.served_regions(work.db)]


@router.post("/served-regions", status_code=201, response_model=RegionOut)
async def serve_region(body: ServeIn, work: Work[Kit] = unit(Role.OPERATOR)) -> RegionOut:
    region = await catalog.do_serve_region(work.db, body.code, now=work.now, actor=work.actor.id)
    await work.commit()
    return RegionOut.of(region)
