"""Pages for follows (issue 21 item 4): one's follows at ``/follows``, the follow and unfollow
buttons other pages show (producer and product pages), each posting here; and the hosts'
guide (``/guide``, item 2), a page of the same issue."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from sunlit.accounts.work import Work, unit
from sunlit.participation import follows
from sunlit.participation.follows import TARGET_LABELS
from sunlit.web.deps import Kit, PathId
from sunlit.web.forms import read_form, redirect, safe_next
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)
signed_in = unit("signed_in")


def back_to(fields: dict[str, str]) -> str:
    """Where a follow button sends the browser back: a path on this site, else /follows."""
    return safe_next(fields.get("back"), "/follows")


@router.get("/guide")
async def guide_page(work: Work[Kit] = unit("public")) -> Response:
    """A short guide for hosts (issue 21, item 2): presenting produce, the chat, price and stock,
    what the rules forbid, after the session; zh and en."""
    return render(work.request, "participation/guide.html", {})


@router.get("/follows")
async def follows_page(work: Work[Kit] = signed_in) -> Response:
    return render(
        work.request,
        "participation/follows.html",
        {
            "items": await follows.follows_of(work.db, work.actor.id),
            "labels": TARGET_LABELS,
            "done": work.request.query_params.get("done"),
        },
    )


@router.post("/follows")
async def follow(work: Work[Kit] = signed_in) -> Response:
    """Follow what the button names; a refusal (nothing to follow) is the error page."""
    fields, _ = await read_form(work.request)
    await follows.do_follow(
        work.db, work.actor, fields.get("kind", ""), fields.get("target", "")[:40], now=work.now
    )
    await work.commit()
    return redirect(back_to(fields))


@router.post("/follows/{follow_id}/delete")
async def unfollow(follow_id: PathId, work: Work[Kit] = signed_in) -> Response:
    fields, _ = await read_form(work.request)
    await follows.do_unfollow(work.db, work.actor, follow_id)
    await work.commit()
    return redirect(back_to(fields) if fields.get("back") else "/follows?done=unfollowed")
