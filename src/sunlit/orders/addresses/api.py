"""JSON API for the buyer's address book (``/api/v1/addresses``): only the owner reaches an
address; anyone else's is 404."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from sunlit.accounts.work import Work, unit
from sunlit.core.text import CleanText
from sunlit.orders.addresses import services as book
from sunlit.orders.addresses.model import AddressDraft, SavedAddress
from sunlit.web.deps import Kit, PathId

router = APIRouter(prefix="/api/v1", tags=["addresses"])

signed_in = unit("signed_in")


class SavedAddressIn(BaseModel):
    """The lengths here only bound the body; the address book's checks give a message per
    field (label up to 20, street 4 to 200, recipient up to 40, phone 7 to 15 digits)."""

    label: CleanText = Field("", max_length=200)
    region: str = Field(max_length=20)
    detail: CleanText = Field(max_length=400)
    recipient: CleanText = Field(max_length=200)
    phone: str = Field(max_length=40)
    default: bool = False

    def draft(self) -> AddressDraft:
        return AddressDraft(
            self.label.strip(),
            self.region.strip(),
            self.detail.strip(),
            self.recipient.strip(),
            self.phone.strip(),
        )


class SavedAddressOut(BaseModel):
    id: str
    label: str
    region: str
    detail: str
    recipient: str
    phone: str
    is_default: bool
    created_at: datetime

    @classmethod
    def of(cls, row: SavedAddress) -> SavedAddressOut:
        return cls.model_validate(row, from_attributes=True)


@router.get("/addresses", response_model=list[SavedAddressOut])
async def list_addresses(work: Work[Kit] = signed_in) -> list[SavedAddressOut]:
    """Your saved addresses, the default first."""
    return [SavedAddressOut.of(row) for row in await book.addresses_of(work.db, work.actor.id)]


@router.post("/addresses", status_code=201, response_model=SavedAddressOut)
async def add_address(body: SavedAddressIn, work: Work[Kit] = signed_in) -> SavedAddressOut:
    """Save an address (at most 20); the first one is the default."""
    row = await book.do_add_address(
        work.db, work.actor, body.draft(), default=body.default, now=work.now
    )
    await work.commit()
    return SavedAddressOut.of(row)


@router.get("/addresses/{address_id}", response_model=SavedAddressOut)
async def get_address(address_id: PathId, work: Work[Kit] = signed_in) -> SavedAddressOut:
    return SavedAddressOut.of(await book.access_address(work.db, work.actor, address_id))


@router.put("/addresses/{address_id}", response_model=SavedAddressOut)
async def edit_address(
    address_id: PathId, body: SavedAddressIn, work: Work[Kit] = signed_in
) -> SavedAddressOut:
    """Change an address (``default: true`` also makes it the default)."""
    row = await book.do_edit_address(
        work.db, work.actor, address_id, body.draft(), default=body.default, now=work.now
    )
    await work.commit()
    return SavedAddressOut.of(row)


@router.post("/addresses/{address_id}/default", response_model=SavedAddressOut)
async def make_default(address_id: PathId, work: Work[Kit] = signed_in) -> SavedAddressOut:
    row = await book.do_make_default(work.db, work.actor, address_id, now=work.now)
    await work.commit()
    return SavedAddressOut.of(row)


@router.delete("/addresses/{address_id}", status_code=204)
async def remove_address(address_id: PathId, work: Work[Kit] = signed_in) -> Response:
    """Delete an address; if it was the default, the newest left becomes the default."""
    await book.do_remove_address(work.db, work.actor, address_id, now=work.now)
    await work.commit()
    return Response(status_code=204)
