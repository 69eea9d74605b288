"""The buyer's address book pages (phone first): the list, adding, editing, deleting and
choosing the default. Only the owner reaches an address; anyone else gets 404."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from sunlit.accounts.work import Work, unit
from sunlit.core.errors import SunlitError
from sunlit.core.i18n import field_errors, translate
from sunlit.orders.addresses import services as book
from sunlit.orders.addresses.model import MAX_ADDRESSES, draft_of
from sunlit.orders.addresses.picking import Picker, matches_for, picker_of, picking
from sunlit.web.deps import Kit, PathId, undo
from sunlit.web.forms import form_fields, redirect
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)

signed_in = unit("signed_in")


async def _list(work: Work[Kit], status: int = 200, error: str | None = None) -> Response:
    asked = work.request.query_params
    return render(
        work.request,
        "orders/addresses.html",
        {
            "addresses": await book.addresses_of(work.db, work.actor.id),
            "most": MAX_ADDRESSES,
            "done": asked.get("done") == "1",
            "error": error,
        },
        status=status,
    )


def _form(
    work: Work[Kit],
    values: dict[str, str],
    address_id: str | None = None,
    status: int = 200,
    **extra: object,
) -> Response:
    context: dict[str, object] = {"values": values, "address_id": address_id, "errors": {}}
    context |= {"error": None, "picker": picker_of(values), **extra}
    return render(work.request, "orders/address_form.html", context, status=status)


@router.get("/account/addresses/picker")
async def region_picker(work: Work[Kit] = signed_in) -> Response:
    """The county picker after one step (htmx): a province, a city or a match chosen."""
    picker = picker_of(dict(work.request.query_params), step=True)
    context = {"picker": picker, "errors": {}}
    response = render(work.request, "orders/_region_picker.html", context)
    # Checkout's sums follow the county, once it is in the page.
    response.headers["HX-Trigger-After-Settle"] = "region-picked"
    return response


@router.get("/account/addresses/places")
async def region_matches(work: Work[Kit] = signed_in) -> Response:
    """The places whose name holds what the buyer typed (htmx), each with its whole name."""
    query = work.request.query_params.get("region_q", "").strip()
    picker = Picker(picker_of({}).choice, query, matches_for(query))
    return render(work.request, "orders/_region_matches.html", {"picker": picker})


@router.get("/account/addresses")
async def addresses_page(work: Work[Kit] = signed_in) -> Response:
    return await _list(work)


@router.get("/account/addresses/new")
async def new_address(work: Work[Kit] = signed_in) -> Response:
    return _form(work, {})


@router.post("/account/addresses")
async def add_address(work: Work[Kit] = signed_in) -> Response:
    fields = await form_fields(work.request)
    if picking(fields):
        return _form(work, fields)
    try:
        await book.do_add_address(
            work.db, work.actor, draft_of(fields), default="default" in fields, now=work.now
        )
        await work.commit()
    except SunlitError as exc:
        await undo(work.db, work.principal.account)
        return _form(
            work,
            fields,
            status=exc.status,
            error=translate(exc.message, exc.params),
            errors=field_errors(exc.fields, exc.params),
        )
    return redirect("/account/addresses?done=1")


@router.get("/account/addresses/{address_id}")
async def edit_address(address_id: PathId, work: Work[Kit] = signed_in) -> Response:
    row = await book.access_address(work.db, work.actor, address_id)
    values = {
        "label": row.label,
        "region": row.region,
        "detail": row.detail,
        "recipient": row.recipient,
        "phone": row.phone,
    }
    return _form(work, values, row.id, is_default=row.is_default)


@router.post("/account/addresses/{address_id}")
async def change_address(address_id: PathId, work: Work[Kit] = signed_in) -> Response:
    """Save the edit form, or (``action``) make the address the default or delete it."""
    fields = await form_fields(work.request)
    action = fields.get("action", "save")
    db, actor, now = work.db, work.actor, work.now
    if picking(fields):
        await book.access_address(db, actor, address_id)
        return _form(work, fields, address_id)
    try:
        if action == "default":
            await book.do_make_default(db, actor, address_id, now=now)
        elif action == "delete":
            await book.do_remove_address(db, actor, address_id, now=now)
        else:
            default = "default" in fields
            await book.do_edit_address(
                db, actor, address_id, draft_of(fields), default=default, now=now
            )
        await work.commit()
    except SunlitError as exc:
        await undo(db, work.principal.account)
        if exc.status == 404:
            raise
        if action in ("default", "delete"):
            return await _list(work, exc.status, translate(exc.message, exc.params))
        return _form(
            work,
            fields,
            address_id,
            status=exc.status,
            error=translate(exc.message, exc.params),
            errors=field_errors(exc.fields, exc.params),
        )
    return redirect("/account/addresses?done=1")
