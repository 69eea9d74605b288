"""The pages a case's evidence links to: what one account it names did in the session (joins
with device and network address, chat, likes, orders and their fate, and the devices and
addresses other accounts shared with it), and the session's chat, searchable, each message
anchored so that the case can point at it. For Sunlit's own sessions and imported streams alike."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from sunlit.accounts.model import ROLE_LABELS, Role
from sunlit.accounts.work import Work, unit
from sunlit.core.errors import N_
from sunlit.integrity.case_streams import account_in_case, chat_of_case
from sunlit.integrity.cases import RULE_LABELS
from sunlit.integrity.traces import ADDRESS, DEVICE, IP, fate, moment, page_of
from sunlit.web.deps import Kit, PathId
from sunlit.web.paging import page_number
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)

#: An account as a stream names it: Sunlit's ids, or whatever another platform used.
AccountId = Annotated[str, Path(pattern=r"^[^/\s]{1,128}$")]

MARKS = {DEVICE: N_("Device"), IP: N_("Network address"), ADDRESS: N_("Delivery address")}


@router.get("/supervisor/cases/{case_id}/accounts/{account_id}")
async def account_page(
    case_id: PathId, account_id: AccountId, work: Work[Kit] = unit(Role.SUPERVISOR)
) -> Response:
    services = work.services
    found = await account_in_case(work.db, services.files, services.zone, case_id, account_id)
    return render(
        work.request,
        "integrity/account.html",
        {
            "found": found,
            "moment": moment,
            "fate": fate,
            "page_of": page_of,
            "roles": ROLE_LABELS,
            "marks": MARKS,
            "rules": RULE_LABELS,
        },
    )


@router.get("/supervisor/cases/{case_id}/chat")
async def chat_page(case_id: PathId, work: Work[Kit] = unit(Role.SUPERVISOR)) -> Response:
    services, query = work.services, work.request.query_params
    account = (query.get("account") or "").strip()[:128] or None
    text = (query.get("q") or "").strip()[:200] or None
    found = await chat_of_case(
        work.db,
        services.files,
        services.zone,
        case_id,
        account=account,
        text=text,
        page=page_number(query.get("page")),
    )
    return render(
        work.request,
        "integrity/chat.html",
        {
            "found": found,
            "account": account,
            "q": text or "",
            "moment": moment,
            "rules": RULE_LABELS,
        },
    )
