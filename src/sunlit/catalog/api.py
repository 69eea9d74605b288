"""JSON API for regions (GB/T 2260)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.access import Principal, allow
from sunlit.accounts.model import Role
from sunlit.core.regions import services as catalog
from sunlit.core.regions.model import Region, RegionLevel
from sunlit.web.deps import get_db, get_services

router = APIRouter(prefix="/api/v1", tags=["regions"])


class RegionOut(BaseModel):
    code: str
    name_zh: str
    name_en: str
    level: RegionLevel
    parent: str | None

    @classmethod
    def of(cls, region: Region) -> RegionOut:
        return cls(
            code=region.code,
            name_zh=region.name_zh,
            name_en=region.name_en,
            level=region.level,
            parent=region.parent,
        )


class RegionDetailOut(RegionOut):
    path: list[RegionOut]
    children: list[RegionOut]


class ServeIn(BaseModel):
    code: str = Field(pattern=r"^\d{6}$")


@router.get("/regions", response_model=list[RegionOut])
async def search_regions(
    q: str = Query("", max_length=64, description="code prefix or part of a name (zh or en)"),
    level: RegionLevel | None = None,
    limit: int = Query(50, ge=1, le=500),
    principal: Principal = allow("public"),
) -> list[RegionOut]:
    return [RegionOut.of(r) for r in catalog.region_book().search(q, level=level, limit=limit)]


@router.get("/regions/{code}", response_model=RegionDetailOut)
async def get_region(code: str, principal: Principal = allow("public")) -> RegionDetailOut:
    region = catalog.get_region(code)
    book = catalog.region_book()
    return RegionDetailOut(
        **RegionOut.of(region).model_dump(),
        path=[RegionOut.of(r) for r in book.path(code)],
        children=[RegionOut.of(r) for r in book.children(code)],
    )


@router.get("/served-regions", response_model=list[RegionOut])
async def served_regions(
    principal: Principal = allow("public"), db: AsyncSession = Depends(get_db)
) -> list[RegionOut]:
    return [RegionOut.of(r) for r in await catalog.served_regions(db)]


@router.post("/served-regions", status_code=201, response_model=RegionOut)
async def serve_region(
    body: ServeIn,
    request: Request,
    principal: Principal = allow(Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> RegionOut:
    region = await catalog.do_serve_region(
        db, body.code, now=get_services(request).clock.now(), actor=principal.require().id
    )
    await db.commit()
    return RegionOut.of(region)
