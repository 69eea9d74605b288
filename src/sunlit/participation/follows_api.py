"""JSON API for follows (``/api/v1/follows``, issue 21 item 4): follow a producer, a county or a
kind of produce; list and end one's own follows."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from sunlit.accounts.work import Work, unit
from sunlit.participation import follows
from sunlit.participation.follows import Followed, Target
from sunlit.web.deps import Kit, PathId

router = APIRouter(prefix="/api/v1", tags=["follows"])
signed_in = unit("signed_in")


class FollowIn(BaseModel):
    kind: Target
    target: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")


class FollowOut(BaseModel):
    id: str
    kind: Target
    target: str
    name_zh: str
    name_en: str
    link: str
    created_at: datetime

    @classmethod
    def of(cls, f: Followed) -> FollowOut:
        return cls(
            id=f.id, kind=f.target_kind, target=f.target, name_zh=f.name_zh, name_en=f.name_en,
            link=f.link, created_at=f.created_at,
        )  # fmt: skip


@router.get("/follows", response_model=list[FollowOut])
async def my_follows(work: Work[Kit] = signed_in) -> list[FollowOut]:
    return [FollowOut.of(f) for f in await follows.follows_of(work.db, work.actor.id)]


@router.post("/follows", status_code=201, responses={200: {"model": FollowOut}})
async def follow(body: FollowIn, work: Work[Kit] = signed_in) -> JSONResponse:
    """Follow something (201); following it again answers the same follow (200)."""
    row, new = await follows.do_follow(
        work.db, work.actor, body.kind.value, body.target, now=work.now
    )
    made = await follows.followed(work.db, row)
    await work.commit()
    return JSONResponse(FollowOut.of(made).model_dump(mode="json"), status_code=201 if new else 200)


@router.delete("/follows/{follow_id}", status_code=204)
async def unfollow(follow_id: PathId, work: Work[Kit] = signed_in) -> None:
    await follows.do_unfollow(work.db, work.actor, follow_id)
    await work.commit()
